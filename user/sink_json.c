// SPDX-License-Identifier: GPL-2.0
/* JSON lines, one object per record; schema/oomtrace.schema.json. */
#include "json.h"
#include "sink.h"
#include "timefmt.h"

/* Every field goes through here: null unless the record has it. */
static int has(struct jw *j, int known, const char *key)
{
	if (!known)
		jw_null(j, key);
	return known;
}

static void json_time(struct jw *j, const char *key, int64_t ns)
{
	char t[64];

	timefmt_rfc3339_us(t, sizeof(t), ns);
	jw_str(j, key, t);
}

static void json_task(struct jw *j, const struct oom_record *r, const struct record_task *t)
{
	if (has(j, record_task_has(r, t, RF_VICTIM_PID), "pid"))
		jw_u64(j, "pid", t->pid);
	jw_u64(j, "tid", t->tid);
	if (has(j, record_task_has(r, t, RF_VICTIM_COMM), "comm"))
		jw_str(j, "comm", t->comm);
	if (has(j, record_task_has(r, t, RF_VICTIM_UID), "uid"))
		jw_u64(j, "uid", t->uid);
	if (has(j, record_task_has(r, t, RF_VICTIM_MEMCG), "memcg"))
		jw_str(j, "memcg", t->memcg);
	if (has(j, record_task_has(r, t, RF_VICTIM_OOM_SCORE_ADJ), "oom_score_adj"))
		jw_s64(j, "oom_score_adj", t->oom_score_adj);
}

/* A cgroup path's identity; every part null that the path does not say. */
static void json_identity(struct jw *j, const char *key, int known,
			  const struct container_id *id)
{
	if (!known) {
		jw_null(j, key);
		return;
	}
	jw_obj_open(j, key);
	jw_str(j, "runtime", ctr_runtime_name(id->runtime));
	jw_str(j, "container_id", id->container_id[0] ? id->container_id : NULL);
	jw_str(j, "pod_uid", id->pod_uid[0] ? id->pod_uid : NULL);
	jw_str(j, "qos", pod_qos_name(id->qos));
	jw_str(j, "unit", id->unit[0] ? id->unit : NULL);
	jw_obj_close(j);
}

static void json_counter(struct jw *j, const char *key, int known,
			 const struct memcg_counter *c)
{
	if (!has(j, known, key))
		return;
	jw_obj_open(j, key);
	jw_u64(j, "usage_kb", c->usage_kb);
	jw_u64(j, "limit_kb", c->limit_kb);
	jw_u64(j, "failcnt", c->failcnt);
	jw_obj_close(j);
}

/* The kernel's "memory:", "swap:" (v2) or "memory+swap:" and "kmem:" (v1). */
static void json_memcg_memory(struct jw *j, const struct oom_record *r)
{
	const struct memcg_memory *m = &r->oom_memcg_memory;

	if (!has(j, record_has(r, RF_OOM_MEMCG_MEMORY), "oom_memcg_memory"))
		return;
	jw_obj_open(j, "oom_memcg_memory");
	json_counter(j, "memory", 1, &m->memory);
	json_counter(j, "swap", !m->v1, &m->swap);
	json_counter(j, "memsw", m->v1, &m->swap);
	json_counter(j, "kmem", m->has_kmem, &m->kmem);
	jw_obj_close(j);
}

/* The kernel's "Memory cgroup stats for" block: an item this kernel does
 * not keep is null, and so are the event counters where their index could
 * not be had. */
static void json_memcg_stat(struct jw *j, const struct oom_record *r)
{
	const struct memcg_stat *m = &r->oom_memcg_stat;

	if (!has(j, record_has(r, RF_OOM_MEMCG_STAT), "oom_memcg_stat"))
		return;
	jw_obj_open(j, "oom_memcg_stat");
	for (unsigned int i = 0; i < NR_MEMCG_STATS; i++) {
		unsigned int item = memcg_stat_order(i);
		const char *name = memcg_stat_name(item, NULL);

		if (has(j, !!(m->present & 1ULL << item), name))
			jw_u64(j, name, m->val[item]);
	}
	for (unsigned int i = 0; i < NR_MEMCG_EVENTS; i++) {
		unsigned int event = memcg_event_order(i);
		const char *name = memcg_event_name(event);

		if (name && has(j, !!(m->ev_present & 1ULL << event), name))
			jw_u64(j, name, m->ev[event]);
	}
	jw_obj_close(j);
}

