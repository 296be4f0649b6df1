// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "exporter.h"
#include "sink.h"

struct exporter {
	pthread_mutex_t lock;
	struct metrics *metrics;
	char **events;			/* ring of JSON lines */
	unsigned int max_events;
	__u64 nr_events;		/* ever added */
	const char *textfile;
	int textfile_err;		/* last write's error, said once */
	int ready;
};

static __u64 now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct exporter *exporter_new(const struct exporter_config *cfg)
{
	struct exporter *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	pthread_mutex_init(&e->lock, NULL);
	e->max_events = cfg->max_events;
	e->textfile = cfg->textfile;
	e->metrics = metrics_new(&cfg->metrics);
	e->events = calloc(e->max_events ? e->max_events : 1, sizeof(*e->events));
	if (!e->metrics || !e->events) {
		exporter_free(e);
		return NULL;
	}
	return e;
}

void exporter_free(struct exporter *e)
{
	unsigned int i;

	if (!e)
		return;
	for (i = 0; e->events && i < e->max_events; i++)
		free(e->events[i]);
	free(e->events);
	metrics_free(e->metrics);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

static void write_textfile(struct exporter *e);

void exporter_ready(struct exporter *e, enum oom_mode mode)
{
	pthread_mutex_lock(&e->lock);
	metrics_set_mode(e->metrics, mode_name(mode));
	e->ready = 1;
	pthread_mutex_unlock(&e->lock);
	write_textfile(e);
}

int exporter_is_ready(struct exporter *e)
{
	int ready;

	pthread_mutex_lock(&e->lock);
	ready = e->ready;
	pthread_mutex_unlock(&e->lock);
	return ready;
}

/* The kernel's own count, read at each scrape: a cross-check. */
static long vmstat_oom_kill(void)
{
	char line[128];
	long v = -1;
	FILE *f;

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

int exporter_metrics(struct exporter *e, char **buf, size_t *len)
{
	long kernel_kills = vmstat_oom_kill();
	FILE *f = open_memstream(buf, len);
	int err;

	if (!f)
		return -errno;
	pthread_mutex_lock(&e->lock);
	err = metrics_write(e->metrics, f, kernel_kills, now_mono_ns());
	pthread_mutex_unlock(&e->lock);
	if (fclose(f) && !err)
		err = -errno;
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int exporter_events(struct exporter *e, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	__u64 i, first;
	int err = 0;

	if (!f)
		return -errno;
	pthread_mutex_lock(&e->lock);
	first = e->nr_events > e->max_events ? e->nr_events - e->max_events : 0;
	for (i = first; i < e->nr_events; i++)
		fputs(e->events[i % e->max_events], f);
	pthread_mutex_unlock(&e->lock);
	if (fclose(f))
		err = -errno;
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

/*
 * node_exporter's textfile collector reads *.prom files whole: write a
 * temporary name it ignores, then rename() it into place. A failure is
 * said once (and its end too), and never stops the tracing.
 */
static void write_textfile(struct exporter *e)
{
	char tmp[4096], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (!e->textfile)
		return;
	err = exporter_metrics(e, &buf, &len);
	snprintf(tmp, sizeof(tmp), "%s.tmp", e->textfile);
	if (!err) {
		/* node_exporter, another user, reads it: 0644 whatever the umask */
		f = fopen(tmp, "w");
		if (f && fchmod(fileno(f), 0644)) {
			fclose(f);
			f = NULL;
		}
		if (!f)
			err = -errno;
		else if (fwrite(buf, 1, len, f) != len || fflush(f))
			err = -errno;
		if (f && fclose(f) && !err)
			err = -errno;
		if (!err && rename(tmp, e->textfile))
			err = -errno;
		if (err)
			unlink(tmp);
	}
	free(buf);
	if (err && err != e->textfile_err)
		fprintf(stderr, "oomtrace: failed to write %s: %s\n", e->textfile,
			strerror(-err));
	else if (!err && e->textfile_err)
		fprintf(stderr, "oomtrace: writing %s again\n", e->textfile);
	e->textfile_err = err;
}

/* sink_exporter: the consumer's side. The textfile is written with the
 * totals that follow each poll that brought something, not once per record
 * of a storm. */
struct sink {
	struct exporter *e;
};

static struct sink *exporter_open(const struct sink_config *cfg)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->e = cfg->exporter;
	return s;
}

/* Keep the line in /events' ring; the caller holds the lock. */
static void keep_event(struct exporter *e, char **line)
{
	if (!*line || !e->max_events)
		return;
	free(e->events[e->nr_events % e->max_events]);
	e->events[e->nr_events++ % e->max_events] = *line;
	*line = NULL;
}

/* One JSON line, rendered outside the lock: readers wait only for the swap. */
static char *render(void (*write)(FILE *f, const void *r), const void *r)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		return NULL;
	write(f, r);
	if (fclose(f)) {
		free(line);
		return NULL;
	}
	return line;
}

static void kill_line(FILE *f, const void *r)
{
	sink_json_line(f, r);
}

static void reap_line(FILE *f, const void *r)
{
	sink_json_reap_line(f, r);
}

static int exporter_record(struct sink *s, const struct oom_record *r)
{
	struct exporter *e = s->e;
	char *line = render(kill_line, r);

	pthread_mutex_lock(&e->lock);
	metrics_record(e->metrics, r, now_mono_ns());
	keep_event(e, &line);
	pthread_mutex_unlock(&e->lock);
	free(line);
	return 0;
}

static int exporter_reap(struct sink *s, const struct reap_record *r)
{
	struct exporter *e = s->e;
	char *line = render(reap_line, r);

	pthread_mutex_lock(&e->lock);
	metrics_reap(e->metrics, r);
	keep_event(e, &line);
	pthread_mutex_unlock(&e->lock);
	free(line);
	return 0;
}

static int exporter_lost(struct sink *s, const struct loss_report *l)
{
	return 0;	/* the totals that follow carry it */
}

static int exporter_summary(struct sink *s, const struct trace_summary *sum)
{
	pthread_mutex_lock(&s->e->lock);
	metrics_totals(s->e->metrics, sum);
	pthread_mutex_unlock(&s->e->lock);
	write_textfile(s->e);
	return 0;
}

static int exporter_close(struct sink *s)
{
	free(s);
	return 0;
}

const struct sink_ops sink_exporter = {
	.name = "exporter",
	.open = exporter_open,
	.record = exporter_record,
	.reap = exporter_reap,
	.lost = exporter_lost,
	.summary = exporter_summary,
	.close = exporter_close,
};
