/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the live tests: scratch memory cgroups, processes that get
 * OOM-killed in them, oomtrace as a child, and the kernel's own reports
 * (/dev/kmsg, /proc/vmstat, memory.events) to compare it with.
 */
#ifndef __OOMTEST_H
#define __OOMTEST_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <json-c/json.h>

/* A memory cgroup with a limit, on cgroup v2 or v1, whichever has memory. */
struct memcg {
	char path[512];		/* directory */
	char rel[256];		/* path inside the hierarchy, as the kernel prints it */
	int v2;
};

/* Is the memory controller on cgroup v2 (else v1, or nowhere)? */
int memcg_v2(void);
/* limit 0: none (a cgroup for other controllers, e.g. cpuset) */
int memcg_create(struct memcg *cg, const char *name, unsigned long limit);
/* Kill what is left inside and remove it (and its children). */
void memcg_destroy(struct memcg *cg);
/* memory.events oom_kill (v2) or memory.oom_control oom_kill (v1). */
long memcg_oom_kills(const struct memcg *cg);
int memcg_write(const struct memcg *cg, const char *file, const char *val);
long vmstat_oom_kill(void);
/* Write val to a file (cgroup, proc, tracefs): 0 or -errno. */
int write_file(const char *path, const char *val);
/* A "key value" line of a file such as /proc/vmstat or memory.events. */
long read_key(const char *path, const char *key);
/* The number a file (a sysctl) holds; -1 if it cannot be read. */
long read_long(const char *path);

/* What a hog does before it allocates until the OOM killer ends it. */
struct hog {
	const char *comm;	/* prctl(PR_SET_NAME) */
	int oom_score_adj;
	uid_t uid;		/* 0: stay root */
	int threads;		/* extra threads that stay alive */
	size_t shmem;		/* bytes of shmem (memfd) to touch first */
	size_t anon_limit;	/* stop allocating after this much (0: never) */
	int bind_node;		/* MPOL_BIND to this NUMA node + 1 (0: no policy) */
	unsigned int deadline;	/* seconds before SIGALRM ends it unkilled (0: 60) */
	/*
	 * A thread that writes to this file before the hog allocates: on a
	 * frozen file system (live_freeze_fs()) it blocks in D state, SIGKILL
	 * or not, and keeps the hog's mm until the file system is thawed.
	 */
	const char *stuck_write;
};

/* Filling a TCG guest's RAM can take minutes on a busy CI machine. */
#define GLOBAL_HOG_DEADLINE 180

/* A hog that could not join its memcg exits with this, having allocated nothing. */
#define HOG_NOT_JOINED 100

/* Fork a hog inside cg (NULL: stay where we are); returns its pid. */
pid_t hog_start(const struct memcg *cg, const struct hog *h);
/* Wait for it; 1 if SIGKILL ended it, else say what did. */
int hog_wait_killed(pid_t pid);

/* A "memory: usage NkB, limit NkB, failcnt N" line of a memcg OOM report. */
struct kmsg_counter {
	int seen;
	unsigned long long usage, limit, failcnt;
};

/* A "name value" line of the report's "Memory cgroup stats for" block. */
struct kmsg_stat {
	char name[40];
	unsigned long long val;
};

#define KMSG_MAX_STATS 80

/*
 * The "Mem-Info:" block of a global, cpuset or mempolicy OOM report
 * (__show_free_areas()): its summary in pages, key by key as mem_info of
 * a record names them, and each node's free memory, the sum of its
 * "Node N <zone> free:NkB" lines. A memcg OOM prints none.
 */
#define KMSG_MEM_ITEMS 17
#define KMSG_MEM_NODES 64
extern const char *const kmsg_mem_keys[KMSG_MEM_ITEMS];

struct kmsg_meminfo {
	int seen;		/* "Mem-Info:" */
	int in_nodes;		/* past the summary, at its "Node N" lines */
	int has[KMSG_MEM_ITEMS];
	unsigned long item[KMSG_MEM_ITEMS];
	unsigned long node_free_kb[KMSG_MEM_NODES];
	int node_seen[KMSG_MEM_NODES];
};

/* The kernel's "Killed process" line. */
struct kmsg_kill {
	int pid;
	char comm[64];
	unsigned long total_vm, anon_rss, file_rss, shmem_rss, pgtables;
	unsigned int uid;
	int oom_score_adj;
	char task_memcg[256];	/* from the "oom-kill:" line if not rate limited */
	char oom_memcg[256];
	char constraint[32];
	/* the report's "memory:", "swap:", "memory+swap:" and "kmem:" lines,
	 * printed with the "oom-kill:" one */
	struct kmsg_counter memory, swap, memsw, kmem;
	/* and its "Memory cgroup stats for" block: memory.stat as cgroup v2
	 * names it, or on cgroup v1 (since v6.4) as v1's memory.stat does */
	int nstats;
	struct kmsg_stat stats[KMSG_MAX_STATS];
	struct kmsg_meminfo meminfo;
	/* its task dump: rows task0.. of struct live's tasks; dumped 0 when
	 * the report had none (rate limited, or vm.oom_dump_tasks 0) */
	int dumped, task0, ntasks;
};

/* A row of the kernel's task dump (vm.oom_dump_tasks): "[  pid  ]   uid
 * tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
 * memory values in pages but pgtables_bytes. */
struct kmsg_task {
	int pid;		/* the thread whose mm was read */
	unsigned int uid;
	int tgid;
	unsigned long total_vm, rss, swapents;
	long pgtables_bytes;
	int oom_score_adj;
	char comm[64];
};

/* The oom_reaper's "reaped process" line: what it left of the victim's mm. */
struct kmsg_reap {
	int pid;		/* the victim task's, as in its "Killed process" line */
	char comm[64];
	unsigned long anon_rss, file_rss, shmem_rss;
};

/* Open /dev/kmsg positioned at its end: later reads see only new lines. */
int kmsg_open(void);
/* Parse one "Killed process" message body (exposed for unit tests). */
int kmsg_parse_killed(const char *msg, struct kmsg_kill *k);
/* Parse a "WHAT: usage NkB, limit NkB, failcnt N" message body, WHAT one of
 * memory, swap, memory+swap, kmem, into k's counter of that name; 0 or -1
 * (exposed for unit tests). */
int kmsg_parse_counter(const char *msg, struct kmsg_kill *k);
/* Add the "name value" lines of msg to k's stats: 0, or -1 (and nothing
 * added) if msg is not such lines (exposed for unit tests). */
int kmsg_parse_stats(const char *msg, struct kmsg_kill *k);
/* Add one message of a "Mem-Info:" block, after that line, to m: 0, or -1
 * when it is not one (exposed for unit tests). */
