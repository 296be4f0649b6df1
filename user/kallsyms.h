/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __KALLSYMS_H
#define __KALLSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

struct ksyms;

/* Load a kallsyms file (NULL: /proc/kallsyms). NULL with errno set on
 * failure; EPERM when the kernel hides addresses from us. */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);

/* The symbol containing addr, or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr);

/* The text symbol for a C function name: the plain name, else a compiler
 * clone of it (name.constprop.0, name.isra.0; never the .cold part). */
const struct ksym *ksyms_func(const struct ksyms *ks, const char *func);

/* sym is func or one of its compiler-generated parts (func.cold, ...). */
int ksym_is(const char *sym, const char *func);

#endif /* __KALLSYMS_H */
