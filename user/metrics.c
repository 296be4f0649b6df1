// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"
#include "utf8.h"

/* Kill series labels, in the order they are written. */
enum kill_label {
	KL_CONSTRAINT,
	KL_RUNTIME,
	KL_POD_UID,
	KL_CONTAINER_ID,
	KL_QOS,
	KL_UNIT,
	KL_CGROUP,
	KL_OVERFLOW,
	NR_KILL_LABELS,
};

static const char *const kill_label_names[NR_KILL_LABELS] = {
	"constraint", "runtime", "pod_uid", "container_id", "qos", "unit", "cgroup",
	"overflow",
};

struct kill_series {
	char *label[NR_KILL_LABELS];	/* NULL: not set */
	__u64 count;
	__u64 last_ns;
};

#define NR_RSS_BUCKETS 9
#define NR_DURATION_BUCKETS 6
#define NR_EXIT_BUCKETS 8

struct histogram {
	const double *bounds;
	unsigned int nr;
	__u64 buckets[NR_RSS_BUCKETS];	/* the larger of the two */
	__u64 count;
	double sum;
};

/* 1 MiB to 64 GiB, by fours */
static const double rss_bounds[NR_RSS_BUCKETS] = {
	1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1ULL << 30, 4ULL << 30,
	16ULL << 30, 64ULL << 30,
};
/* 100 us to 10 s: dump_header() on a slow console takes seconds */
static const double duration_bounds[NR_DURATION_BUCKETS] = {
	0.0001, 0.001, 0.01, 0.1, 1, 10,
};
/* 1 ms to 60 s: the reaper comes after 2 s; a stuck victim takes longer */
static const double exit_bounds[NR_EXIT_BUCKETS] = {
	0.001, 0.01, 0.1, 1, 2.5, 5, 10, 60,
};

enum outcome_label { OL_KILLED, OL_EXITING, OL_UNKNOWN, NR_OUTCOME_LABELS };
static const char *const outcome_labels[NR_OUTCOME_LABELS] = {
	"killed", "exiting", "unknown",
};

#define NR_CONSTRAINT_LABELS (CONSTRAINT_GLOBAL + 2)	/* and "unknown" */

struct metrics {
	struct metrics_config cfg;
	struct kill_series *series;
	unsigned int nr_series;
	struct kill_series overflow[NR_CONSTRAINT_LABELS];
	__u64 overflowed;
	__u64 episodes[NR_CONSTRAINT_LABELS];
	__u64 last_episode;
	unsigned int episode_victims;
	__u64 group_kills;
	__u64 outcomes[NR_OUTCOME_LABELS];
	__u64 no_victim;
	__u64 lost_ring;
	__u64 lost_nomem;
	int64_t last_kill_ns;		/* wall clock; 0: none yet */
	struct histogram rss;
	struct histogram duration;
	__u64 reaps[REAPER_REAPED + 1];	/* by enum reaper_outcome */
	struct histogram exit;
};

struct metrics *metrics_new(const struct metrics_config *cfg)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->series = calloc(cfg->max_series ? cfg->max_series : 1, sizeof(*m->series));
	if (!m->series) {
		free(m);
		return NULL;
	}
	m->rss.bounds = rss_bounds;
	m->rss.nr = NR_RSS_BUCKETS;
	m->duration.bounds = duration_bounds;
	m->duration.nr = NR_DURATION_BUCKETS;
	m->exit.bounds = exit_bounds;
	m->exit.nr = NR_EXIT_BUCKETS;
	return m;
}

static void series_free(struct kill_series *s)
{
	int i;

	for (i = 0; i < NR_KILL_LABELS; i++)
		free(s->label[i]);
	memset(s, 0, sizeof(*s));
}

void metrics_free(struct metrics *m)
{
	unsigned int i;

	if (!m)
		return;
	for (i = 0; i < m->nr_series; i++)
		series_free(&m->series[i]);
	for (i = 0; i < NR_CONSTRAINT_LABELS; i++)
		series_free(&m->overflow[i]);
	free(m->series);
	free(m);
}

void metrics_set_mode(struct metrics *m, const char *mode)
{
	m->cfg.mode = mode;
}

unsigned int metrics_nr_series(const struct metrics *m)
{
	return m->nr_series;
}