int kmsg_parse_meminfo(const char *msg, struct kmsg_meminfo *m);
/* Does /proc/kallsyms list the kernel's vm_zone_stat and vm_node_stat
 * (CONFIG_KALLSYMS_ALL), which mem_info is read from? */
int kallsyms_lists_vmstat(void);
/* The most a fold of every CPU's vmstat deltas moves a global counter, in
 * pages: the largest "vm stats threshold" of /proc/zoneinfo times the
 * online CPUs; -1 when it cannot be read. */
long vmstat_fold_pages(void);
long pcp_high_pages(void);
/* Parse one row of a task dump (exposed for unit tests): 0 or -1. */
int kmsg_parse_task(const char *msg, struct kmsg_task *t);
/* Parse one "oom_reaper: reaped process" message body (exposed for unit tests). */
int kmsg_parse_reaped(const char *msg, struct kmsg_reap *r);

/* The oomtrace child: build/oomtrace --json -o FILE ARGS..., stderr to FILE.err. */
struct oomtrace_child {
	pid_t pid;		/* 0: not running */
	const char *listen;	/* set: `oomtrace serve` here, its records in --json-log */
	int stdout_fd;		/* set: its records go to its stdout, this (a pipe), not -o */
	char out[64];
	char err[80];
	/* run in the forked child before exec: 0, or an errno (it exits 127) */
	int (*prepare)(void *arg);
	void *prepare_arg;
	int stop_sig;		/* child_stop()'s signal; 0: SIGINT */
};

enum child_start_result {
	CHILD_TRACING,
	CHILD_FAILED,		/* it exited, or took too long: why has its stderr */
	CHILD_MODE_UNAVAILABLE,	/* it exited 3, EXIT_MODE_UNAVAILABLE: why is its stderr */
};

/* Start it with args after the ones above; returns once it is tracing. */
enum child_start_result child_start(struct oomtrace_child *c, const char *const *args,
				    char *why, size_t len);
/* SIGINT (or its stop_sig), wait; returns its exit status. */
int child_stop(struct oomtrace_child *c);
/* The records of a type ("oom_kill", "lost", "summary") it wrote. */
int child_records(const struct oomtrace_child *c, const char *type,
		  struct json_object **out, int n);
void child_records_put(struct json_object **recs, int n);
void child_remove_files(const struct oomtrace_child *c);
/*
 * Run scripts/validate-records.py on its output, against $OOMTRACE_SCHEMA
 * or else the one .json file in schema/. Returns the validator's exit
 * status with its complaint in why, or -1 when there is no validator.
 */
int child_validate(const struct oomtrace_child *c, char *why, size_t len);

/*
 * What a live-OOM test stands on: a scratch memcg, /dev/kmsg read from its
 * end, the kernel's oom_kill counts before the test, the oomtrace child,
 * and a frozen file system if it asks for one; all of it removed by
 * live_cleanup(), or, if the test process dies first (the harness kills one
 * that runs out of time), by a janitor process that outlives it.
 */
#define LIVE_MAX_KILLS 256
#define LIVE_MAX_TASKS 2048	/* task dump rows, of all reports */

/*
 * A loop-mounted ext4 image of the test's own, /tmp/oomtest-PID-fs.img on
 * /tmp/oomtest-PID-fs, with one file in it, frozen (FIFREEZE): a write to
 * it blocks until the file system is thawed (tmpfs cannot be frozen).
 */
struct frozen_fs {
	char img[64];
	char dir[64];		/* "": none */
	char file[80];
	int frozen;
};

struct live {
	int started;
	struct memcg cg;		/* path "": none (yet: a test may add one) */
	struct oomtrace_child child;
	const char *mode;		/* the child's --mode; NULL: its own choice */
	int kmsg;
	long vmstat0;			/* /proc/vmstat oom_kill */
	long memcg0;			/* the memcg's oom_kill; -1: no memcg at setup */
	/* read as they come: a storm of reports can wrap the kernel's buffer */
	struct kmsg_kill kills[LIVE_MAX_KILLS];
	int nkills;
	/* the report being read: its lines before "Killed process" */
	struct kmsg_kill pending;
	int pending_pid;		/* its "oom-kill:" line's pid; -1: none */
	int stats_block;		/* in its "Memory cgroup stats for" block */
	struct kmsg_task tasks[LIVE_MAX_TASKS];
	int ntasks;
	struct kmsg_reap reaps[LIVE_MAX_KILLS];
	int nreaps;
	struct json_object *recs[LIVE_MAX_KILLS + 1];	/* check_records()'s */
	int nrec;
	struct json_object *reap_recs[LIVE_MAX_KILLS + 1];	/* its "oom_reap" ones */
	int nreap_rec;
	struct frozen_fs fs;
	pid_t janitor;
	int janitor_fd;
};

struct live_opts {
	const char *memcg;		/* name of the scratch memcg; NULL: none */
	unsigned long limit;		/* its limit in bytes; 0: none */
	int oomtrace;			/* start the oomtrace child */
	const char *mode;		/* its --mode */
	int only_memcg;			/* its --cgroup: the scratch memcg */
	const char *const *args;	/* more of its arguments */
	const char *serve;		/* run `oomtrace serve --listen` this instead */
};

enum live_start_result {
	LIVE_OK,
	LIVE_NO_MEMCG,			/* no memory controller mounted */
	LIVE_MODE_UNAVAILABLE,		/* why: the child's stderr */
	LIVE_FAILED,			/* why: what failed */
};

/* Set it all up; on anything but LIVE_OK nothing is left behind. */
enum live_start_result live_start(struct live *l, const struct live_opts *o,
				  char *why, size_t len);
/* Tear it down; harmless when nothing is set up, or no longer. */
void live_cleanup(struct live *l);
/*
 * Make and freeze l->fs; live_cleanup() (or the janitor) thaws and removes
 * it. -EOPNOTSUPP: this machine cannot (no loop devices, ext4 or
 * mkfs.ext4); why says which.
 */
int live_freeze_fs(struct live *l, char *why, size_t len);
/* Thaw l->fs: what blocked on it goes on. */
int live_thaw_fs(struct live *l);
/*
 * Add the kill reports and the oom_reaper's "reaped process" lines that
 * arrived since the last read to l->kills and l->reaps.
 */
void live_read_kills(struct live *l);
/* Distinct victims among l->kills. */
int live_victims(const struct live *l);
/*
 * Read kill reports until n distinct victims have been reported (10 s at
 * most), then for 300 ms more: a memory.oom.group kill reports its chosen
 * victim again a little later, and the oomtrace child reads its ring every
 * 100 ms. Returns the distinct victims.
 */
