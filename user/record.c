// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gfp.h"
#include "kallsyms.h"
#include "psi.h"
#include "record.h"
#include "timefmt.h"

static const char *const field_names[NR_RECORD_FIELDS] = {
	[RF_OUTCOME] = "outcome",
	[RF_CONSTRAINT] = "constraint",
	[RF_MESSAGE] = "message",
	[RF_GFP_MASK] = "gfp_mask",
	[RF_GFP_FLAGS] = "gfp_flags",
	[RF_ORDER] = "order",
	[RF_TOTALPAGES] = "totalpages",
	[RF_OOM_MEMCG] = "oom_memcg",
	[RF_OOM_MEMCG_MEMORY] = "oom_memcg_memory",
	[RF_OOM_MEMCG_STAT] = "oom_memcg_stat",
	[RF_OOM_MEMCG_STAT_EVENTS] = "oom_memcg_stat.events",
	[RF_DURATION] = "duration_us",
	[RF_MEM_INFO] = "mem_info",
	[RF_MEM_INFO_NODES] = "mem_info.nodes",
	[RF_VICTIM_PID] = "victim.pid",
	[RF_VICTIM_COMM] = "victim.comm",
	[RF_VICTIM_UID] = "victim.uid",
	[RF_VICTIM_MEMCG] = "victim.memcg",
	[RF_VICTIM_OOM_SCORE_ADJ] = "victim.oom_score_adj",
	[RF_VICTIM_POINTS] = "victim.points",
	[RF_VICTIM_OOM_SCORE] = "victim.oom_score",
	[RF_VICTIM_TOTAL_VM] = "victim.total_vm_kb",
	[RF_VICTIM_ANON_RSS] = "victim.anon_rss_kb",
	[RF_VICTIM_FILE_RSS] = "victim.file_rss_kb",
	[RF_VICTIM_SHMEM_RSS] = "victim.shmem_rss_kb",
	[RF_VICTIM_SWAP] = "victim.swap_kb",
	[RF_VICTIM_PGTABLES] = "victim.pgtables_kb",
	[RF_CANDIDATES] = "candidates",
	[RF_CANDIDATES_SCORED] = "candidates_scored",
	[RF_SKIPPED] = "skipped",
	[RF_STACK] = "stack",
	[RF_RECLAIM] = "reclaim",
	[RF_RECLAIM_PSI] = "reclaim.psi",
};

/* Fields that come in groups from one piece of the kernel side. */
#define RF_GFP		(RF_BIT(RF_GFP_MASK) | RF_BIT(RF_GFP_FLAGS) | RF_BIT(RF_ORDER))
#define RF_POINTS	(RF_BIT(RF_VICTIM_POINTS) | RF_BIT(RF_VICTIM_OOM_SCORE))
#define RF_KILL		(RF_BIT(RF_TOTALPAGES) | RF_POINTS)
#define RF_DOMAIN	(RF_BIT(RF_OOM_MEMCG) | RF_BIT(RF_OOM_MEMCG_MEMORY) | \
			 RF_BIT(RF_OOM_MEMCG_STAT))
/* oom_memcg_stat with its events: when the object is unknown, so are they */
#define RF_STAT		(RF_BIT(RF_OOM_MEMCG_STAT) | RF_BIT(RF_OOM_MEMCG_STAT_EVENTS))
#define RF_VICTIM_TASK	(RF_BIT(RF_VICTIM_PID) | RF_BIT(RF_VICTIM_COMM) | \
			 RF_BIT(RF_VICTIM_UID) | RF_BIT(RF_VICTIM_MEMCG) | \
			 RF_BIT(RF_VICTIM_OOM_SCORE_ADJ))
#define RF_VICTIM_MM	(RF_BIT(RF_VICTIM_TOTAL_VM) | RF_BIT(RF_VICTIM_ANON_RSS) | \
			 RF_BIT(RF_VICTIM_FILE_RSS) | RF_BIT(RF_VICTIM_SHMEM_RSS) | \
			 RF_BIT(RF_VICTIM_SWAP) | RF_BIT(RF_VICTIM_PGTABLES))

const char *record_field_name(enum record_field f)
{
	return f < NR_RECORD_FIELDS ? field_names[f] : "unknown";
}

int record_has(const struct oom_record *r, enum record_field f)
{
	if (r->unknown & RF_BIT(f))
		return 0;
	if (f == RF_MESSAGE)
		return r->message[0] != '\0';
	if (f == RF_OOM_MEMCG || f == RF_OOM_MEMCG_MEMORY || f == RF_OOM_MEMCG_STAT ||
	    f == RF_OOM_MEMCG_STAT_EVENTS)
		return r->oom_memcg[0] != '\0';
	/* without --reclaim nothing was summed: not asked, not unknown */
	if (f == RF_RECLAIM || f == RF_RECLAIM_PSI)
		return r->reclaim.on;
	/* the kernel prints the memcg's memory instead */
	if (f == RF_MEM_INFO || f == RF_MEM_INFO_NODES)
		return r->constraint != CONSTRAINT_MEMCG;
	return 1;
}

