/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every CO-RE compatibility shim in one place. vmlinux.h is generated from
 * the build machine's kernel; each block below bridges one kernel change so
 * the same object runs on kernels on either side of it. Layouts are chosen
 * by field/type existence at load time, never by kernel version.
 */
#ifndef __CORE_FIXES_BPF_H
#define __CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>

/*
 * "mm: update mark_victim tracepoints fields" (v6.9, backported to stable
 * trees including Debian's 6.1.0-4x) changed TP_PROTO(int pid) into
 * TP_PROTO(struct task_struct *task, uid_t uid). The new trace event record
 * carries a comm, which the old one lacks. Returns 1 for the new layout.
 */
struct trace_event_raw_mark_victim___new {
	__u32 __data_loc_comm;
} __attribute__((preserve_access_index));

static __always_inline int mark_victim_has_task(void)
{
	return bpf_core_field_exists(struct trace_event_raw_mark_victim___new,
				     __data_loc_comm);
}

/*
 * f1a7941243c1 ("mm: convert mm's rss stats into percpu_counter", v6.2)
 * turned mm->rss_stat.count[] (atomic_long_t) into mm->rss_stat[]
 * (struct percpu_counter). The kernel's own report reads both with a clamp
 * at zero (get_mm_counter()), and so do we. Both layouts are flavours, so
 * the object builds against a vmlinux.h from either side. Indices must be
 * constants for the array relocation, hence a macro.
 */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

struct percpu_counter___62 {
	s64 count;
} __attribute__((preserve_access_index));

struct mm_struct___62 {
	struct percpu_counter___62 rss_stat[4];
} __attribute__((preserve_access_index));

#define MM_COUNTER(mm, idx) ({						\
	long __v;							\
	if (bpf_core_type_exists(struct mm_rss_stat___pre62))		\
		__v = BPF_CORE_READ((struct mm_struct___pre62 *)(mm),	\
				    rss_stat.count[idx].counter);	\
	else								\
		__v = BPF_CORE_READ((struct mm_struct___62 *)(mm),	\
				    rss_stat[idx].count);		\
	__v < 0 ? 0 : (__u64)__v;					\
})

/*
 * 633488947ef6 ("kernfs: Use RCU to access kernfs_node::parent", v6.15)
 * renamed kernfs_node::parent to __parent.
 */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___pre615, parent))
		return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
	return BPF_CORE_READ((struct kernfs_node___615 *)kn, __parent);
}

/*
 * v6.18 made mm_struct::flags an mm_flags_t, a struct that wraps an
 * unsigned long __mm_flags[] bitmap; before, it was one unsigned long.
 * The MMF_* bits below BITS_PER_LONG sit in its first word either way.
 * CO-RE matches a field only to one of a compatible kind: a flavour each.
 */
struct mm_struct___flags_long {
	unsigned long flags;
} __attribute__((preserve_access_index));

struct mm_flags___bitmap {
	unsigned long __mm_flags[1];
} __attribute__((preserve_access_index));

