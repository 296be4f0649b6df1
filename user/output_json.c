// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "cgroup.h"
#include "gfp.h"
#include "json.h"
#include "output.h"

static void json_task(struct jw *j, const struct oomtrace_task *t, int known)
{
	char path[CGPATH_MAX];

	if (!known) {
		jw_null(j, "pid");
		jw_u64(j, "tid", t->tid);
		jw_null(j, "comm");
		jw_null(j, "uid");
		jw_null(j, "memcg");
		jw_null(j, "oom_score_adj");
		return;
	}
	cgpath_format(&t->memcg, path, sizeof(path));
	jw_u64(j, "pid", t->pid);
	jw_u64(j, "tid", t->tid);
	jw_strn(j, "comm", t->comm, sizeof(t->comm));
	jw_u64(j, "uid", t->uid);
	jw_str(j, "memcg", path);
	jw_s64(j, "oom_score_adj", t->oom_score_adj);
}

static void json_kb(struct jw *j, const char *key, __u64 kb, int known)
{
	if (known)
		jw_u64(j, key, kb);
	else
		jw_null(j, key);
}

void output_json_event(const struct output *o, const struct oom_event *ev)
{
	const struct oomtrace_victim_rec *r = &ev->rec;
	const struct oomtrace_oom *oom = &r->oom;
	char buf[CGPATH_MAX];
	int mm = !(ev->missing & MISS_VICTIM_MM);
	int kill = !(ev->missing & MISS_KILL);
	unsigned int i;
	struct jw j;

	jw_begin(&j, o->f);
	jw_str(&j, "type", "oom_kill");
	jw_u64(&j, "version", OOMTRACE_SCHEMA_VERSION);
	jw_u64(&j, "seq", r->seq);
	jw_u64(&j, "episode", ev->episode);
	output_time(o, r->hdr.ts_ns, buf, sizeof(buf));
	jw_str(&j, "time", buf);
	jw_str(&j, "mode", mode_name(ev->mode));
	jw_arr_open(&j, "missing");
	for (i = 0; i < nr_missing_fields; i++)
		if (ev->missing & missing_fields[i].bit)
			jw_str(&j, NULL, missing_fields[i].name);
	jw_arr_close(&j);
	jw_str(&j, "outcome", ev->missing & MISS_OUTCOME ? NULL : outcome_name(ev->outcome));
	jw_str(&j, "constraint",
		 ev->missing & MISS_CONSTRAINT ? NULL : constraint_name(ev->constraint));
	jw_str(&j, "message", ev->message);
	if (ev->missing & MISS_GFP) {
		jw_null(&j, "gfp_mask");
		jw_null(&j, "gfp_flags");
		jw_null(&j, "order");
	} else {
		snprintf(buf, sizeof(buf), "0x%x", oom->gfp_mask);
		jw_str(&j, "gfp_mask", buf);
		gfp_format(o->gfp, oom->gfp_mask, buf, sizeof(buf));
		jw_str(&j, "gfp_flags", buf);
		jw_s64(&j, "order", oom->order);
	}
	if (kill)
		jw_u64(&j, "totalpages", oom->totalpages);
	else
		jw_null(&j, "totalpages");
	if (ev->missing & MISS_OOM_MEMCG || !oom->memcg_set) {
		jw_null(&j, "oom_memcg");
	} else {
		cgpath_format(&oom->memcg, buf, sizeof(buf));
		jw_str(&j, "oom_memcg", buf);
	}
	if (ev->missing & MISS_DURATION)
		jw_null(&j, "duration_us");
	else
		jw_u64(&j, "duration_us", ev->duration_ns / 1000);

	jw_obj_open(&j, "trigger");
	json_task(&j, &r->trigger, 1);
	jw_obj_close(&j);

	jw_obj_open(&j, "victim");
	json_task(&j, &r->victim, !(ev->missing & MISS_VICTIM));
	if (!(ev->missing & (MISS_KILL | MISS_POINTS))) {
		jw_s64(&j, "points", oom->points);
		jw_u64(&j, "oom_score", oom_score(oom->points, oom->totalpages));
	} else {
		jw_null(&j, "points");
		jw_null(&j, "oom_score");
	}
	json_kb(&j, "total_vm_kb", r->total_vm * o->page_kb, mm);
	json_kb(&j, "anon_rss_kb", r->anon_rss * o->page_kb, mm);
	json_kb(&j, "file_rss_kb", r->file_rss * o->page_kb, mm);
	json_kb(&j, "shmem_rss_kb", r->shmem_rss * o->page_kb, mm);
	json_kb(&j, "swap_kb", r->swap * o->page_kb, mm);
	json_kb(&j, "pgtables_kb", r->pgtables_bytes >> 10, mm);
	jw_obj_close(&j);

	if (ev->missing & MISS_STACK) {
		jw_null(&j, "stack");
	} else {
		int n = rec_stack_depth(r);

		jw_arr_open(&j, "stack");
		for (i = output_stack_skip(o, r); (int)i < n; i++) {
			output_ksym(o, r->stack[i], buf, sizeof(buf));
			jw_str(&j, NULL, buf);
		}
		jw_arr_close(&j);
	}
	jw_end(&j);
}

void output_json_lost(const struct output *o, uint64_t count, uint64_t total,
		      uint64_t now_ns)
{
	char t[64];
	struct jw j;

	output_time(o, now_ns, t, sizeof(t));
	jw_begin(&j, o->f);
	jw_str(&j, "type", "lost");
	jw_u64(&j, "version", OOMTRACE_SCHEMA_VERSION);
	jw_str(&j, "time", t);
	jw_u64(&j, "count", count);
	jw_u64(&j, "total", total);
	jw_end(&j);
}

void output_json_summary(const struct output *o, const struct summary *s)
{
	struct jw j;

	jw_begin(&j, o->f);
	jw_str(&j, "type", "summary");
	jw_u64(&j, "version", OOMTRACE_SCHEMA_VERSION);
	jw_str(&j, "mode", mode_name(s->mode));
	jw_u64(&j, "records", s->records);
	jw_u64(&j, "filtered", s->filtered);
	jw_u64(&j, "lost", s->lost);
	jw_u64(&j, "episodes", s->episodes);
	jw_u64(&j, "episodes_without_victim", s->no_victim);
	jw_u64(&j, "incomplete_episodes", s->incomplete);
	jw_end(&j);
}
