/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record model: one finished record per victim, every field resolved
 * (paths joined, stack symbolised, sizes in kB) and either known or not.
 * record_build() is the one place that decides which; every sink renders
 * a record as it is, and renders "not known" as null.
 */
#ifndef __RECORD_H
#define __RECORD_H

#include <stdint.h>
#include <linux/types.h>
#include "cgroup.h"
#include "container.h"
#include "mode.h"
#include "oomtrace.h"

#define RECORD_SCHEMA_VERSION 6
#define GFP_FLAGS_LEN 1024

struct ksyms;
struct gfp_table;

enum oom_outcome {
	OUTCOME_KILLED,
	OUTCOME_EXITING,	/* marked while already exiting: nothing killed */
};

/* The kernel's enum oom_constraint, plus what tracepoint mode can tell. */
enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMPOLICY,
	CONSTRAINT_MEMCG,
	CONSTRAINT_GLOBAL,	/* not a memcg OOM; which other kind is unknown */
};

/* Every field a record can lack, in the order `missing` lists them. */
enum record_field {
	RF_OUTCOME,
	RF_CONSTRAINT,
	RF_MESSAGE,
	RF_GFP_MASK,
	RF_GFP_FLAGS,
	RF_ORDER,
	RF_TOTALPAGES,
	RF_OOM_MEMCG,
	RF_OOM_MEMCG_MEMORY,
	RF_OOM_MEMCG_STAT,
	RF_OOM_MEMCG_STAT_EVENTS,
	RF_DURATION,
	RF_MEM_INFO,
	RF_MEM_INFO_NODES,
	RF_VICTIM_PID,
	RF_VICTIM_COMM,
	RF_VICTIM_UID,
	RF_VICTIM_MEMCG,
	RF_VICTIM_OOM_SCORE_ADJ,
	RF_VICTIM_POINTS,
	RF_VICTIM_OOM_SCORE,
	RF_VICTIM_TOTAL_VM,
	RF_VICTIM_ANON_RSS,
	RF_VICTIM_FILE_RSS,
	RF_VICTIM_SHMEM_RSS,
	RF_VICTIM_SWAP,
	RF_VICTIM_PGTABLES,
	RF_CANDIDATES,
	RF_CANDIDATES_SCORED,
	RF_SKIPPED,
	RF_STACK,
	RF_RECLAIM,
	RF_RECLAIM_PSI,
	NR_RECORD_FIELDS,
};

#define RF_BIT(f) (1ULL << (f))

/* The ranking the victim won: oom_evaluate_task() was not hooked, or the
 * record is not the chosen task's. */
#define RF_RANKING	(RF_BIT(RF_CANDIDATES) | RF_BIT(RF_CANDIDATES_SCORED) | \
			 RF_BIT(RF_SKIPPED))

/* The field's name in records and in `missing` ("victim.pid"). */
const char *record_field_name(enum record_field f);

struct record_task {
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 uid;
	__s32 oom_score_adj;
	char comm[OOMTRACE_COMM_LEN + 1];
	char memcg[CGPATH_MAX];
};

/* A task of the ranking, with the numbers of the kernel's task dump. */
struct record_cand {
	__u32 pid;		/* tgid */
	__u32 uid;
	char comm[OOMTRACE_COMM_LEN + 1];
	__s32 oom_score_adj;
	__s64 points;		/* a candidate's; a skipped task's size in pages */
	__u32 order;		/* evaluation order */
	enum oomtrace_skip reason;	/* skipped tasks */
	__u64 rss_pages;
	__u64 swapents;
	__u64 pgtables_bytes;
};

/* The skip reason's name in records ("oom_score_adj_min"). */
const char *skip_name(enum oomtrace_skip reason);

struct record_frame {
	__u64 addr;
	const char *sym;	/* NULL: not in kallsyms; owned by the ksyms */
	__u64 offset;
};

/* A page counter of the OOM memcg, as the kernel's report prints it. */
struct memcg_counter {
	__u64 usage_kb;
	__u64 limit_kb;
	__u64 failcnt;
};

struct memcg_memory {
	int v1;				/* the memory controller is on cgroup v1 */
	struct memcg_counter memory;
	struct memcg_counter swap;	/* v2: swap; v1: memory+swap */
	int has_kmem;			/* v1, on a kernel that has it */
	struct memcg_counter kmem;
};

/* The OOM memcg's memory.stat items, and "slab", which the kernel prints
 * as the sum of slab_reclaimable and slab_unreclaimable. */
#define MEMCG_STAT_SLAB	OOMTRACE_NR_STATS
#define NR_MEMCG_STATS	(OOMTRACE_NR_STATS + 1)

