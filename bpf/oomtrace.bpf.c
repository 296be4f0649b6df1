// SPDX-License-Identifier: GPL-2.0
/*
 * oomtrace: one complete record per OOM victim.
 *
 * oom:mark_victim runs once per victim in every mode (it is the only hook a
 * hardened kernel offers, and the only one that sees each member of a
 * memory.oom.group kill). Where the kernel allows, out_of_memory() and
 * oom_kill_process() are hooked too (fentry, else kprobe) to add what only
 * struct oom_control knows: gfp mask, order, constraint, points, duration.
 * User space picks the set with bpf_program__set_autoload().
 *
 * Each victim is then followed, in every mode, through the oom_reaper's
 * tracepoints to its process's exit, which sends its reap record: the kill
 * record never waits for it to be written, only for its wakeup of the
 * reader (or the reader's next poll).
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "core_fixes.bpf.h"
#include "oomtrace.h"

/* include/linux/mm_types_task.h: stable since v4.x */
#define MM_FILEPAGES	0
#define MM_ANONPAGES	1
#define MM_SWAPENTS	2
#define MM_SHMEMPAGES	3
/* include/linux/sched.h, sched/coredump.h, uapi/linux/mempolicy.h */
#define PF_KTHREAD	0x00200000
#define MMF_OOM_SKIP	21
#define MPOL_BIND	2
#define OOM_SCORE_ADJ_MIN	(-1000)
#define LONG_MAX	0x7fffffffffffffffLL

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* resized by user space */
} events SEC(".maps");

/* Records that found no room (enum oomtrace_drop), per CPU so counting never contends. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OOMTRACE_NR_DROPS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct inflight {
	__u64 episode;
	__u32 victims;
	__u32 pad;
	struct mem_cgroup *memcg;	/* oc->memcg */
	struct oomtrace_oom oom;
};

/*
 * out_of_memory() calls in progress, by the tid that invoked them. Every
 * caller holds oom_lock, so one is in progress at a time; the spare slots
 * hold what kretprobes' missed returns leave behind (each slot is 5 KB of
 * preallocated kernel memory).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Too big for the BPF stack: build the in-flight state here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} scratch SEC(".maps");

/* Two nodemask_t (MAX_NUMNODES bits: 1024 on Debian) to intersect. */
#define NODEMASK_WORDS 16

struct nodepair {
	__u64 a[NODEMASK_WORDS];
	__u64 b[NODEMASK_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nodepair);
} nodescratch SEC(".maps");

/* A victim until its process exits, by the tid the reaper's tracepoints name. */
struct followed {
	struct oomtrace_reap_rec rec;
	struct mm_struct *mm;	/* the reaper holds it (signal->oom_mm) while it runs */
};

#define MAX_FOLLOWED 2048

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, struct followed);
} followed SEC(".maps");

/*
 * A memcg's vmstats->state[] or ->events[], or vm_node_stat[] or
 * vm_zone_stat[], read whole into here: a read per item (54 for
 * memory.stat) was the largest part of mark_victim's cost under TCG.
 * Room for more slots than any kernel keeps (6.1: about 50, 20, 45 and
 * 11); a kernel with more gets no memory.stat, as one without vmstats,
 * or no mem_info.
 */
#define VMSTATS_SLOTS_MAX 256

struct vmstats_slots {
	long v[VMSTATS_SLOTS_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vmstats_slots);
} vmstats_buf SEC(".maps");

/* SLOTS longs from ARRAY, in vmstats_buf; NULL if they cannot all be read. */
static __always_inline struct vmstats_slots *vmstats_read(void *array, __u32 slots)
{
	__u32 zero = 0;
	struct vmstats_slots *buf = bpf_map_lookup_elem(&vmstats_buf, &zero);

	if (!buf || slots > VMSTATS_SLOTS_MAX ||
	    bpf_probe_read_kernel(buf->v, slots * sizeof(long), array))
		return NULL;
	return buf;
}

/* The same victims by tgid, for their exit: tgid -> tid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, __u32);
} followed_procs SEC(".maps");

/* --candidates: how many candidates, and skipped tasks, an episode keeps;
 * 0 when oom_evaluate_task() is not hooked. */
const volatile __u32 cand_max;
const volatile __u32 page_shift = 12;
/*
 * Addresses from /proc/kallsyms, in .bss rather than .rodata: user space
 * sets them after the load (which then need not wait for kallsyms to be
 * read) and before the attach. 0: kallsyms does not list it.
 *
 * memcg_page_state(): where mem_cgroup_stats_index[] is read.
 */
__u64 memcg_page_state_addr;

/*
 * The memory.stat items and events as slots of a memcg's vmstats->state[]
 * and ->events[] (0xff: this kernel keeps none), worked out once: the
 * items' numbers are the load's, the index tables are built at boot and
 * never change. Each state: 0 not looked for yet, 1 found, -1 not to be
 * had. stats_index and events_index* are where the tables are read to.
 */
static __s32 stat_slots_state;
static __u8 stat_slot[OOMTRACE_NR_STATS];
static __s32 ev_slots_state;
static __u8 ev_slot[OOMTRACE_NR_EVENTS];
static __u8 stats_index[MEMCG_STATS_MAX];
static __u8 events_index[MEMCG_EVENTS_MAX];
static __s32 events_index_raw[MEMCG_EVENTS_MAX];
static struct memcg_stats_check stats_check;

/* mem_cgroup_events_index[] in kallsyms, and memcg_events(), which reads
 * it; 0: not listed */
__u64 memcg_events_index_addr;
__u64 memcg_events_addr;

/*
 * vm_node_stat[], vm_zone_stat[] and node_data[] (the kernel's BTF has no
 * such variables), read anew at every kill; 0 also when kallsyms does not
 * list them (no CONFIG_KALLSYMS_ALL, kptr_restrict, or no CONFIG_NUMA).
 * node_data[] has MAX_NUMNODES entries, of which the first nr_node_ids
 * (the highest possible node + 1) may be used.
 */
__u64 vm_node_stat_addr;
__u64 vm_zone_stat_addr;
__u64 node_data_addr;
const volatile __u32 nr_node_ids;

__u64 episode_seq;
__u64 victim_seq;
/* Entries of followed: every task exit looks no further while it is 0. */
__s64 nr_followed;

/* Records are too big for an inline memset: clear them by copying these. */
const volatile char zeroes[sizeof(struct oomtrace_victim_rec)];

#define ZERO(p) bpf_probe_read_kernel((p), sizeof(*(p)), (const void *)zeroes)

static __always_inline void count_drop(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &what);

	/* tracing programs can preempt each other on one CPU */
	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/*
 * A global function, verified once: inlined, its loop would be verified
 * again on each path to each of mark_victim()'s three calls. A global
 * function takes no kernel pointer, so the caller passes kn as a scalar;
 * and to the verifier its pointer arguments may be NULL.
 */
__attribute__((noinline)) int read_cgpath(struct oomtrace_cgpath *p, __u64 node)
{
	struct kernfs_node *kn = (void *)node;

	if (!p)
		return 0;
	p->depth = 0;
	p->truncated = 0;
	for (int i = 0; i < OOMTRACE_CG_DEPTH; i++) {
		struct kernfs_node *parent;

		if (!kn)
			return 0;
		parent = kernfs_parent(kn);
		if (!parent)	/* the hierarchy's root has no name of its own */
			return 0;
		bpf_probe_read_kernel_str(p->name[i], OOMTRACE_CG_NAME_LEN,
					  BPF_CORE_READ(kn, name));
		p->depth = i + 1;
		kn = parent;
	}
	if (kn && kernfs_parent(kn))
		p->truncated = 1;
	return 0;
}

