// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "episode.h"
#include "followup.h"
#include "gfp.h"
#include "kallsyms.h"
#include "protect.h"
#include "sink.h"
#include "timefmt.h"
#include "trace.h"

#define POLL_MS 100
/* An episode whose out_of_memory() return never came (lost) is printed
 * without it after this long: generous, as a slow console can hold
 * out_of_memory() in dump_header() for seconds. */
#define EPISODE_MAX_AGE_NS (30ULL * 1000 * 1000 * 1000)
static volatile sig_atomic_t stop, reopen;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen = 1;
	else
		stop = 1;
}

struct trace {
	const struct trace_opts *opts;
	struct attachment att;
	struct ksyms *ks;
	struct gfp_table gfp;
	struct record_env env;
	struct episodes *episodes;
	struct followups *followups;
	struct ring_buffer *rb;
	struct sink *sinks[TRACE_MAX_SINKS];
	int nr_sinks;
	struct trace_summary sum;
	struct trace_summary told;	/* what the sinks last heard */
	struct protection prot;
	int ncpus;
	__u64 *drops;		/* per-CPU values */
	__u64 lost_followup_slots;	/* OOMTRACE_DROP_FOLLOWUP, summed */
	int write_err;		/* a sink failed: stop, exit 1 */
	int said[TRACE_MAX_SINKS];	/* a best-effort sink's failure was said */
	__u64 deadline_ns;
};

static __u64 now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Sink i returned err: a best-effort one's failure is said once, and stops nothing. */
static void sink_failed(struct trace *t, int i, int err)
{
	const struct sink_config *cfg = &t->opts->sink_cfg[i];

	if (!err)
		return;
	if (cfg->best_effort) {
		if (!t->said[i])
			fprintf(stderr, "oomtrace: failed to write %s: %s; going on without it\n",
				cfg->path, strerror(-err));
		t->said[i] = 1;
	} else if (!t->write_err) {
		t->write_err = -err;
		stop = 1;
	}
}

static void emit(const struct oom_record *r, void *ctx)
{
	struct trace *t = ctx;
	int i;

	if (t->opts->count && t->sum.records >= (__u64)t->opts->count) {
		followups_decided(t->followups, r->seq, 0);
		return;
	}
	if (!filter_match(&t->opts->filter, r)) {
		t->sum.filtered++;
		followups_decided(t->followups, r->seq, 0);
		return;
	}
	for (i = 0; i < t->nr_sinks; i++)
		sink_failed(t, i, t->opts->sink_ops[i]->record(t->sinks[i], r));
	t->sum.records++;
	followups_decided(t->followups, r->seq, 1);
}

static void emit_reap(const struct oomtrace_reap_rec *raw, void *ctx)
{
	struct reap_record r;
	struct trace *t = ctx;
	int i;

	reap_build(&r, &t->env, raw);
	for (i = 0; i < t->nr_sinks; i++)
		if (t->opts->sink_ops[i]->reap)
			sink_failed(t, i, t->opts->sink_ops[i]->reap(t->sinks[i], &r));
	t->sum.reaps++;
}

static int handle(void *ctx, void *buf, size_t size)
{
	const struct oomtrace_hdr *hdr = buf;
	__u64 now = now_boot_ns();
	struct trace *t = ctx;
	int err;

	if (size >= sizeof(*hdr) && hdr->type == OOMTRACE_REC_REAP)
		err = followups_add_bytes(t->followups, buf, size, now);
	else
		err = episodes_add_bytes(t->episodes, buf, size, now);
	if (err)
		fprintf(stderr, "oomtrace: skipping a malformed record of %zu bytes\n", size);
	return 0;
}

/* The per-CPU values of one drops slot, summed; 0 when unreadable. */
static __u64 drops_total(struct trace *t, __u32 slot)
{
	__u64 total = 0;
	int i;

	if (bpf_map_lookup_elem(attachment_drops_fd(&t->att), &slot, t->drops))
		return 0;
	for (i = 0; i < t->ncpus; i++)
		total += t->drops[i];
	return total;
}

