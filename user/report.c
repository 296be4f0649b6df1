// SPDX-License-Identifier: GPL-2.0
/* `oomtrace report`: JSON lines read back with json-c into a timeline. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "report.h"
#include "timefmt.h"

struct where {
	const char *name;
	unsigned long line;
};

static int bad(const struct where *w, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "oomtrace: %s:%lu: ", w->name, w->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Room for one more of an array that grows; NULL when out of memory. */
static void *grow(void **arr, int *nr, int *cap, size_t size)
{
	void *p;

	if (*nr == *cap) {
		p = realloc(*arr, (*cap * 2 + 16) * size);
		if (!p)
			return NULL;
		*arr = p;
		*cap = *cap * 2 + 16;
	}
	p = (char *)*arr + (*nr)++ * size;
	memset(p, 0, size);
	return p;
}

#define GROW(tl, what) grow((void **)&(tl)->what, &(tl)->nr_##what, &(tl)->cap_##what, \
			    sizeof(*(tl)->what))

/* A member that must be there; *o is NULL when it is null and null is allowed. */
static int member(const struct where *w, struct json_object *obj, const char *key,
		  enum json_type type, int nullable, struct json_object **o)
{
	if (!json_object_object_get_ex(obj, key, o))
		return bad(w, "no \"%s\"", key);
	if (!*o && nullable)
		return 0;
	if (!json_object_is_type(*o, type))
		return bad(w, "\"%s\" is not %s%s", key,
			   type == json_type_int ? "an integer" :
			   type == json_type_string ? "a string" : "an object",
			   nullable ? " or null" : "");
	return 0;
}

static int get_u64(const struct where *w, struct json_object *obj, const char *key, __u64 *v)
{
	struct json_object *o;
	int64_t i;

	if (member(w, obj, key, json_type_int, 0, &o))
		return -1;
	i = json_object_get_int64(o);
	if (i < 0)
		return bad(w, "\"%s\" is negative", key);
	*v = i;
	return 0;
}

static int get_double(const struct where *w, struct json_object *obj, const char *key,
		      double *v)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return bad(w, "no \"%s\"", key);
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int))
		return bad(w, "\"%s\" is not a number", key);
	*v = json_object_get_double(o);
	return 0;
}

/* 1 when it is null (and may be), 0 when it is a string. */
static int get_str(const struct where *w, struct json_object *obj, const char *key,
		   int nullable, char *buf, size_t len)
{
	struct json_object *o;

	buf[0] = '\0';
	if (member(w, obj, key, json_type_string, nullable, &o))
		return -1;
	if (!o)
		return 1;
	snprintf(buf, len, "%s", json_object_get_string(o));
	return 0;
}

static int get_time(const struct where *w, struct json_object *obj, int64_t *ns)
{
	char t[64];

	if (get_str(w, obj, "time", 0, t, sizeof(t)))
		return -1;
	if (timefmt_parse_rfc3339_us(t, ns))
		return bad(w, "\"time\" is not RFC 3339 UTC with microseconds: %s", t);
	return 0;
}

/* The index of the domain named name ("": the system), added if new. */
static int domain_of(struct timeline *tl, const char *name)
{
	struct report_domain *d;
	int i;

	for (i = 0; i < tl->nr_domains; i++)
		if (!strcmp(tl->domains[i].name, name))
			return i;
	d = GROW(tl, domains);
	if (!d)
		return -1;
	snprintf(d->name, sizeof(d->name), "%s", name);
	return tl->nr_domains - 1;
}

static int read_stalls(const struct where *w, struct json_object *rc, const char *key,
		       struct report_stalls *s)
{
	struct json_object *o;

	return member(w, rc, key, json_type_object, 0, &o) ||
	       get_u64(w, o, "stalls", &s->stalls) || get_u64(w, o, "total_us", &s->total_us) ||
	       get_u64(w, o, "max_us", &s->max_us) ||
	       get_u64(w, o, "reclaimed_pages", &s->reclaimed_pages) ||
	       get_u64(w, o, "scanned_pages", &s->scanned_pages) ? -1 : 0;
}