/* Its event counters, and "pgscan" and "pgsteal", which the kernel prints
 * as the sums of their kinds of reclaim. */
#define MEMCG_EVENT_PGSCAN	OOMTRACE_NR_EVENTS
#define MEMCG_EVENT_PGSTEAL	(OOMTRACE_NR_EVENTS + 1)
#define NR_MEMCG_EVENTS		(OOMTRACE_NR_EVENTS + 2)

struct memcg_stat {
	__u64 present;			/* bit per item: the kernel keeps it */
	__u64 val[NR_MEMCG_STATS];	/* as memory.stat prints it: bytes, or events */
	int events_read;		/* the event counters could be read */
	__u64 ev_present;		/* bit per event: the kernel keeps it */
	__u64 ev[NR_MEMCG_EVENTS];
};

/* The items in the kernel's order (memory_stat_format()), each with its
 * name there; *events: a count of events, not bytes. */
unsigned int memcg_stat_order(unsigned int i);
const char *memcg_stat_name(unsigned int item, int *events);
/* The event counters in the same way, after the items; NULL for the
 * parts of pgscan and pgsteal that only later kernels print. */
unsigned int memcg_event_order(unsigned int i);
const char *memcg_event_name(unsigned int event);

/* One kind of reclaim stall in the window. */
struct reclaim_stalls {
	__u64 count;
	__u64 total_us;
	__u64 max_us;
	__u64 reclaimed_pages;
	__u64 scanned_pages;
};

/* A line of a PSI file: "some avg10=1.23 avg60=0.45 avg300=0.10 total=N". */
struct psi_line {
	__u32 avg10;		/* hundredths of a percent */
	__u32 avg60;
	__u64 total_us;
};

struct record_psi {
	int memcg;		/* the domain memcg's memory.pressure, else the system's */
	struct psi_line some, full;
};

/* --reclaim: the OOM domain's reclaim before the kill, and its pressure. */
struct record_reclaim {
	int on;			/* --reclaim was given: the kernel side summed */
	__u64 window_us;	/* the time summed, up to the kill */
	struct reclaim_stalls direct;	/* global direct reclaim */
	struct reclaim_stalls memcg;	/* memcg (limit) reclaim */
	__u64 kswapd_wakes;
	__u64 retries;		/* oom:reclaim_retry_zone */
	__u64 compact_retries;	/* oom:compact_retry */
	struct record_psi psi;	/* read by user space as the record is built */
};

/* The system's memory as the kernel's "Mem-Info:" prints it, in pages. */
struct mem_info {
	__u64 item[OOMTRACE_NR_MEM_ITEMS];	/* enum oomtrace_mem_item */
	int has_bounce;			/* the kernel counts it (before v6.16) */
	unsigned int nr_nodes;
	struct {
		__u32 node;
		__u64 free;
	} nodes[OOMTRACE_MAX_NODES];
};

/* The name of a mem_info item in records ("active_anon"). */
const char *mem_item_name(enum oomtrace_mem_item i);

struct oom_record {
	__u64 seq;
	__u64 episode;
	int64_t time_ns;	/* wall clock, when the victim was marked */
	enum oom_mode mode;
	__u64 unknown;		/* RF_BIT()s of the fields this mode could not see */
	__u64 derived;		/* RF_BIT()s of the fields inferred, not read */

	enum oom_outcome outcome;
	enum oom_constraint constraint;
	char message[OOMTRACE_MSG_LEN];	/* "": the kernel prints none */
	__u32 gfp_mask;
	char gfp_flags[GFP_FLAGS_LEN];
	__s32 order;
	__u64 totalpages;
	char oom_memcg[CGPATH_MAX];	/* "": a global OOM has no memcg */
	struct memcg_memory oom_memcg_memory;
	struct memcg_stat oom_memcg_stat;
	__u64 duration_us;
	struct mem_info mem_info;	/* a memcg OOM has none */

	struct record_task trigger;	/* always known */
	struct record_task victim;	/* tid always known */
	/* who the victim is, and whose memory ran out, read from their memcg
	 * paths: as known as those paths are */
	struct container_id victim_id;
	struct container_id oom_memcg_id;
	__s64 points;
	__u64 oom_score;
	__u64 total_vm_kb;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
	__u64 swap_kb;
	__u64 pgtables_kb;

	/* the ranking, highest points first, and the largest skipped tasks */
	unsigned int nr_candidates;
	struct record_cand candidates[OOMTRACE_MAX_CANDIDATES];
	__u32 candidates_scored;
	__u32 skip_counts[OOMTRACE_NR_SKIPS];
	unsigned int nr_skipped;
	struct record_cand skipped[OOMTRACE_MAX_CANDIDATES];

