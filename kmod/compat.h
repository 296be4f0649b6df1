/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel difference oomtrace.ko cares about, in one place.
 *
 * Differences are detected from the types the kernel's headers declare,
 * never from LINUX_VERSION_CODE: distributions backport ABI changes.
 */
#ifndef _OOMTRACE_COMPAT_H
#define _OOMTRACE_COMPAT_H

#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <trace/events/oom.h>

/* The common handler every variant of the mark_victim probe ends in. */
static void oomtrace_mark_victim(struct task_struct *task, uid_t uid);

/*
 * "mm: update mark_victim tracepoints fields" (v6.9; backported to the
 * stable 6.1.y series, so Debian's 6.1.0-47 and later carry it) turned
 * oom:mark_victim from TP_PROTO(int pid) into
 * TP_PROTO(struct task_struct *task, uid_t uid). trace_mark_victim()'s own
 * type tells which one this kernel has.
 */
#define OOMTRACE_MARK_VICTIM_HAS_TASK					\
	__builtin_types_compatible_p(typeof(trace_mark_victim),	\
				     void (struct task_struct *, uid_t))

/* "mm: update mark_victim tracepoints fields": the new prototype. */
static void __maybe_unused oomtrace_mv_task(void *data, struct task_struct *task,
					    uid_t uid)
{
	oomtrace_mark_victim(task, uid);
}

/*
 * "mm: update mark_victim tracepoints fields": before it, only the victim's
 * pid (a global TID) is passed; mark_oom_victim() holds a reference on the
 * task, so the lookup cannot miss.
 */
static void __maybe_unused oomtrace_mv_pid(void *data, int pid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_PID);
	if (task)
		oomtrace_mark_victim(task,
				     from_kuid(&init_user_ns, task_uid(task)));
	rcu_read_unlock();
}

#define OOMTRACE_MARK_VICTIM_PROBE					\
	__builtin_choose_expr(OOMTRACE_MARK_VICTIM_HAS_TASK,		\
			      (void *)oomtrace_mv_task, (void *)oomtrace_mv_pid)

#endif /* _OOMTRACE_COMPAT_H */