static int read_psi_line(const struct where *w, struct json_object *psi, const char *key,
			 double *avg10, double *avg60)
{
	struct json_object *o;

	return member(w, psi, key, json_type_object, 0, &o) ||
	       get_double(w, o, "avg10", avg10) || get_double(w, o, "avg60", avg60) ? -1 : 0;
}

/* The record's reclaim object; 0 with nothing set when it is null. */
static int read_reclaim(const struct where *w, struct json_object *rec, struct report_kill *k)
{
	struct report_reclaim *r = &k->reclaim;
	struct json_object *rc, *psi;

	/* a record of schema version 4 or older has none */
	if (!json_object_object_get_ex(rec, "reclaim", NULL))
		return 0;
	if (member(w, rec, "reclaim", json_type_object, 1, &rc))
		return -1;
	if (!rc)
		return 0;
	if (get_u64(w, rc, "window_us", &r->window_us) ||
	    read_stalls(w, rc, "direct", &r->direct) || read_stalls(w, rc, "memcg", &r->memcg) ||
	    get_u64(w, rc, "kswapd_wakeups", &r->kswapd_wakeups) ||
	    get_u64(w, rc, "reclaim_retries", &r->reclaim_retries) ||
	    get_u64(w, rc, "compact_retries", &r->compact_retries) ||
	    member(w, rc, "psi", json_type_object, 1, &psi))
		return -1;
	k->has_reclaim = 1;
	if (!psi)
		return 0;
	if (get_str(w, psi, "source", 0, r->psi_source, sizeof(r->psi_source)) ||
	    read_psi_line(w, psi, "some", &r->some_avg10, &r->some_avg60) ||
	    read_psi_line(w, psi, "full", &r->full_avg10, &r->full_avg60))
		return -1;
	r->has_psi = 1;
	return 0;
}

static int read_kill(struct timeline *tl, const struct where *w, struct json_object *rec)
{
	struct json_object *victim, *mem, *counter, *pid;
	char path[REPORT_PATH_LEN], outcome[16];
	struct report_kill *k;
	int64_t t;
	int null;

	if (get_time(w, rec, &t) ||
	    member(w, rec, "victim", json_type_object, 0, &victim) ||
	    member(w, victim, "pid", json_type_int, 1, &pid) ||
	    member(w, rec, "oom_memcg_memory", json_type_object, 1, &mem) ||
	    (null = get_str(w, rec, "oom_memcg", 1, path, sizeof(path))) < 0 ||
	    get_str(w, rec, "outcome", 1, outcome, sizeof(outcome)) < 0)
		return -1;
	k = GROW(tl, kills);
	if (!k)
		return bad(w, "%s", strerror(ENOMEM));
	k->time_ns = t;
	k->pid = pid ? json_object_get_int64(pid) : -1;
	k->killed = strcmp(outcome, "exiting") != 0;
	if (get_u64(w, rec, "seq", &k->seq) || get_u64(w, rec, "episode", &k->episode) ||
	    get_str(w, victim, "comm", 1, k->comm, sizeof(k->comm)) < 0 ||
	    read_reclaim(w, rec, k))
		return -1;
	/* a global OOM's domain is the system */
	k->domain = domain_of(tl, null ? "" : path);
	if (k->domain < 0)
		return bad(w, "%s", strerror(ENOMEM));
	if (!mem)
		return 0;
	if (member(w, mem, "memory", json_type_object, 0, &counter) ||
	    get_u64(w, counter, "usage_kb", &k->usage_kb) ||
	    get_u64(w, counter, "limit_kb", &k->limit_kb))
		return -1;
	k->has_memory = 1;
	return 0;
}

