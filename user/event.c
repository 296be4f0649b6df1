// SPDX-License-Identifier: GPL-2.0
#include "event.h"

const char *mode_name(enum oom_mode mode)
{
	static const char *const names[] = {
		[MODE_FENTRY] = "fentry",
		[MODE_KPROBE] = "kprobe",
		[MODE_TRACEPOINT] = "tracepoint",
	};

	return mode < MODE_COUNT ? names[mode] : "auto";
}

const char *outcome_name(enum oom_outcome outcome)
{
	return outcome == OUTCOME_KILLED ? "killed" : "exiting";
}

const char *constraint_name(int constraint)
{
	switch (constraint) {
	case OOMTRACE_CONSTRAINT_NONE:		return "none";
	case OOMTRACE_CONSTRAINT_CPUSET:	return "cpuset";
	case OOMTRACE_CONSTRAINT_MEMPOLICY:	return "mempolicy";
	case OOMTRACE_CONSTRAINT_MEMCG:		return "memcg";
	case CONSTRAINT_GLOBAL:			return "global";
	}
	return "unknown";
}

__u64 oom_score(__s64 points, __u64 totalpages)
{
	__s64 score;

	if (!totalpages || points <= 0)
		return 0;
	score = points * 1000 / (__s64)totalpages;
	return score > 1000 ? 1000 : score;
}

unsigned int mode_missing(enum oom_mode mode)
{
	/* only mark_victim: no struct oom_control, no out_of_memory() return */
	if (mode == MODE_TRACEPOINT)
		return MISS_GFP | MISS_OOM_MEMCG | MISS_KILL | MISS_DURATION;
	return 0;
}

const struct missing_field missing_fields[] = {
	{ MISS_OUTCOME, "outcome" },
	{ MISS_CONSTRAINT, "constraint" },
	{ MISS_MESSAGE, "message" },
	{ MISS_GFP, "gfp_mask" },
	{ MISS_GFP, "gfp_flags" },
	{ MISS_GFP, "order" },
	{ MISS_KILL, "totalpages" },
	{ MISS_OOM_MEMCG, "oom_memcg" },
	{ MISS_DURATION, "duration_us" },
	{ MISS_VICTIM, "victim.pid" },
	{ MISS_VICTIM, "victim.comm" },
	{ MISS_VICTIM, "victim.uid" },
	{ MISS_VICTIM, "victim.memcg" },
	{ MISS_VICTIM, "victim.oom_score_adj" },
	{ MISS_KILL | MISS_POINTS, "victim.points" },
	{ MISS_KILL | MISS_POINTS, "victim.oom_score" },
	{ MISS_VICTIM_MM, "victim.total_vm_kb" },
	{ MISS_VICTIM_MM, "victim.anon_rss_kb" },
	{ MISS_VICTIM_MM, "victim.file_rss_kb" },
	{ MISS_VICTIM_MM, "victim.shmem_rss_kb" },
	{ MISS_VICTIM_MM, "victim.swap_kb" },
	{ MISS_VICTIM_MM, "victim.pgtables_kb" },
	{ MISS_STACK, "stack" },
};
const unsigned int nr_missing_fields = sizeof(missing_fields) / sizeof(missing_fields[0]);
