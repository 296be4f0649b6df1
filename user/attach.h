/* SPDX-License-Identifier: GPL-2.0 */
/* The attach layer: loads the BPF programs of one mode and attaches them.
 * Each mode is tried for real, never assumed from a kernel version. */
#ifndef __ATTACH_H
#define __ATTACH_H

#include <stddef.h>
#include "mode.h"

struct btf;
struct ksyms_loading;
struct oomtrace_bpf;
struct bpf_link;

/* How oom:mark_victim is hooked: BTF-typed where the kernel has it. */
enum mark_victim_hook {
	HOOK_TP_BTF,
	HOOK_RAW_TP,
	NR_HOOKS,
};

/* What the kernel's BTF told before any load: why a quick check ruled
 * out a mode, per mode ("" where none did), and whether the ranking's
 * fentry target is there. */
struct attach_checks {
	char why[MODE_END][128];
	int evaluate_in_btf;
};

struct attach_opts {
	const char *btf_path;	/* BTF for CO-RE; NULL: the kernel's own */
	size_t ringbuf_size;
	struct ksyms_loading *ks;	/* resolves kprobe targets; may be NULL */
	const struct attach_checks *checks;	/* NULL: none made */
	unsigned int candidates;	/* --candidates: 0 leaves the ranking unhooked */
	unsigned int reclaim_s;		/* --reclaim's window; 0 leaves reclaim unhooked */
	int reclaim_optional;		/* a kernel that refuses reclaim's hooks goes without */
};

struct attachment {
	struct oomtrace_bpf *skel;
	/* up to 5 for the kill, 5 to follow the victim, 8 for --reclaim */
	struct bpf_link *links[18];
	int nr_links;
	enum oom_mode mode;
	enum mark_victim_hook hook;
	int ranked;		/* oom_evaluate_task() is hooked: records rank candidates */
	int reclaim;		/* --reclaim's hooks are attached */
	char unranked[160];	/* else why not */
	char unreclaimed[160];	/* reclaim was optional, and not hooked: why not */
	char no_mem_info[160];	/* why global OOMs' records lack mem_info; "": they have it */
};

/* libbpf's messages go to stderr with verbose, else are kept as reasons. */
void attach_setup_libbpf(int verbose);

const char *hook_name(enum mark_victim_hook hook);

/*
 * Auto mode tries each mode for real, and a try costs libbpf two parses of
 * the kernel's BTF: rule out first, cheaply, the modes that cannot work
 * here, from the kernel's BTF (btf, read from btf_path).
 */
void attach_check_modes(const struct btf *btf, const char *btf_path, struct attach_checks *c);

/* Attach in mode (MODE_AUTO: the first of fentry, kprobe, tracepoint that
 * works, skipping those o->checks ruled out). On failure returns -errno
 * and why[] says, per mode tried, what failed. */
int attachment_start(struct attachment *a, enum oom_mode mode,
		     const struct attach_opts *o, char *why, size_t len);
/* Detach the programs; the maps (the ring buffer) stay to be read. */
void attachment_detach(struct attachment *a);
void attachment_stop(struct attachment *a);

/* The ring buffer of records, and the per-CPU counts of what found no room
 * (enum oomtrace_drop). */
int attachment_events_fd(const struct attachment *a);
int attachment_drops_fd(const struct attachment *a);

#endif /* __ATTACH_H */
