/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-protection: an OOM tracer the OOM killer takes, or whose code
 * reclaim takes during the OOM, reports nothing. What oomtrace can get for
 * itself, and why not the rest, for its "tracing" line:
 *
 * - oom_score_adj -1000 exempts it from the OOM killer. Below the floor its
 *   launcher set (oom_score_adj_min, fs/proc/base.c; 0 by default) that
 *   needs CAP_SYS_RESOURCE; without it, it goes down to the floor.
 * - memory.min of its cgroup v2 keeps reclaim off its pages (its memory
 *   locking does the same for what was mapped when it locked, and nothing
 *   if locking failed). It writes memory.min only where nobody set one and
 *   the cgroup holds oomtrace alone, with no child cgroups: a protection it
 *   never shares, on a cgroup it changes for nobody else. It never moves
 *   itself to another cgroup: that is its launcher's call (deploy/).
 */
#ifndef __PROTECT_H
#define __PROTECT_H

#include <stddef.h>

struct protection {
	int adj;		/* its oom_score_adj when done */
	int adj_err;		/* why -1000 was refused (errno); 0: it got -1000 */
	int adj_cap;		/* it had CAP_SYS_RESOURCE */
	/* its cgroup v2, "" when it has none with a memory controller */
	char cgroup[256];	/* as /proc/self/cgroup says it */
	long long min, low;	/* bytes: its memory.min, memory.low */
	/* what reaches it: the least memory.min (memory.low) over it and its
	 * ancestors below the root, which cap what they pass down */
	long long min_reach, low_reach;
	char reach_by[256];	/* the ancestor that caps memory.min; "": none */
	int min_set;		/* oomtrace wrote memory.min itself */
	long long min_old;	/* the memory.min it found there */
	int min_fd;		/* memory.min, to put min_old back at exit; -1 */
	const char *cg_why;	/* why it did not write memory.min; NULL: it did */
	int cg_err;		/* errno of that, 0 if none */
	long long locked_kb;	/* VmLck once locked; -1 unknown */
};

/* Lower oom_score_adj to -1000, or as far as the floor allows. */
void protect_oom_score(struct protection *p);
/*
 * Once its memory is locked and its footprint settled: memory.min where
 * that is safe, and what protects it in the end. Before privileges go:
 * cgroup files are root's.
 */
void protect_memory(struct protection *p);
/* Put back the memory.min it found. */
void protect_release(struct protection *p);
/* "oom_score_adj -1000, ..." for the tracing line. */
void protect_describe(const struct protection *p, char *buf, size_t len);

#endif /* __PROTECT_H */