int record_task_has(const struct oom_record *r, const struct record_task *t,
		    enum record_field f)
{
	return t != &r->victim || record_has(r, f);
}

__u64 record_mode_unknown(enum oom_mode mode)
{
	/* only mark_victim: no struct oom_control, no out_of_memory() return */
	if (mode == MODE_TRACEPOINT)
		return RF_GFP | RF_KILL | RF_BIT(RF_DURATION) | RF_RANKING;
	return 0;
}

const char *skip_name(enum oomtrace_skip reason)
{
	static const char *const names[OOMTRACE_NR_SKIPS] = {
		[OOMTRACE_SKIP_UNKILLABLE] = "unkillable",
		[OOMTRACE_SKIP_INELIGIBLE] = "ineligible",
		[OOMTRACE_SKIP_OOM_VICTIM] = "oom_victim",
		[OOMTRACE_SKIP_NO_MM] = "no_mm",
		[OOMTRACE_SKIP_ADJ_MIN] = "oom_score_adj_min",
		[OOMTRACE_SKIP_MM_SKIP] = "mm_oom_skip",
		[OOMTRACE_SKIP_VFORK] = "vfork",
		[OOMTRACE_SKIP_UNREAD] = "unread",
	};

	return (unsigned int)reason < OOMTRACE_NR_SKIPS ? names[reason] : "unknown";
}

/* memcg_page_state_unit() and memcg_page_state_output() of v6.1 and v6.18 */
enum stat_unit { UNIT_PAGE, UNIT_BYTE, UNIT_KB, UNIT_EVENT };

static const struct {
	const char *name;
	enum stat_unit unit;
} memcg_stats[NR_MEMCG_STATS] = {
	[OOMTRACE_STAT_ANON] = { "anon", UNIT_PAGE },
	[OOMTRACE_STAT_FILE] = { "file", UNIT_PAGE },
	[OOMTRACE_STAT_KERNEL] = { "kernel", UNIT_PAGE },
	[OOMTRACE_STAT_KERNEL_STACK] = { "kernel_stack", UNIT_KB },
	[OOMTRACE_STAT_PAGETABLES] = { "pagetables", UNIT_PAGE },
	[OOMTRACE_STAT_SEC_PAGETABLES] = { "sec_pagetables", UNIT_PAGE },
	[OOMTRACE_STAT_PERCPU] = { "percpu", UNIT_BYTE },
	[OOMTRACE_STAT_SOCK] = { "sock", UNIT_PAGE },
	[OOMTRACE_STAT_VMALLOC] = { "vmalloc", UNIT_PAGE },
	[OOMTRACE_STAT_SHMEM] = { "shmem", UNIT_PAGE },
	[OOMTRACE_STAT_ZSWAP] = { "zswap", UNIT_BYTE },
	[OOMTRACE_STAT_ZSWAPPED] = { "zswapped", UNIT_PAGE },
	[OOMTRACE_STAT_FILE_MAPPED] = { "file_mapped", UNIT_PAGE },
	[OOMTRACE_STAT_FILE_DIRTY] = { "file_dirty", UNIT_PAGE },
	[OOMTRACE_STAT_FILE_WRITEBACK] = { "file_writeback", UNIT_PAGE },
	[OOMTRACE_STAT_SWAPCACHED] = { "swapcached", UNIT_PAGE },
	[OOMTRACE_STAT_ANON_THP] = { "anon_thp", UNIT_PAGE },
	[OOMTRACE_STAT_FILE_THP] = { "file_thp", UNIT_PAGE },
	[OOMTRACE_STAT_SHMEM_THP] = { "shmem_thp", UNIT_PAGE },
	[OOMTRACE_STAT_INACTIVE_ANON] = { "inactive_anon", UNIT_PAGE },
	[OOMTRACE_STAT_ACTIVE_ANON] = { "active_anon", UNIT_PAGE },
	[OOMTRACE_STAT_INACTIVE_FILE] = { "inactive_file", UNIT_PAGE },
	[OOMTRACE_STAT_ACTIVE_FILE] = { "active_file", UNIT_PAGE },
	[OOMTRACE_STAT_UNEVICTABLE] = { "unevictable", UNIT_PAGE },
	[OOMTRACE_STAT_SLAB_RECLAIMABLE] = { "slab_reclaimable", UNIT_BYTE },
	[OOMTRACE_STAT_SLAB_UNRECLAIMABLE] = { "slab_unreclaimable", UNIT_BYTE },
	[OOMTRACE_STAT_WORKINGSET_REFAULT_ANON] = { "workingset_refault_anon", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_REFAULT_FILE] = { "workingset_refault_file", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_ACTIVATE_ANON] = { "workingset_activate_anon", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_ACTIVATE_FILE] = { "workingset_activate_file", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_RESTORE_ANON] = { "workingset_restore_anon", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_RESTORE_FILE] = { "workingset_restore_file", UNIT_EVENT },
	[OOMTRACE_STAT_WORKINGSET_NODERECLAIM] = { "workingset_nodereclaim", UNIT_EVENT },
	[MEMCG_STAT_SLAB] = { "slab", UNIT_BYTE },
};