static __always_inline void read_memcg_path(struct oomtrace_cgpath *p,
					    struct mem_cgroup *memcg)
{
	read_cgpath(p, (__u64)BPF_CORE_READ(memcg, css.cgroup, kn));
}

static __always_inline void read_counter(struct oomtrace_counter *c,
					 struct page_counter *pc)
{
	c->usage = BPF_CORE_READ(pc, usage.counter);
	c->max = BPF_CORE_READ(pc, max);
	c->failcnt = BPF_CORE_READ(pc, failcnt);
}

/* At mark_victim, right after the kernel's report printed the same. */
static __always_inline void read_memcg_mem(struct oomtrace_oom *oom,
					   struct mem_cgroup *memcg)
{
	struct oomtrace_memcg_mem *m = &oom->mem;

	oom->flags |= OOMTRACE_OOM_MEM;
	read_counter(&m->memory, &memcg->memory);
	read_counter(&m->swap, &memcg->swap);
	if (bpf_core_field_exists(memcg->kmem)) {
		m->has_kmem = 1;
		read_counter(&m->kmem, &memcg->kmem);
	}
}

/* A memory.stat item's slot of state[], directly or through
 * mem_cgroup_stats_index[]; 0xff if this kernel keeps none */
static __always_inline __u8 stat_slot_of(int item, __u32 direct, __u32 slots)
{
	if (item < 0)
		return 0xff;
	if (!direct) {
		if (item >= MEMCG_STATS_MAX)
			return 0xff;
		item = stats_index[item & (MEMCG_STATS_MAX - 1)];
	}
	return (__u32)item < slots ? item : 0xff;
}

#define STAT_SLOT(s, type, name)					\
	stat_slot[OOMTRACE_STAT_##s] = stat_slot_of(bpf_core_enum_value_exists(type, name) ? \
		bpf_core_enum_value(type, name) : -1, direct, slots)

/*
 * stat_slot[] from the items of memory.stat, as memory_stat_format() reads
 * them; 1 if it could be had. A global function, verified once on its own:
 * inlined, its paths would multiply with those of mark_victim() before it.
 */
__attribute__((noinline)) int stat_slots_load(void)
{
	__u32 direct = memcg_stats_direct(), slots = memcg_state_slots();
	__u64 addr = memcg_page_state_addr;

	if (stat_slots_state)
		return stat_slots_state == 1;
	/* nothing to look at: not a failure to keep */
	if (!direct && !addr)
		return 0;
	if (!direct && memcg_stats_index_find(addr, stats_index, &stats_check)) {
		stat_slots_state = -1;
		return 0;
	}
	STAT_SLOT(ANON, enum node_stat_item, NR_ANON_MAPPED);
	STAT_SLOT(FILE, enum node_stat_item, NR_FILE_PAGES);
	STAT_SLOT(KERNEL, enum memcg_stat_item, MEMCG_KMEM);
	STAT_SLOT(KERNEL_STACK, enum node_stat_item, NR_KERNEL_STACK_KB);
	STAT_SLOT(PAGETABLES, enum node_stat_item, NR_PAGETABLE);
	STAT_SLOT(SEC_PAGETABLES, enum node_stat_item, NR_SECONDARY_PAGETABLE);
	STAT_SLOT(PERCPU, enum memcg_stat_item, MEMCG_PERCPU_B);
	STAT_SLOT(SOCK, enum memcg_stat_item, MEMCG_SOCK);
	STAT_SLOT(VMALLOC, enum memcg_stat_item, MEMCG_VMALLOC);
	STAT_SLOT(SHMEM, enum node_stat_item, NR_SHMEM);
	STAT_SLOT(ZSWAP, enum memcg_stat_item, MEMCG_ZSWAP_B);
	STAT_SLOT(ZSWAPPED, enum memcg_stat_item, MEMCG_ZSWAPPED);
	STAT_SLOT(FILE_MAPPED, enum node_stat_item, NR_FILE_MAPPED);
	STAT_SLOT(FILE_DIRTY, enum node_stat_item, NR_FILE_DIRTY);
	STAT_SLOT(FILE_WRITEBACK, enum node_stat_item, NR_WRITEBACK);
	STAT_SLOT(SWAPCACHED, enum node_stat_item, NR_SWAPCACHE);
	STAT_SLOT(ANON_THP, enum node_stat_item, NR_ANON_THPS);
	STAT_SLOT(FILE_THP, enum node_stat_item, NR_FILE_THPS);
	STAT_SLOT(SHMEM_THP, enum node_stat_item, NR_SHMEM_THPS);
	STAT_SLOT(INACTIVE_ANON, enum node_stat_item, NR_INACTIVE_ANON);
	STAT_SLOT(ACTIVE_ANON, enum node_stat_item, NR_ACTIVE_ANON);
	STAT_SLOT(INACTIVE_FILE, enum node_stat_item, NR_INACTIVE_FILE);
	STAT_SLOT(ACTIVE_FILE, enum node_stat_item, NR_ACTIVE_FILE);
	STAT_SLOT(UNEVICTABLE, enum node_stat_item, NR_UNEVICTABLE);
	STAT_SLOT(SLAB_RECLAIMABLE, enum node_stat_item, NR_SLAB_RECLAIMABLE_B);
	STAT_SLOT(SLAB_UNRECLAIMABLE, enum node_stat_item, NR_SLAB_UNRECLAIMABLE_B);
	STAT_SLOT(WORKINGSET_REFAULT_ANON, enum node_stat_item, WORKINGSET_REFAULT_ANON);
	STAT_SLOT(WORKINGSET_REFAULT_FILE, enum node_stat_item, WORKINGSET_REFAULT_FILE);
	STAT_SLOT(WORKINGSET_ACTIVATE_ANON, enum node_stat_item, WORKINGSET_ACTIVATE_ANON);
	STAT_SLOT(WORKINGSET_ACTIVATE_FILE, enum node_stat_item, WORKINGSET_ACTIVATE_FILE);
	STAT_SLOT(WORKINGSET_RESTORE_ANON, enum node_stat_item, WORKINGSET_RESTORE_ANON);
	STAT_SLOT(WORKINGSET_RESTORE_FILE, enum node_stat_item, WORKINGSET_RESTORE_FILE);
	STAT_SLOT(WORKINGSET_NODERECLAIM, enum node_stat_item, WORKINGSET_NODERECLAIM);
	stat_slots_state = 1;
	return 1;
}

/* An event's slot of events[], through mem_cgroup_events_index[]; 0xff if
 * this kernel keeps none */
static __always_inline __u8 ev_slot_of(int item, __u32 slots)
{
	__u32 slot;

	if (item < 0 || item >= MEMCG_EVENTS_MAX)
		return 0xff;
	slot = events_index[item & (MEMCG_EVENTS_MAX - 1)];
	return slot < slots ? slot : 0xff;
}

#define EV_SLOT(e)							\
	ev_slot[OOMTRACE_EV_##e] = ev_slot_of(bpf_core_enum_value_exists(enum vm_event_item, e) ? \
		bpf_core_enum_value(enum vm_event_item, e) : -1, slots)
