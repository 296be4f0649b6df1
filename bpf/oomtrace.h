/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record ABI shared by the BPF programs and user space: fixed-width
 * types only, so both sides agree on every offset.
 */
#ifndef __OOMTRACE_H
#define __OOMTRACE_H

#define OOMTRACE_COMM_LEN	16
#define OOMTRACE_MSG_LEN	64
#define OOMTRACE_CG_DEPTH	10	/* path components kept per cgroup */
#define OOMTRACE_CG_NAME_LEN	256	/* NAME_MAX + 1: container ids fit whole */
#define OOMTRACE_STACK_DEPTH	32
#define OOMTRACE_MAX_CANDIDATES	16	/* the most --candidates takes */
#define OOMTRACE_MAX_NODES	64	/* NUMA nodes whose free pages are kept */

enum oomtrace_rec_type {
	OOMTRACE_REC_VICTIM = 1,	/* one per oom:mark_victim */
	OOMTRACE_REC_END = 2,		/* out_of_memory() returned */
	OOMTRACE_REC_REAP = 3,		/* a victim's process exited: its reaping */
};

/* Slots of the drops map: what found no room in the ring buffer or the maps. */
enum oomtrace_drop {
	OOMTRACE_DROP_VICTIM,		/* a victim record */
	OOMTRACE_DROP_FOLLOWUP,		/* a victim's reap record, or its tracking */
	OOMTRACE_NR_DROPS,
};

/* The kernel's enum oom_constraint, translated so user space never guesses. */
enum oomtrace_constraint {
	OOMTRACE_CONSTRAINT_NONE = 0,
	OOMTRACE_CONSTRAINT_CPUSET = 1,
	OOMTRACE_CONSTRAINT_MEMPOLICY = 2,
	OOMTRACE_CONSTRAINT_MEMCG = 3,
};

/* Which parts of struct oomtrace_oom the kernel side could fill. */
enum oomtrace_oom_flags {
	OOMTRACE_OOM_ENTRY = 1 << 0,	/* out_of_memory() entry: gfp, order, memcg */
	OOMTRACE_OOM_KILL = 1 << 1,	/* oom_kill_process(): constraint, points, message */
	/* oom_control unseen: memcg is the victim's topmost ancestor holding
	 * the memcg OOM lock, which a memcg OOM takes on its domain's subtree */
	OOMTRACE_OOM_LOCKED_MEMCG = 1 << 2,
	OOMTRACE_OOM_MEM = 1 << 3,	/* mem: the memcg's counters at the kill */
	OOMTRACE_OOM_RANKED = 1 << 4,	/* ranking: oom_evaluate_task() was hooked */
	OOMTRACE_OOM_STAT = 1 << 5,	/* stat: the memcg's memory.stat items at the kill */
	OOMTRACE_OOM_RECLAIM = 1 << 6,	/* reclaim: --reclaim's sums were read */
};

/* Flags on a victim record. */
enum oomtrace_victim_flags {
	OOMTRACE_VICTIM_TASK = 1 << 0,	/* the victim task_struct was readable */
	OOMTRACE_VICTIM_MM = 1 << 1,	/* it still had an mm: memory fields valid */
};

struct oomtrace_hdr {
	__u32 type;		/* enum oomtrace_rec_type */
	__u32 size;		/* of the whole record */
	__u64 ts_ns;		/* bpf_ktime_get_boot_ns() */
	__u64 episode;		/* 0: the kernel side could not see the episode */
};

/* A cgroup path as leaf-first components; user space joins them. */
struct oomtrace_cgpath {
	__u32 depth;		/* components stored */
	__u32 truncated;	/* more ancestors than OOMTRACE_CG_DEPTH */
	char name[OOMTRACE_CG_DEPTH][OOMTRACE_CG_NAME_LEN];
};

struct oomtrace_task {
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 uid;
	__s32 oom_score_adj;
	char comm[OOMTRACE_COMM_LEN];
	struct oomtrace_cgpath memcg;
};

/* A struct page_counter in pages, the numbers the kernel's OOM report
 * prints as "usage %llukB, limit %llukB, failcnt %lu". */
struct oomtrace_counter {
	__u64 usage;
	__u64 max;
	__u64 failcnt;
};

/* The OOM memcg's page counters. */
struct oomtrace_memcg_mem {
	struct oomtrace_counter memory;
	struct oomtrace_counter swap;	/* one union: v2's swap, v1's memory+swap */
	struct oomtrace_counter kmem;	/* cgroup v1's */
	__u32 has_kmem;			/* the kernel has memcg->kmem */
	__u32 pad;
};

