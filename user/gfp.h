/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __GFP_H
#define __GFP_H

#include <stddef.h>

struct btf;

/* Room for the longest kernel name table (6.15+: 41 entries). */
#define GFP_NAMES_MAX	48

struct gfp_name {
	unsigned int mask;
	const char *name;
};

/* The running kernel's gfpflag_names[]: names in print order with their
 * masks on that kernel. */
struct gfp_table {
	unsigned int nr;
	struct gfp_name names[GFP_NAMES_MAX];
};

/* Build the name table for the kernel described by btf (NULL: the legacy
 * pre-enum layout). Returns 0 or -errno; on error the table is empty, so
 * gfp_format() prints bare hex. */
int gfp_table_init(struct gfp_table *t, const struct btf *btf);

/* Write the kernel's %pGg rendering of mask into buf (always NUL-terminated,
 * truncated if len is short); returns the length it needed like snprintf. */
int gfp_format(const struct gfp_table *t, unsigned int mask, char *buf,
	       size_t len);

#endif /* __GFP_H */
