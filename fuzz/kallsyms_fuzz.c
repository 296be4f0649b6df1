// SPDX-License-Identifier: GPL-2.0
/* ksyms_load() on arbitrary bytes as /proc/kallsyms, then lookups that
 * must agree with what was loaded. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "fuzz.h"
#include "kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const funcs[] = {
		"mark_oom_victim", "__oom_kill_process", "oom_kill_memcg_member", "",
	};
	static int fd = -1;
	const struct ksym *sym;
	struct ksyms *ks;
	char path[64];
	size_t i;

	if (fd < 0)
		fd = memfd_create("kallsyms", 0);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ks = ksyms_load(path);
	if (!ks)
		return 0;
	for (i = 0; i + 8 <= size; i += 8) {
		uint64_t addr;

		memcpy(&addr, data + i, 8);
		sym = ksyms_find(ks, addr);
		if (sym && sym->addr > addr)
			abort();
	}
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		sym = ksyms_func(ks, funcs[i]);
		if (sym && !ksym_is(sym->name, funcs[i]))
			abort();
	}
	ksyms_free(ks);
	return 0;
}
