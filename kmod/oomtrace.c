// SPDX-License-Identifier: GPL-2.0
/*
 * oomtrace.ko: OOM killer statistics in debugfs, for machines that cannot
 * run the BPF tracer and for OOM history that exists even when no tracer
 * was running.
 *
 * Sources:
 *  - the oom:* tracepoints, found by name: mark_victim (every victim),
 *    wake_reaper, start_task_reaping, finish_task_reaping, skip_task_reaping;
 *  - where the kernel has kprobes: a kretprobe on out_of_memory() (episodes,
 *    their duration) and a kprobe on oom_kill_process() (the oom_control:
 *    constraint, gfp_mask, order, chosen_points). Without them the module
 *    still counts victims; what it cannot know it prints as "-".
 *
 * Kill or shortcut: mark_oom_victim() also runs when the OOM killer only
 * waits for a task that is already exiting; then nothing is killed. Every
 * real kill goes through __oom_kill_process(), which counts the OOM_KILL vm
 * event right before it calls mark_oom_victim(), and all of this runs under
 * oom_lock. So a mark_victim that comes after the OOM_KILL event count
 * moved is a kill, and one that comes without is the shortcut. This needs
 * no kprobe (unlike hooking __oom_kill_process) and counts exactly what
 * /proc/vmstat oom_kill and memory.events oom_kill count.
 * The kernel also counts kills that emit no mark_victim: a victim marked
 * already (TIF_MEMDIE) is killed again, e.g. a memory.oom.group kill
 * kills the chosen victim once more when it walks the group. Those count
 * as kills and untraced_kills (found when out_of_memory() returns, or at
 * the next mark_victim without kprobes) but add no victims entry; so
 * kills == victims recorded + untraced_kills.
 *
 * debugfs: /sys/kernel/debug/oomtrace/{stats,victims,latency}.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/vmstat.h>

#include "compat.h"

#define OOMTRACE_RING		64	/* victims kept */
#define OOMTRACE_PENDING	64	/* victims waiting for the reaper */
#define OOMTRACE_BUCKETS	32	/* log2 histogram buckets, microseconds */
#define OOMTRACE_MEMCG_LEN	256

enum oomtrace_counter {
	OT_EPISODES,
	OT_KILLS,
	OT_KILLS_NONE,		/* + enum oom_constraint */
	OT_KILLS_CPUSET,
	OT_KILLS_MEMPOLICY,
	OT_KILLS_MEMCG,
	OT_KILLS_UNKNOWN,
	OT_GROUP_KILLS,
	OT_UNTRACED_KILLS,
	OT_SHORTCUTS,
	OT_MARK_VICTIM,
	OT_WAKE_REAPER,
	OT_REAP_START,
	OT_REAPED,
	OT_REAP_SKIPPED,
	OT_NR,
};

static const char * const oomtrace_counter_names[OT_NR] = {
	[OT_EPISODES] = "oom_episodes",
	[OT_KILLS] = "kills",
	[OT_KILLS_NONE] = "kills_constraint_none",
	[OT_KILLS_CPUSET] = "kills_constraint_cpuset",
	[OT_KILLS_MEMPOLICY] = "kills_constraint_mempolicy",
	[OT_KILLS_MEMCG] = "kills_constraint_memcg",
	[OT_KILLS_UNKNOWN] = "kills_constraint_unknown",
	[OT_GROUP_KILLS] = "group_kills",
	[OT_UNTRACED_KILLS] = "untraced_kills",
	[OT_SHORTCUTS] = "exiting_shortcuts",
	[OT_MARK_VICTIM] = "mark_victim",
	[OT_WAKE_REAPER] = "reaper_woken",
	[OT_REAP_START] = "reaper_started",
	[OT_REAPED] = "reaper_reaped",
	[OT_REAP_SKIPPED] = "reaper_skipped",
};

static const char * const oomtrace_constraint_names[] = {
	"none", "cpuset", "mempolicy", "memcg",
};

struct oomtrace_pcpu {
	unsigned long count[OT_NR];
	unsigned long oom_hist[OOMTRACE_BUCKETS];
	unsigned long reap_hist[OOMTRACE_BUCKETS];
};

