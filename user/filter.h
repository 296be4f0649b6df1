/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __FILTER_H
#define __FILTER_H

#include "record.h"

struct filter {
	const char *cgroup;	/* hierarchy path, from cgroup_resolve() */
	int have_pid;
	__u32 pid;
	const char *comm;
};

/* --cgroup: the victim's memcg or the OOM domain at or under the path;
 * --pid and --comm: the victim or the trigger. All given must match. */
int filter_match(const struct filter *f, const struct oom_record *r);

#endif /* __FILTER_H */