/* The kernel's "Mem-Info:" in pages, with each node's free pages. */
static void json_mem_info(struct jw *j, const struct oom_record *r)
{
	const struct mem_info *m = &r->mem_info;
	unsigned int i;

	if (!has(j, record_has(r, RF_MEM_INFO), "mem_info"))
		return;
	jw_obj_open(j, "mem_info");
	for (i = 0; i < OOMTRACE_NR_MEM_ITEMS; i++)
		if (has(j, i != OOMTRACE_MEM_BOUNCE || m->has_bounce, mem_item_name(i)))
			jw_u64(j, mem_item_name(i), m->item[i]);
	if (has(j, record_has(r, RF_MEM_INFO_NODES), "nodes")) {
		jw_arr_open(j, "nodes");
		for (i = 0; i < m->nr_nodes; i++) {
			jw_obj_open(j, NULL);
			jw_u64(j, "node", m->nodes[i].node);
			jw_u64(j, "free", m->nodes[i].free);
			jw_obj_close(j);
		}
		jw_arr_close(j);
	}
	jw_obj_close(j);
}

static void json_fields(struct jw *j, const char *key, __u64 bits)
{
	unsigned int i;

	jw_arr_open(j, key);
	for (i = 0; i < NR_RECORD_FIELDS; i++)
		if (bits & RF_BIT(i))
			jw_str(j, NULL, record_field_name(i));
	jw_arr_close(j);
}

static void json_kb(struct jw *j, const struct oom_record *r, enum record_field f,
		    const char *key, __u64 kb)
{
	if (has(j, record_has(r, f), key))
		jw_u64(j, key, kb);
}

/* A task of the ranking, with the columns of the kernel's task dump. */
static void json_cand(struct jw *j, const struct record_cand *c, int skipped)
{
	jw_obj_open(j, NULL);
	jw_u64(j, "pid", c->pid);
	jw_str(j, "comm", c->comm);
	jw_u64(j, "uid", c->uid);
	if (skipped)
		jw_str(j, "reason", skip_name(c->reason));
	else
		jw_s64(j, "points", c->points);
	jw_s64(j, "oom_score_adj", c->oom_score_adj);
	jw_u64(j, "rss_pages", c->rss_pages);
	jw_u64(j, "swapents", c->swapents);
	jw_u64(j, "pgtables_bytes", c->pgtables_bytes);
	jw_obj_close(j);
}

static void json_ranking(struct jw *j, const struct oom_record *r)
{
	unsigned int i;

	if (has(j, record_has(r, RF_CANDIDATES), "candidates")) {
		jw_arr_open(j, "candidates");
		for (i = 0; i < r->nr_candidates; i++)
			json_cand(j, &r->candidates[i], 0);
		jw_arr_close(j);
	}
	if (has(j, record_has(r, RF_CANDIDATES_SCORED), "candidates_scored"))
		jw_u64(j, "candidates_scored", r->candidates_scored);
	if (!has(j, record_has(r, RF_SKIPPED), "skipped"))
		return;
	jw_obj_open(j, "skipped");
	for (i = 0; i < OOMTRACE_NR_SKIPS; i++)
		jw_u64(j, skip_name(i), r->skip_counts[i]);
	jw_arr_open(j, "tasks");
	for (i = 0; i < r->nr_skipped; i++)
		json_cand(j, &r->skipped[i], 1);
	jw_arr_close(j);
	jw_obj_close(j);
}

static void json_stalls(struct jw *j, const char *key, const struct reclaim_stalls *s)
{
	jw_obj_open(j, key);
	jw_u64(j, "stalls", s->count);
	jw_u64(j, "total_us", s->total_us);
	jw_u64(j, "max_us", s->max_us);
	jw_u64(j, "reclaimed_pages", s->reclaimed_pages);
	jw_u64(j, "scanned_pages", s->scanned_pages);
	jw_obj_close(j);
}

static void json_psi_line(struct jw *j, const char *key, const struct psi_line *l)
{
	jw_obj_open(j, key);
	jw_centi(j, "avg10", l->avg10);
	jw_centi(j, "avg60", l->avg60);
	jw_u64(j, "total_us", l->total_us);
	jw_obj_close(j);
}