const char *memcg_stat_name(unsigned int item, int *events)
{
	if (item >= NR_MEMCG_STATS)
		return "unknown";
	if (events)
		*events = memcg_stats[item].unit == UNIT_EVENT;
	return memcg_stats[item].name;
}

/* "slab" follows slab_unreclaimable, as the kernel prints it */
unsigned int memcg_stat_order(unsigned int i)
{
	if (i <= OOMTRACE_STAT_SLAB_UNRECLAIMABLE)
		return i;
	if (i == OOMTRACE_STAT_SLAB_UNRECLAIMABLE + 1)
		return MEMCG_STAT_SLAB;
	return i - 1;
}

/* memcg_vm_event_stat[]'s names (vm_event_name()); the parts of the sums
 * that only later kernels print have none here */
static const char *const memcg_events[NR_MEMCG_EVENTS] = {
	[OOMTRACE_EV_PGSCAN_KSWAPD] = "pgscan_kswapd",
	[OOMTRACE_EV_PGSCAN_DIRECT] = "pgscan_direct",
	[OOMTRACE_EV_PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[OOMTRACE_EV_PGSTEAL_DIRECT] = "pgsteal_direct",
	[OOMTRACE_EV_PGFAULT] = "pgfault",
	[OOMTRACE_EV_PGMAJFAULT] = "pgmajfault",
	[OOMTRACE_EV_PGREFILL] = "pgrefill",
	[OOMTRACE_EV_PGACTIVATE] = "pgactivate",
	[OOMTRACE_EV_PGDEACTIVATE] = "pgdeactivate",
	[OOMTRACE_EV_PGLAZYFREE] = "pglazyfree",
	[OOMTRACE_EV_PGLAZYFREED] = "pglazyfreed",
	[OOMTRACE_EV_ZSWPIN] = "zswpin",
	[OOMTRACE_EV_ZSWPOUT] = "zswpout",
	[OOMTRACE_EV_THP_FAULT_ALLOC] = "thp_fault_alloc",
	[OOMTRACE_EV_THP_COLLAPSE_ALLOC] = "thp_collapse_alloc",
	[OOMTRACE_EV_PGPGIN] = "pgpgin",
	[OOMTRACE_EV_PGPGOUT] = "pgpgout",
	[MEMCG_EVENT_PGSCAN] = "pgscan",
	[MEMCG_EVENT_PGSTEAL] = "pgsteal",
};

const char *memcg_event_name(unsigned int event)
{
	return event < NR_MEMCG_EVENTS ? memcg_events[event] : NULL;
}

/* "pgscan" and "pgsteal" first, as the kernel prints them */
unsigned int memcg_event_order(unsigned int i)
{
	if (i < 2)
		return MEMCG_EVENT_PGSCAN + i;
	return i - 2;
}

/* memory_stat_format()'s sums: every kind of reclaim this kernel counts */
static void memcg_event_sum(struct memcg_stat *m, unsigned int sum, unsigned int kswapd,
			    unsigned int direct, unsigned int khugepaged, unsigned int proactive)
{
	const unsigned int part[] = { kswapd, direct, khugepaged, proactive };

	if (!(m->ev_present & 1ULL << kswapd) || !(m->ev_present & 1ULL << direct))
		return;
	for (unsigned int i = 0; i < sizeof(part) / sizeof(part[0]); i++)
		if (m->ev_present & 1ULL << part[i])
			m->ev[sum] += m->ev[part[i]];
	m->ev_present |= 1ULL << sum;
}

static void memcg_stat_build(struct memcg_stat *m, const struct oomtrace_memcg_stat *raw,
			     const struct record_env *env)
{
	const __u64 both = 1ULL << OOMTRACE_STAT_SLAB_RECLAIMABLE |
			   1ULL << OOMTRACE_STAT_SLAB_UNRECLAIMABLE;

	for (unsigned int i = 0; i < OOMTRACE_NR_STATS; i++) {
		__u64 v = raw->val[i];

		if (!(raw->present & 1ULL << i))
			continue;
		m->present |= 1ULL << i;
		switch (memcg_stats[i].unit) {
		case UNIT_PAGE:
			v *= env->page_kb * 1024ULL;
			break;
		case UNIT_KB:
			v *= 1024;
			break;
		default:
			break;
		}
		m->val[i] = v;
	}
	if ((m->present & both) == both) {
		m->present |= 1ULL << MEMCG_STAT_SLAB;
		m->val[MEMCG_STAT_SLAB] = m->val[OOMTRACE_STAT_SLAB_RECLAIMABLE] +
					  m->val[OOMTRACE_STAT_SLAB_UNRECLAIMABLE];
	}
	m->events_read = !!raw->events_read;
	if (!m->events_read)
		return;
	m->ev_present = raw->ev_present;
	memcpy(m->ev, raw->ev, sizeof(raw->ev));
	memcg_event_sum(m, MEMCG_EVENT_PGSCAN, OOMTRACE_EV_PGSCAN_KSWAPD,
			OOMTRACE_EV_PGSCAN_DIRECT, OOMTRACE_EV_PGSCAN_KHUGEPAGED,
			OOMTRACE_EV_PGSCAN_PROACTIVE);
	memcg_event_sum(m, MEMCG_EVENT_PGSTEAL, OOMTRACE_EV_PGSTEAL_KSWAPD,
			OOMTRACE_EV_PGSTEAL_DIRECT, OOMTRACE_EV_PGSTEAL_KHUGEPAGED,
			OOMTRACE_EV_PGSTEAL_PROACTIVE);
}

const char *outcome_name(enum oom_outcome outcome)
{
	return outcome == OUTCOME_KILLED ? "killed" : "exiting";
}

const char *constraint_name(enum oom_constraint constraint)
{
	static const char *const names[] = {
		[CONSTRAINT_NONE] = "none",
		[CONSTRAINT_CPUSET] = "cpuset",
		[CONSTRAINT_MEMPOLICY] = "mempolicy",
		[CONSTRAINT_MEMCG] = "memcg",
		[CONSTRAINT_GLOBAL] = "global",
	};

	return constraint <= CONSTRAINT_GLOBAL ? names[constraint] : "unknown";
}

__u64 oom_score(__s64 points, __u64 totalpages)
{
	if (!totalpages || points <= 0)
		return 0;
	if ((__u64)points >= totalpages)
		return 1000;
	/* points * 1000 of a corrupt record may not fit 64 bits */
	return (unsigned __int128)points * 1000 / totalpages;
}

void record_frame_format(const struct record_frame *fr, char *buf, size_t len)
{
	if (fr->sym)
		snprintf(buf, len, "%s+%#llx", fr->sym, (unsigned long long)fr->offset);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)fr->addr);
}

