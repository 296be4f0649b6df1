/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __TRACE_H
#define __TRACE_H

#include <stddef.h>
#include "event.h"
#include "filter.h"

struct btf;

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

/* Trace until a signal, --count or --duration; returns the exit code. */
int trace_run(const struct trace_opts *o);

#endif /* __TRACE_H */
