/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a ring-buffer sample goes: a victim's follow-up waits for its kill
 * record in followup.c, everything else is a piece of an episode.
 */
#ifndef __ROUTE_H
#define __ROUTE_H

#include <stddef.h>
#include <linux/types.h>
#include "episode.h"
#include "followup.h"

/* One sample as the ring buffer hands it out; -EINVAL when it is malformed. */
int route_sample(struct episodes *e, struct followups *f, const void *buf, size_t size,
		 __u64 now_ns);

#endif /* __ROUTE_H */
