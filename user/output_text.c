// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "cgroup.h"
#include "gfp.h"
#include "output.h"

/* Names come from users: quote them, escape what a terminal would not show. */
static void text_quoted(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (isprint(c))
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('"', f);
}

static void text_task(FILE *f, const struct oomtrace_task *t, int known)
{
	char path[CGPATH_MAX];

	if (!known) {
		fprintf(f, "pid=- tid=%u comm=- uid=- memcg=- oom_score_adj=-", t->tid);
		return;
	}
	cgpath_format(&t->memcg, path, sizeof(path));
	fprintf(f, "pid=%u tid=%u comm=", t->pid, t->tid);
	text_quoted(f, t->comm, sizeof(t->comm));
	fprintf(f, " uid=%u memcg=", t->uid);
	text_quoted(f, path, sizeof(path));
	fprintf(f, " oom_score_adj=%d", t->oom_score_adj);
}

void output_text_event(const struct output *o, const struct oom_event *ev)
{
	const struct oomtrace_victim_rec *r = &ev->rec;
	const struct oomtrace_oom *oom = &r->oom;
	char buf[CGPATH_MAX];
	FILE *f = o->f;
	unsigned int i;
	int n;

	output_time(o, r->hdr.ts_ns, buf, sizeof(buf));
	fprintf(f, "%s oom_kill seq=%llu episode=%llu mode=%s outcome=%s constraint=%s\n",
		buf, (unsigned long long)r->seq, (unsigned long long)ev->episode,
		mode_name(ev->mode),
		ev->missing & MISS_OUTCOME ? "-" : outcome_name(ev->outcome),
		ev->missing & MISS_CONSTRAINT ? "-" : constraint_name(ev->constraint));
	fprintf(f, "  message: %s\n", ev->message ? ev->message : "-");

	fputs("  victim:  ", f);
	text_task(f, &r->victim, !(ev->missing & MISS_VICTIM));
	if (ev->missing & (MISS_KILL | MISS_POINTS))
		fputs(" points=- oom_score=-\n", f);
	else
		fprintf(f, " points=%lld oom_score=%llu\n", (long long)oom->points,
			(unsigned long long)oom_score(oom->points, oom->totalpages));
	if (!(ev->missing & MISS_VICTIM_MM))
		fprintf(f, "           total_vm=%llukB anon_rss=%llukB file_rss=%llukB "
			"shmem_rss=%llukB swap=%llukB pgtables=%llukB\n",
			(unsigned long long)(r->total_vm * o->page_kb),
			(unsigned long long)(r->anon_rss * o->page_kb),
			(unsigned long long)(r->file_rss * o->page_kb),
			(unsigned long long)(r->shmem_rss * o->page_kb),
			(unsigned long long)(r->swap * o->page_kb),
			(unsigned long long)(r->pgtables_bytes >> 10));
	fputs("  trigger: ", f);
	text_task(f, &r->trigger, 1);
	fputc('\n', f);

	if (!(ev->missing & MISS_GFP)) {
		gfp_format(o->gfp, oom->gfp_mask, buf, sizeof(buf));
		fprintf(f, "  oom:     gfp_mask=0x%x(%s) order=%d", oom->gfp_mask, buf,
			oom->order);
		if (!(ev->missing & MISS_KILL))
			fprintf(f, " totalpages=%llu", (unsigned long long)oom->totalpages);
		cgpath_format(&oom->memcg, buf, sizeof(buf));
		fputs(" oom_memcg=", f);
		if (oom->memcg_set)
			text_quoted(f, buf, sizeof(buf));
		else
			fputc('-', f);
		if (!(ev->missing & MISS_DURATION))
			fprintf(f, " duration=%lluus",
				(unsigned long long)(ev->duration_ns / 1000));
		fputc('\n', f);
	}
	if (ev->missing) {
		fputs("  missing:", f);
		for (i = 0; i < nr_missing_fields; i++)
			if (ev->missing & missing_fields[i].bit)
				fprintf(f, " %s", missing_fields[i].name);
		fputc('\n', f);
	}
	n = rec_stack_depth(r);
	if (n > 0) {
		fputs("  stack:\n", f);
		for (i = output_stack_skip(o, r); (int)i < n; i++) {
			output_ksym(o, r->stack[i], buf, sizeof(buf));
			fprintf(f, "    %s\n", buf);
		}
	}
	fflush(f);
}