struct mm_struct___flags_bitmap {
	struct mm_flags___bitmap flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long mm_flags_word(struct mm_struct *mm)
{
	if (bpf_core_field_exists(struct mm_struct___flags_long, flags))
		return BPF_CORE_READ((struct mm_struct___flags_long *)mm, flags);
	return BPF_CORE_READ((struct mm_struct___flags_bitmap *)mm, flags.__mm_flags[0]);
}

/*
 * "mm/mempolicy: use unified 'nodes' for bind/interleave/prefer policies"
 * (v5.14) moved a bind policy's nodemask from mempolicy::v.nodes to
 * mempolicy::nodes. Returns where it is.
 */
struct mempolicy___v_nodes {
	union {
		nodemask_t nodes;
	} v;
} __attribute__((preserve_access_index));

static __always_inline void *mempolicy_nodes(struct mempolicy *pol)
{
	struct mempolicy___v_nodes *old = (void *)pol;

	if (bpf_core_field_exists(pol->nodes))
		return &pol->nodes;
	return &old->v.nodes;
}

/*
 * A memcg's memory.stat counters, memcg_page_state(): "memcg: extract
 * memcg_vmstats from struct mem_cgroup" (v6.1) made mem_cgroup::vmstats a
 * pointer, which it is on every kernel this shim serves. Until "memcg:
 * reduce memory for the lruvec and memcg stats" (v6.10), vmstats->state[]
 * has a slot for every item (MEMCG_NR_STAT), indexed by the item itself.
 * Since, it has one only for the items memcgs keep, indexed through
 * mem_cgroup_stats_index[], a u8 table that init_memcg_stats() builds at
 * boot from static arrays no BTF describes. Which layout is in use shows
 * in the length of state[]. The table is static data, which /proc/kallsyms
 * lists only with CONFIG_KALLSYMS_ALL (not on the 6.18 host), but the
 * kernel's own memcg_page_state() reads it in its first instructions:
 * "movzbl table(%reg),%eax", 0f b6 with a ModRM of mod 2 (disp32) and no
 * SIB, the displacement being the table's address sign-extended (the
 * kernel code model). memcg_stats_index_find() takes that address and
 * keeps the table only if it is what init_memcg_stats() builds: every
 * slot of state[] named by exactly one item, every other item U8_MAX.
 */
#define MEMCG_STATS_CODE	32	/* bytes of a function searched for its table */
#define MEMCG_STATS_MAX		64	/* items of the largest MEMCG_NR_STAT we take */

static __always_inline __u32 memcg_state_slots(void)
{
	return bpf_core_field_size(struct memcg_vmstats, state) / sizeof(long);
}

static __always_inline __u32 memcg_nr_stat(void)
{
	return bpf_core_enum_value(enum memcg_stat_item, MEMCG_NR_STAT);
}

/* 1: state[] is indexed by the item itself */
static __always_inline int memcg_stats_direct(void)
{
	return memcg_state_slots() == memcg_nr_stat();
}

/*
 * The table is checked in memory (a global's), not in registers: the
 * verifier would walk every combination of the loop's branches otherwise.
 */
struct memcg_stats_check {
	__u64 seen;		/* slots named so far */
	__u32 named;
	__u32 bad;
};

/*
 * The table a function reads with its first "movzbl table(%reg),%eax" in
 * its first MEMCG_STATS_CODE bytes; 0 if there is none.
 */
static __always_inline __u64 movzbl_table(__u64 code_addr)
{
	__u8 code[MEMCG_STATS_CODE];

	if (!code_addr || bpf_probe_read_kernel(code, sizeof(code), (void *)code_addr))
		return 0;
	for (int i = 0; i + 7 <= MEMCG_STATS_CODE; i++) {
		if (code[i] == 0x0f && code[i + 1] == 0xb6 &&
		    (code[i + 2] & 0xc0) == 0x80 && (code[i + 2] & 7) != 4) {
			__s32 disp = code[i + 3] | code[i + 4] << 8 |
				     code[i + 5] << 16 | (__u32)code[i + 6] << 24;

			return (__u64)(__s64)disp;
		}
	}
	return 0;
}

/*
 * A u8 index table of nr items (at most max): 0 if every slot of slots is
 * named by exactly one item and the rest are 0xff, else -1.
 */
static __always_inline int u8_index_check(const __u8 *tab, __u32 nr, const int max,
					  __u32 slots, volatile struct memcg_stats_check *c)
{
	c->seen = 0;
	c->named = 0;
	c->bad = 0;
	for (int i = 0; i < max && i < nr; i++) {
		__u8 v = tab[i];

		if (v == 0xff)
			continue;
		if (v >= slots || (c->seen & (1ULL << (v & 63))))
			c->bad = 1;
		c->seen |= 1ULL << (v & 63);
		c->named++;
	}
	return !c->bad && c->named == slots ? 0 : -1;
}

/* Fill tab with mem_cgroup_stats_index[]: 0, or -1 if it cannot be had. */
static __always_inline int memcg_stats_index_find(__u64 code_addr, __u8 *tab,
						  volatile struct memcg_stats_check *c)
{
	__u32 nr = memcg_nr_stat(), slots = memcg_state_slots();
	__u64 table;

	if (nr > MEMCG_STATS_MAX || slots > 64)
		return -1;
	table = movzbl_table(code_addr);
	if (!table || bpf_probe_read_kernel(tab, nr, (void *)table))
		return -1;
	return u8_index_check(tab, nr, MEMCG_STATS_MAX, slots, c);
}

/*
 * A memcg's memory.stat event counters, memcg_events(): "memcg: reduce
 * size of memcg vmstats structures" (v6.1) keeps vmstats->events[] only
 * for the events of memcg_vm_event_stat[], indexed through
 * mem_cgroup_events_index[], which init_memcg_events() builds at boot: an
 * int per vm_event_item, its slot + 1, 0 for an event memcgs do not keep.
 * "memcg: reduce memory size of mem_cgroup_events_index" (v6.10) made it
 * int8_t, and "memcg: increase the valid index range for memcg stats"
 * (v6.11) u8, holding the slot itself, U8_MAX for none. No BTF describes
 * it: its address is the kallsyms symbol where /proc/kallsyms lists data
 * (CONFIG_KALLSYMS_ALL), else the movzbl that memcg_events() starts with
 * (a u8 table only; a function of its own where memcg-v1 code calls it,
 * as on the 6.18 host). The table is kept only if it is exactly what
 * init_memcg_events() builds, read as u8 or as int: every slot of
 * events[] named by exactly one event, every other event U8_MAX or 0.
 * The contents tell the two apart (an int table has no 0xff byte, a u8
 * one no int in 0..slots); v6.10's int8_t passes neither, and its events
 * are null.
 */
#define MEMCG_EVENTS_MAX	128	/* items of the largest NR_VM_EVENT_ITEMS we take */

static __always_inline __u32 memcg_event_slots(void)
{
	return bpf_core_field_size(struct memcg_vmstats, events) / sizeof(long);
}

static __always_inline __u32 memcg_nr_vm_events(void)
{
	return bpf_core_enum_value(enum vm_event_item, NR_VM_EVENT_ITEMS);
}

/*
 * Fill tab (slot, or 0xff) with mem_cgroup_events_index[] at table, else
 * at the table memcg_events() reads; raw: room for it as ints. 0, or -1
 * if it cannot be had.
 */
static __always_inline int memcg_events_index_find(__u64 table, __u64 code_addr, __u8 *tab,
						   __s32 *raw, volatile struct memcg_stats_check *c)
{
	__u32 nr = memcg_nr_vm_events(), slots = memcg_event_slots();

	if (nr > MEMCG_EVENTS_MAX || slots > 64)
		return -1;
	if (!table)
		table = movzbl_table(code_addr);
	if (!table || bpf_probe_read_kernel(tab, nr, (void *)table))
		return -1;
	if (!u8_index_check(tab, nr, MEMCG_EVENTS_MAX, slots, c))
		return 0;
	if (bpf_probe_read_kernel(raw, nr * sizeof(*raw), (void *)table))
		return -1;
	c->seen = 0;
	c->named = 0;
	c->bad = 0;
	for (int i = 0; i < MEMCG_EVENTS_MAX && i < nr; i++) {
		__s32 v = raw[i];

		tab[i] = 0xff;
		if (!v)
			continue;
		if (v < 1 || v > slots || (c->seen & (1ULL << ((v - 1) & 63))))
			c->bad = 1;
		c->seen |= 1ULL << ((v - 1) & 63);
		c->named++;
		tab[i] = v - 1;
	}
	return !c->bad && c->named == slots ? 0 : -1;
}

/*
 * "mm: remove NR_BOUNCE zone stat" (v6.16, with the block layer's bounce
 * buffering) dropped NR_BOUNCE from enum zone_stat_item, and the "bounce:"
 * of the OOM report's "Mem-Info:" with it. The flavour names the
 * enumerator on kernels of either side; bpf_core_enum_value_exists()
 * tells whether this one has it.
 */
enum zone_stat_item___bounce {
	NR_BOUNCE___bounce,
};

/*
 * pgscan and pgsteal of memory.stat also sum khugepaged's reclaim since
 * "mm: vmscan: split khugepaged stats from direct reclaim stats" (v6.3),
 * and proactive reclaim's (memory.reclaim) on later kernels: the 6.18
 * host has both, 6.1 neither. Flavours, so that the object also builds
 * from a 6.1 vmlinux.h.
 */
enum vm_event_item___split {
	PGSCAN_KHUGEPAGED___split,
	PGSTEAL_KHUGEPAGED___split,
	PGSCAN_PROACTIVE___split,
	PGSTEAL_PROACTIVE___split,
};

/*
 * "mm, oom: make the calculation of oom badness more accurate" (v5.9)
 * made oom_control::chosen_points a signed long; before it was unsigned
 * long. Both are 64 bits wide here, so reading it as __s64 is right on
 * either side and needs no flavour.
 */

#endif /* __CORE_FIXES_BPF_H */
