/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `oomtrace report`: a recorded trace (JSON lines, schema/) read back into
 * a timeline, and drawn by svg.c.
 */
#ifndef __REPORT_H
#define __REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#define REPORT_COMM_LEN 64
#define REPORT_PATH_LEN 4096
#define REPORT_NO_LIMIT_KB (1ULL << 50)	/* a limit this high is none */

/* An OOM domain: a memory cgroup, or the system (domain 0). */
struct report_domain {
	char name[REPORT_PATH_LEN];	/* the memcg path; "" for the system */
};

/* One kind of stall of a kill's reclaim window (direct, memcg). */
struct report_stalls {
	__u64 stalls, total_us, max_us, reclaimed_pages, scanned_pages;
};

/* --reclaim's window before a kill, as its record holds it. */
struct report_reclaim {
	__u64 window_us;
	struct report_stalls direct, memcg;
	__u64 kswapd_wakeups, reclaim_retries, compact_retries;
	int has_psi;
	char psi_source[8];		/* "memcg", "system" */
	double some_avg10, some_avg60, full_avg10, full_avg60;
};

struct report_kill {
	int64_t time_ns;
	__u64 seq, episode;
	long long pid;			/* -1: not known */
	char comm[REPORT_COMM_LEN];	/* "": not known */
	int domain;
	int killed;			/* outcome "killed" (or not known), not "exiting" */
	int has_memory;			/* oom_memcg_memory.memory was there */
	__u64 usage_kb, limit_kb;
	int has_reclaim;		/* reclaim was there, not null */
	struct report_reclaim reclaim;
};

struct report_reap {
	int64_t time_ns;		/* the victim's exit */
	__u64 seq;
	long long pid;
	char comm[REPORT_COMM_LEN];
	char reaper[16];		/* "reaped", "skipped", "not_needed" */
	__u64 exit_us;			/* from the kill */
};

struct report_lost {
	int64_t time_ns;
	__u64 count;
};

struct report_sample {
	int64_t time_ns;
	int domain;
	__u64 usage_kb, limit_kb;
};

struct timeline {
	struct report_domain *domains;
	struct report_kill *kills;
	struct report_reap *reaps;
	struct report_lost *losts;
	struct report_sample *samples;
	int nr_domains, nr_kills, nr_reaps, nr_losts, nr_samples;
	int cap_domains, cap_kills, cap_reaps, cap_losts, cap_samples;
	__u64 unknown;			/* records of types this version does not know */
};

/*
 * Read JSON lines from f (named name in messages) into tl, which starts
 * zeroed. A line that is not a record of the schema is an error: it is said
 * on stderr ("name:LINE: why") and -1 returned. Records of types it does
 * not know are skipped and counted in tl->unknown.
 */
int timeline_read(struct timeline *tl, FILE *f, const char *name);
void timeline_free(struct timeline *tl);

/* What to draw: every record, or one episode's window of them. */
struct svg_view {
	int64_t t0_ns, t1_ns;		/* the time axis */
	int one_episode;
	__u64 episode;			/* one_episode: only its kills and their reaps */
	const char *title;
};

/* The whole trace's view; -1 when there is nothing to draw. */
int timeline_view_all(const struct timeline *tl, struct svg_view *v);
/* Episode ep's: from REPORT_EPISODE_LEAD_NS before its first kill to
 * REPORT_EPISODE_TAIL_NS after its last kill or victim's exit; -1: no such episode. */
#define REPORT_EPISODE_LEAD_NS (10LL * 1000000000)
#define REPORT_EPISODE_TAIL_NS (1LL * 1000000000)
int timeline_view_episode(const struct timeline *tl, __u64 ep, struct svg_view *v);

/* svg.c: draw the view; 0, or -1 when writing failed. */
int svg_render(FILE *f, const struct timeline *tl, const struct svg_view *v);

struct report_opts {
	const char *svg;		/* "-": stdout */
	const char *input;		/* NULL or "-": stdin */
	int one_episode;
	__u64 episode;
};

/* The exit status: 0, or 1 with the reason said on stderr. */
int report_run(const struct report_opts *o);

#endif /* __REPORT_H */
