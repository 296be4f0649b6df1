// SPDX-License-Identifier: GPL-2.0
/* Readable text: a few lines per record, "-" for what is not known. */
#include <ctype.h>
#include "sink.h"
#include "timefmt.h"

/* Names come from users: quote them, escape what a terminal would not show. */
static void text_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (isprint(c))
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('"', f);
}

/* " key=", and "-" when the value is not known: the caller prints it. */
static int field(FILE *f, int known, const char *key)
{
	fprintf(f, " %s=", key);
	if (!known)
		fputc('-', f);
	return known;
}

static void text_task(FILE *f, const struct oom_record *r, const struct record_task *t)
{
	if (field(f, record_task_has(r, t, RF_VICTIM_PID), "pid"))
		fprintf(f, "%u", t->pid);
	fprintf(f, " tid=%u", t->tid);
	if (field(f, record_task_has(r, t, RF_VICTIM_COMM), "comm"))
		text_quoted(f, t->comm);
	if (field(f, record_task_has(r, t, RF_VICTIM_UID), "uid"))
		fprintf(f, "%u", t->uid);
	if (field(f, record_task_has(r, t, RF_VICTIM_MEMCG), "memcg"))
		text_quoted(f, t->memcg);
	if (field(f, record_task_has(r, t, RF_VICTIM_OOM_SCORE_ADJ), "oom_score_adj"))
		fprintf(f, "%d", t->oom_score_adj);
}

static int identity_says(const struct container_id *id)
{
	return id->runtime != CTR_NONE || id->pod_uid[0] || id->unit[0];
}

/* " what: runtime=... pod_uid=...": the parts the path says. */
static void text_identity(FILE *f, const char *what, const struct container_id *id)
{
	const char *runtime = ctr_runtime_name(id->runtime), *qos = pod_qos_name(id->qos);

	fprintf(f, " %s:", what);
	if (runtime)
		fprintf(f, " runtime=%s", runtime);
	if (id->pod_uid[0])
		fprintf(f, " pod_uid=%s", id->pod_uid);
	if (id->container_id[0])
		fprintf(f, " container_id=%s", id->container_id);
	if (qos)
		fprintf(f, " qos=%s", qos);
	if (id->unit[0]) {
		fputs(" unit=", f);
		text_quoted(f, id->unit);
	}
}

static void text_kb(FILE *f, const struct oom_record *r, enum record_field rf,
		    const char *key, __u64 kb)
{
	if (field(f, record_has(r, rf), key))
		fprintf(f, "%llukB", (unsigned long long)kb);
}

static void text_counter(FILE *f, const char *what, const struct memcg_counter *c)
{
	fprintf(f, " %s: usage=%llukB limit=%llukB failcnt=%llu", what,
		(unsigned long long)c->usage_kb, (unsigned long long)c->limit_kb,
		(unsigned long long)c->failcnt);
}

static void text_fields(FILE *f, const char *what, __u64 bits)
{
	unsigned int i;

	if (!bits)
		return;
	fprintf(f, "  %s:", what);
	for (i = 0; i < NR_RECORD_FIELDS; i++)
		if (bits & RF_BIT(i))
			fprintf(f, " %s", record_field_name(i));
	fputc('\n', f);
}

/*
 * Two lines at most: the ranking ("N scored:" then the top, highest
 * first), and what was skipped (counts by reason, then the largest, with
 * their size in pages).
 */
static void text_ranking(FILE *f, const struct oom_record *r)
{
	unsigned int i, any = 0;

	if (!record_has(r, RF_CANDIDATES))
		return;
	fprintf(f, "  candidates: %u scored", r->candidates_scored);
	for (i = 0; i < r->nr_candidates; i++) {
		const struct record_cand *c = &r->candidates[i];

		fprintf(f, "%s %u ", i ? ";" : ":", c->pid);
		text_quoted(f, c->comm);
		fprintf(f, " points=%lld adj=%d", (long long)c->points, c->oom_score_adj);
	}
	fputc('\n', f);
	for (i = 0; i < OOMTRACE_NR_SKIPS; i++) {
		if (!r->skip_counts[i])
			continue;
		fprintf(f, "%s %s=%u", any ? "" : "  skipped:", skip_name(i), r->skip_counts[i]);
		any = 1;
	}
	for (i = 0; i < r->nr_skipped; i++) {
		const struct record_cand *c = &r->skipped[i];

		fprintf(f, "%s %u ", i ? ";" : ":", c->pid);
		text_quoted(f, c->comm);
		fprintf(f, " %s pages=%lld", skip_name(c->reason), (long long)c->points);
	}
	if (any)
		fputc('\n', f);
}

