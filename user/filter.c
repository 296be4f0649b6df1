// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "filter.h"

static int pid_is(const struct oom_record *r, const struct record_task *t, __u32 pid)
{
	return record_task_has(r, t, RF_VICTIM_PID) && t->pid == pid;
}

static int comm_is(const struct oom_record *r, const struct record_task *t,
		   const char *comm)
{
	return record_task_has(r, t, RF_VICTIM_COMM) && !strcmp(t->comm, comm);
}

int filter_match(const struct filter *f, const struct oom_record *r)
{
	if (f->have_pid && !pid_is(r, &r->trigger, f->pid) && !pid_is(r, &r->victim, f->pid))
		return 0;
	if (f->comm && !comm_is(r, &r->trigger, f->comm) && !comm_is(r, &r->victim, f->comm))
		return 0;
	if (!f->cgroup)
		return 1;
	if (record_has(r, RF_VICTIM_MEMCG) && cgpath_under(r->victim.memcg, f->cgroup))
		return 1;
	return record_has(r, RF_OOM_MEMCG) && cgpath_under(r->oom_memcg, f->cgroup);
}