void record_env_init(struct record_env *env, const struct ksyms *ks,
		     const struct gfp_table *gfp)
{
	env->ks = ks;
	env->gfp = gfp;
	env->boot_to_unix_ns = boottime_to_realtime_offset();
	env->page_kb = sysconf(_SC_PAGESIZE) / 1024;
	/* a build that inlines it would make every kill look like a shortcut */
	env->kill_frame = ks && ksyms_func(ks, "__oom_kill_process");
	env->memcg_v1 = cgroup_memory_v1();
	env->since_ns = 0;
	env->reclaim_lost = 0;
	env->read_psi = psi_read;
}

/* Frames bpf_get_stack() stored: 0 when it failed (stack_len < 0). */
static int stack_depth(const struct oomtrace_victim_rec *raw)
{
	int n = raw->stack_len / (int)sizeof(__u64);

	return n < 0 ? 0 : n > OOMTRACE_STACK_DEPTH ? OOMTRACE_STACK_DEPTH : n;
}

unsigned int stack_classify(const struct record_env *env,
			    const struct oomtrace_victim_rec *raw)
{
	unsigned int flags = 0;
	int i, n = env->ks ? stack_depth(raw) : 0;

	for (i = 0; i < n; i++) {
		const struct ksym *sym = ksyms_find(env->ks, raw->stack[i]);

		if (!sym)
			continue;
		if (ksym_is(sym->name, "__oom_kill_process"))
			flags |= STACK_KILL;
		else if (ksym_is(sym->name, "oom_kill_memcg_member"))
			flags |= STACK_GROUP;
		else if (ksym_is(sym->name, "mem_cgroup_out_of_memory"))
			flags |= STACK_MEMCG;
	}
	return flags;
}

/* The trigger's path from mark_oom_victim() down: the frames above it
 * belong to BPF and the tracepoint. */