int kmsg_wait_kills(struct live *l, int n);
/* The kernel's report of a record's victim, or NULL. */
const struct kmsg_kill *live_kill_of(const struct live *l, struct json_object *rec);
/* The oom_reaper's line for the victim task pid, or NULL. */
const struct kmsg_reap *live_reap_of(const struct live *l, int pid);
/* Read kmsg until the oom_reaper has reaped pid (10 s at most); its line, or NULL. */
const struct kmsg_reap *kmsg_wait_reaped(struct live *l, int pid);
/*
 * Wait (10 s at most) until the process of every victim in l->kills has
 * exited, all its threads: 0, or the pid of one that has not.
 */
int live_wait_exited(const struct live *l);

/* Member lookups: "victim.pid" style paths; NULL when absent or null. */
struct json_object *jget(struct json_object *o, const char *path);
long long jint(struct json_object *o, const char *path);
const char *jstr(struct json_object *o, const char *path);
/* Is the member there, and null? */
int jnull(struct json_object *o, const char *key);
/* Microseconds since the epoch of "YYYY-MM-DDTHH:MM:SS.uuuuuuZ"; -1: not that. */
long long rfc3339_us(const char *s);

/*
 * Before v6.2 ("mm: convert mm's rss stats into percpu_counter"; `oomtrace
 * probe` says rss_stat_layout "atomic_long_t count[]") every thread caches
 * RSS updates from up to 65 page faults (SPLIT_RSS_COUNTING,
 * TASK_RSS_EVENTS_THRESH) and flushes them as it exits. A victim thread
 * woken by SIGKILL on another CPU can flush between mark_victim and the
 * kernel's own print: up to this much per such thread, for the anonymous
 * and shmem memory (one page per fault) our hogs touch.
 */
#define RSS_SPLIT_SLACK_KB (66 * 4)
/*
 * In a global, cpuset or mempolicy OOM, kswapd and other reclaimers unmap
 * the victim's file pages at any moment, also between mark_victim and the
 * print (seen: one page).
 */
#define RSS_RECLAIM_SLACK_KB (16 * 4)
/* 1: the pre-6.2 layout, 0: the percpu one, -1: probe gave no answer. */
int split_rss_counting(void);

/* |want - got| <= slack */
#define EXPECT_NEAR(want, got, slack) \
	EXPECT_GE((long long)(slack), llabs((long long)(want) - (long long)(got)))

/* A raw HTTP/1.0 GET on loopback; the status, and the body in buf. */
int http_get(int port, const char *path, char *buf, size_t len);

/* Path of the built oomtrace (OOMTRACE env or build/oomtrace). */
/* A whole file, NUL-terminated, to free(); NULL when it cannot be read. */
char *slurp_file(const char *path);
const char *oomtrace_bin(void);

/*
 * The 6.1 harness runs a test body even when its FIXTURE_SETUP called
 * SKIP(); bodies start with this so a skipped setup stays skipped.
 */
#define RETURN_IF_SKIPPED() do { if (_metadata->skip) return; } while (0)

/* Modes that see oom_kill_process(), not only mark_victim. */
static inline int full_mode(const char *mode)
{
	return mode && strcmp(mode, "tracepoint") != 0;
}

/*
 * What needs the harness's SKIP, ASSERT and EXPECT. It lives here, not in
 * oomtest.c, because the harness defines globals and can be in one object
 * of a test only.
 */
#ifdef __KSELFTEST_HARNESS_H

/* Set up a live test; a mode this kernel lacks is a SKIP with oomtrace's reason. */
static inline void live_setup(struct __test_metadata *_metadata, struct live *l,
			      const struct live_opts *o)
{
	char why[4096] = "";

	if (geteuid())
		SKIP(return, "needs root");
	switch (live_start(l, o, why, sizeof(why))) {
	case LIVE_OK:
		break;
	case LIVE_NO_MEMCG:
		SKIP(return, "no memory cgroup controller mounted");
	case LIVE_MODE_UNAVAILABLE:
		/* the guests' Debian 6.1 kernels offer every mode: one that does
		 * not attach there is our regression (a program the verifier
		 * refuses), not a kernel's lack */
		ASSERT_EQ(NULL, getenv("OOMTRACE_VM")) TH_LOG("a mode the guest offers: %s", why);
		SKIP(return, "%s", why);
	case LIVE_FAILED:
		ASSERT_TRUE(0) TH_LOG("setup failed: %s", why);
	}
}

/* Make and freeze l->fs: a machine that cannot is a SKIP. */
static inline void freeze_fs_setup(struct __test_metadata *_metadata, struct live *l)
{
	char why[4096] = "";
	int err = live_freeze_fs(l, why, sizeof(why));

	if (err == -EOPNOTSUPP)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, err) TH_LOG("frozen file system: %s", why);
}

/* Every record the stopped oomtrace child wrote must fit the JSON Schema. */
static inline void check_schema(struct __test_metadata *_metadata,
				const struct oomtrace_child *c)
{
	char why[4096] = "";
	int st = child_validate(c, why, sizeof(why));

	if (st < 0)
		TH_LOG("the schema check did not run: %s", why);
	else
		EXPECT_EQ(0, st) TH_LOG("%s", why);
}

struct expect {
	int victims;		/* distinct victims, each with one record */
	int reports;		/* "Killed process" lines; 0: not checked */
	int threads;		/* idle threads in each victim */
	int global_reclaim;	/* kswapd may take file pages: RSS_RECLAIM_SLACK_KB */
};

static inline const char *constraint_of(const char *kmsg_constraint)
{
	static const char *const map[][2] = {
		{ "CONSTRAINT_NONE", "none" }, { "CONSTRAINT_CPUSET", "cpuset" },
		{ "CONSTRAINT_MEMORY_POLICY", "mempolicy" }, { "CONSTRAINT_MEMCG", "memcg" },
	};
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(kmsg_constraint, map[i][0]))
			return map[i][1];
	return NULL;
}

/*
 * A memcg's per-CPU charge stock holds up to MEMCG_CHARGE_BATCH (64) pages
 * charged ahead; drain_all_stock() returns them from a worker that can run
 * between the kernel's print and mark_victim (seen: 62 pages less).
 */
#define MEMCG_STOCK_SLACK_KB(ncpus) (64 * 4 * (long long)(ncpus))

/*
 * One of the report's page counters against the record's. The limit is
 * exact. With one task in the memcg nothing else charges meanwhile: usage
 * may only have dropped, by what the charge stocks gave back, and failcnt
 * is exact. With more, the others go on failing charges (failcnt grows)
 * and reclaiming.
 */