static unsigned int constraint_index(const struct oom_record *r)
{
	return record_has(r, RF_CONSTRAINT) ? r->constraint : NR_CONSTRAINT_LABELS - 1;
}

static const char *constraint_label(unsigned int i)
{
	return i < NR_CONSTRAINT_LABELS - 1 ? constraint_name(i) : "unknown";
}

/*
 * A label value as label_value() writes it, every byte that is not UTF-8
 * as U+FFFD, at *buf (which it moves past it): two values that differ only
 * there are one series, not two written with one label set. Of a path's
 * identity only the path itself can hold such bytes today; the others go
 * the same way so that no parser change can make a duplicate.
 */
#define LABELS_MAX (3 * (CGPATH_MAX + CTR_UNIT_LEN + CTR_ID_LEN + POD_UID_LEN + 4))

static const char *as_written(const char *v, char **buf)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t n = strlen(v), len;
	char *start = *buf, *d = *buf;

	while (*s) {
		len = utf8_seq_len(s, n - (s - (const unsigned char *)v));
		if (len) {
			memcpy(d, s, len);
			d += len;
			s += len;
		} else {
			memcpy(d, "\xef\xbf\xbd", 3);
			d += 3;
			s++;
		}
	}
	*d++ = '\0';
	*buf = d;
	return start;
}

/*
 * The victim's identity, from its own memcg (not the OOM domain's, which on
 * cgroup v2 is usually the pod): a container's runtime, pod and ID; else
 * its systemd unit; else its cgroup path. The values go to buf[LABELS_MAX].
 */
static void kill_labels(const struct oom_record *r, const char **label, char *buf)
{
	const struct container_id *id = &r->victim_id;

	memset(label, 0, NR_KILL_LABELS * sizeof(*label));
	label[KL_CONSTRAINT] = constraint_label(constraint_index(r));
	if (!record_has(r, RF_VICTIM_MEMCG))
		return;
	label[KL_RUNTIME] = ctr_runtime_name(id->runtime);
	label[KL_POD_UID] = id->pod_uid[0] ? as_written(id->pod_uid, &buf) : NULL;
	label[KL_CONTAINER_ID] = id->container_id[0] ?
				 as_written(id->container_id, &buf) : NULL;
	label[KL_QOS] = pod_qos_name(id->qos);
	if (id->runtime != CTR_NONE || id->pod_uid[0])
		return;
	if (id->unit[0])
		label[KL_UNIT] = as_written(id->unit, &buf);
	else
		label[KL_CGROUP] = as_written(r->victim.memcg, &buf);
}

static int same_labels(const struct kill_series *s, const char *const *label)
{
	int i;

	for (i = 0; i < NR_KILL_LABELS; i++) {
		if (!s->label[i] != !label[i])
			return 0;
		if (label[i] && strcmp(s->label[i], label[i]))
			return 0;
	}
	return 1;
}

/* Series of containers that are gone stop growing: after the TTL, every
 * scrape has seen their last value, and they go. */
static void expire(struct metrics *m, __u64 now_ns)
{
	unsigned int i = 0;

	while (i < m->nr_series) {
		if (now_ns - m->series[i].last_ns < m->cfg.series_ttl_ns) {
			i++;
			continue;
		}
		series_free(&m->series[i]);
		m->series[i] = m->series[--m->nr_series];
		memset(&m->series[m->nr_series], 0, sizeof(m->series[0]));
	}
}

static struct kill_series *kill_series(struct metrics *m, const char *const *label,
				       unsigned int constraint, __u64 now_ns)
{
	struct kill_series *s;
	unsigned int i;
	int l;

	for (i = 0; i < m->nr_series; i++)
		if (same_labels(&m->series[i], label))
			return &m->series[i];
	expire(m, now_ns);
	if (m->nr_series < m->cfg.max_series) {
		s = &m->series[m->nr_series];
		for (l = 0; l < NR_KILL_LABELS; l++) {
			if (label[l] && !(s->label[l] = strdup(label[l])))
				break;
		}
		if (l == NR_KILL_LABELS) {
			m->nr_series++;
			return s;
		}
		series_free(s);
	}
	/* counted, never dropped: only the identity is lost */
	m->overflowed++;
	s = &m->overflow[constraint];
	if (!s->label[KL_OVERFLOW]) {
		s->label[KL_CONSTRAINT] = strdup(constraint_label(constraint));
		s->label[KL_OVERFLOW] = strdup("true");
	}
	return s;
}

