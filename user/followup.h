/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A victim's reap record follows its kill record: out after it, and only
 * if the kill record went out (it passed the filters and --count). A reap
 * record whose kill record is still being assembled waits here.
 */
#ifndef __FOLLOWUP_H
#define __FOLLOWUP_H

#include <stddef.h>
#include <linux/types.h>
#include "oomtrace.h"

struct followups;

typedef void (*followup_emit_fn)(const struct oomtrace_reap_rec *raw, void *ctx);

struct followups *followups_new(followup_emit_fn emit, void *ctx);
void followups_free(struct followups *f);

/* The kill record of victim seq went out (wanted) or did not. */
void followups_decided(struct followups *f, __u64 seq, int wanted);

/* One ring-buffer sample of type OOMTRACE_REC_REAP; -EINVAL when it is
 * shorter than one. */
int followups_add_bytes(struct followups *f, const void *buf, size_t size, __u64 now_ns);

/*
 * Send on those that waited max_age_ns or more (0: all) for a kill record
 * that never came: it was lost, and this is what is left of its victim.
 */
void followups_flush(struct followups *f, __u64 now_ns, __u64 max_age_ns);

/* Reap records that found no memory to wait in. */
__u64 followups_nomem(const struct followups *f);

#endif /* __FOLLOWUP_H */
