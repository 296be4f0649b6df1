// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "episode.h"

#define LAST_TRIGGERS 64

struct pending {
	struct pending *next;
	__u64 kernel_id;
	struct oomtrace_victim_rec *victims;
	size_t nr, cap;
	int have_end;
	struct oomtrace_end_rec end;
	__u64 last_ns;
};

struct episodes {
	enum oom_mode mode;
	const struct record_env *env;
	struct oom_record out;	/* too big for the stack of every caller */
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

struct episodes *episodes_new(enum oom_mode mode, const struct record_env *env,
			      episode_emit_fn emit, void *ctx)
{
	struct episodes *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->mode = mode;
	e->env = env;
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

static void emit(struct episodes *e, const struct oomtrace_victim_rec *raw,
		 __u64 episode, const struct oomtrace_end_rec *end, unsigned int stack)
{
	struct record_src src = {
		.mode = e->mode, .episode = episode, .raw = raw, .end = end, .stack = stack,
	};

	record_build(&e->out, e->env, &src);
	e->emit(&e->out, e->ctx);
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
	for (i = 0; i < p->nr; i++)
		emit(e, &p->victims[i], episode, p->have_end ? &p->end : NULL,
		     stack_classify(e->env, &p->victims[i]));
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
	struct oomtrace_victim_rec *v;
	struct pending *p;

	if (!r->hdr.episode) {
		unsigned int stack = stack_classify(e->env, r);

		emit(e, r, episode_by_stack(e, r, stack), NULL, stack);
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
	p->victims[p->nr++] = *r;
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

int episodes_add_bytes(struct episodes *e, const void *buf, size_t size, __u64 now_ns)
{
	const struct oomtrace_hdr *hdr = buf;

	if (size < sizeof(*hdr) || hdr->size > size)
		return -EINVAL;
	if (hdr->type == OOMTRACE_REC_VICTIM && size >= sizeof(struct oomtrace_victim_rec))
		episodes_add_victim(e, buf, now_ns);
	else if (hdr->type == OOMTRACE_REC_END && size >= sizeof(struct oomtrace_end_rec))
		episodes_add_end(e, buf, now_ns);
	return 0;
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