/*
 * The page-state items of memory.stat, as memory_stat_format() prints them
 * in the kernel's OOM report (v6.1's list, in its order; "slab" is the sum
 * the kernel prints after slab_unreclaimable).
 */
enum oomtrace_stat {
	OOMTRACE_STAT_ANON,
	OOMTRACE_STAT_FILE,
	OOMTRACE_STAT_KERNEL,
	OOMTRACE_STAT_KERNEL_STACK,
	OOMTRACE_STAT_PAGETABLES,
	OOMTRACE_STAT_SEC_PAGETABLES,
	OOMTRACE_STAT_PERCPU,
	OOMTRACE_STAT_SOCK,
	OOMTRACE_STAT_VMALLOC,
	OOMTRACE_STAT_SHMEM,
	OOMTRACE_STAT_ZSWAP,
	OOMTRACE_STAT_ZSWAPPED,
	OOMTRACE_STAT_FILE_MAPPED,
	OOMTRACE_STAT_FILE_DIRTY,
	OOMTRACE_STAT_FILE_WRITEBACK,
	OOMTRACE_STAT_SWAPCACHED,
	OOMTRACE_STAT_ANON_THP,
	OOMTRACE_STAT_FILE_THP,
	OOMTRACE_STAT_SHMEM_THP,
	OOMTRACE_STAT_INACTIVE_ANON,
	OOMTRACE_STAT_ACTIVE_ANON,
	OOMTRACE_STAT_INACTIVE_FILE,
	OOMTRACE_STAT_ACTIVE_FILE,
	OOMTRACE_STAT_UNEVICTABLE,
	OOMTRACE_STAT_SLAB_RECLAIMABLE,
	OOMTRACE_STAT_SLAB_UNRECLAIMABLE,
	OOMTRACE_STAT_WORKINGSET_REFAULT_ANON,
	OOMTRACE_STAT_WORKINGSET_REFAULT_FILE,
	OOMTRACE_STAT_WORKINGSET_ACTIVATE_ANON,
	OOMTRACE_STAT_WORKINGSET_ACTIVATE_FILE,
	OOMTRACE_STAT_WORKINGSET_RESTORE_ANON,
	OOMTRACE_STAT_WORKINGSET_RESTORE_FILE,
	OOMTRACE_STAT_WORKINGSET_NODERECLAIM,
	OOMTRACE_NR_STATS,
};

/*
 * The event counters of memory.stat, memcg_events() of each: v6.1's
 * memcg_vm_event_stat[] (the v2 report prints all but pgpgin and pgpgout,
 * v1's its total_pgpgin, total_pgpgout, total_pgfault and
 * total_pgmajfault), then the parts of the "pgscan" and "pgsteal" sums
 * that later kernels add: khugepaged's and proactive reclaim's.
 */
enum oomtrace_event {
	OOMTRACE_EV_PGSCAN_KSWAPD,
	OOMTRACE_EV_PGSCAN_DIRECT,
	OOMTRACE_EV_PGSTEAL_KSWAPD,
	OOMTRACE_EV_PGSTEAL_DIRECT,
	OOMTRACE_EV_PGFAULT,
	OOMTRACE_EV_PGMAJFAULT,
	OOMTRACE_EV_PGREFILL,
	OOMTRACE_EV_PGACTIVATE,
	OOMTRACE_EV_PGDEACTIVATE,
	OOMTRACE_EV_PGLAZYFREE,
	OOMTRACE_EV_PGLAZYFREED,
	OOMTRACE_EV_ZSWPIN,
	OOMTRACE_EV_ZSWPOUT,
	OOMTRACE_EV_THP_FAULT_ALLOC,
	OOMTRACE_EV_THP_COLLAPSE_ALLOC,
	OOMTRACE_EV_PGPGIN,
	OOMTRACE_EV_PGPGOUT,
	OOMTRACE_EV_PGSCAN_KHUGEPAGED,
	OOMTRACE_EV_PGSCAN_PROACTIVE,
	OOMTRACE_EV_PGSTEAL_KHUGEPAGED,
	OOMTRACE_EV_PGSTEAL_PROACTIVE,
	OOMTRACE_NR_EVENTS,
};

/* memcg_page_state() of each item: the kernel's count, in the item's own
 * unit (pages; bytes for percpu, zswap and slab_*; kB for kernel_stack;
 * events for workingset_*); and memcg_events() of each event counter. */
struct oomtrace_memcg_stat {
	__u64 present;		/* bit per item: this kernel keeps it for memcgs */
	__u64 val[OOMTRACE_NR_STATS];
	__u32 events_read;	/* the event counters' index could be had */
	__u32 pad;
	__u64 ev_present;	/* bit per event: this kernel keeps it for memcgs */
	__u64 ev[OOMTRACE_NR_EVENTS];
};