#define EV_SLOT_SPLIT(e)						\
	ev_slot[OOMTRACE_EV_##e] = ev_slot_of(				\
		bpf_core_enum_value_exists(enum vm_event_item___split, e##___split) ? \
		bpf_core_enum_value(enum vm_event_item___split, e##___split) : -1, slots)

/*
 * ev_slot[] from the event counters that memory_stat_format() reads for
 * the report (and memcg1_stat_format() its total_* events); 1 if it could
 * be had. Global, as stat_slots_load().
 */
__attribute__((noinline)) int ev_slots_load(void)
{
	__u64 table = memcg_events_index_addr, code = memcg_events_addr;
	__u32 slots = memcg_event_slots();

	if (ev_slots_state)
		return ev_slots_state == 1;
	/* as stat_slots_load(); stats_check is shared, as mark_victim runs
	 * under oom_lock */
	if (!table && !code)
		return 0;
	if (memcg_events_index_find(table, code, events_index, events_index_raw,
				    &stats_check)) {
		ev_slots_state = -1;
		return 0;
	}
	EV_SLOT(PGSCAN_KSWAPD);
	EV_SLOT(PGSCAN_DIRECT);
	EV_SLOT(PGSTEAL_KSWAPD);
	EV_SLOT(PGSTEAL_DIRECT);
	EV_SLOT(PGFAULT);
	EV_SLOT(PGMAJFAULT);
	EV_SLOT(PGREFILL);
	EV_SLOT(PGACTIVATE);
	EV_SLOT(PGDEACTIVATE);
	EV_SLOT(PGLAZYFREE);
	EV_SLOT(PGLAZYFREED);
	EV_SLOT(ZSWPIN);
	EV_SLOT(ZSWPOUT);
	EV_SLOT(THP_FAULT_ALLOC);
	EV_SLOT(THP_COLLAPSE_ALLOC);
	EV_SLOT(PGPGIN);
	EV_SLOT(PGPGOUT);
	EV_SLOT_SPLIT(PGSCAN_KHUGEPAGED);
	EV_SLOT_SPLIT(PGSCAN_PROACTIVE);
	EV_SLOT_SPLIT(PGSTEAL_KHUGEPAGED);
	EV_SLOT_SPLIT(PGSTEAL_PROACTIVE);
	ev_slots_state = 1;
	return 1;
}

/*
 * The slots of ARRAY, a memcg's vmstats->state[] or ->events[] of SLOTS
 * longs, that SLOT names, into VAL with a bit each in PRESENT; CLAMP: at
 * 0, as memcg_page_state() reads state[] (CONFIG_SMP lets a sum dip below
 * 0), where memcg_events() reads events[] as they are. A loop, not
 * unrolled: under TCG each copy of a body costs at every kill.
 */
static __always_inline int vmstats_copy(__u64 *val, __u64 *present, const __u8 *slot,
					const int nr, void *array, __u32 slots, const int clamp)
{
	struct vmstats_slots *buf = vmstats_read(array, slots);

	if (!buf)
		return 0;
	for (int i = 0; i < nr; i++) {
		__u32 s = slot[i];
		long x;

		if (s >= slots)
			continue;
		x = buf->v[s & (VMSTATS_SLOTS_MAX - 1)];
		val[i] = clamp && x < 0 ? 0 : x;
		*present |= 1ULL << i;
	}
	return 1;
}

/* memcg_events() of the event counters. Global, as read_memcg_stat(), and
 * called beside it: in one chain of calls their stacks would pass the
 * verifier's 512 bytes. */
__attribute__((noinline)) int read_memcg_events(struct oomtrace_memcg_stat *st, __u64 mcg)
{
	struct mem_cgroup *memcg = (void *)mcg;
	void *vmstats;

	/* verified on its own: read_memcg_stat()'s guard does not cover it */
	if (!st || !bpf_core_type_exists(struct memcg_vmstats) ||
	    !bpf_core_field_exists(memcg->vmstats) || !ev_slots_load())
		return 0;
	vmstats = BPF_CORE_READ(memcg, vmstats);
	st->events_read = vmstats_copy(st->ev, &st->ev_present, ev_slot, OOMTRACE_NR_EVENTS,
				       vmstats + bpf_core_field_offset(struct memcg_vmstats, events),
				       memcg_event_slots(), 0);
	return 0;
}

/* memcg_page_state() of the memory.stat items, as memory_stat_format()
 * reads them (after its flush) for the report printed just before; 1 if
 * it could. Global, as read_cgpath(). */
__attribute__((noinline)) int read_memcg_stat(struct oomtrace_oom *oom, __u64 mcg)
{
	struct mem_cgroup *memcg = (void *)mcg;
	void *vmstats;

	if (!oom || !bpf_core_type_exists(struct memcg_vmstats) ||
	    !bpf_core_field_exists(memcg->vmstats) || !stat_slots_load())
		return 0;
	vmstats = BPF_CORE_READ(memcg, vmstats);
	if (!vmstats_copy(oom->stat.val, &oom->stat.present, stat_slot, OOMTRACE_NR_STATS,
			  vmstats + bpf_core_field_offset(struct memcg_vmstats, state),
			  memcg_state_slots(), 1))
		return 0;
	oom->flags |= OOMTRACE_OOM_STAT;
	return 1;
}

/* The task's memory cgroup: css is the first member of struct mem_cgroup */
static __always_inline struct mem_cgroup *task_memcg(struct task_struct *task)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	return (void *)BPF_CORE_READ(task, cgroups, subsys[id]);
}

/*
 * A memcg OOM sets oom_lock on every memcg of its domain's subtree for as
 * long as it runs (mem_cgroup_oom_trylock(); cgroup v1 only from v6.11,
 * "memcg: move cgroup v1 oom handling code into memcontrol-v1.c"), and no
 * two OOMs hold overlapping subtrees. So the victim's topmost ancestor
 * that holds it is the domain, unless this OOM lost the trylock to a
 * concurrent, nested one: derived, not read. M: the victim's memcg.
 */
static __always_inline struct mem_cgroup *locked_domain(struct mem_cgroup *m)
{
	struct mem_cgroup *top = NULL;

	if (!bpf_core_field_exists(struct mem_cgroup, oom_lock))
		return NULL;
	for (int i = 0; i < 2 * OOMTRACE_CG_DEPTH && m; i++) {
		if (!BPF_CORE_READ(m, oom_lock))
			break;
		top = m;
		m = (void *)BPF_CORE_READ(m, css.parent);
	}
	return top;
}

/* The task's fields into T; its memcg, whose path T holds, is returned */
static __always_inline struct mem_cgroup *read_task(struct oomtrace_task *t,
						     struct task_struct *task)
{
	struct mem_cgroup *memcg = task_memcg(task);

	t->pid = BPF_CORE_READ(task, tgid);
	t->tid = BPF_CORE_READ(task, pid);
	/* from_kuid(&init_user_ns, task_uid()) as the kernel prints it */
	t->uid = BPF_CORE_READ(task, real_cred, uid.val);
	t->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	BPF_CORE_READ_STR_INTO(&t->comm, task, comm);
	read_memcg_path(&t->memcg, memcg);
	return memcg;
}

static __always_inline void read_mm(struct oomtrace_victim_rec *r,
				    struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);

	if (!mm)
		return;
	r->flags |= OOMTRACE_VICTIM_MM;
	r->total_vm = BPF_CORE_READ(mm, total_vm);
	r->anon_rss = MM_COUNTER(mm, MM_ANONPAGES);
	r->file_rss = MM_COUNTER(mm, MM_FILEPAGES);
	r->shmem_rss = MM_COUNTER(mm, MM_SHMEMPAGES);
	r->swap = MM_COUNTER(mm, MM_SWAPENTS);
	r->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
}

/* A zone's atomic_long_t, clamped at 0 as zone_page_state() prints it:
 * per-CPU deltas not yet folded in can leave it negative. */
static __always_inline __u64 vmstat_read(__u64 addr)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)addr);
	return v < 0 ? 0 : v;
}

