// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "episode.h"
#include "kallsyms.h"

/* What the trigger's kernel stack at oom:mark_victim shows. */
enum {
	STACK_KILL = 1 << 0,	/* __oom_kill_process(): a kill, not a shortcut */
	STACK_GROUP = 1 << 1,	/* oom_kill_memcg_member(): memory.oom.group */
	STACK_MEMCG = 1 << 2,	/* mem_cgroup_out_of_memory(): a memcg OOM */
};

#define LAST_TRIGGERS 64

struct pending {
	struct pending *next;
	__u64 kernel_id;
	struct oom_event *victims;
	size_t nr, cap;
	int have_end;
	struct oomtrace_end_rec end;
	__u64 last_ns;
};

struct episodes {
	enum oom_mode mode;
	const struct ksyms *ks;
	int kill_frame;		/* __oom_kill_process() can show on a stack */
	episode_emit_fn emit;
	void *ctx;
	struct pending *pending;
	__u64 next_episode;
	struct episode_stats stats;
	/* tracepoint mode: the last episode each trigger opened */
	struct {
		__u32 tid;
		__u64 episode;
	} last[LAST_TRIGGERS];
	unsigned int last_pos;
};

struct episodes *episodes_new(enum oom_mode mode, const struct ksyms *ks,
			      episode_emit_fn emit, void *ctx)
{
	struct episodes *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->mode = mode;
	e->ks = ks;
	/* a build that inlines it would make every kill look like a shortcut */
	e->kill_frame = ks && ksyms_func(ks, "__oom_kill_process");
	e->emit = emit;
	e->ctx = ctx;
	return e;
}

static void free_pending(struct pending *p)
{
	free(p->victims);
	free(p);
}

void episodes_free(struct episodes *e)
{
	struct pending *p, *next;

	if (!e)
		return;
	for (p = e->pending; p; p = next) {
		next = p->next;
		free_pending(p);
	}
	free(e);
}