#define STAT_TOP 6

/* The memory.stat items that hold the most bytes, largest first, on one
 * line. Left out are those that only split others again (the LRU lists,
 * the *_thp parts, file_mapped, the two slab parts of "slab"). Then the
 * pages reclaim scanned and stole, and the major faults. */
static void text_memcg_stat(FILE *f, const struct memcg_stat *m)
{
	static const unsigned int shown[] = {
		OOMTRACE_STAT_ANON, OOMTRACE_STAT_FILE, OOMTRACE_STAT_KERNEL,
		OOMTRACE_STAT_SHMEM, OOMTRACE_STAT_SOCK, OOMTRACE_STAT_PERCPU,
		OOMTRACE_STAT_VMALLOC, OOMTRACE_STAT_ZSWAP, OOMTRACE_STAT_FILE_DIRTY,
		OOMTRACE_STAT_FILE_WRITEBACK, OOMTRACE_STAT_SWAPCACHED,
		MEMCG_STAT_SLAB, OOMTRACE_STAT_KERNEL_STACK, OOMTRACE_STAT_PAGETABLES,
	};
	static const unsigned int events[] = {
		MEMCG_EVENT_PGSCAN, MEMCG_EVENT_PGSTEAL, OOMTRACE_EV_PGMAJFAULT,
	};
	unsigned int nshown = sizeof(shown) / sizeof(shown[0]);
	unsigned int top[STAT_TOP], n, i;
	__u64 taken = 0;

	for (n = 0; n < STAT_TOP; n++) {
		unsigned int best = NR_MEMCG_STATS;

		for (i = 0; i < nshown; i++) {
			unsigned int item = shown[i];

			if (!(m->present & 1ULL << item) || !m->val[item] ||
			    taken & 1ULL << item)
				continue;
			if (best == NR_MEMCG_STATS || m->val[item] > m->val[best])
				best = item;
		}
		if (best == NR_MEMCG_STATS)
			break;
		taken |= 1ULL << best;
		top[n] = best;
	}
	fputs("  oom_memcg_stat:", f);
	for (i = 0; i < n; i++)
		fprintf(f, " %s=%llukB", memcg_stat_name(top[i], NULL),
			(unsigned long long)(m->val[top[i]] >> 10));
	if (!n)
		fputs(" empty", f);
	/* how hard reclaim worked before the kill, and the faults that waited on I/O */
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (m->ev_present & 1ULL << events[i])
			fprintf(f, " %s=%llu", memcg_event_name(events[i]),
				(unsigned long long)m->ev[events[i]]);
	fputc('\n', f);
}

static void text_stalls(FILE *f, const char *what, const struct reclaim_stalls *s)
{
	fprintf(f, " %s: stalls=%llu time=%lluus max=%lluus reclaimed=%llu scanned=%llu;", what,
		(unsigned long long)s->count, (unsigned long long)s->total_us,
		(unsigned long long)s->max_us, (unsigned long long)s->reclaimed_pages,
		(unsigned long long)s->scanned_pages);
}

/* One line: the stalls (count/time/longest/pages), the retries, the pressure. */
static void text_reclaim(FILE *f, const struct oom_record *r)
{
	const struct record_reclaim *rc = &r->reclaim;

	if (!record_has(r, RF_RECLAIM))
		return;
	fprintf(f, "  reclaim: window=%llus", (unsigned long long)(rc->window_us / 1000000));
	text_stalls(f, "direct", &rc->direct);
	text_stalls(f, "memcg", &rc->memcg);
	fprintf(f, " kswapd_wakeups=%llu retries=%llu compact_retries=%llu",
		(unsigned long long)rc->kswapd_wakes, (unsigned long long)rc->retries,
		(unsigned long long)rc->compact_retries);
	if (field(f, record_has(r, RF_RECLAIM_PSI), "psi"))
		fprintf(f, "%s some=%u.%02u/%u.%02u full=%u.%02u/%u.%02u",
			rc->psi.memcg ? "memcg" : "system",
			rc->psi.some.avg10 / 100, rc->psi.some.avg10 % 100,
			rc->psi.some.avg60 / 100, rc->psi.some.avg60 % 100,
			rc->psi.full.avg10 / 100, rc->psi.full.avg10 % 100,
			rc->psi.full.avg60 / 100, rc->psi.full.avg60 % 100);
	fputc('\n', f);
}

