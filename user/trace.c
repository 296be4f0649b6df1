// SPDX-License-Identifier: GPL-2.0
/* The consumer: ring buffer -> episode assembly -> filters -> output. */
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
#include "gfp.h"
#include "kallsyms.h"
#include "oomtrace.skel.h"
#include "output.h"
#include "timefmt.h"
#include "trace.h"

#define POLL_MS 100
/* An episode whose out_of_memory() return never came (lost) is printed
 * without it after this long: generous, as a slow console can hold
 * out_of_memory() in dump_header() for seconds. */
#define EPISODE_MAX_AGE_NS (30ULL * 1000 * 1000 * 1000)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct ctx {
	const struct trace_opts *opts;
	struct output out;
	struct episodes *episodes;
	struct summary sum;
	int drops_fd;
	int ncpus;
	int write_err;	/* records could not be written: stop, exit 1 */
	__u64 *drops;	/* per-CPU values */
};

static __u64 now_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void emit(const struct oom_event *ev, void *data)
{
	struct ctx *c = data;

	if (c->opts->count && c->sum.records >= (__u64)c->opts->count)
		return;
	if (!filter_match(&c->opts->filter, ev)) {
		c->sum.filtered++;
		return;
	}
	output_event(&c->out, ev);
	c->sum.records++;
	if (ferror(c->out.f) && !c->write_err) {
		c->write_err = errno ? errno : EIO;
		stop = 1;
	}
}

static int handle(void *data, void *buf, size_t size)
{
	const struct oomtrace_hdr *hdr = buf;
	struct ctx *c = data;

	if (size < sizeof(*hdr) || hdr->size > size) {
		fprintf(stderr, "oomtrace: skipping a malformed record of %zu bytes\n", size);
		return 0;
	}
	if (hdr->type == OOMTRACE_REC_VICTIM && size >= sizeof(struct oomtrace_victim_rec))
		episodes_add_victim(c->episodes, buf, now_boot_ns());
	else if (hdr->type == OOMTRACE_REC_END && size >= sizeof(struct oomtrace_end_rec))
		episodes_add_end(c->episodes, buf, now_boot_ns());
	return 0;
}

/* Report new ring-buffer losses the moment they show. */
static void check_drops(struct ctx *c)
{
	__u32 zero = 0;
	__u64 total = 0;
	int i;

	if (bpf_map_lookup_elem(c->drops_fd, &zero, c->drops))
		return;
	for (i = 0; i < c->ncpus; i++)
		total += c->drops[i];
	if (total > c->sum.lost) {
		output_lost(&c->out, total - c->sum.lost, total, now_boot_ns());
		c->sum.lost = total;
	}
}

static int done(const struct ctx *c, __u64 deadline_ns)
{
	if (stop)
		return 1;
	if (c->opts->count && c->sum.records >= (__u64)c->opts->count)
		return 1;
	return deadline_ns && now_boot_ns() >= deadline_ns;
}

/*
 * An OOM tracer the OOM killer takes is no use: ask to be exempt. This also
 * keeps vm.oom_kill_allocating_task from choosing us when we allocate.
 * Lowering the value needs CAP_SYS_RESOURCE. Returns 0 or an errno.
 */
static int protect_from_oom_killer(void)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");
	int err;

	if (!f)
		return errno;
	err = fputs("-1000", f) < 0;
	if (fclose(f) || err)
		return errno;
	return 0;
}