/* A slot of vm_node_stat[] or vm_zone_stat[], read whole into BUF, clamped
 * as global_node_page_state() and global_zone_page_state() print it */
static __always_inline __u64 vmstat_slot(const struct vmstats_slots *buf, int idx)
{
	long v = buf->v[idx & (VMSTATS_SLOTS_MAX - 1)];

	return v < 0 ? 0 : v;
}

#define NODE_ITEM(i, e) \
	m->item[OOMTRACE_MEM_##i] = vmstat_slot(buf, bpf_core_enum_value(enum node_stat_item, e))
#define ZONE_ITEM(i, e) \
	m->item[OOMTRACE_MEM_##i] = vmstat_slot(buf, bpf_core_enum_value(enum zone_stat_item, e))

/* Zones per node: MAX_NR_ZONES depends on the kernel's configuration. */
#define MAX_ZONES 8

/* Each node's NR_FREE_PAGES, summed over its zones, as the report's
 * "Node N <zone> free:" lines print them; the node_data[] pointers are
 * read in place first, in one read: v6.1's verifier refuses a loop whose
 * back-edge is the fall-through of a helper call. Global, as read_cgpath():
 * mark_victim()'s paths would multiply its loops. */
__attribute__((noinline)) int read_node_free(struct oomtrace_mem_info *m)
{
	__u32 zone_size = bpf_core_type_size(struct zone);
	__u32 zones = bpf_core_field_size(struct pglist_data, node_zones) / zone_size;
	__u32 zones_off = bpf_core_field_offset(struct pglist_data, node_zones);
	__u32 free_off = bpf_core_field_offset(struct zone, vm_stat) +
		bpf_core_enum_value(enum zone_stat_item, NR_FREE_PAGES) * sizeof(long);
	__u32 nodes = nr_node_ids < OOMTRACE_MAX_NODES ? nr_node_ids : OOMTRACE_MAX_NODES;

	if (!m || bpf_probe_read_kernel(m->node_free, nodes * sizeof(m->node_free[0]),
					(void *)node_data_addr))
		return 0;
	m->flags |= OOMTRACE_MEM_NODES;
	for (int n = 0; n < OOMTRACE_MAX_NODES && n < nodes; n++) {
		__u64 pgdat = m->node_free[n], free = 0;

		m->node_free[n] = 0;
		if (!pgdat)
			continue;
		m->node_mask |= 1ULL << n;
		for (int z = 0; z < MAX_ZONES && z < zones; z++)
			free += vmstat_read(pgdat + zones_off + z * zone_size + free_off);
		m->node_free[n] = free;
	}
	return 0;
}

/* The system's memory, as the kernel's "Mem-Info:" just printed it, from
 * vm_node_stat[] and vm_zone_stat[], each read whole as a memcg's state[]. */
static __always_inline void read_mem_info(struct oomtrace_mem_info *m)
{
	struct vmstats_slots *buf;

	if (!vm_node_stat_addr || !vm_zone_stat_addr)
		return;
	buf = vmstats_read((void *)vm_node_stat_addr,
			   bpf_core_enum_value(enum node_stat_item, NR_VM_NODE_STAT_ITEMS));
	if (!buf)
		return;
	NODE_ITEM(ACTIVE_ANON, NR_ACTIVE_ANON);
	NODE_ITEM(INACTIVE_ANON, NR_INACTIVE_ANON);
	NODE_ITEM(ISOLATED_ANON, NR_ISOLATED_ANON);
	NODE_ITEM(ACTIVE_FILE, NR_ACTIVE_FILE);
	NODE_ITEM(INACTIVE_FILE, NR_INACTIVE_FILE);
	NODE_ITEM(ISOLATED_FILE, NR_ISOLATED_FILE);
	NODE_ITEM(UNEVICTABLE, NR_UNEVICTABLE);
	NODE_ITEM(DIRTY, NR_FILE_DIRTY);
	NODE_ITEM(WRITEBACK, NR_WRITEBACK);
	/* kept in pages in vm_node_stat[], though memcgs count them in bytes */
	NODE_ITEM(SLAB_RECLAIMABLE, NR_SLAB_RECLAIMABLE_B);
	NODE_ITEM(SLAB_UNRECLAIMABLE, NR_SLAB_UNRECLAIMABLE_B);
	NODE_ITEM(MAPPED, NR_FILE_MAPPED);
	NODE_ITEM(SHMEM, NR_SHMEM);
	NODE_ITEM(PAGETABLES, NR_PAGETABLE);
	buf = vmstats_read((void *)vm_zone_stat_addr,
			   bpf_core_enum_value(enum zone_stat_item, NR_VM_ZONE_STAT_ITEMS));
	if (!buf)
		return;
	m->flags = OOMTRACE_MEM_READ;
	if (bpf_core_enum_value_exists(enum zone_stat_item___bounce, NR_BOUNCE___bounce)) {
		m->flags |= OOMTRACE_MEM_HAS_BOUNCE;
		m->item[OOMTRACE_MEM_BOUNCE] = vmstat_slot(buf,
			bpf_core_enum_value(enum zone_stat_item___bounce, NR_BOUNCE___bounce));
	}
	ZONE_ITEM(FREE, NR_FREE_PAGES);
	ZONE_ITEM(FREE_CMA, NR_FREE_CMA_PAGES);
	if (node_data_addr && nr_node_ids)
		read_node_free(m);
}

static __always_inline int oom_enter(struct oom_control *oc)
{
	__u32 tid = current_tid(), zero = 0;
	struct mem_cgroup *memcg;
	struct inflight *s;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	ZERO(s);
	s->episode = __sync_fetch_and_add(&episode_seq, 1) + 1;
	s->oom.flags = OOMTRACE_OOM_ENTRY;
	if (cand_max)
		s->oom.flags |= OOMTRACE_OOM_RANKED;
	s->oom.start_ns = bpf_ktime_get_boot_ns();
	s->oom.gfp_mask = BPF_CORE_READ(oc, gfp_mask);
	s->oom.order = BPF_CORE_READ(oc, order);
	memcg = BPF_CORE_READ(oc, memcg);
	s->memcg = memcg;
	if (memcg) {
		s->oom.memcg_set = 1;
		read_memcg_path(&s->oom.memcg, memcg);
	}
	/*
	 * Without its state the episode's records lack their oc fields (and
	 * say so in missing); no record is lost, so no drop is counted.
	 */
	bpf_map_update_elem(&inflight, &tid, s, BPF_ANY);
	return 0;
}

static __always_inline int oom_exit(__u32 ret)
{
	__u32 tid = current_tid();
	struct oomtrace_end_rec *r;
	struct inflight *s;

	s = bpf_map_lookup_elem(&inflight, &tid);
	if (!s)
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (r) {
		r->hdr.type = OOMTRACE_REC_END;
		r->hdr.size = sizeof(*r);
		r->hdr.ts_ns = bpf_ktime_get_boot_ns();
		r->hdr.episode = s->episode;
		r->duration_ns = r->hdr.ts_ns - s->oom.start_ns;
		r->ret = ret;
		r->victims = s->victims;
		bpf_ringbuf_submit(r, 0);
	}
	/* no drop counted: drops are lost victims; this loss shows as an incomplete episode */
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

static __always_inline __u32 constraint_of(struct oom_control *oc)
{
	int c = BPF_CORE_READ(oc, constraint);

	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_CPUSET))
		return OOMTRACE_CONSTRAINT_CPUSET;
	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_MEMORY_POLICY))
		return OOMTRACE_CONSTRAINT_MEMPOLICY;
	if (c == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_MEMCG))
		return OOMTRACE_CONSTRAINT_MEMCG;
	return OOMTRACE_CONSTRAINT_NONE;
}

