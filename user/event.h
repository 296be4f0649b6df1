/* SPDX-License-Identifier: GPL-2.0 */
/* One assembled OOM record: a victim with what its episode knew. */
#ifndef __EVENT_H
#define __EVENT_H

#include <linux/types.h>
#include "oomtrace.h"

enum oom_mode {
	MODE_FENTRY,
	MODE_KPROBE,
	MODE_TRACEPOINT,
	MODE_COUNT,
	MODE_AUTO = MODE_COUNT,
};

enum oom_outcome {
	OUTCOME_KILLED,
	OUTCOME_EXITING,
};

/* Beyond the kernel's enum oom_constraint: tracepoint mode tells only
 * memcg from everything else. */
#define CONSTRAINT_GLOBAL 4

/* Fields a record lacks because its mode could not see them. */
enum oom_missing {
	MISS_OUTCOME = 1 << 0,
	MISS_CONSTRAINT = 1 << 1,
	MISS_MESSAGE = 1 << 2,
	MISS_GFP = 1 << 3,		/* gfp_mask, gfp_flags, order */
	MISS_OOM_MEMCG = 1 << 4,
	MISS_KILL = 1 << 5,		/* totalpages, points, oom_score */
	MISS_DURATION = 1 << 6,
	MISS_VICTIM = 1 << 7,		/* all victim fields but tid */
	MISS_VICTIM_MM = 1 << 8,	/* victim memory sizes */
	MISS_STACK = 1 << 9,
	MISS_POINTS = 1 << 10,		/* points, oom_score: not this victim's */
};

struct oom_event {
	struct oomtrace_victim_rec rec;
	__u64 episode;
	enum oom_mode mode;
	enum oom_outcome outcome;
	int constraint;			/* enum oomtrace_constraint or CONSTRAINT_GLOBAL */
	const char *message;
	__u64 duration_ns;
	unsigned int missing;		/* enum oom_missing */
};

const char *mode_name(enum oom_mode mode);
const char *outcome_name(enum oom_outcome outcome);
const char *constraint_name(int constraint);

/* Frames bpf_get_stack() stored: 0 when it failed (stack_len < 0). */
static inline int rec_stack_depth(const struct oomtrace_victim_rec *r)
{
	int n = r->stack_len / (int)sizeof(__u64);

	return n < 0 ? 0 : n > OOMTRACE_STACK_DEPTH ? OOMTRACE_STACK_DEPTH : n;
}

/* oom_score as the kernel normalises points: 0..1000 of totalpages. */
__u64 oom_score(__s64 points, __u64 totalpages);

/* Every field name a missing bit stands for, in output order. */
struct missing_field {
	unsigned int bit;
	const char *name;
};
extern const struct missing_field missing_fields[];
extern const unsigned int nr_missing_fields;

/* What a mode can never see, whatever the event (for `oomtrace probe`). */
unsigned int mode_missing(enum oom_mode mode);

#endif /* __EVENT_H */
