/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sinks: where finished records go. Each kind is one file that fills a
 * struct sink_ops; the consumer calls them and nothing calls back.
 */
#ifndef __SINK_H
#define __SINK_H

#include <stdio.h>
#include "record.h"

/* Ring-buffer reserves the kernel side could not make. */
struct loss_report {
	int64_t time_ns;	/* wall clock, when the consumer noticed */
	__u64 count;		/* new since the last report */
	__u64 total;		/* since the start */
};

/* The consumer's totals: running while it traces, final when it stops. */
struct trace_summary {
	int final;
	enum oom_mode mode;
	__u64 records;		/* handed to the sinks */
	__u64 filtered;		/* assembled but filtered out */
	__u64 lost;		/* lost_ring + lost_nomem */
	__u64 lost_ring;	/* failed ring-buffer reserves */
	__u64 lost_nomem;	/* records the consumer had no memory for */
	__u64 episodes;
	__u64 no_victim;
	__u64 incomplete;
	__u64 reaps;		/* reap records handed to the sinks */
	__u64 lost_followups;	/* reap records never made or never delivered */
};

struct exporter;

struct sink_config {
	FILE *f;		/* the stream a line-oriented sink writes */
	const char *path;	/* or a file it opens and owns instead */
	int append;		/* path: append, and reopen on SIGHUP (logrotate) */
	struct exporter *exporter;	/* sink_exporter: the state it feeds */
	int best_effort;	/* a failure is said once and stops nothing (serve's log) */
};

struct sink;

/* Every callback returns 0 or -errno (close frees the sink whatever it returns); a sink whose writes fail
 * says so and the consumer stops, unless the sink is best_effort. summary comes with the running totals
 * after each poll that changed them, and once more, final, at the end.
 * reopen (may be NULL) reopens files after SIGHUP, for logrotate. reap (may be NULL) gets each
 * victim's follow-up, after its record. sample (may be NULL) gets each memory sample. */
struct sink_ops {
	const char *name;
	struct sink *(*open)(const struct sink_config *cfg);
	int (*record)(struct sink *s, const struct oom_record *r);
	int (*reap)(struct sink *s, const struct reap_record *r);
	int (*sample)(struct sink *s, const struct mem_sample *m);
	int (*lost)(struct sink *s, const struct loss_report *l);
	int (*summary)(struct sink *s, const struct trace_summary *sum);
	int (*reopen)(struct sink *s);
	int (*close)(struct sink *s);
};

extern const struct sink_ops sink_text;		/* sink_text.c */
extern const struct sink_ops sink_json;		/* sink_json.c: schema/ */

extern const struct sink_ops sink_exporter;	/* exporter.c */

/* One record as one JSON line, for sinks that keep lines of their own. */
void sink_json_line(FILE *f, const struct oom_record *r);
void sink_json_reap_line(FILE *f, const struct reap_record *r);
void sink_json_sample_line(FILE *f, const struct mem_sample *m);

/* sink.c: a line-oriented sink, which is its stream; the text and JSON
 * sinks use these as their open, reopen and close. open says why it failed
 * on stderr; the others return 0 or -errno. */
struct sink *line_sink_open(const struct sink_config *cfg);
int line_sink_reopen(struct sink *s);
int line_sink_close(struct sink *s);
FILE *line_sink_stream(const struct sink *s);
int line_sink_flush(struct sink *s);

#endif /* __SINK_H */