static inline void check_counter(struct __test_metadata *_metadata, const char *what,
				 const struct kmsg_counter *k, struct json_object *c, int alone)
{
	long long drop;

	if (!k->seen)
		return;
	ASSERT_NE(NULL, c) TH_LOG("the kernel printed %s, the record has none", what);
	EXPECT_EQ(k->limit, jint(c, "limit_kb")) TH_LOG("%s", what);
	if (alone) {
		drop = (long long)k->usage - jint(c, "usage_kb");
		EXPECT_LE(0, drop) TH_LOG("%s usage grew by %lld kB", what, -drop);
		EXPECT_GE(MEMCG_STOCK_SLACK_KB(sysconf(_SC_NPROCESSORS_CONF)), drop)
			TH_LOG("%s usage dropped by %lld kB", what, drop);
		EXPECT_EQ(k->failcnt, jint(c, "failcnt")) TH_LOG("%s", what);
	} else {
		EXPECT_LE(k->failcnt, jint(c, "failcnt")) TH_LOG("%s", what);
	}
}

/*
 * oom_memcg_stat against the report's "Memory cgroup stats for" block,
 * which memory_stat_format() (v2) or memcg1_stat_format() (v1: its
 * hierarchical total_* lines) prints from the same memcg_page_state() and
 * memcg_events() after a flush, in the OOM's own thread, before the victim
 * is marked. Alone in its memcg, the trigger is the only task that charges
 * it or counts its events (faults, reclaim), and it does neither while it
 * holds oom_lock: the numbers must be equal. (The kernel's periodic flush,
 * every 2 s, could fold in per-CPU updates between the print and
 * mark_victim, a window of microseconds; no run has shown it: two runs of
 * memcg_oom_test on the 6.18 host and two in the 6.1 guest's three modes,
 * every report the rate limit let through, each item equal.) Lines the
 * record does not carry (v1's local and limit lines, total_swap, and later
 * kernels' v2 items) are not compared.
 */
static inline void check_stat(struct __test_metadata *_metadata, const struct kmsg_kill *k,
			      struct json_object *st, int alone)
{
	static const char *const v1[][2] = {
		{ "total_cache", "file" }, { "total_rss", "anon" },
		{ "total_rss_huge", "anon_thp" }, { "total_shmem", "shmem" },
		{ "total_mapped_file", "file_mapped" }, { "total_dirty", "file_dirty" },
		{ "total_writeback", "file_writeback" },
		{ "total_workingset_refault_anon", "workingset_refault_anon" },
		{ "total_workingset_refault_file", "workingset_refault_file" },
		{ "total_swapcached", "swapcached" },
		{ "total_inactive_anon", "inactive_anon" }, { "total_active_anon", "active_anon" },
		{ "total_inactive_file", "inactive_file" }, { "total_active_file", "active_file" },
		{ "total_unevictable", "unevictable" },
		{ "total_pgpgin", "pgpgin" }, { "total_pgpgout", "pgpgout" },
		{ "total_pgfault", "pgfault" }, { "total_pgmajfault", "pgmajfault" },
	};
	/* the record's event counters that a v2 report prints where it has
	 * them, in its order */
	static const char *const v2_events[] = {
		"pgscan", "pgsteal", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd",
		"pgsteal_direct", "pgfault", "pgmajfault", "pgrefill", "pgactivate",
		"pgdeactivate", "pglazyfree", "pglazyfreed", "zswpin", "zswpout",
		"thp_fault_alloc", "thp_collapse_alloc",
	};
	int i, compared = 0, faults = 0, is_v1 = 0, last = -1;
	unsigned int j;

	/* the block follows the counters' lines, which were not rate limited */
	if (k->memory.seen)
		EXPECT_LT(0, k->nstats) TH_LOG("no \"Memory cgroup stats for\" block read");
	if (!k->nstats)
		return;
	ASSERT_NE(NULL, st) TH_LOG("the kernel printed its memory.stat, the record has none");
	for (i = 0; i < k->nstats; i++)
		is_v1 |= !strncmp(k->stats[i].name, "total_", 6);
	for (i = 0; i < k->nstats; i++) {
		const char *item = k->stats[i].name;
		struct json_object *v;

		/* v1's other lines count the memcg alone, not its subtree */
		if (is_v1 && strncmp(item, "total_", 6))
			continue;
		for (j = 0; j < sizeof(v1) / sizeof(v1[0]); j++)
			if (!strcmp(item, v1[j][0]))
				item = v1[j][1];
		if (!json_object_object_get_ex(st, item, &v))
			continue;	/* a line of another kind */
		ASSERT_NE(NULL, v) TH_LOG("the kernel printed %s, the record has null", item);
		compared++;
		faults += !strcmp(item, "pgfault");
		if (alone)
			EXPECT_EQ(k->stats[i].val, (unsigned long long)json_object_get_int64(v))
				TH_LOG("%s (%s)", item, k->stats[i].name);
	}
	EXPECT_LT(0, compared) TH_LOG("no item of the kernel's memory.stat is in the record");
	/* v2 (within its first 700 bytes) and v1 (total_pgfault) print it:
	 * the event counters were compared */
	EXPECT_EQ(1, faults) TH_LOG("pgfault compared %d times", faults);
	if (is_v1)
		return;
	/*
	 * And no event counter of the record went unprinted, up to the last
	 * one printed: v6.1 prints the block as one message, which printk
	 * cuts at LOG_LINE_MAX (976 bytes), and its tail with it.
	 */
	for (j = 0; j < sizeof(v2_events) / sizeof(v2_events[0]); j++)
		for (i = 0; i < k->nstats; i++)
			if (!strcmp(k->stats[i].name, v2_events[j]))
				last = j;
	for (j = 0; (int)j < last; j++) {
		if (!jget(st, v2_events[j]))
			continue;
		for (i = 0; i < k->nstats; i++)
			if (!strcmp(k->stats[i].name, v2_events[j]))
				break;
		EXPECT_LT(i, k->nstats) TH_LOG("the record has %s, the report not", v2_events[j]);
	}
}

/*
 * The OOM domain and its counters. Tracepoint mode derives the domain of
 * a memcg OOM from the memcg OOM lock; on cgroup v1 every kernel takes it,
 * so there the record must have it.
 */
static inline void check_domain(struct __test_metadata *_metadata, const struct expect *e,
				struct json_object *r, const struct kmsg_kill *k)
{
	struct json_object *m = jget(r, "oom_memcg_memory"), *derived = jget(r, "derived");
	const char *constraint = jstr(r, "constraint");
	int alone = e->victims == 1;
	int full = full_mode(jstr(r, "mode"));