/*
 * Why oom_evaluate_task() passed a task over without a score (mm/oom_kill.c
 * of v6.1: the checks in its order, then oom_badness()'s).
 */
enum oomtrace_skip {
	OOMTRACE_SKIP_UNKILLABLE,	/* init, or a kernel thread */
	OOMTRACE_SKIP_INELIGIBLE,	/* no node in common with the OOM's cpuset or mempolicy */
	OOMTRACE_SKIP_OOM_VICTIM,	/* an earlier victim whose mm is done with (MMF_OOM_SKIP) */
	OOMTRACE_SKIP_NO_MM,		/* every thread has let go of its mm */
	OOMTRACE_SKIP_ADJ_MIN,		/* oom_score_adj -1000 */
	OOMTRACE_SKIP_MM_SKIP,		/* its mm is marked MMF_OOM_SKIP */
	OOMTRACE_SKIP_VFORK,		/* between vfork() and exec or exit */
	OOMTRACE_SKIP_UNREAD,		/* its mm lies past the threads the kernel side walks */
	OOMTRACE_NR_SKIPS,
};

/* One task oom_evaluate_task() met, as the kernel's task dump shows it. */
struct oomtrace_cand {
	__s64 points;		/* oom_badness(); for a skipped task, rss + swapents + pgtables in pages */
	__u64 rss;		/* pages: anon + file + shmem, get_mm_rss() */
	__u64 swapents;		/* pages */
	__u64 pgtables_bytes;
	__u32 pid;		/* tgid */
	__u32 uid;
	__s32 oom_score_adj;
	__u32 order;		/* the evaluation's: an equal score goes to the later task */
	__u32 reason;		/* skipped: enum oomtrace_skip */
	__u32 pad;
	char comm[OOMTRACE_COMM_LEN];	/* of the thread whose mm was read, as the dump */
};

/* One OOM episode's candidates: the highest scores, and the largest of
 * the tasks skipped that still had an mm, each kept to --candidates. */
struct oomtrace_ranking {
	__u32 nr_cands;
	__u32 nr_skipped;
	__u32 evaluated;	/* oom_evaluate_task() calls */
	__u32 scored;		/* of them, tasks oom_badness() scored */
	__u32 skips[OOMTRACE_NR_SKIPS];	/* every task skipped, by reason */
	struct oomtrace_cand cands[OOMTRACE_MAX_CANDIDATES];
	struct oomtrace_cand skipped[OOMTRACE_MAX_CANDIDATES];
};

/*
 * --reclaim: the reclaim a domain went through, summed in the kernel over
 * time slots. A domain is a memcg (its cgroup's kernfs id) or the system
 * (0); each event counts for the memcg of the task it stalled and every
 * ancestor, and for the system.
 */
#define OOMTRACE_RECLAIM_SLOTS	32	/* a ring; the window is the newest SLOTS - 1 */
#define OOMTRACE_RECLAIM_WINDOW_SLOTS	(OOMTRACE_RECLAIM_SLOTS - 2)	/* plus the current one */

/* Stalls of one kind: direct (global) reclaim, or memcg reclaim. */
struct oomtrace_stalls {
	__u64 count;		/* *_reclaim_end events */
	__u64 total_ns;
	__u64 max_ns;
	__u64 reclaimed;	/* pages: the *_end tracepoints' nr_reclaimed */
	__u64 scanned;		/* pages: mm_vmscan_lru_shrink_inactive's nr_scanned within */
};

struct oomtrace_reclaim {
	__u64 epoch;		/* the slot's: boot ns / slot_ns */
	struct oomtrace_stalls direct;
	struct oomtrace_stalls memcg;
	__u64 kswapd_wakes;	/* mm_vmscan_kswapd_wake: the system only */
	__u64 retries;		/* oom:reclaim_retry_zone */
	__u64 compact_retries;	/* oom:compact_retry */
};

/* What a kill record carries: the window's sums. */
struct oomtrace_reclaim_sum {
	__u64 domain;		/* the key summed: a cgroup id, 0 the system */
	__u64 span_ns;		/* from the oldest slot summed to the kill */
	struct oomtrace_reclaim sum;	/* epoch: slots that had events */
};

/* What out_of_memory() and oom_kill_process() saw (fentry/kprobe modes),
 * and the OOM memcg's state. */