static void observe(struct histogram *h, double v)
{
	unsigned int i;

	for (i = 0; i < h->nr; i++)
		if (v <= h->bounds[i])
			h->buckets[i]++;
	h->count++;
	h->sum += v;
}

void metrics_record(struct metrics *m, const struct oom_record *r, __u64 now_ns)
{
	unsigned int c = constraint_index(r);
	const char *label[NR_KILL_LABELS];
	char values[LABELS_MAX];
	struct kill_series *s;

	if (!record_has(r, RF_OUTCOME))
		m->outcomes[OL_UNKNOWN]++;
	else
		m->outcomes[r->outcome == OUTCOME_KILLED ? OL_KILLED : OL_EXITING]++;
	/* episode numbers grow in the order episodes are handed out */
	if (r->episode != m->last_episode) {
		m->last_episode = r->episode;
		m->episode_victims = 0;
		m->episodes[c]++;
		if (record_has(r, RF_DURATION))
			observe(&m->duration, r->duration_us / 1e6);
	}
	if (++m->episode_victims == 2)
		m->group_kills++;
	if (record_has(r, RF_OUTCOME) && r->outcome == OUTCOME_EXITING)
		return;

	kill_labels(r, label, values);
	s = kill_series(m, label, c, now_ns);
	s->count++;
	s->last_ns = now_ns;
	if (r->time_ns > m->last_kill_ns)
		m->last_kill_ns = r->time_ns;
	if (record_has(r, RF_VICTIM_ANON_RSS))
		observe(&m->rss, (double)(r->anon_rss_kb + r->file_rss_kb + r->shmem_rss_kb) * 1024);
}

void metrics_reap(struct metrics *m, const struct reap_record *r)
{
	m->reaps[r->reaper]++;
	observe(&m->exit, r->exit_us / 1e6);
}

void metrics_totals(struct metrics *m, const struct trace_summary *sum)
{
	m->no_victim = sum->no_victim;
	m->lost_nomem = sum->lost_nomem;
	m->lost_ring = sum->lost_ring;
}

/* A label value: backslash, quote and newline escaped, invalid UTF-8 as
 * U+FFFD, as the text format requires. */
static void label_value(FILE *f, const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t len, n = strlen(v);

	fputc('"', f);
	while (*s) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', f);
			fputc(*s, f);
		} else if (*s == '\n') {
			fputs("\\n", f);
		} else if ((len = utf8_seq_len(s, n - (s - (const unsigned char *)v))) > 1) {
			fwrite(s, 1, len, f);
			s += len;
			continue;
		} else if (len == 1) {
			fputc(*s, f);
		} else {
			fputs("\xef\xbf\xbd", f);
		}
		s++;
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void kill_sample(FILE *f, const struct kill_series *s)
{
	const char *sep = "{";
	int i;

	fputs("oomtrace_oom_kills_total", f);
	for (i = 0; i < NR_KILL_LABELS; i++) {
		if (!s->label[i])
			continue;
		fprintf(f, "%s%s=", sep, kill_label_names[i]);
		label_value(f, s->label[i]);
		sep = ",";
	}
	fprintf(f, "%s %llu\n", *sep == ',' ? "}" : "", (unsigned long long)s->count);
}

static void histogram(FILE *f, const char *name, const struct histogram *h)
{
	unsigned int i;

	for (i = 0; i < h->nr; i++)
		fprintf(f, "%s_bucket{le=\"%.12g\"} %llu\n", name, h->bounds[i],
			(unsigned long long)h->buckets[i]);
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)h->count);
	fprintf(f, "%s_sum %.17g\n%s_count %llu\n", name, h->sum, name,
		(unsigned long long)h->count);
}

