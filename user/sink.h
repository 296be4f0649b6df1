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

struct trace_summary {
	enum oom_mode mode;
	__u64 records;		/* handed to the sinks */
	__u64 filtered;		/* assembled but filtered out */
	__u64 lost;		/* failed ring-buffer reserves, and records without memory */
	__u64 episodes;
	__u64 no_victim;
	__u64 incomplete;
};

struct sink_config {
	FILE *f;		/* the stream a line-oriented sink writes */
};

struct sink;

/* Every callback but close returns 0 or -errno; a sink whose writes fail
 * says so and the consumer stops. */
struct sink_ops {
	const char *name;
	struct sink *(*open)(const struct sink_config *cfg);
	int (*record)(struct sink *s, const struct oom_record *r);
	int (*lost)(struct sink *s, const struct loss_report *l);
	int (*summary)(struct sink *s, const struct trace_summary *sum);
	void (*close)(struct sink *s);
};

extern const struct sink_ops sink_text;		/* sink_text.c */
extern const struct sink_ops sink_json;		/* sink_json.c: schema/ */

#endif /* __SINK_H */