static DEFINE_PER_CPU(struct oomtrace_pcpu, oomtrace_pcpu);

struct oomtrace_victim {
	u64 seq;
	u64 real_ns;
	u64 mono_ns;
	pid_t pid;
	pid_t tgid;
	uid_t uid;
	int constraint;		/* -1: unknown */
	short oom_score_adj;
	bool have_points;
	bool have_oc;
	long points;
	gfp_t gfp_mask;
	int order;
	unsigned long total_vm, anon, file, shmem, pgtables;	/* kB */
	char comm[TASK_COMM_LEN];
	char memcg[OOMTRACE_MEMCG_LEN];
};

/* What oom_kill_process() was given, for the victims of that call. */
struct oomtrace_episode {
	bool valid;
	int constraint;
	gfp_t gfp_mask;
	int order;
	long chosen_points;
	pid_t chosen_tgid;
	unsigned int kills;
};

struct oomtrace_pending {
	pid_t pid;
	u64 mono_ns;
};

/* oomtrace_lock protects everything below it. */
static DEFINE_SPINLOCK(oomtrace_lock);
static struct oomtrace_victim oomtrace_ring[OOMTRACE_RING];
static u64 oomtrace_seq;		/* victims recorded since load */
static struct oomtrace_episode oomtrace_ep;
static struct oomtrace_pending oomtrace_pend[OOMTRACE_PENDING];
static unsigned int oomtrace_pend_next;
static unsigned long oomtrace_kill_events;
static u64 oomtrace_last_real_ns;
static pid_t oomtrace_last_pid;

static struct dentry *oomtrace_dir;
static bool oomtrace_kretprobe_on, oomtrace_kprobe_on;

static void oomtrace_inc(enum oomtrace_counter c)
{
	this_cpu_inc(oomtrace_pcpu.count[c]);
}

static unsigned int oomtrace_bucket(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	return us ? min_t(unsigned int, ilog2(us), OOMTRACE_BUCKETS - 1) : 0;
}

/* Kills counted by __oom_kill_process(): /proc/vmstat oom_kill. */
static unsigned long oomtrace_oom_kill_events(void)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vm_event_states, cpu).event[OOM_KILL];
	return sum;
#else
	return 0;
#endif
}

static void oomtrace_memcg_path(struct task_struct *task, char *buf, size_t len)
{
	buf[0] = '\0';
#ifdef CONFIG_MEMCG
	rcu_read_lock();
	cgroup_path(task_cgroup(task, memory_cgrp_id), buf, len);
	rcu_read_unlock();
#endif
}

/* Kills of one constraint; under oomtrace_lock. */
static void oomtrace_count_kills(unsigned long n, int constraint)
{
	enum oomtrace_counter c = OT_KILLS_UNKNOWN;

	if (constraint >= 0 &&
	    constraint < (int)ARRAY_SIZE(oomtrace_constraint_names))
		c = OT_KILLS_NONE + constraint;
	this_cpu_add(oomtrace_pcpu.count[OT_KILLS], n);
	this_cpu_add(oomtrace_pcpu.count[c], n);
}

/*
 * Under oomtrace_lock: how many kills the kernel counted since we last
 * looked, which become untraced kills but one if a victim is being marked.
 */
static unsigned long oomtrace_new_kills(bool marking)
{
	unsigned long events = oomtrace_oom_kill_events();
	unsigned long n = events - oomtrace_kill_events;
	unsigned long untraced = n > (marking ? 1 : 0) ? n - (marking ? 1 : 0) : 0;

	oomtrace_kill_events = events;
	if (untraced) {
		this_cpu_add(oomtrace_pcpu.count[OT_UNTRACED_KILLS], untraced);
		oomtrace_count_kills(untraced, oomtrace_ep.valid ?
				     oomtrace_ep.constraint : -1);
	}
	return n;
}