/* --reclaim: null without it, or when the domain's sums are unknown */
static void json_reclaim(struct jw *j, const struct oom_record *r)
{
	const struct record_reclaim *rc = &r->reclaim;

	if (!has(j, record_has(r, RF_RECLAIM), "reclaim"))
		return;
	jw_obj_open(j, "reclaim");
	jw_u64(j, "window_us", rc->window_us);
	json_stalls(j, "direct", &rc->direct);
	json_stalls(j, "memcg", &rc->memcg);
	jw_u64(j, "kswapd_wakeups", rc->kswapd_wakes);
	jw_u64(j, "reclaim_retries", rc->retries);
	jw_u64(j, "compact_retries", rc->compact_retries);
	if (has(j, record_has(r, RF_RECLAIM_PSI), "psi")) {
		jw_obj_open(j, "psi");
		jw_str(j, "source", rc->psi.memcg ? "memcg" : "system");
		json_psi_line(j, "some", &rc->psi.some);
		json_psi_line(j, "full", &rc->psi.full);
		jw_obj_close(j);
	}
	jw_obj_close(j);
}

void sink_json_line(FILE *f, const struct oom_record *r)
{
	char buf[32];
	unsigned int i;
	struct jw j;

	jw_begin(&j, f);
	jw_str(&j, "type", "oom_kill");
	jw_u64(&j, "version", RECORD_SCHEMA_VERSION);
	jw_u64(&j, "seq", r->seq);
	jw_u64(&j, "episode", r->episode);
	json_time(&j, "time", r->time_ns);
	jw_str(&j, "mode", mode_name(r->mode));
	json_fields(&j, "missing", r->unknown);
	json_fields(&j, "derived", r->derived);
	if (has(&j, record_has(r, RF_OUTCOME), "outcome"))
		jw_str(&j, "outcome", outcome_name(r->outcome));
	if (has(&j, record_has(r, RF_CONSTRAINT), "constraint"))
		jw_str(&j, "constraint", constraint_name(r->constraint));
	if (has(&j, record_has(r, RF_MESSAGE), "message"))
		jw_str(&j, "message", r->message);
	if (has(&j, record_has(r, RF_GFP_MASK), "gfp_mask")) {
		snprintf(buf, sizeof(buf), "0x%x", r->gfp_mask);
		jw_str(&j, "gfp_mask", buf);
	}
	if (has(&j, record_has(r, RF_GFP_FLAGS), "gfp_flags"))
		jw_str(&j, "gfp_flags", r->gfp_flags);
	if (has(&j, record_has(r, RF_ORDER), "order"))
		jw_s64(&j, "order", r->order);
	if (has(&j, record_has(r, RF_TOTALPAGES), "totalpages"))
		jw_u64(&j, "totalpages", r->totalpages);
	if (has(&j, record_has(r, RF_OOM_MEMCG), "oom_memcg"))
		jw_str(&j, "oom_memcg", r->oom_memcg);
	json_identity(&j, "oom_memcg_identity", record_has(r, RF_OOM_MEMCG), &r->oom_memcg_id);
	json_memcg_memory(&j, r);
	json_memcg_stat(&j, r);
	if (has(&j, record_has(r, RF_DURATION), "duration_us"))
		jw_u64(&j, "duration_us", r->duration_us);
	json_mem_info(&j, r);

	jw_obj_open(&j, "trigger");
	json_task(&j, r, &r->trigger);
	jw_obj_close(&j);

	jw_obj_open(&j, "victim");
	json_task(&j, r, &r->victim);
	json_identity(&j, "identity", record_has(r, RF_VICTIM_MEMCG), &r->victim_id);
	if (has(&j, record_has(r, RF_VICTIM_POINTS), "points"))
		jw_s64(&j, "points", r->points);
	if (has(&j, record_has(r, RF_VICTIM_OOM_SCORE), "oom_score"))
		jw_u64(&j, "oom_score", r->oom_score);
	json_kb(&j, r, RF_VICTIM_TOTAL_VM, "total_vm_kb", r->total_vm_kb);
	json_kb(&j, r, RF_VICTIM_ANON_RSS, "anon_rss_kb", r->anon_rss_kb);
	json_kb(&j, r, RF_VICTIM_FILE_RSS, "file_rss_kb", r->file_rss_kb);
	json_kb(&j, r, RF_VICTIM_SHMEM_RSS, "shmem_rss_kb", r->shmem_rss_kb);
	json_kb(&j, r, RF_VICTIM_SWAP, "swap_kb", r->swap_kb);
	json_kb(&j, r, RF_VICTIM_PGTABLES, "pgtables_kb", r->pgtables_kb);
	jw_obj_close(&j);
	json_ranking(&j, r);
	json_reclaim(&j, r);

	if (has(&j, record_has(r, RF_STACK), "stack")) {
		char frame[256];

		jw_arr_open(&j, "stack");
		for (i = 0; i < r->nr_frames; i++) {
			record_frame_format(&r->frames[i], frame, sizeof(frame));
			jw_str(&j, NULL, frame);
		}
		jw_arr_close(&j);
	}
	jw_end(&j);
}

