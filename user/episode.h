/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Episode assembly: joins the pieces the kernel side streams (a record per
 * victim, one at out_of_memory() return) in any arrival order, numbers the
 * episodes, and hands out one finished record per victim.
 */
#ifndef __EPISODE_H
#define __EPISODE_H

#include <stddef.h>
#include "record.h"

struct episodes;

typedef void (*episode_emit_fn)(const struct oom_record *r, void *ctx);

struct episode_stats {
	__u64 episodes;		/* with a victim, or out_of_memory() calls without */
	__u64 no_victim;	/* of those, calls that marked no victim */
	__u64 incomplete;	/* episodes flushed before all pieces came */
	__u64 nomem;		/* records dropped for want of memory */
};

/* env must outlive the assembly. */
struct episodes *episodes_new(enum oom_mode mode, const struct record_env *env,
			      episode_emit_fn emit, void *ctx);
void episodes_free(struct episodes *e);

/*
 * One ring-buffer sample as the kernel side wrote it (8-byte aligned, as the
 * ring buffer hands it out). -EINVAL when it is too short for its header or
 * its header claims more than size; a record of a type this build does not
 * know, or too short for its type, is skipped.
 */
int episodes_add_bytes(struct episodes *e, const void *buf, size_t size, __u64 now_ns);

void episodes_add_victim(struct episodes *e, const struct oomtrace_victim_rec *r,
			 __u64 now_ns);
void episodes_add_end(struct episodes *e, const struct oomtrace_end_rec *r,
		      __u64 now_ns);
/* Emit episodes idle for max_age_ns or more (0: all) even if incomplete. */
void episodes_flush(struct episodes *e, __u64 now_ns, __u64 max_age_ns);
const struct episode_stats *episodes_stats(const struct episodes *e);

#endif /* __EPISODE_H */
