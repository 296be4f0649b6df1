/* SPDX-License-Identifier: GPL-2.0 */
/* `oomtrace serve`: trace, and export metrics and records to fleets. */
#ifndef __SERVE_H
#define __SERVE_H

#include "trace.h"

/* Loopback: exposing kill records beyond the host is a choice to make. */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:19100"

struct serve_opts {
	struct trace_opts trace;	/* its sinks are added by serve_run() */
	const char *listen;
	const char *textfile;		/* node_exporter textfile; NULL: none */
	const char *json_log;		/* records appended here; NULL: none */
	unsigned int max_series;
	unsigned int max_events;
	double series_ttl;		/* seconds */
};

/* Serve until a signal or --duration; returns the exit code. */
int serve_run(struct serve_opts *o);

#endif /* __SERVE_H */