/* Once per victim: both the record and tracepoint episodes need it. */
static unsigned int classify_stack(const struct episodes *e,
				   const struct oomtrace_victim_rec *r)
{
	unsigned int flags = 0;
	int i, n = e->ks ? rec_stack_depth(r) : 0;

	for (i = 0; i < n; i++) {
		const struct ksym *sym = ksyms_find(e->ks, r->stack[i]);

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

/* Fill in what the raw record implies, and name what it cannot. */
static void finish(const struct episodes *e, struct oom_event *ev, __u64 episode,
		   const struct oomtrace_end_rec *end, unsigned int stack)
{
	const struct oomtrace_victim_rec *r = &ev->rec;
	const struct oomtrace_oom *oom = &r->oom;
	int classified = e->ks && rec_stack_depth(r);
	int told = classified && e->kill_frame;	/* killed or exiting */

	ev->episode = episode;
	ev->mode = e->mode;
	ev->missing = 0;
	ev->message = NULL;
	ev->constraint = OOMTRACE_CONSTRAINT_NONE;
	ev->duration_ns = 0;

	if (!rec_stack_depth(r))
		ev->missing |= MISS_STACK;
	if (told)
		ev->outcome = stack & STACK_KILL ? OUTCOME_KILLED : OUTCOME_EXITING;
	else
		ev->missing |= MISS_OUTCOME;

	if (oom->flags & OOMTRACE_OOM_KILL)
		ev->constraint = oom->constraint;
	else if (e->mode == MODE_TRACEPOINT && classified)
		ev->constraint = stack & STACK_MEMCG ? OOMTRACE_CONSTRAINT_MEMCG :
						       CONSTRAINT_GLOBAL;
	else
		ev->missing |= MISS_CONSTRAINT;

	/* A shortcut on an exiting task kills nothing and prints nothing. */
	if (!told || ev->outcome == OUTCOME_KILLED) {
		if (oom->flags & OOMTRACE_OOM_KILL)
			ev->message = oom->message;
		else if (classified && (stack & STACK_MEMCG))
			/* the only message out_of_memory() gives a memcg OOM */
			ev->message = "Memory cgroup out of memory";
		else
			ev->missing |= MISS_MESSAGE;
	}

	if (!(oom->flags & OOMTRACE_OOM_ENTRY))
		ev->missing |= MISS_GFP | MISS_OOM_MEMCG;
	if (!(oom->flags & OOMTRACE_OOM_KILL))
		ev->missing |= MISS_KILL;
	/*
	 * chosen_points belong to the task select_bad_process() chose: not to
	 * the other members of a group kill, and not to anyone when
	 * oom_kill_allocating_task skipped the selection (the kernel passes
	 * this message on that path only).
	 */
	else if (r->victim.pid != oom->chosen_pid ||
		 strstr(oom->message, "oom_kill_allocating_task"))
		ev->missing |= MISS_POINTS;
	if (end)
		ev->duration_ns = end->duration_ns;
	else
		ev->missing |= MISS_DURATION;
	if (!(r->flags & OOMTRACE_VICTIM_TASK))
		ev->missing |= MISS_VICTIM;
	if (!(r->flags & OOMTRACE_VICTIM_MM))
		ev->missing |= MISS_VICTIM_MM;
}

static __u64 new_episode(struct episodes *e)
{
	e->stats.episodes++;
	return ++e->next_episode;
}

/* Tracepoint mode sees no out_of_memory() boundary: a victim opens a new
 * episode unless the stack shows it is a further member of the group kill
 * its trigger is running. */
static __u64 episode_by_stack(struct episodes *e, const struct oomtrace_victim_rec *r,
			      unsigned int stack)
{
	int group = stack & STACK_GROUP;
	__u32 tid = r->trigger.tid;
	unsigned int i;

	for (i = 0; i < LAST_TRIGGERS; i++) {
		if (e->last[i].episode && e->last[i].tid == tid) {
			if (!group)
				e->last[i].episode = new_episode(e);
			return e->last[i].episode;
		}
	}
	i = e->last_pos++ % LAST_TRIGGERS;
	e->last[i].tid = tid;
	e->last[i].episode = new_episode(e);
	return e->last[i].episode;
}

static struct pending *find_pending(struct episodes *e, __u64 id)
{
	struct pending *p, **pp;

	for (p = e->pending; p; p = p->next)
		if (p->kernel_id == id)
			return p;
	p = calloc(1, sizeof(*p));
	if (!p) {
		e->stats.nomem++;
		return NULL;
	}
	p->kernel_id = id;
	/* at the tail: a flush emits episodes in the order they began */
	for (pp = &e->pending; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	return p;
}

static void emit_pending(struct episodes *e, struct pending *p)
{
	struct pending **pp;
	__u64 episode = 0;
	size_t i;

	/* number only episodes that have a victim to print */
	if (p->nr)
		episode = new_episode(e);
	if (!p->have_end || p->nr < p->end.victims)
		e->stats.incomplete++;
	if (p->have_end && !p->end.victims) {
		e->stats.episodes++;
		e->stats.no_victim++;
	}
	for (i = 0; i < p->nr; i++) {
		finish(e, &p->victims[i], episode, p->have_end ? &p->end : NULL,
		       classify_stack(e, &p->victims[i].rec));
		e->emit(&p->victims[i], e->ctx);
	}
	for (pp = &e->pending; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	free_pending(p);
}

static void maybe_emit(struct episodes *e, struct pending *p)
{
	if (p->have_end && p->nr >= p->end.victims)
		emit_pending(e, p);
}

void episodes_add_victim(struct episodes *e, const struct oomtrace_victim_rec *r,
			 __u64 now_ns)
{
	struct oom_event ev, *v;
	struct pending *p;

	if (!r->hdr.episode) {
		unsigned int stack = classify_stack(e, r);

		ev.rec = *r;
		finish(e, &ev, episode_by_stack(e, r, stack), NULL, stack);
		e->emit(&ev, e->ctx);
		return;
	}
	p = find_pending(e, r->hdr.episode);
	if (!p)
		return;
	if (p->nr == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 4;

		v = realloc(p->victims, cap * sizeof(*v));
		if (!v) {
			e->stats.nomem++;
			return;
		}
		p->victims = v;
		p->cap = cap;
	}
	p->victims[p->nr++].rec = *r;
	p->last_ns = now_ns;
	maybe_emit(e, p);
}

void episodes_add_end(struct episodes *e, const struct oomtrace_end_rec *r,
		      __u64 now_ns)
{
	struct pending *p = find_pending(e, r->hdr.episode);

	if (!p)
		return;
	p->end = *r;
	p->have_end = 1;
	p->last_ns = now_ns;
	maybe_emit(e, p);
}

void episodes_flush(struct episodes *e, __u64 now_ns, __u64 max_age_ns)
{
	struct pending *p, *next;

	for (p = e->pending; p; p = next) {
		next = p->next;
		if (!max_age_ns || now_ns - p->last_ns >= max_age_ns)
			emit_pending(e, p);
	}
}

const struct episode_stats *episodes_stats(const struct episodes *e)
{
	return &e->stats;
}