void sink_json_reap_line(FILE *f, const struct reap_record *r)
{
	int reaped = r->reaper == REAPER_REAPED;
	struct jw j;

	jw_begin(&j, f);
	jw_str(&j, "type", "oom_reap");
	jw_u64(&j, "version", RECORD_SCHEMA_VERSION);
	jw_u64(&j, "seq", r->seq);
	json_time(&j, "time", r->time_ns);
	jw_u64(&j, "pid", r->pid);
	jw_u64(&j, "tid", r->tid);
	jw_str(&j, "comm", r->comm);
	jw_str(&j, "reaper", reaper_name(r->reaper));
	jw_u64(&j, "attempts", r->attempts);
	jw_u64(&j, "skips", r->skips);
	if (has(&j, r->woken, "wake_us"))
		jw_u64(&j, "wake_us", r->wake_us);
	if (has(&j, reaped, "reaped_us"))
		jw_u64(&j, "reaped_us", r->reaped_us);
	jw_u64(&j, "exit_us", r->exit_us);
	if (has(&j, reaped, "anon_rss_kb"))
		jw_u64(&j, "anon_rss_kb", r->anon_rss_kb);
	if (has(&j, reaped, "file_rss_kb"))
		jw_u64(&j, "file_rss_kb", r->file_rss_kb);
	if (has(&j, reaped, "shmem_rss_kb"))
		jw_u64(&j, "shmem_rss_kb", r->shmem_rss_kb);
	jw_end(&j);
}

static int json_record(struct sink *s, const struct oom_record *r)
{
	sink_json_line(line_sink_stream(s), r);
	return line_sink_flush(s);
}

static int json_reap(struct sink *s, const struct reap_record *r)
{
	sink_json_reap_line(line_sink_stream(s), r);
	return line_sink_flush(s);
}

void sink_json_sample_line(FILE *f, const struct mem_sample *m)
{
	struct jw j;

	jw_begin(&j, f);
	jw_str(&j, "type", "memory_sample");
	jw_u64(&j, "version", RECORD_SCHEMA_VERSION);
	json_time(&j, "time", m->time_ns);
	jw_str(&j, "memcg", m->memcg[0] ? m->memcg : NULL);
	jw_u64(&j, "usage_kb", m->usage_kb);
	jw_u64(&j, "limit_kb", m->limit_kb);
	jw_end(&j);
}

static int json_sample(struct sink *s, const struct mem_sample *m)
{
	sink_json_sample_line(line_sink_stream(s), m);
	return line_sink_flush(s);
}

static int json_lost(struct sink *s, const struct loss_report *l)
{
	struct jw j;

	jw_begin(&j, line_sink_stream(s));
	jw_str(&j, "type", "lost");
	jw_u64(&j, "version", RECORD_SCHEMA_VERSION);
	json_time(&j, "time", l->time_ns);
	jw_u64(&j, "count", l->count);
	jw_u64(&j, "total", l->total);
	jw_end(&j);
	return line_sink_flush(s);
}

static int json_summary(struct sink *s, const struct trace_summary *sum)
{
	struct jw j;

	if (!sum->final)
		return 0;
	jw_begin(&j, line_sink_stream(s));
	jw_str(&j, "type", "summary");
	jw_u64(&j, "version", RECORD_SCHEMA_VERSION);
	jw_str(&j, "mode", mode_name(sum->mode));
	jw_u64(&j, "records", sum->records);
	jw_u64(&j, "filtered", sum->filtered);
	jw_u64(&j, "lost", sum->lost);
	jw_u64(&j, "episodes", sum->episodes);
	jw_u64(&j, "episodes_without_victim", sum->no_victim);
	jw_u64(&j, "incomplete_episodes", sum->incomplete);
	jw_u64(&j, "reaps", sum->reaps);
	jw_u64(&j, "lost_followups", sum->lost_followups);
	jw_end(&j);
	return line_sink_flush(s);
}

const struct sink_ops sink_json = {
	.name = "json",
	.open = line_sink_open,
	.record = json_record,
	.reap = json_reap,
	.sample = json_sample,
	.lost = json_lost,
	.summary = json_summary,
	.reopen = line_sink_reopen,
	.close = line_sink_close,
};
