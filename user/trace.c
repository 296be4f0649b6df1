// SPDX-License-Identifier: GPL-2.0
#include <byteswap.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "episode.h"
#include "followup.h"
#include "gfp.h"
#include "kallsyms.h"
#include "protect.h"
#include "route.h"
#include "sampler.h"
#include "sink.h"
#include "timefmt.h"
#include "trace.h"

/* also the longest a kill record waits when its victim does not exit */
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
	struct sampler *sampler;	/* NULL: no --sample-interval */
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
	if (t->sampler && record_has(r, RF_OOM_MEMCG))
		sampler_add_memcg(t->sampler, r->oom_memcg);
}

static void emit_sample(const struct mem_sample *m, void *ctx)
{
	struct trace *t = ctx;
	int i;

	for (i = 0; i < t->nr_sinks; i++)
		if (t->opts->sink_ops[i]->sample)
			sink_failed(t, i, t->opts->sink_ops[i]->sample(t->sinks[i], m));
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
	struct trace *t = ctx;

	if (route_sample(t->episodes, t->followups, buf, size, now_boot_ns()))
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

/*
 * Tracepoint mode leaves the kernel's BTF to libbpf. A file libbpf cannot
 * read (neither raw BTF, of either byte order, nor ELF) is said to be that
 * now, rather than later as a mode this kernel lacks. 0, or -errno
 * (-EPROTO: not BTF).
 */
static int btf_file_check(const char *path)
{
	unsigned char m[SELFMAG];
	int fd, err = 0;
	__u16 magic;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, m, sizeof(m));
	memcpy(&magic, m, sizeof(magic));
	if (n < 0)
		err = -errno;
	else if (n < SELFMAG || (memcmp(m, ELFMAG, SELFMAG) && magic != BTF_MAGIC &&
				 magic != bswap_16(BTF_MAGIC)))
		err = -EPROTO;
	close(fd);
	return err;
}

/*
 * In a global OOM, reclaim takes the pages of our own code; faulting them
 * back in can fail and kill us (seen under a global OOM in QEMU). Pin in
 * full the code that handles a record: ours, the C library's, libbpf's,
 * the HTTP library's (serve), and the dynamic linker's (lazy binding).
 * Everything else stays pinned as far as it was touched (MCL_ONFAULT): what
 * only the start used, like gnutls under libmicrohttpd, is never read in.
 * Returns 0 or an errno.
 */