static __always_inline int oom_kill(struct oom_control *oc, const char *message)
{
	__u32 tid = current_tid();
	struct inflight *s;

	s = bpf_map_lookup_elem(&inflight, &tid);
	if (!s)
		return 0;
	s->oom.flags |= OOMTRACE_OOM_KILL;
	s->oom.constraint = constraint_of(oc);
	s->oom.totalpages = BPF_CORE_READ(oc, totalpages);
	s->oom.points = BPF_CORE_READ(oc, chosen_points);
	s->oom.chosen_pid = BPF_CORE_READ(oc, chosen, tgid);
	bpf_probe_read_kernel_str(s->oom.message, sizeof(s->oom.message), message);
	return 0;
}

/*
 * The candidates, as oom_evaluate_task() of v6.1 (mm/oom_kill.c) ranks
 * them, read at its entry: its checks in its order, then oom_badness()'s,
 * which may be inlined into it. The scan runs under oom_lock in the
 * trigger, so the episode's state is the trigger's in-flight entry.
 */

/* for_each_thread(): signal->thread_head, linked through thread_node */
#define THREAD_WALK 16
#define THREAD_OF(node) ((struct task_struct *)((void *)(node) -		\
			 bpf_core_field_offset(struct task_struct, thread_node)))

/* nodes_intersects() of two nodemask_t */
static __always_inline int nodes_intersect(const void *x, const void *y)
{
	__u32 zero = 0, size = bpf_core_type_size(nodemask_t);
	struct nodepair *p = bpf_map_lookup_elem(&nodescratch, &zero);

	if (!p)
		return 1;
	if (size > sizeof(p->a))
		size = sizeof(p->a);
	__builtin_memset(p, 0, sizeof(*p));
	bpf_probe_read_kernel(p->a, size, x);
	bpf_probe_read_kernel(p->b, size, y);
	for (int i = 0; i < NODEMASK_WORDS; i++)
		if (p->a[i] & p->b[i])
			return 1;
	return 0;
}

/*
 * mempolicy_in_oom_domain() with a nodemask, else
 * cpuset_mems_allowed_intersects(current, t). Without CONFIG_NUMA or
 * CONFIG_CPUSETS the field is gone and the kernel's answer is 1; an
 * unguarded read would fail the whole object's load, not just the ranking.
 */
static __always_inline int thread_eligible(struct task_struct *t, nodemask_t *mask)
{
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct mempolicy *pol;

	if (!mask) {
		if (!bpf_core_field_exists(t->mems_allowed))
			return 1;
		return nodes_intersect(&cur->mems_allowed, &t->mems_allowed);
	}
	if (!bpf_core_field_exists(t->mempolicy))
		return 1;
	pol = BPF_CORE_READ(t, mempolicy);
	if (!pol || BPF_CORE_READ(pol, mode) != MPOL_BIND)
		return 1;
	return nodes_intersect(mempolicy_nodes(pol), mask);
}

/*
 * The loops of the ranking are global functions, each verified once on its
 * own: inlined, their paths multiplied with those of oom_evaluate(), to
 * three quarters of the verifier's limit on v6.1. Kernel pointers come in
 * as scalars, as to read_cgpath().
 */

/* oom_cpuset_eligible(): 1 if any thread of the process whose signal_struct
 * is sig is; -1 past THREAD_WALK threads */
__attribute__((noinline)) int cpuset_eligible(__u64 sig, __u64 nodemask)
{
	struct signal_struct *sg = (void *)sig;
	struct list_head *head = &sg->thread_head;
	struct list_head *pos = BPF_CORE_READ(sg, thread_head.next);

	for (int i = 0; i < THREAD_WALK; i++) {
		if (pos == head)
			return 0;
		if (thread_eligible(THREAD_OF(pos), (void *)nodemask))
			return 1;
		pos = BPF_CORE_READ(pos, next);
	}
	return pos == head ? 0 : -1;
}

/* find_lock_task_mm(): the first thread still holding the mm, or 0; *unread
 * when THREAD_WALK threads did not tell */
__attribute__((noinline)) __u64 thread_with_mm(__u64 sig, int *unread)
{
	struct signal_struct *sg = (void *)sig;
	struct list_head *head = &sg->thread_head;
	struct list_head *pos = BPF_CORE_READ(sg, thread_head.next);
	struct task_struct *t;

	for (int i = 0; i < THREAD_WALK; i++) {
		if (pos == head)
			return 0;
		t = THREAD_OF(pos);
		if (BPF_CORE_READ(t, mm))
			return (__u64)t;
		pos = BPF_CORE_READ(pos, next);
	}
	if (unread)
		*unread = pos != head;
	return 0;
}

/* in_vfork() */
static __always_inline int task_in_vfork(struct task_struct *t, struct mm_struct *mm)
{
	return BPF_CORE_READ(t, vfork_done) && BPF_CORE_READ(t, real_parent, mm) == mm;
}

/* Keep the cand_max highest (points, order) of the candidates, or of the
 * tasks skipped: a later task wins a tie, as oom_evaluate_task() chooses
 * on points >= chosen_points. */
__attribute__((noinline)) int rank_keep(struct oomtrace_ranking *rk, int skipped,
					const struct oomtrace_cand *c)
{
	struct oomtrace_cand *arr;
	__u32 n, lo = 0, *nr;

	if (!rk || !c)
		return 0;
	arr = skipped ? rk->skipped : rk->cands;
	nr = skipped ? &rk->nr_skipped : &rk->nr_cands;
	n = *nr;
	if (n < cand_max && n < OOMTRACE_MAX_CANDIDATES) {
		arr[n] = *c;
		*nr = n + 1;
		return 0;
	}
	for (__u32 i = 1; i < OOMTRACE_MAX_CANDIDATES && i < n; i++)
		if (arr[i].points < arr[lo].points ||
		    (arr[i].points == arr[lo].points && arr[i].order < arr[lo].order))
			lo = i;
	if (n && c->points >= arr[lo].points)
		arr[lo] = *c;
	return 0;
}

