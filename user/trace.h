/* SPDX-License-Identifier: GPL-2.0 */
/* The consumer: ring buffer -> episode assembly -> filters -> sinks. */
#ifndef __TRACE_H
#define __TRACE_H

#include <stddef.h>
#include "filter.h"
#include "mode.h"

struct btf;
struct trace;

/* Exit status when a mode given with --mode cannot attach here: tests tell
 * "this kernel lacks it" from a failure by this, not by the message. */
#define EXIT_MODE_UNAVAILABLE 3

struct trace_opts {
	enum oom_mode mode;
	int json;
	const char *output;	/* NULL: stdout */
	struct filter filter;
	long count;		/* stop after this many records; 0: never */
	double duration;	/* stop after this many seconds; 0: never */
	const char *btf_path;
	const struct btf *btf;	/* parsed kernel BTF */
	size_t ringbuf_size;
};

/* Attach and get ready to consume; NULL with *status set to the exit code
 * (and the reason on stderr) when that fails. */
struct trace *trace_open(const struct trace_opts *o, int *status);
/* Consume until a signal, --count or --duration, then drain; 0 or 1. */
int trace_run(struct trace *t);
/* Detach, summarise, close the sinks; 0, or 1 when output failed. */
int trace_close(struct trace *t);

#endif /* __TRACE_H */
