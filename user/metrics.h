/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's metrics (README.md lists them; they are a public API):
 * counters and histograms fed by finished records, written in the
 * Prometheus text format 0.0.4. Kill series are bounded: see
 * struct metrics_config.
 */
#ifndef __METRICS_H
#define __METRICS_H

#include <stdio.h>
#include "record.h"
#include "sink.h"

struct metrics_config {
	unsigned int max_series;	/* kill series; past it, kills go to one overflow series */
	__u64 series_ttl_ns;		/* a kill series not grown for this long is dropped */
	const char *version;		/* oomtrace_build_info's labels */
	const char *mode;
	const char *kernel;
};

struct metrics;

struct metrics *metrics_new(const struct metrics_config *cfg);
void metrics_free(struct metrics *m);

/* A finished record, at monotonic time now_ns. */
void metrics_record(struct metrics *m, const struct oom_record *r, __u64 now_ns);
/* A victim's follow-up, once its process exited. */
void metrics_reap(struct metrics *m, const struct reap_record *r);
/* The consumer's running totals: losses and episodes without a victim. */
void metrics_totals(struct metrics *m, const struct trace_summary *sum);
/* Drop idle series, then write every family; kernel_kills is /proc/vmstat
 * oom_kill (negative: unreadable, left out). 0 or -errno. */
int metrics_write(struct metrics *m, FILE *f, long kernel_kills, __u64 now_ns);

/* The attach mode, once known (oomtrace_build_info's mode label). */
void metrics_set_mode(struct metrics *m, const char *mode);

/* How many kill series are kept, for tests of the bound. */
unsigned int metrics_nr_series(const struct metrics *m);

#endif /* __METRICS_H */