/* Report new ring-buffer losses the moment they show. */
static void check_drops(struct trace *t)
{
	struct loss_report l = {};
	int i;

	t->lost_followup_slots = drops_total(t, OOMTRACE_DROP_FOLLOWUP);
	l.total = drops_total(t, OOMTRACE_DROP_VICTIM);
	if (l.total <= t->sum.lost_ring)
		return;
	l.count = l.total - t->sum.lost_ring;
	l.time_ns = (int64_t)now_boot_ns() + t->env.boot_to_unix_ns;
	t->sum.lost_ring = l.total;
	for (i = 0; i < t->nr_sinks; i++)
		sink_failed(t, i, t->opts->sink_ops[i]->lost(t->sinks[i], &l));
}

static int done(const struct trace *t)
{
	if (stop)
		return 1;
	if (t->opts->count && t->sum.records >= (__u64)t->opts->count)
		return 1;
	return t->deadline_ns && now_boot_ns() >= t->deadline_ns;
}

/* Each sink says on stderr why it could not open. */
static int open_sinks(struct trace *t)
{
	const struct trace_opts *o = t->opts;

	for (t->nr_sinks = 0; t->nr_sinks < o->nr_sinks; t->nr_sinks++) {
		t->sinks[t->nr_sinks] = o->sink_ops[t->nr_sinks]->open(&o->sink_cfg[t->nr_sinks]);
		if (!t->sinks[t->nr_sinks])
			return -1;
	}
	return 0;
}

/* The running totals, to the sinks that keep them, when they changed. */
static void tell_totals(struct trace *t)
{
	const struct episode_stats *es = episodes_stats(t->episodes);
	struct trace_summary *s = &t->sum;
	int i;

	s->episodes = es->episodes;
	s->no_victim = es->no_victim;
	s->incomplete = es->incomplete;
	s->lost = s->lost_ring + es->nomem;
	s->lost_nomem = es->nomem;
	s->lost_followups = t->lost_followup_slots + followups_nomem(t->followups);
	if (!memcmp(s, &t->told, sizeof(*s)))
		return;
	t->told = *s;
	for (i = 0; i < t->nr_sinks; i++)
		sink_failed(t, i, t->opts->sink_ops[i]->summary(t->sinks[i], s));
}

static void reopen_sinks(struct trace *t)
{
	const struct trace_opts *o = t->opts;
	int i, err;

	reopen = 0;
	for (i = 0; i < t->nr_sinks; i++) {
		if (!o->sink_ops[i]->reopen)
			continue;
		err = o->sink_ops[i]->reopen(t->sinks[i]);
		if (err)
			fprintf(stderr, "oomtrace: failed to reopen %s: %s\n",
				o->sink_cfg[i].path, strerror(-err));
	}
}