static void build_stack(struct oom_record *r, const struct record_env *env,
			const struct oomtrace_victim_rec *raw)
{
	int i, skip = 0, n = stack_depth(raw);

	for (i = 0; env->ks && i < n; i++) {
		const struct ksym *sym = ksyms_find(env->ks, raw->stack[i]);

		if (sym && ksym_is(sym->name, "mark_oom_victim")) {
			skip = i;
			break;
		}
	}
	r->nr_frames = 0;
	for (i = skip; i < n; i++) {
		const struct ksym *sym = env->ks ? ksyms_find(env->ks, raw->stack[i]) : NULL;
		struct record_frame *fr = &r->frames[r->nr_frames++];

		fr->addr = raw->stack[i];
		fr->sym = sym ? sym->name : NULL;
		fr->offset = sym ? raw->stack[i] - sym->addr : 0;
	}
	if (!n)
		r->unknown |= RF_BIT(RF_STACK);
}

static void build_task(struct record_task *t, const struct oomtrace_task *raw)
{
	t->pid = raw->pid;
	t->tid = raw->tid;
	t->uid = raw->uid;
	t->oom_score_adj = raw->oom_score_adj;
	memcpy(t->comm, raw->comm, OOMTRACE_COMM_LEN);
	t->comm[OOMTRACE_COMM_LEN] = '\0';
	cgpath_format(&raw->memcg, t->memcg, sizeof(t->memcg));
}

/* 0, or -1 for a value this build does not know: unknown, not guessed. */
static int constraint_of(__u32 abi, enum oom_constraint *c)
{
	switch (abi) {
	case OOMTRACE_CONSTRAINT_NONE:		*c = CONSTRAINT_NONE; return 0;
	case OOMTRACE_CONSTRAINT_CPUSET:	*c = CONSTRAINT_CPUSET; return 0;
	case OOMTRACE_CONSTRAINT_MEMPOLICY:	*c = CONSTRAINT_MEMPOLICY; return 0;
	case OOMTRACE_CONSTRAINT_MEMCG:		*c = CONSTRAINT_MEMCG; return 0;
	}
	return -1;
}

/* outcome, constraint and message: from oom_kill_process() where it was
 * seen, else from what the trigger's stack shows. */
static void build_verdict(struct oom_record *r, const struct record_env *env,
			  const struct record_src *src)
{
	const struct oomtrace_oom *oom = &src->raw->oom;
	int classified = env->ks && stack_depth(src->raw);
	int told = classified && env->kill_frame;	/* killed or exiting */

	if (told)
		r->outcome = src->stack & STACK_KILL ? OUTCOME_KILLED : OUTCOME_EXITING;
	else
		r->unknown |= RF_BIT(RF_OUTCOME);

	if (oom->flags & OOMTRACE_OOM_KILL) {
		if (constraint_of(oom->constraint, &r->constraint))
			r->unknown |= RF_BIT(RF_CONSTRAINT);
	} else if (src->mode == MODE_TRACEPOINT && classified) {
		r->constraint = src->stack & STACK_MEMCG ? CONSTRAINT_MEMCG : CONSTRAINT_GLOBAL;
	} else {
		r->unknown |= RF_BIT(RF_CONSTRAINT);
	}

	/* A shortcut on an exiting task kills nothing and prints nothing. */
	if (told && r->outcome == OUTCOME_EXITING)
		return;
	if (oom->flags & OOMTRACE_OOM_KILL)
		snprintf(r->message, sizeof(r->message), "%.*s", OOMTRACE_MSG_LEN - 1,
			 oom->message);
	else if (classified && (src->stack & STACK_MEMCG))
		/* the only message out_of_memory() gives a memcg OOM */
		snprintf(r->message, sizeof(r->message), "Memory cgroup out of memory");
	else
		r->unknown |= RF_BIT(RF_MESSAGE);
}

static void memcg_counter(struct memcg_counter *c, const struct oomtrace_counter *raw,
			  const struct record_env *env)
{
	c->usage_kb = raw->usage * env->page_kb;
	c->limit_kb = raw->max * env->page_kb;
	c->failcnt = raw->failcnt;
}

/*
 * The OOM domain: oc->memcg where out_of_memory() was hooked; else, for a
 * memcg OOM (by the stack), the memcg the kernel side found holding the
 * memcg OOM lock: derived. A global OOM has none, and that is known.
 */