static __always_inline int oom_evaluate(struct task_struct *p, struct oom_control *oc)
{
	__u32 tid = current_tid(), reason = OOMTRACE_NR_SKIPS;
	struct oomtrace_ranking *rk;
	struct task_struct *t = NULL;
	struct signal_struct *sig;
	struct oomtrace_cand c;
	struct mm_struct *mm;
	struct inflight *s;
	int unread = 0, ok;
	__s64 adj;

	s = bpf_map_lookup_elem(&inflight, &tid);
	if (!s)
		return 0;
	rk = &s->oom.ranking;
	__builtin_memset(&c, 0, sizeof(c));
	c.order = rk->evaluated++;
	c.pid = BPF_CORE_READ(p, tgid);

	/* oom_unkillable_task(): a kernel thread has no memory to tell */
	if (BPF_CORE_READ(p, flags) & PF_KTHREAD) {
		rk->skips[OOMTRACE_SKIP_UNKILLABLE]++;
		return 0;
	}
	sig = BPF_CORE_READ(p, signal);
	if (c.pid == 1) {
		reason = OOMTRACE_SKIP_UNKILLABLE;
	} else if (!s->memcg &&
		   (ok = cpuset_eligible((__u64)sig, (__u64)BPF_CORE_READ(oc, nodemask))) <= 0) {
		reason = ok ? OOMTRACE_SKIP_UNREAD : OOMTRACE_SKIP_INELIGIBLE;
	} else if (BPF_CORE_READ(oc, order) != -1 && (mm = BPF_CORE_READ(sig, oom_mm))) {
		/* a victim still freeing its memory aborts the scan: no kill,
		 * so no record will carry this ranking */
		if (!(mm_flags_word(mm) & (1UL << MMF_OOM_SKIP)))
			return 0;
		reason = OOMTRACE_SKIP_OOM_VICTIM;
	} else if (BPF_CORE_READ(sig, oom_flag_origin)) {
		/* oom_task_origin(): chosen without oom_badness() */
		c.points = LONG_MAX;
	}

	t = (void *)thread_with_mm((__u64)sig, &unread);
	if (t) {
		mm = BPF_CORE_READ(t, mm);
		adj = BPF_CORE_READ(t, signal, oom_score_adj);
		c.uid = BPF_CORE_READ(t, real_cred, uid.val);
		c.oom_score_adj = adj;
		BPF_CORE_READ_STR_INTO(&c.comm, t, comm);
		c.rss = MM_COUNTER(mm, MM_FILEPAGES) + MM_COUNTER(mm, MM_ANONPAGES) +
			MM_COUNTER(mm, MM_SHMEMPAGES);
		c.swapents = MM_COUNTER(mm, MM_SWAPENTS);
		c.pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
		if (reason < OOMTRACE_NR_SKIPS || c.points == LONG_MAX) {
			/* skipped or origin: no oom_badness() */
		} else if (adj == OOM_SCORE_ADJ_MIN) {
			reason = OOMTRACE_SKIP_ADJ_MIN;
		} else if (mm_flags_word(mm) & (1UL << MMF_OOM_SKIP)) {
			reason = OOMTRACE_SKIP_MM_SKIP;
		} else if (task_in_vfork(t, mm)) {
			reason = OOMTRACE_SKIP_VFORK;
		} else {
			/* in unsigned long, as the kernel: adj * (totalpages / 1000) wraps */
			c.points = c.rss + c.swapents + (c.pgtables_bytes >> page_shift) +
				   (__u64)adj * (BPF_CORE_READ(oc, totalpages) / 1000);
		}
	} else if (reason == OOMTRACE_NR_SKIPS && c.points != LONG_MAX) {
		reason = unread ? OOMTRACE_SKIP_UNREAD : OOMTRACE_SKIP_NO_MM;
	}

	if (reason < OOMTRACE_NR_SKIPS) {
		rk->skips[reason]++;
		if (t) {
			/* the largest kept: what the kernel passed over */
			c.reason = reason;
			c.points = c.rss + c.swapents + (c.pgtables_bytes >> page_shift);
			rank_keep(rk, 1, &c);
		}
		return 0;
	}
	rk->scored++;
	rank_keep(rk, 0, &c);
	return 0;
}

static __always_inline void follow(struct task_struct *task, __u64 seq, __u64 now)
{
	struct followed f;
	__u32 tid, tgid;

	/* the old ABI names another task only by its tid: no exit to wait for */
	if (!task) {
		count_drop(OOMTRACE_DROP_FOLLOWUP);
		return;
	}
	__builtin_memset(&f, 0, sizeof(f));
	tid = BPF_CORE_READ(task, pid);
	tgid = BPF_CORE_READ(task, tgid);
	f.rec.hdr.type = OOMTRACE_REC_REAP;
	f.rec.hdr.size = sizeof(f.rec);
	f.rec.seq = seq;
	f.rec.kill_ns = now;	/* the victim record's own stamp */
	f.rec.pid = tgid;
	f.rec.tid = tid;
	BPF_CORE_READ_STR_INTO(&f.rec.comm, task, comm);
	f.mm = BPF_CORE_READ(task, mm);
	/* mark_oom_victim() marks a task once; a second thread of a followed
	 * process has no exit of its own to wait for */
	if (bpf_map_update_elem(&followed, &tid, &f, BPF_NOEXIST)) {
		count_drop(OOMTRACE_DROP_FOLLOWUP);
		return;
	}
	if (bpf_map_update_elem(&followed_procs, &tgid, &tid, BPF_NOEXIST)) {
		bpf_map_delete_elem(&followed, &tid);
		count_drop(OOMTRACE_DROP_FOLLOWUP);
		return;
	}
	__sync_fetch_and_add(&nr_followed, 1);
}

static __always_inline struct followed *followed_of(__u64 pid)
{
	__u32 tid = pid;

	if (!nr_followed)
		return NULL;
	return bpf_map_lookup_elem(&followed, &tid);
}

/* oom:wake_reaper: the victim's mm outlived OOM_REAPER_DELAY */
static __always_inline int reaper_woken(__u64 pid)
{
	struct followed *f = followed_of(pid);

	if (f && !f->rec.wake_ns)
		f->rec.wake_ns = bpf_ktime_get_boot_ns();
	return 0;
}

static __always_inline int reaping_started(__u64 pid)
{
	struct followed *f = followed_of(pid);

	if (f)
		f->rec.attempts++;
	return 0;
}

static __always_inline int reaping_skipped(__u64 pid)
{
	struct followed *f = followed_of(pid);

	if (f)
		f->rec.skips++;
	return 0;
}

/* Right after the kernel's "oom_reaper: reaped process" line, which reads
 * the same counters, under the same mmap lock. */
static __always_inline int reaping_finished(__u64 pid)
{
	struct followed *f = followed_of(pid);
	struct mm_struct *mm;

	if (!f)
		return 0;
	mm = f->mm;	/* a local: CO-RE relocates the kernel's types, not ours */
	f->rec.finish_ns = bpf_ktime_get_boot_ns();
	f->rec.anon_rss = MM_COUNTER(mm, MM_ANONPAGES);
	f->rec.file_rss = MM_COUNTER(mm, MM_FILEPAGES);
	f->rec.shmem_rss = MM_COUNTER(mm, MM_SHMEMPAGES);
	return 0;
}

/*
 * sched:sched_process_exit, after exit_mm(): the victim's process is gone
 * once its last thread has been counted out of signal->live. Threads
 * exiting together may all see 0; the first sends the record.
 */
static __always_inline int task_exited(struct task_struct *task)
{
	struct oomtrace_reap_rec *r;
	struct followed *f;
	__u32 tgid, *tid;

	if (!nr_followed || BPF_CORE_READ(task, signal, live.counter))
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	tid = bpf_map_lookup_elem(&followed_procs, &tgid);
	if (!tid)
		return 0;
	f = bpf_map_lookup_elem(&followed, tid);
	if (f) {
		r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (r) {
			*r = f->rec;
			r->hdr.ts_ns = bpf_ktime_get_boot_ns();
			/* for the kill record too, which mark_victim() left unannounced */
			bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
		} else {
			count_drop(OOMTRACE_DROP_FOLLOWUP);
		}
		if (!bpf_map_delete_elem(&followed, tid))
			__sync_fetch_and_add(&nr_followed, -1);
	}
	bpf_map_delete_elem(&followed_procs, &tgid);
	return 0;
}

/*
 * --reclaim: each domain's reclaim in a ring of time slots, summed into
 * the kill record at mark_victim. Nothing crosses the ring buffer per event.
 */
struct reclaim_domain {
	struct oomtrace_reclaim slot[OOMTRACE_RECLAIM_SLOTS];
};

/* By cgroup id (kernfs), 0 for the system; user space sizes it (1 when off). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct reclaim_domain);
} reclaim_domains SEC(".maps");

/* A reclaim pass in progress, by tid: when it began, what it scanned. */
struct stall {
	__u64 begin_ns;
	__u64 scanned;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stall);
} stalls SEC(".maps");

/* 0: --reclaim is off */
const volatile __u64 reclaim_slot_ns;