int metrics_write(struct metrics *m, FILE *f, long kernel_kills, __u64 now_ns)
{
	unsigned int i;

	expire(m, now_ns);
	family(f, "oomtrace_oom_kills_total", "counter",
	       "OOM-killer victims, by constraint and by the victim's identity from its memory cgroup.");
	for (i = 0; i < m->nr_series; i++)
		kill_sample(f, &m->series[i]);
	for (i = 0; i < NR_CONSTRAINT_LABELS; i++)
		if (m->overflow[i].label[KL_OVERFLOW])
			kill_sample(f, &m->overflow[i]);

	family(f, "oomtrace_series_overflow_total", "counter",
	       "Kills counted in the overflow series because --max-series kill series existed.");
	fprintf(f, "oomtrace_series_overflow_total %llu\n", (unsigned long long)m->overflowed);

	family(f, "oomtrace_oom_episodes_total", "counter",
	       "out_of_memory() calls that marked a victim, by constraint.");
	for (i = 0; i < NR_CONSTRAINT_LABELS; i++)
		fprintf(f, "oomtrace_oom_episodes_total{constraint=\"%s\"} %llu\n",
			constraint_label(i), (unsigned long long)m->episodes[i]);

	family(f, "oomtrace_oom_group_kills_total", "counter",
	       "Episodes that killed more than one victim (memory.oom.group).");
	fprintf(f, "oomtrace_oom_group_kills_total %llu\n", (unsigned long long)m->group_kills);

	family(f, "oomtrace_oom_outcomes_total", "counter",
	       "Marked victims by outcome, and out_of_memory() calls that found no victim.");
	for (i = 0; i < NR_OUTCOME_LABELS; i++)
		fprintf(f, "oomtrace_oom_outcomes_total{outcome=\"%s\"} %llu\n",
			outcome_labels[i], (unsigned long long)m->outcomes[i]);
	fprintf(f, "oomtrace_oom_outcomes_total{outcome=\"no_victim\"} %llu\n",
		(unsigned long long)m->no_victim);

	family(f, "oomtrace_victim_rss_bytes", "histogram",
	       "Victims' resident memory (anon + file + shmem) when they were marked.");
	histogram(f, "oomtrace_victim_rss_bytes", &m->rss);
	family(f, "oomtrace_oom_duration_seconds", "histogram",
	       "Time spent in out_of_memory() per episode (fentry and kprobe modes).");
	histogram(f, "oomtrace_oom_duration_seconds", &m->duration);

	family(f, "oomtrace_reaps_total", "counter",
	       "Victims whose process exited, by what the oom_reaper did: reaped, skipped, not_needed.");
	for (i = 0; i <= REAPER_REAPED; i++)
		fprintf(f, "oomtrace_reaps_total{reaper=\"%s\"} %llu\n", reaper_name(i),
			(unsigned long long)m->reaps[i]);
	family(f, "oomtrace_victim_exit_seconds", "histogram",
	       "Time from a victim's marking to its process's exit.");
	histogram(f, "oomtrace_victim_exit_seconds", &m->exit);

	family(f, "oomtrace_records_lost_total", "counter",
	       "Records lost: the ring buffer was full, or the consumer had no memory.");
	fprintf(f, "oomtrace_records_lost_total{reason=\"ring_full\"} %llu\n",
		(unsigned long long)m->lost_ring);
	fprintf(f, "oomtrace_records_lost_total{reason=\"no_memory\"} %llu\n",
		(unsigned long long)m->lost_nomem);

	if (kernel_kills >= 0) {
		family(f, "oomtrace_kernel_oom_kills_total", "counter",
		       "The kernel's own count of OOM kills (/proc/vmstat oom_kill), to cross-check.");
		fprintf(f, "oomtrace_kernel_oom_kills_total %ld\n", kernel_kills);
	}
	if (m->last_kill_ns) {
		family(f, "oomtrace_last_kill_timestamp_seconds", "gauge",
		       "When the last victim was marked, in seconds since the epoch.");
		fprintf(f, "oomtrace_last_kill_timestamp_seconds %lld.%06lld\n",
			(long long)(m->last_kill_ns / 1000000000),
			(long long)(m->last_kill_ns % 1000000000 / 1000));
	}
	family(f, "oomtrace_build_info", "gauge",
	       "Always 1: the oomtrace version, its attach mode and the kernel release.");
	fputs("oomtrace_build_info{version=", f);
	label_value(f, m->cfg.version);
	fputs(",mode=", f);
	label_value(f, m->cfg.mode);
	fputs(",kernel=", f);
	label_value(f, m->cfg.kernel);
	fputs("} 1\n", f);
	if (fflush(f) || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}