static void oomtrace_mark_victim(struct task_struct *task, uid_t uid)
{
	struct mm_struct *mm = task->mm;
	struct oomtrace_victim *v;
	unsigned long flags;
	bool kill = true;

	oomtrace_inc(OT_MARK_VICTIM);
	spin_lock_irqsave(&oomtrace_lock, flags);
	if (IS_ENABLED(CONFIG_VM_EVENT_COUNTERS))
		kill = oomtrace_new_kills(true) > 0;

	/* The reaper may come for shortcut victims too. */
	oomtrace_pend[oomtrace_pend_next].pid = task->pid;
	oomtrace_pend[oomtrace_pend_next].mono_ns = ktime_get_ns();
	oomtrace_pend_next = (oomtrace_pend_next + 1) % OOMTRACE_PENDING;

	if (!kill) {
		spin_unlock_irqrestore(&oomtrace_lock, flags);
		oomtrace_inc(OT_SHORTCUTS);
		return;
	}

	v = &oomtrace_ring[oomtrace_seq % OOMTRACE_RING];
	memset(v, 0, sizeof(*v));
	v->seq = ++oomtrace_seq;
	v->real_ns = ktime_get_real_ns();
	v->mono_ns = ktime_get_ns();
	v->pid = task->pid;
	v->tgid = task->tgid;
	v->uid = uid;
	v->oom_score_adj = task->signal->oom_score_adj;
	/* get_task_comm() would take task_lock(), which the kill path holds */
	strscpy(v->comm, task->comm, sizeof(v->comm));
	if (mm) {
		v->total_vm = mm->total_vm << (PAGE_SHIFT - 10);
		v->anon = get_mm_counter(mm, MM_ANONPAGES) << (PAGE_SHIFT - 10);
		v->file = get_mm_counter(mm, MM_FILEPAGES) << (PAGE_SHIFT - 10);
		v->shmem = get_mm_counter(mm, MM_SHMEMPAGES) << (PAGE_SHIFT - 10);
		v->pgtables = mm_pgtables_bytes(mm) >> 10;
	}
	oomtrace_memcg_path(task, v->memcg, sizeof(v->memcg));
	v->constraint = -1;
	if (oomtrace_ep.valid) {
		v->have_oc = true;
		v->constraint = oomtrace_ep.constraint;
		v->gfp_mask = oomtrace_ep.gfp_mask;
		v->order = oomtrace_ep.order;
		if (task->tgid == oomtrace_ep.chosen_tgid) {
			v->have_points = true;
			v->points = oomtrace_ep.chosen_points;
		}
		if (oomtrace_ep.kills++)
			oomtrace_inc(OT_GROUP_KILLS);
	}
	oomtrace_last_real_ns = v->real_ns;
	oomtrace_last_pid = v->pid;
	oomtrace_count_kills(1, v->constraint);
	spin_unlock_irqrestore(&oomtrace_lock, flags);
}

/* Time from mark_victim to the reaper's verdict for pid; 0 if unknown. */
static u64 oomtrace_pending_take(pid_t pid, u64 now)
{
	unsigned long flags;
	u64 delta = 0;
	unsigned int i, n;

	spin_lock_irqsave(&oomtrace_lock, flags);
	for (n = 1; n <= OOMTRACE_PENDING; n++) {
		i = (oomtrace_pend_next + OOMTRACE_PENDING - n) % OOMTRACE_PENDING;
		if (oomtrace_pend[i].pid == pid && oomtrace_pend[i].mono_ns) {
			delta = now - oomtrace_pend[i].mono_ns;
			oomtrace_pend[i].mono_ns = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&oomtrace_lock, flags);
	return delta;
}

static void oomtrace_wake_reaper(void *data, int pid)
{
	oomtrace_inc(OT_WAKE_REAPER);
}

static void oomtrace_start_reaping(void *data, int pid)
{
	oomtrace_inc(OT_REAP_START);
}

static void oomtrace_finish_reaping(void *data, int pid)
{
	u64 delta = oomtrace_pending_take(pid, ktime_get_ns());

	oomtrace_inc(OT_REAPED);
	if (delta)
		this_cpu_inc(oomtrace_pcpu.reap_hist[oomtrace_bucket(delta)]);
}

static void oomtrace_skip_reaping(void *data, int pid)
{
	oomtrace_inc(OT_REAP_SKIPPED);
	oomtrace_pending_take(pid, ktime_get_ns());
}

struct oomtrace_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct oomtrace_tp oomtrace_tps[] = {
	{ .name = "mark_victim", .probe = OOMTRACE_MARK_VICTIM_PROBE },
	{ .name = "wake_reaper", .probe = oomtrace_wake_reaper },
	{ .name = "start_task_reaping", .probe = oomtrace_start_reaping },
	{ .name = "finish_task_reaping", .probe = oomtrace_finish_reaping },
	{ .name = "skip_task_reaping", .probe = oomtrace_skip_reaping },
};

/* out_of_memory(): one episode; its duration. */
struct oomtrace_call {
	u64 start_ns;
};

static int oomtrace_oom_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct oomtrace_call *c = (struct oomtrace_call *)ri->data;

	c->start_ns = ktime_get_ns();
	oomtrace_inc(OT_EPISODES);
	return 0;
}