static int read_reap(struct timeline *tl, const struct where *w, struct json_object *rec)
{
	struct report_reap *r = GROW(tl, reaps);
	__u64 pid;

	if (!r)
		return bad(w, "%s", strerror(ENOMEM));
	if (get_time(w, rec, &r->time_ns) || get_u64(w, rec, "seq", &r->seq) ||
	    get_u64(w, rec, "pid", &pid) || get_u64(w, rec, "exit_us", &r->exit_us) ||
	    get_str(w, rec, "comm", 0, r->comm, sizeof(r->comm)) ||
	    get_str(w, rec, "reaper", 0, r->reaper, sizeof(r->reaper)))
		return -1;
	r->pid = pid;
	return 0;
}

static int read_lost(struct timeline *tl, const struct where *w, struct json_object *rec)
{
	struct report_lost *l = GROW(tl, losts);

	if (!l)
		return bad(w, "%s", strerror(ENOMEM));
	return get_time(w, rec, &l->time_ns) || get_u64(w, rec, "count", &l->count) ? -1 : 0;
}

static int read_sample(struct timeline *tl, const struct where *w, struct json_object *rec)
{
	char path[REPORT_PATH_LEN];
	struct report_sample *m;
	int null;

	null = get_str(w, rec, "memcg", 1, path, sizeof(path));
	if (null < 0)
		return -1;
	m = GROW(tl, samples);
	if (!m)
		return bad(w, "%s", strerror(ENOMEM));
	if (get_time(w, rec, &m->time_ns) || get_u64(w, rec, "usage_kb", &m->usage_kb) ||
	    get_u64(w, rec, "limit_kb", &m->limit_kb))
		return -1;
	m->domain = domain_of(tl, null ? "" : path);
	return m->domain < 0 ? bad(w, "%s", strerror(ENOMEM)) : 0;
}

static int read_record(struct timeline *tl, const struct where *w, struct json_object *rec)
{
	char type[32];

	if (!json_object_is_type(rec, json_type_object))
		return bad(w, "not a JSON object");
	if (get_str(w, rec, "type", 0, type, sizeof(type)))
		return -1;
	if (!strcmp(type, "oom_kill"))
		return read_kill(tl, w, rec);
	if (!strcmp(type, "oom_reap"))
		return read_reap(tl, w, rec);
	if (!strcmp(type, "lost"))
		return read_lost(tl, w, rec);
	if (!strcmp(type, "memory_sample"))
		return read_sample(tl, w, rec);
	/* the summary adds nothing a picture shows */
	if (strcmp(type, "summary"))
		tl->unknown++;
	return 0;
}

int timeline_read(struct timeline *tl, FILE *f, const char *name)
{
	struct where w = { .name = name };
	struct json_tokener *tok;
	struct json_object *rec;
	size_t cap = 0, end;
	char *line = NULL;
	ssize_t n;
	int err = 0;

	tok = json_tokener_new();
	if (!tok) {
		fprintf(stderr, "oomtrace: failed to read %s: %s\n", name, strerror(ENOMEM));
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	while (!err && (n = getline(&line, &cap, f)) >= 0) {
		w.line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (!n)
			continue;
		json_tokener_reset(tok);
		rec = json_tokener_parse_ex(tok, line, n);
		end = json_tokener_get_parse_end(tok);
		if (!rec || json_tokener_get_error(tok) != json_tokener_success || end != (size_t)n)
			err = bad(&w, "not one JSON value: %s",
				  rec && end != (size_t)n ? "more after it" :
				  json_tokener_error_desc(json_tokener_get_error(tok)));
		else
			err = read_record(tl, &w, rec);
		json_object_put(rec);
	}
	if (!err && ferror(f)) {
		fprintf(stderr, "oomtrace: failed to read %s: %s\n", name, strerror(errno));
		err = -1;
	}
	free(line);
	json_tokener_free(tok);
	return err;
}

void timeline_free(struct timeline *tl)
{
	free(tl->domains);
	free(tl->kills);
	free(tl->reaps);
	free(tl->losts);
	free(tl->samples);
}

static void span(int64_t t, int *any, int64_t *lo, int64_t *hi)
{
	if (!*any || t < *lo)
		*lo = t;
	if (!*any || t > *hi)
		*hi = t;
	*any = 1;
}

int timeline_view_all(const struct timeline *tl, struct svg_view *v)
{
	int i, any = 0;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < tl->nr_kills; i++)
		span(tl->kills[i].time_ns, &any, &v->t0_ns, &v->t1_ns);
	for (i = 0; i < tl->nr_reaps; i++)
		span(tl->reaps[i].time_ns, &any, &v->t0_ns, &v->t1_ns);
	for (i = 0; i < tl->nr_losts; i++)
		span(tl->losts[i].time_ns, &any, &v->t0_ns, &v->t1_ns);
	for (i = 0; i < tl->nr_samples; i++)
		span(tl->samples[i].time_ns, &any, &v->t0_ns, &v->t1_ns);
	return any ? 0 : -1;
}

