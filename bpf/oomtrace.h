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

/* What out_of_memory() and oom_kill_process() saw (fentry/kprobe modes). */
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
