// SPDX-License-Identifier: GPL-2.0
/*
 * A cgroup path as the kernel side stores it (leaf-first components, any
 * depth and bytes) through cgpath_format(), and any string through
 * container_parse() and cgpath_under(). Byte 0 picks the input's use.
 */
#include <stdlib.h>
#include <string.h>
#include "cgroup.h"
#include "container.h"
#include "fuzz.h"

static int lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* What container.h promises of a parse, whatever the path. */
static void check_identity(const char *path)
{
	struct container_id id;
	size_t n;

	container_parse(path, &id);
	n = strnlen(id.container_id, sizeof(id.container_id));
	if (n == sizeof(id.container_id) ||
	    (id.runtime != CTR_NONE) != (n != 0) ||
	    (id.runtime != CTR_LXC && n && (n != CTR_ID_LEN || !lower_hex(id.container_id, n))))
		abort();
	n = strnlen(id.pod_uid, sizeof(id.pod_uid));
	if (n == sizeof(id.pod_uid) || (n && n != 32 && n != POD_UID_LEN) ||
	    (!n && id.qos != POD_QOS_NONE))
		abort();
	if (strnlen(id.unit, sizeof(id.unit)) == sizeof(id.unit))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[CGPATH_MAX];
	struct oomtrace_cgpath *p;
	char *s;

	if (!size)
		return 0;
	if (data[0] & 1) {
		/* exactly its size on the heap: ASan sees a read past it */
		p = calloc(1, sizeof(*p));
		if (!p)
			abort();
		memcpy(p, data + 1, size - 1 < sizeof(*p) ? size - 1 : sizeof(*p));
		cgpath_format(p, out, sizeof(out));
		free(p);
		if (strnlen(out, sizeof(out)) == sizeof(out) || out[0] != '/')
			abort();
		check_identity(out);
		return 0;
	}
	s = malloc(size);
	if (!s)
		abort();
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	check_identity(s);
	/* a path is under itself, and anything is under "/" */
	if (!cgpath_under(s, "/") || (s[0] && !cgpath_under(s, s)))
		abort();
	free(s);
	return 0;
}