static int lock_memory(void)
{
	static const char *const pinned[] = {
		"libc.so", "libbpf.so", "libmicrohttpd.so", "ld-linux",
	};
	char line[PATH_MAX + 128], exe[PATH_MAX], perms[5];
	unsigned long start, end;
	int err = 0, off;
	ssize_t n;
	size_t i;
	FILE *f;

	/* the start's memory goes back before the rest is pinned */
	malloc_trim(0);
	if (mlockall(MCL_CURRENT | MCL_ONFAULT))
		return errno;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n < 0 ? 0 : n] = '\0';
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f)) {
		const char *path, *base;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &off) != 3)
			continue;
		/* the gaps ld.so leaves between a library's segments: mlock()
		 * refuses them, and they hold no pages */
		if (!strcmp(perms, "---p"))
			continue;
		path = line + off;
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		for (i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++)
			if (!strncmp(base, pinned[i], strlen(pinned[i])))
				break;
		if ((i < sizeof(pinned) / sizeof(pinned[0]) || (exe[0] && !strcmp(path, exe))) &&
		    mlock((void *)start, end - start) && !err)
			err = errno;	/* the first failure; the rest still get locked */
	}
	fclose(f);
	return err;
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
static int start_consumer(struct trace *t, struct ksyms_loading *ks,
			  const struct attach_checks *checks, int *status)
{
	const struct trace_opts *o = t->opts;
	struct attach_opts aopts = {
		.btf_path = o->core_btf_path, .ringbuf_size = o->ringbuf_size, .ks = ks,
		.checks = checks, .candidates = o->candidates, .reclaim_s = o->reclaim_s,
		.reclaim_optional = o->reclaim_optional,
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
	if (o->sample_interval > 0)
		t->sampler = sampler_new(o->sample_interval, o->sample_cgroup_dir,
					 o->filter.cgroup);
	t->rb = ring_buffer__new(attachment_events_fd(&t->att), handle, t, NULL);
	if (!t->drops || !t->episodes || !t->followups || !t->rb ||
	    (o->sample_interval > 0 && !t->sampler)) {
		err = t->ncpus < 0 ? t->ncpus : errno ? -errno : -ENOMEM;
		fprintf(stderr, "oomtrace: failed to set up the consumer: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

static void free_consumer(struct trace *t)
{
	ring_buffer__free(t->rb);
	sampler_free(t->sampler);
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
	struct attach_checks checks, *made = NULL;
	struct ksyms_loading *ks;
	struct btf *btf;
	char why[256], prot[1024];

	*status = 1;
	if (!t) {
		fprintf(stderr, "oomtrace: failed to start: %s\n", strerror(ENOMEM));
		return NULL;
	}
	t->opts = o;
	/*
	 * One malloc arena for every thread: each further one reserves 64 MB,
	 * which locking would count against RLIMIT_MEMLOCK (and in VmLck).
	 */
	mallopt(M_ARENA_MAX, 1);
	/* the longest step of the start, and needed last: on a thread */
	ks = ksyms_load_async(NULL);
	/* tracepoint mode sees no oom_control: no gfp names, no mode checks */
	if (o->mode == MODE_TRACEPOINT) {
		btf = NULL;
		err = btf_file_check(o->btf_path);
	} else {
		btf = btf__parse(o->btf_path, NULL);
		err = btf ? 0 : -errno;
	}
	if (err) {
		fprintf(stderr, "oomtrace: failed to read BTF from %s: %s\n", o->btf_path,
			err == -EPROTO ? "neither raw BTF nor ELF" : strerror(-err));
		goto free_ksyms_loading;
	}
	if (open_sinks(t))
		goto close_sinks;
	protect_oom_score(&t->prot);
	if (btf) {
		err = gfp_table_init(&t->gfp, btf);
		if (err)
			fprintf(stderr, "oomtrace: failed to read gfp flag names from BTF: %s; "
				"gfp_flags will be hex\n", strerror(-err));
		attach_check_modes(btf, o->btf_path, &checks);
		made = &checks;
		/* libbpf parses its own copies: ours goes before they come */
		btf__free(btf);
		btf = NULL;
	}
	if (start_consumer(t, ks, made, status))
		goto free_consumer;
	t->ks = ksyms_loaded(ks);
	if (!t->ks)
		fprintf(stderr, "oomtrace: failed to read /proc/kallsyms: %s; "
			"stacks, outcome and kprobe targets will be unresolved\n",
			strerror(errno));
	ksyms_loading_free(ks);
	ks = NULL;
	record_env_init(&t->env, t->ks, &t->gfp);
	/* --reclaim's sums hold nothing from before the attach */
	t->env.since_ns = now_boot_ns();
	t->env.reclaim_lost = o->reclaim_s && !t->att.reclaim;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (o->duration > 0)
		t->deadline_ns = now_boot_ns() + (__u64)(o->duration * 1e9);
	lock_err = lock_memory();
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
	if (t->att.mode != MODE_TRACEPOINT && !t->att.ranked)
		fprintf(stderr, "; candidates: %s", t->att.unranked);
	if (t->att.no_mem_info[0])
		fprintf(stderr, "; mem_info: %s", t->att.no_mem_info);
	if (t->att.unreclaimed[0])
		fprintf(stderr, "; reclaim: %s", t->att.unreclaimed);
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
	btf__free(btf);
free_ksyms_loading:
	if (ks)
		ksyms_free(ksyms_loaded(ks));
	ksyms_loading_free(ks);
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
		/* a kill record wakes no one (see mark_victim()), so epoll
		 * does not report it: read the ring after every wait too */
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(t->rb);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "oomtrace: failed to poll the ring buffer: %s\n",
				strerror(-err));
			return 1;
		}
		check_drops(t);
		if (t->sampler)
			sampler_tick(t->sampler, now_boot_ns(), t->env.boot_to_unix_ns,
				     emit_sample, t);
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