enum reclaim_event {
	RECLAIM_DIRECT,
	RECLAIM_MEMCG,
	RECLAIM_KSWAPD,
	RECLAIM_RETRY,
	RECLAIM_COMPACT,
};

static __always_inline __u64 memcg_id(struct mem_cgroup *memcg)
{
	return BPF_CORE_READ(memcg, css.cgroup, kn, id);
}

static __always_inline void slot_stalls(struct oomtrace_stalls *st, __u64 ns,
					__u64 reclaimed, __u64 scanned)
{
	__u64 max = st->max_ns;

	__sync_fetch_and_add(&st->count, 1);
	__sync_fetch_and_add(&st->total_ns, ns);
	__sync_fetch_and_add(&st->reclaimed, reclaimed);
	__sync_fetch_and_add(&st->scanned, scanned);
	/* a few tries: another CPU raising it at once is rare */
	for (int i = 0; i < 4 && ns > max; i++) {
		__u64 seen = __sync_val_compare_and_swap(&st->max_ns, max, ns);

		if (seen == max)
			break;
		max = seen;
	}
}

/* One event, for domain_add(): more than a BPF call's five arguments. */
struct reclaim_ev {
	__u64 epoch;
	__u64 ns;
	__u64 reclaimed;
	__u64 scanned;
	enum reclaim_event ev;
};

/* A function of its own: inlined once per ancestor it would swell the program. */
static __noinline int domain_add(__u64 key, const struct reclaim_ev *e)
{
	__u64 epoch = e->epoch, ns = e->ns, reclaimed = e->reclaimed, scanned = e->scanned;
	struct reclaim_domain *d = bpf_map_lookup_elem(&reclaim_domains, &key);
	struct oomtrace_reclaim *sl;
	__u64 old;

	if (!d) {
		/* zeroes is bigger than a domain: read only its start */
		bpf_map_update_elem(&reclaim_domains, &key, (const void *)zeroes, BPF_NOEXIST);
		d = bpf_map_lookup_elem(&reclaim_domains, &key);
		if (!d)
			return 0;
	}
	sl = &d->slot[epoch % OOMTRACE_RECLAIM_SLOTS];
	old = sl->epoch;
	/* the first event of a new slot clears it; a racing CPU's event in
	 * the same instant may be lost with the old sums */
	if (old != epoch && __sync_val_compare_and_swap(&sl->epoch, old, epoch) == old) {
		__builtin_memset(&sl->direct, 0, sizeof(sl->direct));
		__builtin_memset(&sl->memcg, 0, sizeof(sl->memcg));
		sl->kswapd_wakes = 0;
		sl->retries = 0;
		sl->compact_retries = 0;
	}
	switch (e->ev) {
	case RECLAIM_DIRECT:
		slot_stalls(&sl->direct, ns, reclaimed, scanned);
		break;
	case RECLAIM_MEMCG:
		slot_stalls(&sl->memcg, ns, reclaimed, scanned);
		break;
	case RECLAIM_KSWAPD:
		__sync_fetch_and_add(&sl->kswapd_wakes, 1);
		break;
	case RECLAIM_RETRY:
		__sync_fetch_and_add(&sl->retries, 1);
		break;
	case RECLAIM_COMPACT:
		__sync_fetch_and_add(&sl->compact_retries, 1);
		break;
	}
	return 0;
}

/* An event of the current task: its memcg's, each ancestor's but the
 * root's, and the system's. */
static __always_inline void reclaim_add(enum reclaim_event ev, __u64 now, __u64 ns,
					__u64 reclaimed, __u64 scanned)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct reclaim_ev e = {
		.epoch = now / reclaim_slot_ns, .ns = ns, .reclaimed = reclaimed,
		.scanned = scanned, .ev = ev,
	};
	struct cgroup_subsys_state *css;

	css = BPF_CORE_READ(cur, cgroups, subsys[id]);
	for (int i = 0; i < OOMTRACE_CG_DEPTH && css; i++) {
		struct cgroup_subsys_state *parent = BPF_CORE_READ(css, parent);

		if (!parent)	/* the root memcg: the system's key */
			break;
		domain_add(BPF_CORE_READ(css, cgroup, kn, id), &e);
		css = parent;
	}
	domain_add(0, &e);
}

static __always_inline int reclaim_begin(void)
{
	struct stall st = { .begin_ns = bpf_ktime_get_boot_ns() };
	__u32 tid = current_tid();

	bpf_map_update_elem(&stalls, &tid, &st, BPF_ANY);
	return 0;
}

/* One stall ended: a pass whose begin came before we attached is not counted. */
static __always_inline int reclaim_end(enum reclaim_event ev, __u64 reclaimed)
{
	__u64 now = bpf_ktime_get_boot_ns();
	__u32 tid = current_tid();
	struct stall *st;

	st = bpf_map_lookup_elem(&stalls, &tid);
	if (!st)
		return 0;
	reclaim_add(ev, now, now - st->begin_ns, reclaimed, st->scanned);
	bpf_map_delete_elem(&stalls, &tid);
	return 0;
}

/* mm_vmscan_lru_shrink_inactive: pages scanned, within a stall of the task's */
static __always_inline int reclaim_scanned(__u64 nr_scanned)
{
	__u32 tid = current_tid();
	struct stall *st;

	st = bpf_map_lookup_elem(&stalls, &tid);
	if (st)
		st->scanned += nr_scanned;
	return 0;
}

static __always_inline int reclaim_event(enum reclaim_event ev)
{
	__u64 now = bpf_ktime_get_boot_ns();
	struct reclaim_ev e = { .epoch = now / reclaim_slot_ns, .ev = ev };

	if (ev == RECLAIM_KSWAPD)	/* kswapd works for the system */
		domain_add(0, &e);
	else
		reclaim_add(ev, now, 0, 0, 0);
	return 0;
}

static __always_inline void sum_stalls(struct oomtrace_stalls *sum,
				       const struct oomtrace_stalls *sl)
{
	sum->count += sl->count;
	sum->total_ns += sl->total_ns;
	sum->reclaimed += sl->reclaimed;
	sum->scanned += sl->scanned;
	if (sl->max_ns > sum->max_ns)
		sum->max_ns = sl->max_ns;
}

/* The window's sums for the domain of a kill: memcg, or 0 for the system.
 * Global, as read_node_free(). */
__attribute__((noinline)) int reclaim_sum(struct oomtrace_oom *oom, __u64 mcg, __u64 now)
{
	struct mem_cgroup *memcg = (void *)mcg;
	struct oomtrace_reclaim_sum *rs;
	__u64 epoch = now / reclaim_slot_ns, first = 0;
	/* on the stack: 6.1 refuses a key in ring buffer memory ("R2 type=alloc_mem
	 * expected=fp, pkt, pkt_meta, map_key, map_value") */
	__u64 key = memcg ? memcg_id(memcg) : 0;
	struct reclaim_domain *d;

	if (!oom)
		return 0;
	rs = &oom->reclaim;
	oom->flags |= OOMTRACE_OOM_RECLAIM;
	rs->domain = key;
	if (epoch > OOMTRACE_RECLAIM_WINDOW_SLOTS)
		first = epoch - OOMTRACE_RECLAIM_WINDOW_SLOTS;
	rs->span_ns = now - first * reclaim_slot_ns;
	d = bpf_map_lookup_elem(&reclaim_domains, &key);
	if (!d)
		return 0;
	for (int i = 0; i < OOMTRACE_RECLAIM_SLOTS; i++) {
		struct oomtrace_reclaim *sl = &d->slot[i];
		struct oomtrace_reclaim *sum = &rs->sum;

		if (sl->epoch < first || sl->epoch > epoch)
			continue;
		sum->epoch++;
		sum_stalls(&sum->direct, &sl->direct);
		sum_stalls(&sum->memcg, &sl->memcg);
		sum->kswapd_wakes += sl->kswapd_wakes;
		sum->retries += sl->retries;
		sum->compact_retries += sl->compact_retries;
	}
	return 0;
}