static int text_record(struct sink *s, const struct oom_record *r)
{
	char buf[256];
	FILE *f = line_sink_stream(s);
	int victim_id, oom_id;
	unsigned int i;

	timefmt_rfc3339_us(buf, sizeof(buf), r->time_ns);
	fprintf(f, "%s oom_kill seq=%llu episode=%llu mode=%s", buf,
		(unsigned long long)r->seq, (unsigned long long)r->episode,
		mode_name(r->mode));
	if (field(f, record_has(r, RF_OUTCOME), "outcome"))
		fputs(outcome_name(r->outcome), f);
	if (field(f, record_has(r, RF_CONSTRAINT), "constraint"))
		fputs(constraint_name(r->constraint), f);
	fprintf(f, "\n  message: %s\n", record_has(r, RF_MESSAGE) ? r->message : "-");

	fputs("  victim: ", f);
	text_task(f, r, &r->victim);
	if (field(f, record_has(r, RF_VICTIM_POINTS), "points"))
		fprintf(f, "%lld", (long long)r->points);
	if (field(f, record_has(r, RF_VICTIM_OOM_SCORE), "oom_score"))
		fprintf(f, "%llu", (unsigned long long)r->oom_score);
	fputs("\n          ", f);
	text_kb(f, r, RF_VICTIM_TOTAL_VM, "total_vm", r->total_vm_kb);
	text_kb(f, r, RF_VICTIM_ANON_RSS, "anon_rss", r->anon_rss_kb);
	text_kb(f, r, RF_VICTIM_FILE_RSS, "file_rss", r->file_rss_kb);
	text_kb(f, r, RF_VICTIM_SHMEM_RSS, "shmem_rss", r->shmem_rss_kb);
	text_kb(f, r, RF_VICTIM_SWAP, "swap", r->swap_kb);
	text_kb(f, r, RF_VICTIM_PGTABLES, "pgtables", r->pgtables_kb);
	victim_id = record_has(r, RF_VICTIM_MEMCG) && identity_says(&r->victim_id);
	oom_id = record_has(r, RF_OOM_MEMCG) && identity_says(&r->oom_memcg_id);
	if (victim_id || oom_id)
		fputs("\n  identity:", f);
	if (victim_id)
		text_identity(f, "victim", &r->victim_id);
	if (oom_id)
		text_identity(f, "oom_memcg", &r->oom_memcg_id);
	fputs("\n  trigger:", f);
	text_task(f, r, &r->trigger);

	fputs("\n  oom:    ", f);
	if (field(f, record_has(r, RF_GFP_MASK), "gfp_mask"))
		fprintf(f, "0x%x", r->gfp_mask);
	if (field(f, record_has(r, RF_GFP_FLAGS), "gfp_flags"))
		fputs(r->gfp_flags, f);
	if (field(f, record_has(r, RF_ORDER), "order"))
		fprintf(f, "%d", r->order);
	if (field(f, record_has(r, RF_TOTALPAGES), "totalpages"))
		fprintf(f, "%llu", (unsigned long long)r->totalpages);
	if (field(f, record_has(r, RF_OOM_MEMCG), "oom_memcg"))
		text_quoted(f, r->oom_memcg);
	if (field(f, record_has(r, RF_DURATION), "duration"))
		fprintf(f, "%lluus", (unsigned long long)r->duration_us);
	fputc('\n', f);
	if (record_has(r, RF_OOM_MEMCG_MEMORY)) {
		const struct memcg_memory *m = &r->oom_memcg_memory;

		fputs("  oom_memcg", f);
		text_counter(f, "memory", &m->memory);
		text_counter(f, m->v1 ? "memory+swap" : "swap", &m->swap);
		if (m->has_kmem)
			text_counter(f, "kmem", &m->kmem);
		fputc('\n', f);
	}
	if (record_has(r, RF_OOM_MEMCG_STAT))
		text_memcg_stat(f, &r->oom_memcg_stat);
	if (record_has(r, RF_MEM_INFO)) {
		const struct mem_info *m = &r->mem_info;

		/* one line, in pages, as the kernel's "Mem-Info:" */
		fputs("  mem_info:", f);
		for (i = 0; i < OOMTRACE_NR_MEM_ITEMS; i++)
			if (i != OOMTRACE_MEM_BOUNCE || m->has_bounce)
				fprintf(f, " %s=%llu", mem_item_name(i),
					(unsigned long long)m->item[i]);
		for (i = 0; record_has(r, RF_MEM_INFO_NODES) && i < m->nr_nodes; i++)
			fprintf(f, " node%u_free=%llu", m->nodes[i].node,
				(unsigned long long)m->nodes[i].free);
		fputc('\n', f);
	}
	text_ranking(f, r);
	text_reclaim(f, r);

	text_fields(f, "missing", r->unknown);
	text_fields(f, "derived", r->derived);
	if (r->nr_frames)
		fputs("  stack:\n", f);
	for (i = 0; i < r->nr_frames; i++) {
		record_frame_format(&r->frames[i], buf, sizeof(buf));
		fprintf(f, "    %s\n", buf);
	}
	return line_sink_flush(s);
}