int trace_run(const struct trace_opts *o)
{
	struct attach_opts aopts = { .btf_path = o->btf_path, .ringbuf_size = o->ringbuf_size };
	struct ring_buffer *rb = NULL;
	struct gfp_table gfp;
	struct ksyms *ks;
	struct tracer t = {};
	struct ctx c = { .opts = o };
	char why[2048];
	__u64 deadline = 0;
	int err, protect_err, lock_err, ret = 1;

	c.out.f = stdout;
	if (o->output) {
		c.out.f = fopen(o->output, "w");
		if (!c.out.f) {
			fprintf(stderr, "oomtrace: failed to open %s: %s\n", o->output,
				strerror(errno));
			return 1;
		}
	}
	protect_err = protect_from_oom_killer();
	ks = ksyms_load(NULL);
	if (!ks)
		fprintf(stderr, "oomtrace: failed to read /proc/kallsyms: %s; "
			"stacks, outcome and kprobe targets will be unresolved\n",
			strerror(errno));
	err = gfp_table_init(&gfp, o->btf);
	if (err)
		fprintf(stderr, "oomtrace: failed to read gfp flag names from BTF: %s; "
			"gfp_flags will be hex\n", strerror(-err));
	c.out.json = o->json;
	c.out.ks = ks;
	c.out.gfp = &gfp;
	c.out.boot_to_unix_ns = boottime_to_realtime_offset();
	c.out.page_kb = sysconf(_SC_PAGESIZE) / 1024;

	aopts.ks = ks;
	err = tracer_start(&t, o->mode, &aopts, why, sizeof(why));
	if (err) {
		if (o->mode == MODE_AUTO)
			fprintf(stderr, "oomtrace: failed to attach in any mode:\n%s\n", why);
		else
			fprintf(stderr, "oomtrace: %s mode is not available on this kernel: %s\n",
				mode_name(o->mode), why);
		if (o->mode != MODE_AUTO)
			ret = EXIT_MODE_UNAVAILABLE;
		goto close_output;
	}
	c.sum.mode = t.mode;
	errno = 0;	/* each failure below sets it */
	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus > 0)
		c.drops = calloc(c.ncpus, sizeof(*c.drops));
	c.drops_fd = bpf_map__fd(t.skel->maps.drops);
	c.episodes = episodes_new(t.mode, ks, emit, &c);
	rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), handle, &c, NULL);
	if (!c.drops || !c.episodes || !rb) {
		fprintf(stderr, "oomtrace: failed to set up the consumer: %s\n",
			strerror(c.ncpus < 0 ? -c.ncpus : errno ? errno : ENOMEM));
		goto free_consumer;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o->duration > 0)
		deadline = now_boot_ns() + (__u64)(o->duration * 1e9);
	/*
	 * In a global OOM, reclaim takes the pages of our own code; faulting
	 * them back in can fail and kill us (seen under a global OOM in QEMU).
	 * Everything is allocated by now: pin it.
	 */
	lock_err = mlockall(MCL_CURRENT) ? errno : 0;
	fprintf(stderr, "oomtrace: tracing OOM kills in %s mode (mark_victim via %s)",
		mode_name(t.mode), t.mark_victim);
	if (protect_err)
		fprintf(stderr, "; failed to exempt itself from the OOM killer: %s",
			strerror(protect_err));
	if (lock_err)
		fprintf(stderr, "; failed to lock its memory: %s", strerror(lock_err));
	fputc('\n', stderr);

	while (!done(&c, deadline)) {
		err = ring_buffer__poll(rb, POLL_MS);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "oomtrace: failed to poll the ring buffer: %s\n",
				strerror(-err));
			goto free_consumer;
		}
		check_drops(&c);
		episodes_flush(c.episodes, now_boot_ns(), EPISODE_MAX_AGE_NS);
	}
	/* drain what the kernel already wrote before leaving */
	ring_buffer__consume(rb);
	episodes_flush(c.episodes, now_boot_ns(), 0);
	check_drops(&c);
	c.sum.episodes = episodes_stats(c.episodes)->episodes;
	c.sum.no_victim = episodes_stats(c.episodes)->no_victim;
	c.sum.incomplete = episodes_stats(c.episodes)->incomplete;
	c.sum.lost += episodes_stats(c.episodes)->nomem;
	output_summary(&c.out, &c.sum);
	if (fflush(c.out.f) && !c.write_err)
		c.write_err = errno;
	if (c.write_err) {
		fprintf(stderr, "oomtrace: failed to write records: %s\n",
			strerror(c.write_err));
		goto free_consumer;
	}
	ret = 0;

free_consumer:
	ring_buffer__free(rb);
	episodes_free(c.episodes);
	free(c.drops);
	tracer_stop(&t);
close_output:
	ksyms_free(ks);
	if (c.out.f != stdout && fclose(c.out.f) && !ret) {
		fprintf(stderr, "oomtrace: failed to write records: %s\n", strerror(errno));
		ret = 1;
	}
	return ret;
}