static int oomtrace_oom_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct oomtrace_call *c = (struct oomtrace_call *)ri->data;
	u64 delta = ktime_get_ns() - c->start_ns;
	unsigned long flags;

	this_cpu_inc(oomtrace_pcpu.oom_hist[oomtrace_bucket(delta)]);
	spin_lock_irqsave(&oomtrace_lock, flags);
	/* Still under oom_lock: kills without a mark_victim are this call's. */
	if (IS_ENABLED(CONFIG_VM_EVENT_COUNTERS))
		oomtrace_new_kills(false);
	oomtrace_ep.valid = false;
	spin_unlock_irqrestore(&oomtrace_lock, flags);
	return 0;
}

static struct kretprobe oomtrace_oom_krp = {
	.kp.symbol_name = "out_of_memory",
	.entry_handler = oomtrace_oom_entry,
	.handler = oomtrace_oom_return,
	.data_size = sizeof(struct oomtrace_call),
	.maxactive = 8,
};

/* oom_kill_process(oc, message): the victims that follow are oc's. */
static int oomtrace_okp_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct oom_control *oc;
	unsigned long flags;

	oc = (struct oom_control *)regs_get_kernel_argument(regs, 0);
	spin_lock_irqsave(&oomtrace_lock, flags);
	oomtrace_ep.valid = true;
	oomtrace_ep.kills = 0;
	oomtrace_ep.constraint = oc->constraint;
	oomtrace_ep.gfp_mask = oc->gfp_mask;
	oomtrace_ep.order = oc->order;
	oomtrace_ep.chosen_points = oc->chosen_points;
	oomtrace_ep.chosen_tgid = 0;
	if (oc->chosen && oc->chosen != (struct task_struct *)-1UL)
		oomtrace_ep.chosen_tgid = oc->chosen->tgid;
	spin_unlock_irqrestore(&oomtrace_lock, flags);
	return 0;
}

static struct kprobe oomtrace_okp = {
	.symbol_name = "oom_kill_process",
	.pre_handler = oomtrace_okp_pre,
};

static void oomtrace_sum(struct oomtrace_pcpu *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		struct oomtrace_pcpu *p = per_cpu_ptr(&oomtrace_pcpu, cpu);

		for (i = 0; i < OT_NR; i++)
			sum->count[i] += READ_ONCE(p->count[i]);
		for (i = 0; i < OOMTRACE_BUCKETS; i++) {
			sum->oom_hist[i] += READ_ONCE(p->oom_hist[i]);
			sum->reap_hist[i] += READ_ONCE(p->reap_hist[i]);
		}
	}
}

static bool oomtrace_known(enum oomtrace_counter c)
{
	if (c == OT_EPISODES)
		return oomtrace_kretprobe_on;
	if (c == OT_GROUP_KILLS)
		return oomtrace_kprobe_on;
	return true;
}

static void oomtrace_show_time(struct seq_file *m, const char *key, u64 ns)
{
	u32 rem;
	u64 sec = div_u64_rem(ns, NSEC_PER_SEC, &rem);

	seq_printf(m, "%s=%llu.%09u", key, sec, rem);
}