static int text_reap(struct sink *s, const struct reap_record *r)
{
	int reaped = r->reaper == REAPER_REAPED;
	FILE *f = line_sink_stream(s);
	char t[64];

	timefmt_rfc3339_us(t, sizeof(t), r->time_ns);
	fprintf(f, "%s oom_reap seq=%llu pid=%u tid=%u comm=", t,
		(unsigned long long)r->seq, r->pid, r->tid);
	text_quoted(f, r->comm);
	fprintf(f, " reaper=%s attempts=%u skips=%u", reaper_name(r->reaper),
		r->attempts, r->skips);
	if (field(f, r->woken, "wake"))
		fprintf(f, "%lluus", (unsigned long long)r->wake_us);
	if (field(f, reaped, "reaped"))
		fprintf(f, "%lluus", (unsigned long long)r->reaped_us);
	fprintf(f, " exit=%lluus", (unsigned long long)r->exit_us);
	if (reaped)
		fprintf(f, " left: anon_rss=%llukB file_rss=%llukB shmem_rss=%llukB",
			(unsigned long long)r->anon_rss_kb, (unsigned long long)r->file_rss_kb,
			(unsigned long long)r->shmem_rss_kb);
	fputc('\n', f);
	return line_sink_flush(s);
}

/* One short line: samples come often. */
static int text_sample(struct sink *s, const struct mem_sample *m)
{
	FILE *f = line_sink_stream(s);
	char t[64];

	timefmt_rfc3339_us(t, sizeof(t), m->time_ns);
	fprintf(f, "%s memory_sample ", t);
	if (m->memcg[0]) {
		fputs("memcg=", f);
		text_quoted(f, m->memcg);
	} else {
		fputs("system", f);
	}
	fprintf(f, " usage=%llukB limit=%llukB\n", (unsigned long long)m->usage_kb,
		(unsigned long long)m->limit_kb);
	return line_sink_flush(s);
}

static int text_lost(struct sink *s, const struct loss_report *l)
{
	char t[64];

	timefmt_rfc3339_us(t, sizeof(t), l->time_ns);
	fprintf(line_sink_stream(s), "%s lost %llu records (ring buffer full; %llu in all)\n", t,
		(unsigned long long)l->count, (unsigned long long)l->total);
	return line_sink_flush(s);
}

/* The summary goes to stderr from the consumer, whatever the sinks. */
static int text_summary(struct sink *s, const struct trace_summary *sum)
{
	return 0;
}

const struct sink_ops sink_text = {
	.name = "text",
	.open = line_sink_open,
	.record = text_record,
	.reap = text_reap,
	.sample = text_sample,
	.lost = text_lost,
	.summary = text_summary,
	.reopen = line_sink_reopen,
	.close = line_sink_close,
};
