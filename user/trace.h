/* SPDX-License-Identifier: GPL-2.0 */
/* The consumer: ring buffer -> episode assembly -> filters -> sinks. */
#ifndef __TRACE_H
#define __TRACE_H

#include <stddef.h>
#include "filter.h"
#include "mode.h"
#include "privilege.h"
#include "sink.h"

struct trace;

/* Exit status when a mode given with --mode cannot attach here: tests tell
 * "this kernel lacks it" from a failure by this, not by the message. */
#define EXIT_MODE_UNAVAILABLE 3

#define TRACE_MAX_SINKS 4

struct trace_opts {
	enum oom_mode mode;
	/* where records go: each sink opened with its config */
	const struct sink_ops *sink_ops[TRACE_MAX_SINKS];
	struct sink_config sink_cfg[TRACE_MAX_SINKS];
	int nr_sinks;
	struct filter filter;
	long count;		/* stop after this many records; 0: never */
	double duration;	/* stop after this many seconds; 0: never */
	const char *btf_path;	/* the kernel's BTF, read while starting */
	const char *core_btf_path;	/* for libbpf; NULL: the kernel's */
	size_t ringbuf_size;
	unsigned int candidates;	/* --candidates */
	unsigned int reclaim_s;	/* --reclaim: the window in seconds; 0: off */
	int reclaim_optional;	/* serve's default: without it where the kernel cannot */
	struct run_as run_as;	/* --user: who to be once attached */
	double sample_interval;	/* seconds between memory samples; 0: none */
	const char *sample_cgroup_dir;	/* --cgroup's directory, sampled; NULL: the system */
};

/* Attach, drop every capability (and become --user), and get ready to
 * consume; NULL with *status set to the exit code (and the reason on
 * stderr) when that fails. */
struct trace *trace_open(const struct trace_opts *o, int *status);
/* The mode it attached in. */
enum oom_mode trace_mode(const struct trace *t);
/* Consume until a signal, --count or --duration, then drain; 0 or 1.
 * SIGHUP reopens the sinks' files. */
int trace_run(struct trace *t);
/* Detach, summarise, close the sinks; 0, or 1 when output failed. */
int trace_close(struct trace *t);

#endif /* __TRACE_H */