int timeline_view_episode(const struct timeline *tl, __u64 ep, struct svg_view *v)
{
	int i, j, any = 0;
	int64_t lo = 0, hi = 0;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < tl->nr_kills; i++) {
		if (tl->kills[i].episode != ep)
			continue;
		span(tl->kills[i].time_ns, &any, &lo, &hi);
		for (j = 0; j < tl->nr_reaps; j++)
			if (tl->reaps[j].seq == tl->kills[i].seq)
				span(tl->reaps[j].time_ns, &any, &lo, &hi);
	}
	if (!any)
		return -1;
	v->t0_ns = lo - REPORT_EPISODE_LEAD_NS;
	v->t1_ns = hi + REPORT_EPISODE_TAIL_NS;
	v->one_episode = 1;
	v->episode = ep;
	return 0;
}

int report_run(const struct report_opts *o)
{
	const char *in = o->input && strcmp(o->input, "-") ? o->input : NULL;
	const char *name = in ? in : "stdin";
	int to_stdout = !strcmp(o->svg, "-");
	struct timeline tl = {};
	struct svg_view v;
	char title[256];
	int status = 1;
	FILE *f = stdin, *out = stdout;

	if (in && !(f = fopen(in, "r"))) {
		fprintf(stderr, "oomtrace: failed to open %s: %s\n", in, strerror(errno));
		return 1;
	}
	if (timeline_read(&tl, f, name))
		goto free_timeline;
	if (tl.unknown)
		fprintf(stderr, "oomtrace: %s: skipped %llu records of types this oomtrace "
			"does not know\n", name, (unsigned long long)tl.unknown);
	if (o->one_episode) {
		if (timeline_view_episode(&tl, o->episode, &v)) {
			fprintf(stderr, "oomtrace: %s has no kill of episode %llu\n", name,
				(unsigned long long)o->episode);
			goto free_timeline;
		}
		snprintf(title, sizeof(title), "OOM episode %llu", (unsigned long long)o->episode);
	} else {
		if (timeline_view_all(&tl, &v)) {
			fprintf(stderr, "oomtrace: %s holds no records to draw\n", name);
			goto free_timeline;
		}
		snprintf(title, sizeof(title), "the road to OOM");
	}
	v.title = title;
	if (!to_stdout && !(out = fopen(o->svg, "w"))) {
		fprintf(stderr, "oomtrace: failed to open %s: %s\n", o->svg, strerror(errno));
		goto free_timeline;
	}
	status = svg_render(out, &tl, &v) | (to_stdout ? fflush(out) : fclose(out));
	if (status) {
		fprintf(stderr, "oomtrace: failed to write %s: %s\n", to_stdout ? "stdout" : o->svg,
			strerror(errno));
		if (!to_stdout)
			unlink(o->svg);
		status = 1;
	}
free_timeline:
	timeline_free(&tl);
	if (in)
		fclose(f);
	return status;
}