	ASSERT_NE(NULL, derived);
	if (full || !constraint || strcmp(constraint, "memcg")) {
		EXPECT_EQ(0, json_object_array_length(derived));
	} else if (jstr(r, "oom_memcg")) {
		EXPECT_EQ(3, json_object_array_length(derived));
	} else {
		EXPECT_TRUE(memcg_v2()) TH_LOG("no domain derived on cgroup v1");
	}
	if (k->oom_memcg[0] && jstr(r, "oom_memcg"))
		EXPECT_STREQ(k->oom_memcg, jstr(r, "oom_memcg"));
	if (full && k->oom_memcg[0]) {
		EXPECT_STREQ(k->oom_memcg, jstr(r, "oom_memcg"));
		EXPECT_NE(NULL, m);
	}
	if (!m)
		return;
	EXPECT_NE(NULL, jstr(r, "oom_memcg"));
	check_counter(_metadata, "memory:", &k->memory, jget(m, "memory"), alone);
	check_counter(_metadata, "swap:", &k->swap, jget(m, "swap"), alone);
	check_counter(_metadata, "memory+swap:", &k->memsw, jget(m, "memsw"), alone);
	check_counter(_metadata, "kmem:", &k->kmem, jget(m, "kmem"), alone);
	/* read where the counters are: one without the other is a bug */
	EXPECT_NE(NULL, jget(r, "oom_memcg_stat"));
	check_stat(_metadata, k, jget(r, "oom_memcg_stat"), alone);
	/* a v1 report has no "swap:", a v2 one no "memory+swap:" or "kmem:" */
	if (k->memory.seen) {
		EXPECT_EQ(!k->swap.seen, !jget(m, "swap"));
		EXPECT_EQ(!k->memsw.seen, !jget(m, "memsw"));
	}
}


/* Is name in the record's missing list? */
static inline int missing_has(struct json_object *r, const char *name)
{
	struct json_object *m = jget(r, "missing");
	size_t i, n = m ? json_object_array_length(m) : 0;

	for (i = 0; i < n; i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(m, i)), name))
			return 1;
	return 0;
}

/*
 * How far a mem_info counter may move, in pages, between the report's
 * "Mem-Info:" and mark_victim: the task dump and the "oom-kill:" line are
 * printed in between, synchronously on the console, while the other CPUs
 * run on. The trigger holds oom_lock and allocates nothing meanwhile, so
 * what moves is the others' work reaching the global counters: a CPU's
 * per-CPU vmstat deltas are folded in when they pass stat_threshold (12
 * pages per zone or node in the 2-CPU, 2 x 384 MiB guest) or every
 * vm.stat_interval.
 * - MEM_INFO_MOVING_SLACK: the LRU lists, isolated pages, mapped, page
 *   tables and free pages (of the system and of each node), which kswapd,
 *   exiting tasks and page freeing keep changing: reclaim isolates and
 *   puts back SWAP_CLUSTER_MAX (32) pages at a time, and a fold brings up
 *   to stat_threshold per CPU and zone. Measured on
 *   linux-image-6.1.0-56-amd64 in 30 records: at most 13 (inactive_anon
 *   +13, active_file -12, mapped -11, free +10, node1 free +8,
 *   pagetables +6).
 * - the rest (slab, shmem, dirty, writeback, unevictable, bounce,
 *   free_cma) did not move in those records; what moves them in the
 *   window is a fold of each CPU's deltas, at most its stat_threshold
 *   ("vm stats threshold" in /proc/zoneinfo) a CPU: vmstat_fold_pages().
 *   One CI run saw slab_unreclaimable -16 with a threshold of 12 or more.
 * - free pages (of the system and of each node) also grow whenever a CPU's
 *   per-CPU page lists go back to the buddy allocator: vmstat_update()
 *   drains a CPU's lists of remote nodes' zones, and a list above its
 *   "high" mark is trimmed, so a drain brings at most the "high" of every
 *   CPU's list in every zone: pcp_high_pages(). One CI run saw +128 in a
 *   cpuset OOM of the 2-node guest.
 */
#define MEM_INFO_MOVING_SLACK 32

static inline long mem_info_slack(int item)
{
	long fold = vmstat_fold_pages();

	/* kmsg_mem_keys[]: free */
	if (item == 15)
		return (fold > MEM_INFO_MOVING_SLACK ? fold : MEM_INFO_MOVING_SLACK) +
		       pcp_high_pages();
	/* active_anon .. isolated_file, mapped, pagetables */
	if (item <= 5 || item == 11 || item == 13)
		return fold > MEM_INFO_MOVING_SLACK ? fold : MEM_INFO_MOVING_SLACK;
	return fold;
}

/*
 * The system's memory against the report's "Mem-Info:" block: a memcg
 * OOM has none (null, and not missing); any other has it where
 * /proc/kallsyms lists the counters, else it is null and missing.
 */
static inline void check_mem_info(struct __test_metadata *_metadata, struct json_object *r,
				  const struct kmsg_kill *k)
{
	const char *constraint = jstr(r, "constraint");
	const struct kmsg_meminfo *mi = &k->meminfo;
	struct json_object *m = jget(r, "mem_info"), *nodes, *v;
	long page_kb = getpagesize() / 1024;
	char drift[1024];
	size_t len = 0;
	long long d;
	int i, n;

	if (!constraint)
		return;
	if (!strcmp(constraint, "memcg")) {
		EXPECT_TRUE(jnull(r, "mem_info")) TH_LOG("a memcg OOM's record has mem_info");
		EXPECT_FALSE(missing_has(r, "mem_info"));
		EXPECT_FALSE(mi->seen) TH_LOG("a memcg OOM's report has Mem-Info:");
		return;
	}
	if (!kallsyms_lists_vmstat()) {
		EXPECT_TRUE(jnull(r, "mem_info"));
		EXPECT_TRUE(missing_has(r, "mem_info"));
		return;
	}
	ASSERT_NE(NULL, m) TH_LOG("a %s OOM's record has no mem_info", constraint);
	/* the header is rate limited, and Mem-Info: with it */
	if (!mi->seen)
		return;
	for (i = 0; i < KMSG_MEM_ITEMS; i++) {
		const char *key = kmsg_mem_keys[i];

		v = jget(m, key);
		/* "bounce:" is gone since v6.16, and then null */
		EXPECT_EQ(!mi->has[i], !v) TH_LOG("mem_info.%s: printed %d, recorded %d",
						    key, mi->has[i], !!v);
		if (!mi->has[i] || !v)
			continue;
		d = json_object_get_int64(v) - (long long)mi->item[i];
		EXPECT_NEAR(0, d, mem_info_slack(i)) TH_LOG("mem_info.%s: %lld in the report, "
							   "%+lld in the record", key,
							   (long long)mi->item[i], d);
		if (d)
			len += snprintf(drift + len, sizeof(drift) - len, " %s=%+lld", key, d);
	}
	nodes = jget(m, "nodes");
	ASSERT_NE(NULL, nodes) TH_LOG("mem_info.nodes is null");
	n = json_object_array_length(nodes);
	for (i = 0; i < KMSG_MEM_NODES; i++) {
		struct json_object *node = NULL;
		int j;

		if (!mi->node_seen[i])
			continue;
		for (j = 0; j < n; j++)
			if (jint(json_object_array_get_idx(nodes, j), "node") == i)
				node = json_object_array_get_idx(nodes, j);
		ASSERT_NE(NULL, node) TH_LOG("node %d printed, not recorded", i);
		d = jint(node, "free") - (long long)(mi->node_free_kb[i] / page_kb);
		EXPECT_NEAR(0, d, mem_info_slack(15)) TH_LOG("node %d free: %lu kB in the "
							 "report, %+lld pages in the record",
							 i, mi->node_free_kb[i], d);
		if (d)
			len += snprintf(drift + len, sizeof(drift) - len, " node%d_free=%+lld",
					i, d);
	}
	/* what moved, within the slack: the measurements behind it */
	if (len)
		TH_LOG("mem_info moved, record - report, pages:%s", drift);
}