static __always_inline int mark_victim(void *ctx, __u64 arg0)
{
	struct task_struct *cur = (void *)bpf_get_current_task();
	struct task_struct *task = NULL;
	struct mem_cgroup *memcg = NULL, *cur_memcg, *victim_memcg = NULL;
	__u64 now = bpf_ktime_get_boot_ns();
	struct oomtrace_victim_rec *r;
	__u32 tid = current_tid();
	struct inflight *s;
	__u64 seq;

	if (mark_victim_has_task())
		task = (void *)arg0;
	else if ((__u32)arg0 == tid)	/* old ABI: only a tid; see it if it is us */
		task = cur;

	s = bpf_map_lookup_elem(&inflight, &tid);
	if (s)
		s->victims++;
	seq = __sync_fetch_and_add(&victim_seq, 1) + 1;
	follow(task, seq, now);

	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop(OOMTRACE_DROP_VICTIM);
		return 0;
	}
	ZERO(r);
	r->hdr.type = OOMTRACE_REC_VICTIM;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = now;
	r->seq = seq;
	cur_memcg = read_task(&r->trigger, cur);
	if (task) {
		r->flags |= OOMTRACE_VICTIM_TASK;
		/* the victim is often the task whose charge failed: no second
		 * walk of the same task and its cgroup path */
		if (task == cur) {
			bpf_probe_read_kernel(&r->victim, sizeof(r->victim), &r->trigger);
			victim_memcg = cur_memcg;
		} else {
			victim_memcg = read_task(&r->victim, task);
		}
		read_mm(r, task);
	} else {
		r->victim.tid = (__u32)arg0;
	}
	if (s) {
		r->hdr.episode = s->episode;
		/* too big for an inline memcpy */
		bpf_probe_read_kernel(&r->oom, sizeof(r->oom), &s->oom);
		memcg = s->memcg;
	} else if (task) {
		/* user space keeps it only if the stack shows a memcg OOM */
		memcg = locked_domain(victim_memcg);
		if (memcg) {
			r->oom.flags |= OOMTRACE_OOM_LOCKED_MEMCG;
			r->oom.memcg_set = 1;
			/* most often the victim's own, whose path is read */
			if (memcg == victim_memcg)
				bpf_probe_read_kernel(&r->oom.memcg, sizeof(r->oom.memcg),
						      &r->victim.memcg);
			else
				read_memcg_path(&r->oom.memcg, memcg);
		}
	}
	if (memcg) {
		read_memcg_mem(&r->oom, memcg);
		if (read_memcg_stat(&r->oom, (__u64)memcg))
			read_memcg_events(&r->oom.stat, (__u64)memcg);
	}
	/* a memcg OOM without its memcg gets the system's sums: user space
	 * knows the domain from the stack and keeps only those that match */
	if (reclaim_slot_ns)
		reclaim_sum(&r->oom, (__u64)memcg, now);
	/* a memcg OOM prints its memcg's, not the system's; tracepoint mode
	 * cannot tell it here, and user space drops what it does not need */
	if (!(s && s->memcg))
		read_mem_info(&r->mem_info);
	r->stack_len = bpf_get_stack(ctx, r->stack, sizeof(r->stack), 0);
	/*
	 * No wakeup under oom_lock: a ring buffer's wakeup is an irq_work,
	 * whose self-IPI exits a virtual machine (about 45 us here). The
	 * victim's exit, after its memory is freed, wakes the reader for
	 * both records; for a victim that does not exit, the reader reads
	 * the ring after each of its 100 ms waits anyway. Only a ring half
	 * full (a group kill of many tasks) wakes it from here.
	 */
	bpf_ringbuf_submit(r, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >
			      bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2 ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("fentry/out_of_memory")
int BPF_PROG(oom_enter_fentry, struct oom_control *oc)
{
	return oom_enter(oc);
}

SEC("fexit/out_of_memory")
int BPF_PROG(oom_exit_fexit, struct oom_control *oc, bool ret)
{
	return oom_exit(ret);
}

SEC("fentry/oom_kill_process")
int BPF_PROG(oom_kill_fentry, struct oom_control *oc, const char *message)
{
	return oom_kill(oc, message);
}

SEC("fentry/oom_evaluate_task")
int BPF_PROG(oom_evaluate_fentry, struct task_struct *task, void *arg)
{
	return oom_evaluate(task, arg);
}

/* kprobes attach by the symbol kallsyms has (it may carry a suffix). */
SEC("kprobe")
int BPF_KPROBE(oom_enter_kprobe, struct oom_control *oc)
{
	return oom_enter(oc);
}

SEC("kretprobe")
int BPF_KRETPROBE(oom_exit_kretprobe, bool ret)
{
	return oom_exit(ret);
}

SEC("kprobe")
int BPF_KPROBE(oom_kill_kprobe, struct oom_control *oc, const char *message)
{
	return oom_kill(oc, message);
}

SEC("kprobe")
int BPF_KPROBE(oom_evaluate_kprobe, struct task_struct *task, void *arg)
{
	return oom_evaluate(task, arg);
}

SEC("tp_btf/mark_victim")
int mark_victim_btf(__u64 *ctx)
{
	return mark_victim(ctx, ctx[0]);
}

SEC("raw_tp/mark_victim")
int mark_victim_raw(__u64 *ctx)
{
	return mark_victim(ctx, ctx[0]);
}

/* The follow-up hooks, each both ways as mark_victim is hooked. */
#define FOLLOWUP(name, tp, fn, ...)					\
SEC("tp_btf/" #tp)							\
int name##_btf(__u64 *ctx)						\
{									\
	return fn(__VA_ARGS__);						\
}									\
SEC("raw_tp/" #tp)							\
int name##_raw(__u64 *ctx)						\
{									\
	return fn(__VA_ARGS__);						\
}

FOLLOWUP(reaper_wake, wake_reaper, reaper_woken, ctx[0])
FOLLOWUP(reaper_start, start_task_reaping, reaping_started, ctx[0])
FOLLOWUP(reaper_skip, skip_task_reaping, reaping_skipped, ctx[0])
FOLLOWUP(reaper_finish, finish_task_reaping, reaping_finished, ctx[0])
FOLLOWUP(victim_exit, sched_process_exit, task_exited, (struct task_struct *)ctx[0])

/* --reclaim's hooks, each both ways as mark_victim is hooked. */
FOLLOWUP(direct_begin, mm_vmscan_direct_reclaim_begin, reclaim_begin, )
FOLLOWUP(direct_end, mm_vmscan_direct_reclaim_end, reclaim_end, RECLAIM_DIRECT, ctx[0])
FOLLOWUP(memcg_begin, mm_vmscan_memcg_reclaim_begin, reclaim_begin, )
FOLLOWUP(memcg_end, mm_vmscan_memcg_reclaim_end, reclaim_end, RECLAIM_MEMCG, ctx[0])
FOLLOWUP(lru_scanned, mm_vmscan_lru_shrink_inactive, reclaim_scanned, ctx[1])
FOLLOWUP(kswapd_wake, mm_vmscan_kswapd_wake, reclaim_event, RECLAIM_KSWAPD)
FOLLOWUP(reclaim_retry, reclaim_retry_zone, reclaim_event, RECLAIM_RETRY)
FOLLOWUP(compact_retry, compact_retry, reclaim_event, RECLAIM_COMPACT)
