// SPDX-License-Identifier: GPL-2.0
/* One debugfs line of the kernel module, any bytes, split and unescaped. */
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "kmod_fields.h"

#define MAX_FIELDS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmod_field f[MAX_FIELDS];
	char *line, *end;
	int n, i;

	line = malloc(size + 1);
	if (!line)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	end = line + size;
	n = kmod_fields_split(line, f, MAX_FIELDS);
	if (n < 0 || n > MAX_FIELDS)
		abort();
	for (i = 0; i < n; i++) {
		/* fields point into the line, and unescaping only shortens */
		if (f[i].key < line || f[i].val > end || f[i].val + strlen(f[i].val) > end ||
		    strchr(f[i].key, ' ') || strchr(f[i].key, '='))
			abort();
		if (kmod_field(f, n, f[i].key) == NULL)
			abort();
		kmod_field_unknown(f[i].val);
	}
	free(line);
	return 0;
}
