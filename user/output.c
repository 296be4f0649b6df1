// SPDX-License-Identifier: GPL-2.0
/* What every format shares, and the choice between them. */
#include <stdio.h>
#include "kallsyms.h"
#include "output.h"
#include "timefmt.h"

void output_time(const struct output *o, uint64_t boot_ns, char *buf, size_t len)
{
	fmt_rfc3339_us(buf, len, (int64_t)boot_ns + o->boot_to_unix_ns);
}

void output_ksym(const struct output *o, uint64_t addr, char *buf, size_t len)
{
	const struct ksym *sym = o->ks ? ksyms_find(o->ks, addr) : NULL;

	if (sym)
		snprintf(buf, len, "%s+%#llx", sym->name,
			 (unsigned long long)(addr - sym->addr));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)addr);
}

/* The frames above mark_oom_victim() belong to BPF and the tracepoint. */
int output_stack_skip(const struct output *o, const struct oomtrace_victim_rec *r)
{
	int i, n = rec_stack_depth(r);

	for (i = 0; o->ks && i < n; i++) {
		const struct ksym *sym = ksyms_find(o->ks, r->stack[i]);

		if (sym && ksym_is(sym->name, "mark_oom_victim"))
			return i;
	}
	return 0;
}

void output_event(const struct output *o, const struct oom_event *ev)
{
	if (o->json) {
		output_json_event(o, ev);
		fflush(o->f);
	} else {
		output_text_event(o, ev);
	}
}

void output_lost(const struct output *o, uint64_t count, uint64_t total,
		 uint64_t now_ns)
{
	char t[64];

	if (o->json) {
		output_json_lost(o, count, total, now_ns);
		fflush(o->f);
		return;
	}
	output_time(o, now_ns, t, sizeof(t));
	fprintf(o->f, "%s lost %llu records (ring buffer full; %llu in all)\n", t,
		(unsigned long long)count, (unsigned long long)total);
	fflush(o->f);
}

void output_summary(const struct output *o, const struct summary *s)
{
	if (o->json) {
		output_json_summary(o, s);
		fflush(o->f);
	}
	fprintf(stderr, "oomtrace: %llu records, %llu filtered out, %llu lost; "
		"%llu OOM episodes (%llu without a victim, %llu incomplete)\n",
		(unsigned long long)s->records, (unsigned long long)s->filtered,
		(unsigned long long)s->lost, (unsigned long long)s->episodes,
		(unsigned long long)s->no_victim, (unsigned long long)s->incomplete);
}