static int stats_show(struct seq_file *m, void *unused)
{
	struct oomtrace_pcpu *sum;
	unsigned long flags;
	u64 last_ns;
	pid_t last_pid;
	int i;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	oomtrace_sum(sum);
	spin_lock_irqsave(&oomtrace_lock, flags);
	last_ns = oomtrace_last_real_ns;
	last_pid = oomtrace_last_pid;
	spin_unlock_irqrestore(&oomtrace_lock, flags);

	for (i = 0; i < OT_NR; i++) {
		if (oomtrace_known(i))
			seq_printf(m, "%s=%lu\n", oomtrace_counter_names[i],
				   sum->count[i]);
		else
			seq_printf(m, "%s=-\n", oomtrace_counter_names[i]);
	}
	if (last_ns) {
		oomtrace_show_time(m, "last_kill_time", last_ns);
		seq_printf(m, "\nlast_kill_pid=%d\n", last_pid);
	} else {
		seq_puts(m, "last_kill_time=-\nlast_kill_pid=-\n");
	}
	seq_printf(m, "kretprobe_missed=%d\n",
		   oomtrace_kretprobe_on ? oomtrace_oom_krp.nmissed : 0);
	seq_puts(m, "probes=");
	for (i = 0; i < ARRAY_SIZE(oomtrace_tps); i++)
		if (oomtrace_tps[i].registered)
			seq_printf(m, "%s%s", i ? "," : "", oomtrace_tps[i].name);
	if (oomtrace_kretprobe_on)
		seq_puts(m, ",kretprobe:out_of_memory");
	if (oomtrace_kprobe_on)
		seq_puts(m, ",kprobe:oom_kill_process");
	seq_putc(m, '\n');
	kfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static const char *oomtrace_constraint_name(int c)
{
	if (c < 0 || c >= (int)ARRAY_SIZE(oomtrace_constraint_names))
		return "unknown";
	return oomtrace_constraint_names[c];
}

static void oomtrace_show_victim(struct seq_file *m, const struct oomtrace_victim *v)
{
	oomtrace_show_time(m, "time", v->real_ns);
	seq_printf(m, " mono_ns=%llu seq=%llu pid=%d tgid=%d comm=",
		   v->mono_ns, v->seq, v->pid, v->tgid);
	seq_escape(m, v->comm, " \t\n\\");
	seq_printf(m, " uid=%u memcg=", v->uid);
	if (v->memcg[0])
		seq_escape(m, v->memcg, " \t\n\\");
	else
		seq_putc(m, '-');
	seq_printf(m, " constraint=%s oom_score_adj=%d",
		   oomtrace_constraint_name(v->constraint),
		   v->oom_score_adj);
	if (v->have_points)
		seq_printf(m, " points=%ld", v->points);
	else
		seq_puts(m, " points=-");
	if (v->have_oc)
		seq_printf(m, " gfp_mask=%#x order=%d", v->gfp_mask, v->order);
	else
		seq_puts(m, " gfp_mask=- order=-");
	seq_printf(m, " total_vm=%lu anon_rss=%lu file_rss=%lu shmem_rss=%lu pgtables=%lu\n",
		   v->total_vm, v->anon, v->file, v->shmem, v->pgtables);
}

static int victims_show(struct seq_file *m, void *unused)
{
	struct oomtrace_victim *v;
	unsigned long flags;
	u64 seq, i;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	spin_lock_irqsave(&oomtrace_lock, flags);
	seq = oomtrace_seq;
	spin_unlock_irqrestore(&oomtrace_lock, flags);

	seq_puts(m, "# oomtrace victims, oldest first (last 64 kills): time mono_ns seq pid tgid comm uid memcg constraint oom_score_adj points gfp_mask order total_vm anon_rss file_rss shmem_rss pgtables (sizes in kB, - = unknown)\n");
	/* One entry at a time: kills that overwrite an entry meanwhile win. */
	for (i = seq > OOMTRACE_RING ? seq - OOMTRACE_RING : 0; i < seq; i++) {
		spin_lock_irqsave(&oomtrace_lock, flags);
		memcpy(v, &oomtrace_ring[i % OOMTRACE_RING], sizeof(*v));
		spin_unlock_irqrestore(&oomtrace_lock, flags);
		if (v->seq == i + 1)
			oomtrace_show_victim(m, v);
	}
	kfree(v);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(victims);

static void oomtrace_show_hist(struct seq_file *m, const char *name,
			       const unsigned long *hist, bool known)
{
	unsigned long total = 0;
	int i;

	if (!known) {
		seq_printf(m, "hist=%s total=-\n", name);
		return;
	}
	for (i = 0; i < OOMTRACE_BUCKETS; i++)
		total += hist[i];
	seq_printf(m, "hist=%s total=%lu\n", name, total);
	for (i = 0; i < OOMTRACE_BUCKETS; i++)
		if (hist[i])
			seq_printf(m, "hist=%s lo=%llu hi=%llu count=%lu\n", name,
				   i ? 1ULL << i : 0ULL, 1ULL << (i + 1), hist[i]);
}

static int latency_show(struct seq_file *m, void *unused)
{
	struct oomtrace_pcpu *sum;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	oomtrace_sum(sum);
	seq_puts(m, "# log2 histograms in microseconds, buckets [lo, hi)\n");
	oomtrace_show_hist(m, "oom_duration_us", sum->oom_hist, oomtrace_kretprobe_on);
	oomtrace_show_hist(m, "kill_to_reaped_us", sum->reap_hist, true);
	kfree(sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

static void oomtrace_find_tp(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(oomtrace_tps); i++)
		if (!strcmp(tp->name, oomtrace_tps[i].name))
			oomtrace_tps[i].tp = tp;
}

static void oomtrace_unregister_tps(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(oomtrace_tps); i++) {
		if (!oomtrace_tps[i].registered)
			continue;
		tracepoint_probe_unregister(oomtrace_tps[i].tp,
					    oomtrace_tps[i].probe, NULL);
		oomtrace_tps[i].registered = false;
	}
	tracepoint_synchronize_unregister();
}

static int oomtrace_register_tps(void)
{
	int i, err;

	/* Compile-time checks of the probes' prototypes. */
	check_trace_callback_type_wake_reaper(oomtrace_wake_reaper);
	check_trace_callback_type_start_task_reaping(oomtrace_start_reaping);
	check_trace_callback_type_finish_task_reaping(oomtrace_finish_reaping);
	check_trace_callback_type_skip_task_reaping(oomtrace_skip_reaping);

	for_each_kernel_tracepoint(oomtrace_find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(oomtrace_tps); i++) {
		struct oomtrace_tp *t = &oomtrace_tps[i];

		err = t->tp ? tracepoint_probe_register(t->tp, t->probe, NULL) : -ENOENT;
		if (!err) {
			t->registered = true;
			continue;
		}
		if (i == 0) {	/* mark_victim: nothing to do without it */
			pr_err("cannot hook tracepoint oom:%s: %d\n", t->name, err);
			return err;
		}
		pr_warn("tracepoint oom:%s unavailable (%d); its counters stay 0\n",
			t->name, err);
	}
	return 0;
}

static int __init oomtrace_init(void)
{
	int err;

	oomtrace_kill_events = oomtrace_oom_kill_events();
	err = oomtrace_register_tps();
	if (err) {
		oomtrace_unregister_tps();
		return err;
	}

	err = register_kretprobe(&oomtrace_oom_krp);
	if (err)
		pr_info("no kretprobe on out_of_memory (%d): episodes and their duration unknown\n",
			err);
	oomtrace_kretprobe_on = !err;
	err = register_kprobe(&oomtrace_okp);
	if (err)
		pr_info("no kprobe on oom_kill_process (%d): constraint, points and group kills unknown\n",
			err);
	oomtrace_kprobe_on = !err;

	oomtrace_dir = debugfs_create_dir("oomtrace", NULL);
	debugfs_create_file("stats", 0400, oomtrace_dir, NULL, &stats_fops);
	debugfs_create_file("victims", 0400, oomtrace_dir, NULL, &victims_fops);
	debugfs_create_file("latency", 0400, oomtrace_dir, NULL, &latency_fops);
	return 0;
}

static void __exit oomtrace_exit(void)
{
	debugfs_remove_recursive(oomtrace_dir);
	if (oomtrace_kprobe_on)
		unregister_kprobe(&oomtrace_okp);
	if (oomtrace_kretprobe_on)
		unregister_kretprobe(&oomtrace_oom_krp);
	oomtrace_unregister_tps();
}

module_init(oomtrace_init);
module_exit(oomtrace_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("OOM killer statistics and victim history in debugfs");
MODULE_AUTHOR("oomtrace developers");