/* oom_badness() of v6.1 from a task dump row: rss, swap and page tables in
 * pages, and adj in thousandths of the OOM domain. */
static inline long long dump_points(const struct kmsg_task *t, long long totalpages)
{
	return (long long)(t->rss + t->swapents) + t->pgtables_bytes / getpagesize() +
	       (long long)t->oom_score_adj * (totalpages / 1000);
}

static inline const struct kmsg_task *dump_row(const struct live *l, const struct kmsg_kill *k,
					       long long tgid)
{
	int i;

	for (i = k->task0; i < k->task0 + k->ntasks; i++)
		if (l->tasks[i].tgid == tgid)
			return &l->tasks[i];
	return NULL;
}

static inline int points_desc(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * The ranking against the kernel's task dump, which dump_header() prints
 * after select_bad_process() from the same mm counters: every candidate
 * and skipped task with an mm is a row with its numbers; the candidates'
 * points are oom_badness() of their rows, and they are the highest of the
 * table; every row is scored or skipped. In a global OOM reclaim may
 * unmap file pages of any task between the scan and the dump
 * (RSS_RECLAIM_SLACK_KB); in a memcg OOM the others are idle, so exact.
 */
static inline void check_ranking(struct __test_metadata *_metadata, const struct live *l,
				 const struct expect *e, struct json_object *r,
				 const struct kmsg_kill *k)
{
	struct json_object *cands = jget(r, "candidates"), *sk = jget(r, "skipped.tasks");
	long long slack = e->global_reclaim ? RSS_RECLAIM_SLACK_KB / (getpagesize() / 1024) : 0;
	long long totalpages = jint(r, "totalpages"), table[LIVE_MAX_TASKS];
	int i, n, rows = 0, adj_min = 0, victims = 0;

	if (!full_mode(jstr(r, "mode"))) {
		EXPECT_TRUE(jnull(r, "candidates"));
		EXPECT_TRUE(jnull(r, "skipped"));
		EXPECT_TRUE(missing_has(r, "candidates"));
		EXPECT_TRUE(missing_has(r, "skipped"));
		return;
	}
	if (!jget(r, "victim.points")) {
		/* a group member, or oom_kill_allocating_task: no ranking won */
		EXPECT_TRUE(!cands || !json_object_array_length(cands));
		return;
	}
	ASSERT_NE(NULL, cands) TH_LOG("no candidates in a %s record", jstr(r, "mode"));
	n = json_object_array_length(cands);
	ASSERT_LT(0, n);
	/* the victim won: it is the top candidate */
	EXPECT_EQ(jint(r, "victim.pid"), jint(json_object_array_get_idx(cands, 0), "pid"));
	EXPECT_EQ(jint(r, "victim.points"),
		  jint(json_object_array_get_idx(cands, 0), "points"));
	/* dump_header() prints the table before "oom-kill:", under one rate limit */
	if (k->constraint[0] && read_long("/proc/sys/vm/oom_dump_tasks") == 1)
		EXPECT_TRUE(k->dumped) TH_LOG("the report of %d had no task dump", k->pid);
	if (!k->dumped)
		return;
	for (i = 0; i < k->ntasks; i++) {
		const struct kmsg_task *t = &l->tasks[k->task0 + i];

		if (t->oom_score_adj == -1000) {
			adj_min++;
			continue;
		}
		table[rows++] = dump_points(t, totalpages);
	}
	qsort(table, rows, sizeof(table[0]), points_desc);
	EXPECT_EQ(adj_min, jint(r, "skipped.oom_score_adj_min"));
	/*
	 * A victim of an earlier kill is skipped whether or not it still has
	 * its mm, and dump_task() prints it only while it has: the rows are
	 * those of the listed victims found in the table.
	 */
	for (i = 0; sk && i < (int)json_object_array_length(sk); i++) {
		struct json_object *c = json_object_array_get_idx(sk, i);

		if (!strcmp(jstr(c, "reason"), "oom_victim") && dump_row(l, k, jint(c, "pid")))
			victims++;
	}
	/* rows of tasks oom_badness() gives LONG_MIN though their adj is not -1000 */
	EXPECT_EQ(rows - jint(r, "skipped.mm_oom_skip") - jint(r, "skipped.vfork") - victims,
		  jint(r, "candidates_scored"));
	EXPECT_EQ(n < rows ? n : rows, n) TH_LOG("more candidates than scored rows");
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(cands, i);
		const struct kmsg_task *t = dump_row(l, k, jint(c, "pid"));

		ASSERT_NE(NULL, t) TH_LOG("candidate %lld (%s) is not in the task dump",
					  jint(c, "pid"), jstr(c, "comm"));
		EXPECT_STREQ(t->comm, jstr(c, "comm"));
		EXPECT_EQ(t->uid, jint(c, "uid"));
		EXPECT_EQ(t->oom_score_adj, jint(c, "oom_score_adj"));
		EXPECT_NEAR(t->rss, jint(c, "rss_pages"), slack);
		EXPECT_EQ(t->swapents, jint(c, "swapents"));
		EXPECT_EQ(t->pgtables_bytes, jint(c, "pgtables_bytes"));
		EXPECT_NEAR(dump_points(t, totalpages), jint(c, "points"), slack);
		/* the kernel's ranking: the table's i-th highest */
		if (i < rows)
			EXPECT_NEAR(table[i], jint(c, "points"), slack);
	}
	for (i = 0; sk && i < (int)json_object_array_length(sk); i++) {
		struct json_object *c = json_object_array_get_idx(sk, i);
		const struct kmsg_task *t = dump_row(l, k, jint(c, "pid"));
		const char *why = jstr(c, "reason");

		/* dump_task() leaves out what oom_evaluate_task() does not look at */
		if (!strcmp(why, "unkillable") || !strcmp(why, "ineligible")) {
			EXPECT_EQ(NULL, t);
			continue;
		}
		if (!strcmp(why, "unread"))	/* we did not find its mm */
			continue;
		/* exit_mmap() does not wait for oom_lock: gone before the dump */
		if (!strcmp(why, "oom_victim") && !t)
			continue;
		ASSERT_NE(NULL, t) TH_LOG("skipped %lld (%s) is not in the task dump",
					  jint(c, "pid"), jstr(c, "comm"));
		EXPECT_EQ(t->oom_score_adj, jint(c, "oom_score_adj"));
		EXPECT_NEAR(t->rss, jint(c, "rss_pages"), slack);
		if (!strcmp(why, "oom_score_adj_min"))
			EXPECT_EQ(-1000, t->oom_score_adj);
	}
}

