/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the live tests: scratch memory cgroups, processes that get
 * OOM-killed in them, the tracer as a child, and the kernel's own reports
 * (/dev/kmsg, /proc/vmstat, memory.events) to compare it with.
 */
#ifndef __OOMTEST_H
#define __OOMTEST_H

#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>

/* A memory cgroup with a limit, on cgroup v2 or v1, whichever has memory. */
struct memcg {
	char path[512];		/* directory */
	char rel[256];		/* path inside the hierarchy, as the kernel prints it */
	int v2;
};

/* limit 0: none (a cgroup for other controllers, e.g. cpuset) */
int memcg_create(struct memcg *cg, const char *name, unsigned long limit);
/* Kill what is left inside and remove it (and its children). */
void memcg_destroy(struct memcg *cg);
/* memory.events oom_kill (v2) or memory.oom_control oom_kill (v1). */
long memcg_oom_kills(const struct memcg *cg);
int memcg_write(const struct memcg *cg, const char *file, const char *val);
long vmstat_oom_kill(void);
/* A "key value" line of a file such as /proc/vmstat or memory.events. */
long read_key(const char *path, const char *key);

/* What a hog does before it allocates until the OOM killer ends it. */
struct hog {
	const char *comm;	/* prctl(PR_SET_NAME) */
	int oom_score_adj;
	uid_t uid;		/* 0: stay root */
	int threads;		/* extra threads that stay alive */
	size_t shmem;		/* bytes of shmem (memfd) to touch first */
	size_t anon_limit;	/* stop allocating after this much (0: never) */
	int bind_node;		/* MPOL_BIND to this NUMA node + 1 (0: no policy) */
};

/* Fork a hog inside cg (NULL: stay where we are); returns its pid. */
pid_t hog_start(const struct memcg *cg, const struct hog *h);
/* Wait for it; 1 if SIGKILL ended it. */
int hog_wait_killed(pid_t pid);

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
};

/* Open /dev/kmsg positioned at its end: later reads see only new lines. */
int kmsg_open(void);
/* Collect the kill reports that arrived since; returns how many (max n). */
int kmsg_kills(int fd, struct kmsg_kill *out, int n);
/* Parse one "Killed process" message body (exposed for unit tests). */
int kmsg_parse_killed(const char *msg, struct kmsg_kill *k);

/* The tracer as a child, writing JSON lines to a file. */
struct tracer_proc {
	pid_t pid;
	char out[64];
	char err[80];
};

/* Start build/oomtrace --json -o FILE ARGS...; returns once it is tracing,
 * or -1 with its stderr in why (it exited, or took too long). */
int tracer_spawn(struct tracer_proc *t, const char *const *args, char *why, size_t len);
/* SIGINT, wait; returns its exit status. */
int tracer_finish(struct tracer_proc *t);
/* The records of a type ("oom_kill", "lost", "summary") it wrote. */
int tracer_records(const struct tracer_proc *t, const char *type,
		   struct json_object **out, int n);
void tracer_records_put(struct json_object **recs, int n);
void tracer_remove_files(const struct tracer_proc *t);

/* Member lookups: "victim.pid" style paths; NULL when absent or null. */
struct json_object *jget(struct json_object *o, const char *path);
long long jint(struct json_object *o, const char *path);
const char *jstr(struct json_object *o, const char *path);

/*
 * Before v6.2 ("mm: convert mm's rss stats into percpu_counter") every
 * thread caches RSS updates from up to 65 page faults (SPLIT_RSS_COUNTING,
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
int split_rss_counting(void);

/* |want - got| <= slack */
#define EXPECT_NEAR(want, got, slack) \
	EXPECT_GE((long long)(slack), llabs((long long)(want) - (long long)(got)))

/* Path of the built tracer (OOMTRACE env or build/oomtrace). */
const char *oomtrace_bin(void);

/*
 * The 6.1 harness runs a test body even when its FIXTURE_SETUP called
 * SKIP(); bodies start with this so a skipped setup stays skipped.
 */
#define RETURN_IF_SKIPPED() do { if (_metadata->skip) return; } while (0)

#endif /* __OOMTEST_H */