static void build_domain(struct oom_record *r, const struct record_env *env,
			 const struct record_src *src)
{
	const struct oomtrace_oom *oom = &src->raw->oom;
	struct memcg_memory *m = &r->oom_memcg_memory;

	if (oom->flags & OOMTRACE_OOM_ENTRY) {
		/* known; empty for a global OOM */
	} else if (!record_has(r, RF_CONSTRAINT) || r->constraint != CONSTRAINT_MEMCG) {
		if (!record_has(r, RF_CONSTRAINT))
			r->unknown |= RF_DOMAIN | RF_STAT;
		return;
	} else if (oom->flags & OOMTRACE_OOM_LOCKED_MEMCG) {
		r->derived |= RF_DOMAIN;
	} else {
		r->unknown |= RF_DOMAIN | RF_STAT;
		return;
	}
	if (!oom->memcg_set)
		return;
	cgpath_format(&oom->memcg, r->oom_memcg, sizeof(r->oom_memcg));
	if (oom->flags & OOMTRACE_OOM_STAT)
		memcg_stat_build(&r->oom_memcg_stat, &oom->stat, env);
	else
		r->unknown |= RF_STAT;
	if ((oom->flags & OOMTRACE_OOM_STAT) && !oom->stat.events_read)
		r->unknown |= RF_BIT(RF_OOM_MEMCG_STAT_EVENTS);
	if (!(oom->flags & OOMTRACE_OOM_MEM))
		r->unknown |= RF_BIT(RF_OOM_MEMCG_MEMORY);
	/* what could not be read was not derived either */
	r->derived &= ~r->unknown;
	if (!(oom->flags & OOMTRACE_OOM_MEM))
		return;
	m->v1 = env->memcg_v1;
	memcg_counter(&m->memory, &oom->mem.memory, env);
	memcg_counter(&m->swap, &oom->mem.swap, env);
	m->has_kmem = env->memcg_v1 && oom->mem.has_kmem;
	if (m->has_kmem)
		memcg_counter(&m->kmem, &oom->mem.kmem, env);
}

const char *mem_item_name(enum oomtrace_mem_item i)
{
	static const char *const names[OOMTRACE_NR_MEM_ITEMS] = {
		[OOMTRACE_MEM_ACTIVE_ANON] = "active_anon",
		[OOMTRACE_MEM_INACTIVE_ANON] = "inactive_anon",
		[OOMTRACE_MEM_ISOLATED_ANON] = "isolated_anon",
		[OOMTRACE_MEM_ACTIVE_FILE] = "active_file",
		[OOMTRACE_MEM_INACTIVE_FILE] = "inactive_file",
		[OOMTRACE_MEM_ISOLATED_FILE] = "isolated_file",
		[OOMTRACE_MEM_UNEVICTABLE] = "unevictable",
		[OOMTRACE_MEM_DIRTY] = "dirty",
		[OOMTRACE_MEM_WRITEBACK] = "writeback",
		[OOMTRACE_MEM_SLAB_RECLAIMABLE] = "slab_reclaimable",
		[OOMTRACE_MEM_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
		[OOMTRACE_MEM_MAPPED] = "mapped",
		[OOMTRACE_MEM_SHMEM] = "shmem",
		[OOMTRACE_MEM_PAGETABLES] = "pagetables",
		[OOMTRACE_MEM_BOUNCE] = "bounce",
		[OOMTRACE_MEM_FREE] = "free",
		[OOMTRACE_MEM_FREE_CMA] = "free_cma",
	};

	return i < OOMTRACE_NR_MEM_ITEMS ? names[i] : "unknown";
}

/*
 * The system's memory, for every OOM but a memcg one (whose report prints
 * the memcg's instead): the kernel side reads it unless it saw oc->memcg.
 * Without a constraint nobody knows which report it is.
 */
static void build_mem_info(struct oom_record *r, const struct oomtrace_mem_info *raw)
{
	struct mem_info *m = &r->mem_info;
	unsigned int n;

	if (!record_has(r, RF_CONSTRAINT) || !(raw->flags & OOMTRACE_MEM_READ)) {
		if (record_has(r, RF_MEM_INFO))
			r->unknown |= RF_BIT(RF_MEM_INFO) | RF_BIT(RF_MEM_INFO_NODES);
		return;
	}
	if (r->constraint == CONSTRAINT_MEMCG)
		return;
	memcpy(m->item, raw->item, sizeof(m->item));
	m->has_bounce = !!(raw->flags & OOMTRACE_MEM_HAS_BOUNCE);
	if (!(raw->flags & OOMTRACE_MEM_NODES)) {
		r->unknown |= RF_BIT(RF_MEM_INFO_NODES);
		return;
	}
	for (n = 0; n < OOMTRACE_MAX_NODES; n++) {
		if (!(raw->node_mask & (1ULL << n)))
			continue;
		m->nodes[m->nr_nodes].node = n;
		m->nodes[m->nr_nodes++].free = raw->node_free[n];
	}
}

#define ALLOCATING_TASK "oom_kill_allocating_task"

/* What out_of_memory() and oom_kill_process() saw, where they were hooked. */
static void build_oom(struct oom_record *r, const struct record_env *env,
		      const struct record_src *src)
{
	const struct oomtrace_victim_rec *raw = src->raw;
	const struct oomtrace_oom *oom = &raw->oom;

	if (oom->flags & OOMTRACE_OOM_ENTRY) {
		r->gfp_mask = oom->gfp_mask;
		if (env->gfp)
			gfp_format(env->gfp, oom->gfp_mask, r->gfp_flags, sizeof(r->gfp_flags));
		else
			snprintf(r->gfp_flags, sizeof(r->gfp_flags), "%#x", oom->gfp_mask);
		r->order = oom->order;
	} else {
		r->unknown |= RF_GFP;
	}
	build_domain(r, env, src);

	if (!(oom->flags & OOMTRACE_OOM_KILL)) {
		r->unknown |= RF_KILL;
	} else {
		r->totalpages = oom->totalpages;
		r->points = oom->points;
		r->oom_score = oom_score(oom->points, oom->totalpages);
		/*
		 * chosen_points belong to the task select_bad_process() chose:
		 * not to the other members of a group kill, and not to anyone
		 * when oom_kill_allocating_task skipped the selection (the
		 * kernel passes this message on that path only).
		 */
		if (raw->victim.pid != oom->chosen_pid ||
		    memmem(oom->message, strnlen(oom->message, OOMTRACE_MSG_LEN),
			   ALLOCATING_TASK, strlen(ALLOCATING_TASK)))
			r->unknown |= RF_POINTS;
	}

	if (src->end)
		r->duration_us = src->end->duration_ns / 1000;
	else
		r->unknown |= RF_BIT(RF_DURATION);
}

/* Highest first; an equal score goes to the later task, as the kernel's does. */
static int cand_cmp(const void *a, const void *b)
{
	const struct record_cand *x = a, *y = b;

	if (x->points != y->points)
		return x->points < y->points ? 1 : -1;
	return x->order < y->order ? 1 : x->order > y->order ? -1 : 0;
}

static unsigned int build_cands(struct record_cand *out, const struct oomtrace_cand *raw,
				__u32 nr, int skipped)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr && i < OOMTRACE_MAX_CANDIDATES; i++) {
		struct record_cand *c = &out[n];

		/* a reason this build does not know is not rendered as another */
		if (skipped && raw[i].reason >= OOMTRACE_NR_SKIPS)
			continue;
		c->pid = raw[i].pid;
		c->uid = raw[i].uid;
		memcpy(c->comm, raw[i].comm, OOMTRACE_COMM_LEN);
		c->comm[OOMTRACE_COMM_LEN] = '\0';
		c->oom_score_adj = raw[i].oom_score_adj;
		c->points = raw[i].points;
		c->order = raw[i].order;
		c->reason = skipped ? raw[i].reason : 0;
		c->rss_pages = raw[i].rss;
		c->swapents = raw[i].swapents;
		c->pgtables_bytes = raw[i].pgtables_bytes;
		n++;
	}
	qsort(out, n, sizeof(*out), cand_cmp);
	return n;
}