/* One record against the kernel's "Killed process" (and "oom-kill:") line. */
/* The total of a PSI file's line ("some" or "full"), now; -1 if unreadable. */
static inline long long psi_total_now(const char *kind)
{
	char line[256];
	long long total = -1;
	FILE *f = fopen("/proc/pressure/memory", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, kind, strlen(kind)) && strstr(line, "total="))
			total = atoll(strstr(line, "total=") + strlen("total="));
	if (f)
		fclose(f);
	return total;
}

/*
 * --reclaim (where a test asked for it): each kind of stall's longest
 * within its total, nothing without a stall, and the system's PSI stall
 * totals no more than the kernel's now (they only grow). Present exactly
 * when the kernel has PSI.
 */
static inline void check_reclaim(struct __test_metadata *_metadata, struct json_object *r)
{
	static const char *const kinds[] = { "direct", "memcg" };
	char key[64];
	unsigned int i;

	if (!jget(r, "reclaim"))
		return;
	for (i = 0; i < 2; i++) {
		long long n, total, max;

		snprintf(key, sizeof(key), "reclaim.%s.stalls", kinds[i]);
		n = jint(r, key);
		snprintf(key, sizeof(key), "reclaim.%s.total_us", kinds[i]);
		total = jint(r, key);
		snprintf(key, sizeof(key), "reclaim.%s.max_us", kinds[i]);
		max = jint(r, key);
		EXPECT_LE(0, n);
		EXPECT_LE(max, total) TH_LOG("%s: longest stall past the total", kinds[i]);
		if (!n)
			EXPECT_EQ(0, total);
	}
	EXPECT_EQ(psi_total_now("some") >= 0, jget(r, "reclaim.psi") != NULL);
	if (jget(r, "reclaim.psi") && !strcmp(jstr(r, "reclaim.psi.source"), "system")) {
		EXPECT_LE(jint(r, "reclaim.psi.some.total_us"), psi_total_now("some"));
		EXPECT_LE(jint(r, "reclaim.psi.full.total_us"), psi_total_now("full"));
	}
}

static inline void check_record(struct __test_metadata *_metadata, const struct live *l,
				const struct expect *e, int split,
				struct json_object *r, const struct kmsg_kill *k)
{
	int passed = _metadata->passed;
	long long score;
	long slack;

	/* RSS_SPLIT_SLACK_KB: victim threads that flush RSS after it is read */
	slack = split ? RSS_SPLIT_SLACK_KB * (e->threads +
			(jint(r, "victim.tid") != jint(r, "trigger.tid"))) : 0;
	EXPECT_STREQ(k->comm, jstr(r, "victim.comm"));
	EXPECT_EQ(k->uid, jint(r, "victim.uid"));
	EXPECT_EQ(k->total_vm, jint(r, "victim.total_vm_kb"));
	EXPECT_NEAR(k->anon_rss, jint(r, "victim.anon_rss_kb"), slack);
	EXPECT_NEAR(k->file_rss, jint(r, "victim.file_rss_kb"),
		    slack + (e->global_reclaim ? RSS_RECLAIM_SLACK_KB : 0));
	EXPECT_NEAR(k->shmem_rss, jint(r, "victim.shmem_rss_kb"), slack);
	EXPECT_EQ(k->pgtables, jint(r, "victim.pgtables_kb"));
	EXPECT_EQ(k->oom_score_adj, jint(r, "victim.oom_score_adj"));
	EXPECT_STREQ("killed", jstr(r, "outcome"));
	if (l->mode) {
		EXPECT_STREQ(l->mode, jstr(r, "mode"));
	} else {	/* auto: whichever attached */
		EXPECT_NE(NULL, jstr(r, "mode"));
	}
	/* the "oom-kill:" line is rate limited: only when it was printed */
	if (k->task_memcg[0])
		EXPECT_STREQ(k->task_memcg, jstr(r, "victim.memcg"));
	/* by the mode the record was made in: the child's choice when it had none */
	if (full_mode(jstr(r, "mode")) && k->constraint[0])
		EXPECT_STREQ(constraint_of(k->constraint), jstr(r, "constraint"));
	check_domain(_metadata, e, r, k);
	check_mem_info(_metadata, r, k);
	check_ranking(_metadata, l, e, r, k);
	check_reclaim(_metadata, r);
	/* points: select_bad_process()'s choice, not oom_kill_allocating_task's */
	if (full_mode(jstr(r, "mode")) && jget(r, "victim.points")) {
		EXPECT_EQ(0, json_object_array_length(jget(r, "missing")));
		/* the kernel's normalisation of points by the domain's size */
		score = jint(r, "victim.points") * 1000 / jint(r, "totalpages");
		EXPECT_EQ(score < 0 ? 0 : score > 1000 ? 1000 : score,
			  jint(r, "victim.oom_score"));
	}
	if (passed && !_metadata->passed)
		TH_LOG("record: victim %lld (%s) trigger %lld/%lld (%s)", jint(r, "victim.pid"),
		       jstr(r, "victim.comm"), jint(r, "trigger.pid"), jint(r, "trigger.tid"),
		       jstr(r, "trigger.comm"));
}

/*
 * mm/oom_kill.c wakes the reaper OOM_REAPER_DELAY after the kill, by a
 * timer armed after mark_victim that fires no earlier, save for the part
 * of a jiffy that had passed when it was armed: 10 ms at most (HZ=100).
 */
#define OOM_REAPER_DELAY_US 2000000
#define JIFFY_MAX_US 10000
/*
 * A follow-up's time is the exit, its exit_us the time from the kill, which
 * is the victim record's own stamp: the two times differ by exit_us, but
 * for each being cut to whole microseconds.
 */