/* What the kernel side needs, and the consumer of what it writes. */
static int start_consumer(struct trace *t, int *status)
{
	const struct trace_opts *o = t->opts;
	struct attach_opts aopts = {
		.btf_path = o->btf_path, .ringbuf_size = o->ringbuf_size, .ks = t->ks,
	};
	char why[2048];
	int err;

	err = attachment_start(&t->att, o->mode, &aopts, why, sizeof(why));
	if (err) {
		if (o->mode == MODE_AUTO) {
			fprintf(stderr, "oomtrace: failed to attach in any mode:\n%s\n", why);
		} else {
			fprintf(stderr, "oomtrace: %s mode is not available on this kernel: %s\n",
				mode_name(o->mode), why);
			*status = EXIT_MODE_UNAVAILABLE;
		}
		return err;
	}
	t->sum.mode = t->att.mode;
	errno = 0;	/* each failure below sets it */
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus > 0)
		t->drops = calloc(t->ncpus, sizeof(*t->drops));
	t->episodes = episodes_new(t->att.mode, &t->env, emit, t);
	t->followups = followups_new(emit_reap, t);
	t->rb = ring_buffer__new(attachment_events_fd(&t->att), handle, t, NULL);
	if (!t->drops || !t->episodes || !t->followups || !t->rb) {
		err = t->ncpus < 0 ? t->ncpus : errno ? -errno : -ENOMEM;
		fprintf(stderr, "oomtrace: failed to set up the consumer: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static void free_consumer(struct trace *t)
{
	ring_buffer__free(t->rb);
	followups_free(t->followups);
	episodes_free(t->episodes);
	free(t->drops);
	attachment_stop(&t->att);
}

static void close_sinks(struct trace *t)
{
	int i;

	for (i = 0; i < t->nr_sinks; i++)
		sink_failed(t, i, t->opts->sink_ops[i]->close(t->sinks[i]));
}

struct trace *trace_open(const struct trace_opts *o, int *status)
{
	struct trace *t = calloc(1, sizeof(*t));
	int err, lock_err;
	char why[256], prot[1024];

	*status = 1;
	if (!t) {
		fprintf(stderr, "oomtrace: failed to start: %s\n", strerror(ENOMEM));
		return NULL;
	}
	t->opts = o;
	if (open_sinks(t))
		goto close_sinks;
	protect_oom_score(&t->prot);
	t->ks = ksyms_load(NULL);
	if (!t->ks)
		fprintf(stderr, "oomtrace: failed to read /proc/kallsyms: %s; "
			"stacks, outcome and kprobe targets will be unresolved\n",
			strerror(errno));
	err = gfp_table_init(&t->gfp, o->btf);
	if (err)
		fprintf(stderr, "oomtrace: failed to read gfp flag names from BTF: %s; "
			"gfp_flags will be hex\n", strerror(-err));
	record_env_init(&t->env, t->ks, &t->gfp);
	if (start_consumer(t, status))
		goto free_consumer;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (o->duration > 0)
		t->deadline_ns = now_boot_ns() + (__u64)(o->duration * 1e9);
	/*
	 * In a global OOM, reclaim takes the pages of our own code; faulting
	 * them back in can fail and kill us (seen under a global OOM in QEMU).
	 * Everything is allocated by now: pin it.
	 */
	lock_err = mlockall(MCL_CURRENT) ? errno : 0;
	protect_memory(&t->prot);
	if (privilege_drop(&o->run_as, why, sizeof(why))) {
		fprintf(stderr, "oomtrace: %s\n", why);
		protect_release(&t->prot);
		goto free_consumer;
	}
	fprintf(stderr, "oomtrace: tracing OOM kills in %s mode (mark_victim via %s)",
		mode_name(t->att.mode), hook_name(t->att.hook));
	if (o->run_as.name)
		fprintf(stderr, " as %s", o->run_as.name);
	protect_describe(&t->prot, prot, sizeof(prot));
	fprintf(stderr, "; protection: %s", prot);
	if (lock_err)
		fprintf(stderr, "; failed to lock its memory: %s", strerror(lock_err));
	fputc('\n', stderr);
	return t;

free_consumer:
	free_consumer(t);
	ksyms_free(t->ks);
close_sinks:
	close_sinks(t);
	free(t);
	return NULL;
}

enum oom_mode trace_mode(const struct trace *t)
{
	return t->att.mode;
}

int trace_run(struct trace *t)
{
	int err;

	while (!done(t)) {
		err = ring_buffer__poll(t->rb, POLL_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "oomtrace: failed to poll the ring buffer: %s\n",
				strerror(-err));
			return 1;
		}
		check_drops(t);
		episodes_flush(t->episodes, now_boot_ns(), EPISODE_MAX_AGE_NS);
		followups_flush(t->followups, now_boot_ns(), EPISODE_MAX_AGE_NS);
		tell_totals(t);
		if (reopen)
			reopen_sinks(t);
	}
	/*
	 * Detach first, then drain: a victim the kernel marks between a drain
	 * and the detach would otherwise be neither a record nor lost.
	 */
	attachment_detach(&t->att);
	ring_buffer__consume(t->rb);
	episodes_flush(t->episodes, now_boot_ns(), 0);
	followups_flush(t->followups, now_boot_ns(), 0);
	check_drops(t);
	return 0;
}

int trace_close(struct trace *t)
{
	struct trace_summary *s = &t->sum;
	int ret = 0;

	s->final = 1;
	tell_totals(t);
	free_consumer(t);
	ksyms_free(t->ks);
	protect_release(&t->prot);
	fprintf(stderr, "oomtrace: %llu records, %llu filtered out, %llu lost; "
		"%llu OOM episodes (%llu without a victim, %llu incomplete); "
		"%llu reap records, %llu lost\n",
		(unsigned long long)s->records, (unsigned long long)s->filtered,
		(unsigned long long)s->lost, (unsigned long long)s->episodes,
		(unsigned long long)s->no_victim, (unsigned long long)s->incomplete,
		(unsigned long long)s->reaps, (unsigned long long)s->lost_followups);
	close_sinks(t);
	if (t->write_err) {
		fprintf(stderr, "oomtrace: failed to write records: %s\n",
			strerror(t->write_err));
		ret = 1;
	}
	free(t);
	return ret;
}