struct oomtrace_oom {
	__u32 flags;		/* enum oomtrace_oom_flags */
	__u32 gfp_mask;
	__s32 order;
	__u32 constraint;	/* enum oomtrace_constraint */
	__u64 totalpages;
	__s64 points;		/* oc->chosen_points: the chosen task's alone */
	__u64 start_ns;
	char message[OOMTRACE_MSG_LEN];
	struct oomtrace_cgpath memcg;	/* oc->memcg; depth 0 when global */
	__u32 memcg_set;	/* oc->memcg was non-NULL */
	__u32 chosen_pid;	/* oc->chosen's tgid */
	struct oomtrace_memcg_mem mem;
	struct oomtrace_memcg_stat stat;
	struct oomtrace_ranking ranking;
	struct oomtrace_reclaim_sum reclaim;
};

/*
 * The system's counters that the kernel's "Mem-Info:" block prints in a
 * global, cpuset or mempolicy OOM (__show_free_areas()), in its order:
 * vm_node_stat[] and vm_zone_stat[] as global_*_page_state() read them.
 */
enum oomtrace_mem_item {
	OOMTRACE_MEM_ACTIVE_ANON,
	OOMTRACE_MEM_INACTIVE_ANON,
	OOMTRACE_MEM_ISOLATED_ANON,
	OOMTRACE_MEM_ACTIVE_FILE,
	OOMTRACE_MEM_INACTIVE_FILE,
	OOMTRACE_MEM_ISOLATED_FILE,
	OOMTRACE_MEM_UNEVICTABLE,
	OOMTRACE_MEM_DIRTY,
	OOMTRACE_MEM_WRITEBACK,
	OOMTRACE_MEM_SLAB_RECLAIMABLE,
	OOMTRACE_MEM_SLAB_UNRECLAIMABLE,
	OOMTRACE_MEM_MAPPED,
	OOMTRACE_MEM_SHMEM,
	OOMTRACE_MEM_PAGETABLES,
	OOMTRACE_MEM_BOUNCE,
	OOMTRACE_MEM_FREE,
	OOMTRACE_MEM_FREE_CMA,
	OOMTRACE_NR_MEM_ITEMS,
};

enum oomtrace_mem_flags {
	OOMTRACE_MEM_READ = 1 << 0,	/* the counters were read */
	OOMTRACE_MEM_HAS_BOUNCE = 1 << 1,	/* the kernel counts NR_BOUNCE */
	OOMTRACE_MEM_NODES = 1 << 2,	/* node_free of node_mask's nodes was read */
};

struct oomtrace_mem_info {
	__u32 flags;		/* enum oomtrace_mem_flags */
	__u32 pad;
	__u64 item[OOMTRACE_NR_MEM_ITEMS];	/* pages, clamped at 0 as the kernel prints */
	__u64 node_mask;	/* bit n: node n has a pglist_data */
	__u64 node_free[OOMTRACE_MAX_NODES];	/* pages: NR_FREE_PAGES of its zones */
};

struct oomtrace_victim_rec {
	struct oomtrace_hdr hdr;
	__u64 seq;		/* kernel-side victim sequence: gaps mean loss */
	__u32 flags;		/* enum oomtrace_victim_flags */
	__s32 stack_len;	/* bytes from bpf_get_stack(), or -errno */
	struct oomtrace_task trigger;
	struct oomtrace_task victim;
	__u64 total_vm;		/* pages */
	__u64 anon_rss;		/* pages */
	__u64 file_rss;		/* pages */
	__u64 shmem_rss;	/* pages */
	__u64 swap;		/* pages */
	__u64 pgtables_bytes;
	struct oomtrace_oom oom;
	struct oomtrace_mem_info mem_info;	/* read unless oc->memcg was seen set */
	__u64 stack[OOMTRACE_STACK_DEPTH];
};

struct oomtrace_end_rec {
	struct oomtrace_hdr hdr;
	__u64 duration_ns;
	__u32 ret;		/* out_of_memory()'s return value */
	__u32 victims;		/* mark_victim calls seen in this episode */
};

/*
 * The victim's follow-up, once its whole process has exited: what the
 * oom_reaper did to its memory in the meantime. Times are boot ns; 0: no
 * such event.
 */
struct oomtrace_reap_rec {
	struct oomtrace_hdr hdr;	/* ts_ns: the exit */
	__u64 seq;		/* the victim record's */
	__u64 kill_ns;		/* its oom:mark_victim */
	__u64 wake_ns;		/* oom:wake_reaper */
	__u64 finish_ns;	/* the last oom:finish_task_reaping */
	__u64 anon_rss;		/* pages left, read at finish_ns */
	__u64 file_rss;
	__u64 shmem_rss;
	__u32 pid;		/* tgid */
	__u32 tid;		/* the marked task, which the reaper names */
	__u32 attempts;		/* oom:start_task_reaping */
	__u32 skips;		/* oom:skip_task_reaping */
	char comm[OOMTRACE_COMM_LEN];
};

#endif /* __OOMTRACE_H */
