/* SPDX-License-Identifier: GPL-2.0 */
/* Attach-mode choice: each mode is tried for real, never assumed from a
 * kernel version. */
#ifndef __ATTACH_H
#define __ATTACH_H

#include <stddef.h>
#include "event.h"

struct ksyms;
struct oomtrace_bpf;
struct bpf_link;

struct attach_opts {
	const char *btf_path;	/* BTF for CO-RE; NULL: the kernel's own */
	size_t ringbuf_size;
	const struct ksyms *ks;	/* resolves kprobe targets; may be NULL */
};

struct tracer {
	struct oomtrace_bpf *skel;
	struct bpf_link *links[4];
	int nr_links;
	enum oom_mode mode;
	const char *mark_victim;	/* "tp_btf" or "raw_tp" */
};

/* libbpf's messages go to stderr with verbose, else are kept as reasons. */
void attach_setup_libbpf(int verbose);

/* Start the tracer in mode (MODE_AUTO: fentry, else kprobe, else
 * tracepoint). On failure returns -errno and why[] says, per mode tried,
 * what failed. */
int tracer_start(struct tracer *t, enum oom_mode mode, const struct attach_opts *o,
		 char *why, size_t len);
void tracer_stop(struct tracer *t);

#endif /* __ATTACH_H */
