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

int memcg_create(struct memcg *cg, const char *name, unsigned long limit);
/* Kill what is left inside and remove it (and its children). */
void memcg_destroy(struct memcg *cg);
/* memory.events oom_kill (v2) or memory.oom_control oom_kill (v1). */
long memcg_oom_kills(const struct memcg *cg);
int memcg_write(const struct memcg *cg, const char *file, const char *val);
long vmstat_oom_kill(void);

/* What a hog does before it allocates until the OOM killer ends it. */
struct hog {
	const char *comm;	/* prctl(PR_SET_NAME) */
	int oom_score_adj;
	uid_t uid;		/* 0: stay root */
	int threads;		/* extra threads that stay alive */
	size_t shmem;		/* bytes of shmem (memfd) to touch first */
	size_t anon_limit;	/* stop allocating after this much (0: never) */
};

/* Fork a hog inside cg; returns its pid. */
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

/* Path of the built tracer (OOMTRACE env or build/oomtrace). */
const char *oomtrace_bin(void);

/*
 * The 6.1 harness runs a test body even when its FIXTURE_SETUP called
 * SKIP(); bodies start with this so a skipped setup stays skipped.
 */
#define RETURN_IF_SKIPPED() do { if (_metadata->skip) return; } while (0)

#endif /* __OOMTEST_H */