	unsigned int nr_frames;		/* from mark_oom_victim() down */
	struct record_frame frames[OOMTRACE_STACK_DEPTH];

	struct record_reclaim reclaim;
};

/* The field was seen: it is neither unknown nor absent (no message for an
 * exiting task, no memcg for a global OOM). What is not there is null. */
int record_has(const struct oom_record *r, enum record_field f);

/* The same for a field of one of the record's tasks (RF_VICTIM_*): the
 * trigger's are always known. */
int record_task_has(const struct oom_record *r, const struct record_task *t,
		    enum record_field f);

/* What a mode can never see, whatever the event (for `oomtrace probe`). */
__u64 record_mode_unknown(enum oom_mode mode);

/* "sym+0xoff", or the bare address when the symbol is not known. */
void record_frame_format(const struct record_frame *fr, char *buf, size_t len);

const char *outcome_name(enum oom_outcome outcome);
const char *constraint_name(enum oom_constraint constraint);

/* oom_score as the kernel normalises points: 0..1000 of totalpages. */
__u64 oom_score(__s64 points, __u64 totalpages);

/* What building a record needs beyond the raw pieces. */
struct record_env {
	const struct ksyms *ks;		/* NULL: stacks unclassified, frames as addresses */
	const struct gfp_table *gfp;
	int64_t boot_to_unix_ns;
	unsigned int page_kb;
	int kill_frame;			/* __oom_kill_process() can show on a stack */
	int memcg_v1;			/* the memory controller is on cgroup v1 */
	__u64 since_ns;			/* boot ns the kernel side began summing reclaim */
	int reclaim_lost;		/* reclaim was asked for, but not hooked */
	/* PSI of a domain ("": the system): 0, or -errno and it is unknown.
	 * NULL: never read (unit tests) */
	int (*read_psi)(const char *memcg, struct record_psi *psi);
};


/* ks and gfp may be NULL; the rest is read from the running system. */
void record_env_init(struct record_env *env, const struct ksyms *ks,
		     const struct gfp_table *gfp);

/* What the trigger's kernel stack at oom:mark_victim shows. */
enum {
	STACK_KILL = 1 << 0,	/* __oom_kill_process(): a kill, not a shortcut */
	STACK_GROUP = 1 << 1,	/* oom_kill_memcg_member(): memory.oom.group */
	STACK_MEMCG = 1 << 2,	/* mem_cgroup_out_of_memory(): a memcg OOM */
};
unsigned int stack_classify(const struct record_env *env,
			    const struct oomtrace_victim_rec *raw);

/* The pieces of one victim, as episode assembly joined them. */
struct record_src {
	enum oom_mode mode;
	__u64 episode;
	const struct oomtrace_victim_rec *raw;
	const struct oomtrace_end_rec *end;	/* NULL: out_of_memory()'s return unseen */
	unsigned int stack;			/* stack_classify(raw) */
};

void record_build(struct oom_record *r, const struct record_env *env,
		  const struct record_src *src);

/* What the oom_reaper did for a victim before its process exited. */
enum reaper_outcome {
	REAPER_NOT_NEEDED,	/* the victim freed its memory itself */
	REAPER_SKIPPED,		/* the reaper looked, but could not or need not reap */
	REAPER_REAPED,		/* the reaper freed the memory: the kernel printed it */
};

/* A victim's follow-up: sent when its whole process has exited. */
struct reap_record {
	__u64 seq;		/* the victim's record's */
	int64_t time_ns;	/* wall clock, the exit */
	__u32 pid;
	__u32 tid;
	char comm[OOMTRACE_COMM_LEN + 1];
	enum reaper_outcome reaper;
	__u32 attempts;
	__u32 skips;
	int woken;		/* wake_us is known */
	__u64 wake_us;		/* each from the kill */
	__u64 reaped_us;	/* REAPER_REAPED only, as the rss after it */
	__u64 exit_us;
	__u64 anon_rss_kb;
	__u64 file_rss_kb;
	__u64 shmem_rss_kb;
};

const char *reaper_name(enum reaper_outcome reaper);

void reap_build(struct reap_record *r, const struct record_env *env,
		const struct oomtrace_reap_rec *raw);

/*
 * One reading of an OOM domain's memory (--sample-interval): a memory
 * cgroup's usage and limit from its own files, or the system's from
 * /proc/meminfo (used: MemTotal - MemAvailable, of MemTotal).
 */
struct mem_sample {
	int64_t time_ns;	/* wall clock, when it was read */
	char memcg[CGPATH_MAX];	/* "": the system */
	__u64 usage_kb;
	__u64 limit_kb;		/* no limit: the kernel's largest, as it prints it */
};

#endif /* __RECORD_H */
