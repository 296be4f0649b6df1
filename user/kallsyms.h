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

/*
 * Read on a thread of its own while the start does the rest; where no
 * thread can start, at once. ksyms_loaded() waits for it and, asked again,
 * gives the same answer: the symbols (freed by ksyms_free()), or NULL with
 * errno as ksyms_load() sets it. ksyms_loading_free() waits too, and frees
 * l but not the symbols.
 */
struct ksyms_loading;
struct ksyms_loading *ksyms_load_async(const char *path);
struct ksyms *ksyms_loaded(struct ksyms_loading *l);
void ksyms_loading_free(struct ksyms_loading *l);

/*
 * Lookups below are for one thread at a time: they keep the names they
 * inflate, and the block they inflated last.
 */

/* The symbol containing addr, or NULL. */
const struct ksym *ksyms_find(const struct ksyms *ks, uint64_t addr);

/* The text symbol for a C function name: the plain name, else a compiler
 * clone of it (name.constprop.0, name.isra.0; never the .cold part). */
const struct ksym *ksyms_func(const struct ksyms *ks, const char *func);

/* The address of one of the kernel's symbols that the BPF side reads
 * (the variables vm_node_stat, vm_zone_stat, node_data,
 * mem_cgroup_events_index; the functions memcg_page_state and
 * memcg_events, by their plain names only); 0 when /proc/kallsyms does
 * not list it (variables: no CONFIG_KALLSYMS_ALL) or hides it. */
uint64_t ksyms_kept(const struct ksyms *ks, const char *name);

/* sym is func or one of its compiler-generated parts (func.cold, ...). */
int ksym_is(const char *sym, const char *func);

#endif /* __KALLSYMS_H */
