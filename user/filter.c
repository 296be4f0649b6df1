// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "cgroup.h"
#include "filter.h"

static int comm_is(const char *comm, const char *want)
{
	return !strncmp(comm, want, OOMTRACE_COMM_LEN);
}

int filter_match(const struct filter *f, const struct oom_event *ev)
{
	const struct oomtrace_victim_rec *r = &ev->rec;
	int victim = !(ev->missing & MISS_VICTIM);
	char path[CGPATH_MAX];

	if (f->have_pid && r->trigger.pid != f->pid &&
	    !(victim && r->victim.pid == f->pid))
		return 0;
	if (f->comm && !comm_is(r->trigger.comm, f->comm) &&
	    !(victim && comm_is(r->victim.comm, f->comm)))
		return 0;
	if (f->cgroup) {
		int hit = 0;

		if (victim) {
			cgpath_format(&r->victim.memcg, path, sizeof(path));
			hit = cgpath_under(path, f->cgroup);
		}
		if (!hit && !(ev->missing & MISS_OOM_MEMCG) && r->oom.memcg_set) {
			cgpath_format(&r->oom.memcg, path, sizeof(path));
			hit = cgpath_under(path, f->cgroup);
		}
		if (!hit)
			return 0;
	}
	return 1;
}