/*
 * The tasks oom_evaluate_task() met in this episode. They are the ranking
 * the chosen task won; another member of a group kill won none.
 */
static void build_ranking(struct oom_record *r, const struct oomtrace_victim_rec *raw)
{
	const struct oomtrace_ranking *rk = &raw->oom.ranking;

	if (!(raw->oom.flags & OOMTRACE_OOM_RANKED) ||
	    ((raw->oom.flags & OOMTRACE_OOM_KILL) && raw->victim.pid != raw->oom.chosen_pid)) {
		r->unknown |= RF_RANKING;
		return;
	}
	r->nr_candidates = build_cands(r->candidates, rk->cands, rk->nr_cands, 0);
	r->candidates_scored = rk->scored;
	memcpy(r->skip_counts, rk->skips, sizeof(r->skip_counts));
	r->nr_skipped = build_cands(r->skipped, rk->skipped, rk->nr_skipped, 1);
}

static void build_victim_mm(struct oom_record *r, const struct record_env *env,
			    const struct oomtrace_victim_rec *raw)
{
	if (!(raw->flags & OOMTRACE_VICTIM_MM)) {
		r->unknown |= RF_VICTIM_MM;
		return;
	}
	r->total_vm_kb = raw->total_vm * env->page_kb;
	r->anon_rss_kb = raw->anon_rss * env->page_kb;
	r->file_rss_kb = raw->file_rss * env->page_kb;
	r->shmem_rss_kb = raw->shmem_rss * env->page_kb;
	r->swap_kb = raw->swap * env->page_kb;
	r->pgtables_kb = raw->pgtables_bytes >> 10;
}

static void build_stalls(struct reclaim_stalls *s, const struct oomtrace_stalls *raw)
{
	s->count = raw->count;
	s->total_us = raw->total_ns / 1000;
	s->max_us = raw->max_ns / 1000;
	s->reclaimed_pages = raw->reclaimed;
	s->scanned_pages = raw->scanned;
}

/*
 * The sums are the domain's the kernel side found: kept only when that is
 * the record's domain (a memcg OOM whose memcg tracepoint mode could not
 * find is summed as the system's).
 */