#define KILL_STAMP_SLACK_US 1

/*
 * The oom_reap record of victim record r against the kernel: the
 * oom_reaper reaped it if and only if it printed so, and then the record
 * has the counters it printed; its times are in the order the kernel's
 * events come in.
 */
static inline void check_reap(struct __test_metadata *_metadata, const struct live *l,
			      struct json_object *r)
{
	const struct kmsg_reap *k = live_reap_of(l, jint(r, "victim.tid"));
	long long wake, reaped, exit_us;
	struct json_object *f = NULL;
	const char *reaper;
	int i, n = 0;

	for (i = 0; i < l->nreap_rec; i++) {
		if (jint(l->reap_recs[i], "seq") == jint(r, "seq")) {
			f = l->reap_recs[i];
			n++;
		}
	}
	ASSERT_EQ(1, n) TH_LOG("oom_reap records for seq %lld, victim %lld: %d",
			       jint(r, "seq"), jint(r, "victim.pid"), n);
	EXPECT_EQ(jint(r, "victim.pid"), jint(f, "pid"));
	EXPECT_EQ(jint(r, "victim.tid"), jint(f, "tid"));
	EXPECT_STREQ(jstr(r, "victim.comm"), jstr(f, "comm"));
	reaper = jstr(f, "reaper");
	ASSERT_NE(NULL, reaper);
	wake = jnull(f, "wake_us") ? -1 : jint(f, "wake_us");
	reaped = jnull(f, "reaped_us") ? -1 : jint(f, "reaped_us");
	exit_us = jint(f, "exit_us");
	if (k) {
		EXPECT_STREQ("reaped", reaper) TH_LOG("the kernel reaped %d", k->pid);
		EXPECT_STREQ(k->comm, jstr(f, "comm"));
		EXPECT_EQ(k->anon_rss, jint(f, "anon_rss_kb"));
		EXPECT_EQ(k->file_rss, jint(f, "file_rss_kb"));
		EXPECT_EQ(k->shmem_rss, jint(f, "shmem_rss_kb"));
		EXPECT_LE(1, jint(f, "attempts"));
		EXPECT_LE(0, wake);
		EXPECT_LE(0, reaped);
	} else {
		/* skipped: it looked, found the mmap lock taken or the mm gone */
		if (strcmp(reaper, "skipped")) {
			EXPECT_STREQ("not_needed", reaper);
			EXPECT_EQ(0, jint(f, "skips"));
		} else {
			EXPECT_LE(1, jint(f, "skips"));
			EXPECT_LE(0, wake);
		}
		EXPECT_TRUE(jnull(f, "reaped_us"));
		EXPECT_TRUE(jnull(f, "anon_rss_kb"));
		EXPECT_TRUE(jnull(f, "file_rss_kb"));
		EXPECT_TRUE(jnull(f, "shmem_rss_kb"));
	}
	EXPECT_LE(0, exit_us);
	if (wake >= 0) {
		EXPECT_LE(OOM_REAPER_DELAY_US - JIFFY_MAX_US, wake);
		EXPECT_LE(wake, exit_us);
	}
	if (reaped >= 0) {
		EXPECT_LE(wake, reaped);
		EXPECT_LE(reaped, exit_us);
	}
	EXPECT_NEAR(exit_us, rfc3339_us(jstr(f, "time")) - rfc3339_us(jstr(r, "time")),
		    KILL_STAMP_SLACK_US);
}

/*
 * Wait for the kernel's reports of e->victims victims, and for their
 * processes to exit (so their oom_reap records are out), stop the oomtrace
 * child, and hold its output against the kernel: the oom_kill counts, no
 * loss, one record per victim that equals the kernel's report of it, and
 * one oom_reap record for it (check_reap()). The records stay in l->recs
 * and l->reap_recs, in the order oomtrace wrote them.
 */
static inline void check_records(struct __test_metadata *_metadata, struct live *l,
				 const struct expect *e)
{
	int split = split_rss_counting(), victims, i, j, matches, alive;
	struct json_object *sum[1], *r;

	ASSERT_LE(0, split) TH_LOG("`%s probe --json` told no rss_stat_layout", oomtrace_bin());
	victims = kmsg_wait_kills(l, e->victims);
	for (i = 0; victims != e->victims && i < l->nkills && i < 16; i++)
		TH_LOG("kmsg: Killed process %d (%s)", l->kills[i].pid, l->kills[i].comm);
	ASSERT_EQ(e->victims, victims) TH_LOG("kmsg showed %d of %d victims", victims, e->victims);
	if (e->reports)
		ASSERT_EQ(e->reports, l->nkills);
	/* a follow-up goes into the ring as its process exits */
	alive = live_wait_exited(l);
	ASSERT_EQ(0, alive) TH_LOG("victim %d has not exited", alive);
	ASSERT_EQ(0, child_stop(&l->child)) TH_LOG("the oomtrace child did not survive");
	check_schema(_metadata, &l->child);
	/* the reaper prints before it lets go of the mm, so before the exit */
	live_read_kills(l);

	EXPECT_EQ(l->nkills, vmstat_oom_kill() - l->vmstat0);
	if (l->memcg0 >= 0)
		EXPECT_EQ(l->nkills, memcg_oom_kills(&l->cg) - l->memcg0);
	ASSERT_EQ(1, child_records(&l->child, "summary", sum, 1));
	EXPECT_EQ(0, jint(sum[0], "lost"));
	EXPECT_EQ(0, jint(sum[0], "lost_followups"));
	child_records_put(sum, 1);

	l->nrec = child_records(&l->child, "oom_kill", l->recs, LIVE_MAX_KILLS + 1);
	ASSERT_EQ(e->victims, l->nrec);
	l->nreap_rec = child_records(&l->child, "oom_reap", l->reap_recs, LIVE_MAX_KILLS + 1);
	EXPECT_EQ(e->victims, l->nreap_rec);
	for (i = 0; i < l->nkills; i++) {
		const struct kmsg_kill *k = &l->kills[i];

		for (j = 0; j < i && l->kills[j].pid != k->pid; j++)
			;
		if (j < i)	/* reported again: a memory.oom.group kill */
			continue;
		for (r = NULL, matches = 0, j = 0; j < l->nrec; j++) {
			if (jint(l->recs[j], "victim.pid") == k->pid) {
				r = l->recs[j];
				matches++;
			}
		}
		ASSERT_EQ(1, matches) TH_LOG("records for killed pid %d: %d", k->pid, matches);
		check_record(_metadata, l, e, split, r, k);
		check_reap(_metadata, l, r);
	}
}

#endif /* __KSELFTEST_HARNESS_H */

#endif /* __OOMTEST_H */
