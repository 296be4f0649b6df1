// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include "followup.h"

/* Kill records decide in about seq order: remember the last this many. */
#define DECIDED 1024

struct held {
	struct held *next;
	__u64 since_ns;
	struct oomtrace_reap_rec raw;
};

struct followups {
	followup_emit_fn emit;
	void *ctx;
	struct {
		__u64 seq;	/* 0: empty slot */
		int wanted;
	} decided[DECIDED];
	struct held *held;	/* oldest first */
	struct held **tail;	/* the last one's next, or &held */
	__u64 nomem;
};

struct followups *followups_new(followup_emit_fn emit, void *ctx)
{
	struct followups *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->emit = emit;
	f->ctx = ctx;
	f->tail = &f->held;
	return f;
}

void followups_free(struct followups *f)
{
	struct held *h, *next;

	if (!f)
		return;
	for (h = f->held; h; h = next) {
		next = h->next;
		free(h);
	}
	free(f);
}

/* 1 wanted, 0 not, -1 not decided (yet, or so long ago it was forgotten) */
static int verdict(const struct followups *f, __u64 seq)
{
	unsigned int i = seq % DECIDED;

	return f->decided[i].seq == seq ? f->decided[i].wanted : -1;
}

void followups_decided(struct followups *f, __u64 seq, int wanted)
{
	struct held **hp = &f->held, *h;
	unsigned int i = seq % DECIDED;

	f->decided[i].seq = seq;
	f->decided[i].wanted = wanted;
	while ((h = *hp)) {
		if (h->raw.seq != seq) {
			hp = &h->next;
			continue;
		}
		*hp = h->next;
		if (!*hp)
			f->tail = hp;
		if (wanted)
			f->emit(&h->raw, f->ctx);
		free(h);
	}
}

int followups_add_bytes(struct followups *f, const void *buf, size_t size, __u64 now_ns)
{
	const struct oomtrace_reap_rec *raw = buf;
	struct held *h;

	if (size < sizeof(*raw))
		return -EINVAL;
	switch (verdict(f, raw->seq)) {
	case 1:
		f->emit(raw, f->ctx);
		return 0;
	case 0:
		return 0;
	}
	h = malloc(sizeof(*h));
	if (!h) {
		f->nomem++;
		return 0;
	}
	h->next = NULL;
	h->since_ns = now_ns;
	h->raw = *raw;
	*f->tail = h;
	f->tail = &h->next;
	return 0;
}

void followups_flush(struct followups *f, __u64 now_ns, __u64 max_age_ns)
{
	struct held *h;

	while ((h = f->held) && (!max_age_ns || now_ns - h->since_ns >= max_age_ns)) {
		f->held = h->next;
		if (!f->held)
			f->tail = &f->held;
		f->emit(&h->raw, f->ctx);
		free(h);
	}
}

__u64 followups_nomem(const struct followups *f)
{
	return f->nomem;
}