static void build_reclaim(struct oom_record *r, const struct record_env *env,
			  const struct oomtrace_victim_rec *raw)
{
	const struct oomtrace_reclaim_sum *rs = &raw->oom.reclaim;
	struct record_reclaim *rc = &r->reclaim;
	__u64 from;

	if (!(raw->oom.flags & OOMTRACE_OOM_RECLAIM)) {
		if (env->reclaim_lost) {
			rc->on = 1;
			r->unknown |= RF_BIT(RF_RECLAIM) | RF_BIT(RF_RECLAIM_PSI);
		}
		return;
	}
	rc->on = 1;
	if ((r->unknown & RF_BIT(RF_OOM_MEMCG)) || record_has(r, RF_OOM_MEMCG) != !!rs->domain) {
		r->unknown |= RF_BIT(RF_RECLAIM) | RF_BIT(RF_RECLAIM_PSI);
		return;
	}
	/* nothing before the kernel side began is in the sums */
	from = raw->hdr.ts_ns > rs->span_ns ? raw->hdr.ts_ns - rs->span_ns : 0;
	if (env->since_ns > from && env->since_ns < raw->hdr.ts_ns)
		from = env->since_ns;
	rc->window_us = (raw->hdr.ts_ns - from) / 1000;
	build_stalls(&rc->direct, &rs->sum.direct);
	build_stalls(&rc->memcg, &rs->sum.memcg);
	rc->kswapd_wakes = rs->sum.kswapd_wakes;
	rc->retries = rs->sum.retries;
	rc->compact_retries = rs->sum.compact_retries;
	if (!env->read_psi || env->read_psi(r->oom_memcg, &rc->psi))
		r->unknown |= RF_BIT(RF_RECLAIM_PSI);
}

void record_build(struct oom_record *r, const struct record_env *env,
		  const struct record_src *src)
{
	const struct oomtrace_victim_rec *raw = src->raw;

	memset(r, 0, sizeof(*r));
	r->seq = raw->seq;
	r->episode = src->episode;
	/* in unsigned arithmetic: a corrupt stamp gives a wrong time, not UB */
	r->time_ns = (int64_t)(raw->hdr.ts_ns + (__u64)env->boot_to_unix_ns);
	r->mode = src->mode;

	build_verdict(r, env, src);
	build_oom(r, env, src);
	build_task(&r->trigger, &raw->trigger);
	build_task(&r->victim, &raw->victim);
	if (!(raw->flags & OOMTRACE_VICTIM_TASK)) {
		/* only the tid came from the tracepoint itself */
		struct record_task *v = &r->victim;

		memset(v, 0, sizeof(*v));
		v->tid = raw->victim.tid;
		r->unknown |= RF_VICTIM_TASK;
	}
	build_mem_info(r, &raw->mem_info);
	build_victim_mm(r, env, raw);
	build_ranking(r, raw);
	build_stack(r, env, raw);
	if (record_has(r, RF_VICTIM_MEMCG))
		container_parse(r->victim.memcg, &r->victim_id);
	if (record_has(r, RF_OOM_MEMCG))
		container_parse(r->oom_memcg, &r->oom_memcg_id);
	build_reclaim(r, env, raw);
}

const char *reaper_name(enum reaper_outcome reaper)
{
	static const char *const names[] = {
		[REAPER_NOT_NEEDED] = "not_needed",
		[REAPER_SKIPPED] = "skipped",
		[REAPER_REAPED] = "reaped",
	};

	return names[reaper];
}

static __u64 since_kill_us(const struct oomtrace_reap_rec *raw, __u64 ns)
{
	return ns > raw->kill_ns ? (ns - raw->kill_ns) / 1000 : 0;
}

void reap_build(struct reap_record *r, const struct record_env *env,
		const struct oomtrace_reap_rec *raw)
{
	memset(r, 0, sizeof(*r));
	r->seq = raw->seq;
	r->time_ns = (int64_t)(raw->hdr.ts_ns + (__u64)env->boot_to_unix_ns);
	r->pid = raw->pid;
	r->tid = raw->tid;
	memcpy(r->comm, raw->comm, OOMTRACE_COMM_LEN);
	r->attempts = raw->attempts;
	r->skips = raw->skips;
	r->woken = raw->wake_ns != 0;
	r->wake_us = since_kill_us(raw, raw->wake_ns);
	r->exit_us = since_kill_us(raw, raw->hdr.ts_ns);
	if (raw->finish_ns) {
		r->reaper = REAPER_REAPED;
		r->reaped_us = since_kill_us(raw, raw->finish_ns);
		r->anon_rss_kb = raw->anon_rss * env->page_kb;
		r->file_rss_kb = raw->file_rss * env->page_kb;
		r->shmem_rss_kb = raw->shmem_rss * env->page_kb;
	} else {
		r->reaper = raw->skips ? REAPER_SKIPPED : REAPER_NOT_NEEDED;
	}
}
