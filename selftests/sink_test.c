// SPDX-License-Identifier: GPL-2.0
/*
 * Both sinks, offline: records built by record_build() from raw kernel-side
 * pieces (no root, no OOM), rendered as text and as JSON lines and compared
 * with golden files; the JSON read back by json-c must agree with the model
 * on every field's known-ness, and validate against the schema.
 * OOMTRACE_GOLDEN_UPDATE=1 rewrites the golden files: review their diff.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "kselftest_harness.h"
#include "gfp.h"
#include "kallsyms.h"
#include "oomtest.h"
#include "psi.h"
#include "record.h"
#include "sink.h"

#define GOLDEN_TEXT "selftests/golden/records.txt"
#define GOLDEN_JSON "selftests/golden/records.jsonl"

static const char syms[] =
	"ffffffff81100000 t mark_oom_victim\n"
	"ffffffff81200000 t __oom_kill_process\n"
	"ffffffff81300000 t oom_kill_memcg_member\n"
	"ffffffff81400000 t oom_kill_process\n"
	"ffffffff81500000 T out_of_memory\n"
	"ffffffff81600000 t mem_cgroup_out_of_memory\n"
	"ffffffff81700000 T __alloc_pages_slowpath\n"
	"ffffffff81800000 t bpf_trace_run2\n";

static const __u64 memcg_kill[] = {
	0xffffffff81800010ULL,	/* BPF's own frame: skipped */
	0xffffffff81100008ULL, 0xffffffff81200010ULL, 0xffffffff81400020ULL,
	0xffffffff81500030ULL, 0xffffffff81600040ULL,
	0xffffffff81001234ULL,	/* below every symbol: an address */
};
static const __u64 global_kill[] = {
	0xffffffff81100008ULL, 0xffffffff81200010ULL, 0xffffffff81400020ULL,
	0xffffffff81500030ULL, 0xffffffff81700050ULL,
};
static const __u64 exiting[] = {
	0xffffffff81100008ULL, 0xffffffff81500030ULL, 0xffffffff81600040ULL,
};

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Hostile names: quotes, backslash, control bytes, invalid UTF-8. */
static const char hostile_comm[16] = "a \"b\"\\c\n\t\xff\xc3(";

static void set_path(struct oomtrace_cgpath *p, const char *const *leaf_first, int n,
		     int truncated)
{
	int i;

	p->depth = n;
	p->truncated = truncated;
	for (i = 0; i < n; i++)
		snprintf(p->name[i], sizeof(p->name[i]), "%s", leaf_first[i]);
}

static void set_stack(struct oomtrace_victim_rec *r, const __u64 *ips, int n)
{
	memcpy(r->stack, ips, n * sizeof(*ips));
	r->stack_len = n * sizeof(*ips);
}

static struct oomtrace_cand cand(__u32 pid, const char *comm, __s64 points, __u32 order,
				 __s32 adj, __u32 reason)
{
	struct oomtrace_cand c = { .points = points, .rss = 3210, .swapents = 1,
				   .pgtables_bytes = 90112, .pid = pid, .uid = 1000,
				   .oom_score_adj = adj, .order = order, .reason = reason };

	memcpy(c.comm, comm, strnlen(comm, sizeof(c.comm)));
	return c;
}

/* What oom_evaluate_task() saw, in the order the kernel side kept it: the
 * sinks get it ranked, a tie to the later task. */
static void ranking(struct oomtrace_victim_rec *r)
{
	struct oomtrace_ranking *rk = &r->oom.ranking;

	r->oom.flags |= OOMTRACE_OOM_RANKED;
	rk->evaluated = 9;
	rk->scored = 4;
	rk->nr_cands = 3;
	rk->cands[0] = cand(4250, "helper", 1200, 1, 0, 0);
	rk->cands[1] = cand(4242, "worker", 3234, 6, 0, 0);
	rk->cands[2] = cand(4251, "twin", 1200, 4, 0, 0);
	rk->skips[OOMTRACE_SKIP_UNKILLABLE] = 2;
	rk->skips[OOMTRACE_SKIP_ADJ_MIN] = 1;
	rk->skips[OOMTRACE_SKIP_NO_MM] = 1;
	rk->skips[OOMTRACE_SKIP_VFORK] = 1;
	rk->nr_skipped = 3;
	rk->skipped[0] = cand(4260, "keeper", 800, 2, -1000, OOMTRACE_SKIP_ADJ_MIN);
	rk->skipped[1] = cand(4261, "child", 3300, 7, 0, OOMTRACE_SKIP_VFORK);
	/* a reason this build does not know: left out, not renamed */
	rk->skipped[2] = cand(4262, "odd", 9999, 8, 0, OOMTRACE_NR_SKIPS);
}

/* memory.stat in each item's own unit; no sec_pagetables, zswap or
 * zswapped, as a kernel without them */
static void memcg_stat(struct oomtrace_oom *oom)
{
	static const __u64 val[OOMTRACE_NR_STATS] = {
		[OOMTRACE_STAT_ANON] = 11800, [OOMTRACE_STAT_FILE] = 300,
		[OOMTRACE_STAT_KERNEL] = 250, [OOMTRACE_STAT_KERNEL_STACK] = 96,
		[OOMTRACE_STAT_PAGETABLES] = 33, [OOMTRACE_STAT_PERCPU] = 9600,
		[OOMTRACE_STAT_VMALLOC] = 2, [OOMTRACE_STAT_SHMEM] = 10,
		[OOMTRACE_STAT_FILE_MAPPED] = 290, [OOMTRACE_STAT_SWAPCACHED] = 1,
		[OOMTRACE_STAT_INACTIVE_ANON] = 11790, [OOMTRACE_STAT_ACTIVE_ANON] = 20,
		[OOMTRACE_STAT_INACTIVE_FILE] = 150, [OOMTRACE_STAT_ACTIVE_FILE] = 150,
		[OOMTRACE_STAT_SLAB_RECLAIMABLE] = 120000,
		[OOMTRACE_STAT_SLAB_UNRECLAIMABLE] = 480000,
		[OOMTRACE_STAT_WORKINGSET_REFAULT_FILE] = 3,
	};

	/* no zswap either; khugepaged's reclaim counted, proactive's not */
	static const __u64 ev[OOMTRACE_NR_EVENTS] = {
		[OOMTRACE_EV_PGSCAN_DIRECT] = 4480, [OOMTRACE_EV_PGSCAN_KHUGEPAGED] = 12,
		[OOMTRACE_EV_PGSTEAL_DIRECT] = 3276, [OOMTRACE_EV_PGSTEAL_KHUGEPAGED] = 4,
		[OOMTRACE_EV_PGFAULT] = 26000, [OOMTRACE_EV_PGMAJFAULT] = 7,
		[OOMTRACE_EV_PGREFILL] = 1200, [OOMTRACE_EV_PGACTIVATE] = 90,
		[OOMTRACE_EV_PGDEACTIVATE] = 300, [OOMTRACE_EV_PGPGIN] = 25000,
		[OOMTRACE_EV_PGPGOUT] = 13000,
	};

	oom->flags |= OOMTRACE_OOM_STAT;
	memcpy(oom->stat.val, val, sizeof(val));
	oom->stat.present = ((1ULL << OOMTRACE_NR_STATS) - 1) &
			    ~(1ULL << OOMTRACE_STAT_SEC_PAGETABLES | 1ULL << OOMTRACE_STAT_ZSWAP |
			      1ULL << OOMTRACE_STAT_ZSWAPPED);
	oom->stat.events_read = 1;
	memcpy(oom->stat.ev, ev, sizeof(ev));
	oom->stat.ev_present = ((1ULL << OOMTRACE_NR_EVENTS) - 1) &
			       ~(1ULL << OOMTRACE_EV_ZSWPIN | 1ULL << OOMTRACE_EV_ZSWPOUT |
				 1ULL << OOMTRACE_EV_PGSCAN_PROACTIVE |
				 1ULL << OOMTRACE_EV_PGSTEAL_PROACTIVE);
}

/* A fentry-mode memcg kill that saw everything. */
static void full_kill(struct oomtrace_victim_rec *r)
{
	static const char *const app[] = { "app" };

	memset(r, 0, sizeof(*r));
	r->hdr.type = OOMTRACE_REC_VICTIM;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = 5 * 1000000000ULL + 123456789;
	r->hdr.episode = 1;
	r->seq = 3;
	r->flags = OOMTRACE_VICTIM_TASK | OOMTRACE_VICTIM_MM;
	r->trigger = (struct oomtrace_task){ .pid = 4242, .tid = 4243, .uid = 1000,
					     .comm = "worker" };
	set_path(&r->trigger.memcg, app, 1, 0);
	r->victim = r->trigger;
	r->victim.tid = 4242;
	r->total_vm = 10000;
	r->anon_rss = 3000;
	r->file_rss = 200;
	r->shmem_rss = 10;
	r->swap = 1;
	r->pgtables_bytes = 90112;
	r->oom.flags = OOMTRACE_OOM_ENTRY | OOMTRACE_OOM_KILL;
	r->oom.gfp_mask = 0xcc0;
	r->oom.order = 0;
	r->oom.constraint = OOMTRACE_CONSTRAINT_MEMCG;
	r->oom.totalpages = 12288;
	r->oom.points = 3234;
	r->oom.chosen_pid = 4242;
	strcpy(r->oom.message, "Memory cgroup out of memory");
	set_path(&r->oom.memcg, app, 1, 0);
	r->oom.memcg_set = 1;
	r->oom.flags |= OOMTRACE_OOM_MEM;
	r->oom.mem.memory = (struct oomtrace_counter){ 12288, 12288, 77 };
	r->oom.mem.swap = (struct oomtrace_counter){ 5, 2251799813685247ULL, 0 };
	memcg_stat(&r->oom);
	set_stack(r, memcg_kill, 7);
	ranking(r);
}

static void hostile(struct oomtrace_victim_rec *r)
{
	static const char *const deep[] = {
		"leaf \"q\"", "back\\slash", "new\nline", "bad\xff\xfe", "c4", "c5",
		"c6", "c7", "c8", "c9",
	};

	full_kill(r);
	r->victim.pid = r->victim.tid = 777;
	r->victim.uid = 65534;
	r->victim.oom_score_adj = 500;
	r->trigger.oom_score_adj = -17;
	r->oom.chosen_pid = 777;
	memcpy(r->victim.comm, hostile_comm, sizeof(hostile_comm));
	set_path(&r->victim.memcg, deep, 10, 1);
	r->oom.ranking.nr_cands = 1;
	r->oom.ranking.cands[0] = cand(777, hostile_comm, 3234, 0, 500, 0);
	memcpy(r->oom.ranking.cands[0].comm, hostile_comm, sizeof(hostile_comm));
}

/* --reclaim's sums for domain (0: the system) over the 5 s before the kill. */
static void reclaimed(struct oomtrace_victim_rec *r, __u64 domain)
{
	struct oomtrace_reclaim *sum = &r->oom.reclaim.sum;

	r->oom.flags |= OOMTRACE_OOM_RECLAIM;
	r->oom.reclaim.domain = domain;
	r->oom.reclaim.span_ns = 5000000000ULL;
	sum->epoch = 3;
	sum->direct = (struct oomtrace_stalls){ 2, 3500000, 3000000, 40, 90 };
	sum->memcg = (struct oomtrace_stalls){ 120, 45678999, 15641001, 32768, 44800 };
	sum->kswapd_wakes = domain ? 0 : 7;
	sum->retries = domain ? 0 : 16;
	sum->compact_retries = domain ? 0 : 1;
}

/* Only mark_victim: the trigger's stack tells a memcg OOM, but the kernel
 * side found no memcg and summed the system's reclaim: not the domain's. */
static void tracepoint_memcg(struct oomtrace_victim_rec *r)
{
	full_kill(r);
	memset(&r->oom, 0, sizeof(r->oom));
	reclaimed(r, 0);
}

/* The same, where the kernel side found the domain by its OOM lock. */
static void tracepoint_locked(struct oomtrace_victim_rec *r)
{
	const struct oomtrace_memcg_mem mem = { .memory = { 16384, 16384, 9 },
		.swap = { 16384, 2251799813685247ULL, 0 }, .kmem = { 300, 2251799813685247ULL, 0 },
		.has_kmem = 1 };
	struct oomtrace_cgpath domain;

	full_kill(r);
	domain = r->oom.memcg;
	memset(&r->oom, 0, sizeof(r->oom));
	r->oom.flags = OOMTRACE_OOM_LOCKED_MEMCG | OOMTRACE_OOM_MEM;
	r->oom.memcg = domain;
	r->oom.memcg_set = 1;
	r->oom.mem = mem;
	memcg_stat(&r->oom);
	/* and where mem_cgroup_events_index[] could not be had */
	r->oom.stat.events_read = 0;
	reclaimed(r, 42);
}

/* mark_oom_victim() straight from out_of_memory(): killed nothing. */
static void exiting_shortcut(struct oomtrace_victim_rec *r)
{
	tracepoint_memcg(r);
	set_stack(r, exiting, 3);
}

static void global_oom(struct oomtrace_victim_rec *r)
{
	full_kill(r);
	r->oom.constraint = OOMTRACE_CONSTRAINT_NONE;
	r->oom.memcg_set = 0;
	r->oom.memcg.depth = 0;
	r->oom.totalpages = 262144;
	r->oom.gfp_mask = 0x140dca;
	r->oom.order = 3;
	strcpy(r->oom.message, "Out of memory");
	set_stack(r, global_kill, 5);
	/* --candidates 0: oom_evaluate_task() not hooked */
	r->oom.flags &= ~OOMTRACE_OOM_RANKED;
	reclaimed(r, 0);
	/* two nodes, on a kernel that still counts bounce pages */
	r->mem_info = (struct oomtrace_mem_info){
		.flags = OOMTRACE_MEM_READ | OOMTRACE_MEM_HAS_BOUNCE | OOMTRACE_MEM_NODES,
		.item = { 1024, 150000, 32, 210, 190, 0, 0, 3, 0, 1900, 5400, 260, 120, 810,
			  0, 2860, 0 },
		.node_mask = 0x3,
		.node_free = { 1420, 1440 },
	};
}

/* A cpuset OOM on a kernel without NR_BOUNCE (v6.16+) or node_data[]. */
static void cpuset_oom(struct oomtrace_victim_rec *r)
{
	global_oom(r);
	r->oom.constraint = OOMTRACE_CONSTRAINT_CPUSET;
	r->oom.totalpages = 131072;
	r->mem_info.flags = OOMTRACE_MEM_READ;
	r->mem_info.item[OOMTRACE_MEM_BOUNCE] = 0;
	r->mem_info.node_mask = 0;
	memset(r->mem_info.node_free, 0, sizeof(r->mem_info.node_free));
}

/* Only mark_victim, where /proc/kallsyms lists no vm_node_stat. */
static void tracepoint_global(struct oomtrace_victim_rec *r)
{
	global_oom(r);
	memset(&r->oom, 0, sizeof(r->oom));
	memset(&r->mem_info, 0, sizeof(r->mem_info));
}

/* A memory.oom.group member: chosen_points are another task's. */
static void oom_group_member(struct oomtrace_victim_rec *r)
{
	full_kill(r);
	r->victim.pid = r->victim.tid = 4300;
}

/* The victim's task_struct unreadable, and bpf_get_stack() failed. */
static void victim_unreadable(struct oomtrace_victim_rec *r)
{
	tracepoint_memcg(r);
	r->flags = 0;
	r->stack_len = -14;
}

/* cgroup v2, systemd driver: the pod is the OOM domain, the victim is in
 * one of its containers. */
static void kubernetes(struct oomtrace_victim_rec *r)
{
	static const char *const ctr[] = {
		"cri-containerd-" CID ".scope",
		"kubepods-burstable-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice",
		"kubepods-burstable.slice", "kubepods.slice",
	};

	full_kill(r);
	set_path(&r->victim.memcg, ctr, 4, 0);
	set_path(&r->oom.memcg, ctr + 1, 3, 0);
	set_path(&r->trigger.memcg, ctr, 4, 0);
}

struct rec_case {
	const char *name;
	enum oom_mode mode;
	int with_end;
	void (*make)(struct oomtrace_victim_rec *r);
	int memcg_v1;
	int reclaim_lost;	/* serve's --reclaim, whose hooks the kernel refused */
};

static const struct rec_case cases[] = {
	{ "fentry memcg kill", MODE_FENTRY, 1, full_kill, 0, 0 },
	{ "hostile names", MODE_FENTRY, 1, hostile, 0, 0 },
	{ "tracepoint memcg kill", MODE_TRACEPOINT, 0, tracepoint_memcg, 0, 0 },
	{ "tracepoint memcg kill, domain by its lock", MODE_TRACEPOINT, 0, tracepoint_locked, 1, 0 },
	{ "exiting shortcut", MODE_TRACEPOINT, 0, exiting_shortcut, 0, 0 },
	{ "global OOM", MODE_KPROBE, 1, global_oom, 0, 0 },
	{ "cpuset OOM", MODE_FENTRY, 1, cpuset_oom, 0, 0 },
	{ "tracepoint global OOM, no mem_info", MODE_TRACEPOINT, 0, tracepoint_global, 0, 0 },
	{ "group member", MODE_FENTRY, 1, oom_group_member, 0, 0 },
	{ "victim unreadable", MODE_TRACEPOINT, 0, victim_unreadable, 0, 0 },
	{ "kubernetes container", MODE_FENTRY, 1, kubernetes, 0, 0 },
	{ "reclaim asked for, not hooked", MODE_FENTRY, 1, full_kill, 0, 1 },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

/* Follow-ups: reaped with memory left, only skipped, and not needed. */
static const struct oomtrace_reap_rec reaps[] = {
	{ .hdr = { .ts_ns = 65000000000ULL }, .seq = 1, .kill_ns = 60000000000ULL,
	  .wake_ns = 62000100000ULL, .finish_ns = 62000300000ULL, .anon_rss = 0,
	  .file_rss = 305, .shmem_rss = 2, .pid = 4242, .tid = 4243, .attempts = 1,
	  .comm = "hog" },
	{ .hdr = { .ts_ns = 62500000000ULL }, .seq = 2, .kill_ns = 60000000000ULL,
	  .wake_ns = 62000100000ULL, .pid = 4250, .tid = 4250, .skips = 1,
	  .comm = "work\xff\"er" },
	{ .hdr = { .ts_ns = 60000012000ULL }, .seq = 3, .kill_ns = 60000000000ULL,
	  .pid = 4251, .tid = 4251, .comm = "idle" },
};
#define NR_REAPS (sizeof(reaps) / sizeof(reaps[0]))

/* Memory samples: the system, a memcg with no limit, a hostile path. */
static const struct mem_sample samples[] = {
	{ .time_ns = 1764547200LL * 1000000000 + 200000000, .memcg = "",
	  .usage_kb = 1048576, .limit_kb = 24598020 },
	{ .time_ns = 1764547200LL * 1000000000 + 200000000, .memcg = "/app",
	  .usage_kb = 49152, .limit_kb = 9007199254740988ULL },
	{ .time_ns = 1764547200LL * 1000000000 + 400000000, .memcg = "/a \"b\"/\xff\n",
	  .usage_kb = 0, .limit_kb = 65536 },
};
#define NR_SAMPLES (sizeof(samples) / sizeof(samples[0]))

/* PSI as a cgroup v2 memcg's memory.pressure gives it; the system's is
 * absent, as on a kernel booted with psi=0. */
static int fake_psi(const char *memcg, struct record_psi *psi)
{
	if (!memcg[0])
		return -ENOENT;
	psi->memcg = 1;
	return psi_parse("some avg10=12.34 avg60=5.06 avg300=1.00 total=987654\n"
			 "full avg10=10.00 avg60=4.50 avg300=0.90 total=876543\n", psi);
}

FIXTURE(sinks) {
	char ksyms_path[64];
	struct ksyms *ks;
	struct gfp_table gfp;
	struct record_env env;
	struct oom_record recs[NR_CASES];
	struct reap_record reaps[NR_REAPS];
};

FIXTURE_SETUP(sinks)
{
	struct oomtrace_end_rec end = { .duration_ns = 812345 };
	struct oomtrace_victim_rec raw;
	unsigned int i;
	FILE *f;

	snprintf(self->ksyms_path, sizeof(self->ksyms_path), "/tmp/sink-test-%d", getpid());
	f = fopen(self->ksyms_path, "w");
	ASSERT_NE(NULL, f);
	fputs(syms, f);
	fclose(f);
	self->ks = ksyms_load(self->ksyms_path);
	ASSERT_NE(NULL, self->ks);
	/* 6.1's gfp names; fixed clocks and pages, so output is the same anywhere */
	ASSERT_EQ(0, gfp_table_init(&self->gfp, NULL));
	record_env_init(&self->env, self->ks, &self->gfp);
	self->env.boot_to_unix_ns = 1764547200LL * 1000000000;
	self->env.page_kb = 4;
	self->env.read_psi = fake_psi;
	for (i = 0; i < NR_CASES; i++) {
		self->env.memcg_v1 = cases[i].memcg_v1;
		self->env.reclaim_lost = cases[i].reclaim_lost;
		struct record_src src = { .mode = cases[i].mode, .episode = i + 1,
					  .raw = &raw };

		cases[i].make(&raw);
		src.end = cases[i].with_end ? &end : NULL;
		src.stack = stack_classify(&self->env, &raw);
		record_build(&self->recs[i], &self->env, &src);
	}
	for (i = 0; i < NR_REAPS; i++)
		reap_build(&self->reaps[i], &self->env, &reaps[i]);
}

FIXTURE_TEARDOWN(sinks)
{
	ksyms_free(self->ks);
	unlink(self->ksyms_path);
}

/* Every record, a loss and the summary through one sink, into memory. */
static char *render(struct __test_metadata *_metadata, FIXTURE_DATA(sinks) *self,
		    const struct sink_ops *ops)
{
	struct loss_report lost = { .time_ns = 1764547260LL * 1000000000, .count = 2,
				    .total = 5 };
	struct trace_summary sum = { .final = 1, .mode = MODE_FENTRY, .records = NR_CASES,
				     .filtered = 1, .lost = 5, .episodes = 6,
				     .no_victim = 1, .incomplete = 2, .reaps = NR_REAPS,
				     .lost_followups = 1 };
	struct sink_config cfg;
	struct sink *s;
	unsigned int i;
	char *buf = NULL;
	size_t len = 0;

	cfg.f = open_memstream(&buf, &len);
	s = ops->open(&cfg);
	for (i = 0; i < NR_CASES; i++)
		EXPECT_EQ(0, ops->record(s, &self->recs[i]));
	for (i = 0; i < NR_REAPS; i++)
		EXPECT_EQ(0, ops->reap(s, &self->reaps[i]));
	for (i = 0; i < NR_SAMPLES; i++)
		EXPECT_EQ(0, ops->sample(s, &samples[i]));
	EXPECT_EQ(0, ops->lost(s, &lost));
	EXPECT_EQ(0, ops->summary(s, &sum));
	ops->close(s);
	fclose(cfg.f);
	return buf;
}

/* Equal to the golden file; with OOMTRACE_GOLDEN_UPDATE set, rewrite it. */
static void golden(struct __test_metadata *_metadata, const char *path, const char *got)
{
	char *want;
	FILE *f;

	if (getenv("OOMTRACE_GOLDEN_UPDATE")) {
		f = fopen(path, "w");
		ASSERT_NE(NULL, f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp_file(path);
	ASSERT_NE(NULL, want) TH_LOG("no golden file %s", path);
	EXPECT_STREQ(want, got);
	free(want);
}

TEST_F(sinks, text_is_golden)
{
	char *out = render(_metadata, self, &sink_text);

	golden(_metadata, GOLDEN_TEXT, out);
	free(out);
}

TEST_F(sinks, json_is_golden)
{
	char *out = render(_metadata, self, &sink_json);

	golden(_metadata, GOLDEN_JSON, out);
	free(out);
}

/* json-c reads every line back; each field of the model is there, null
 * exactly when the model does not have it, and `missing` names exactly the
 * unknown ones, in order. */
TEST_F(sinks, json_nulls_follow_the_model)
{
	char *out = render(_metadata, self, &sink_json), *line, *save = NULL;
	unsigned int i = 0, f, m;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line), *missing, *v;
		const struct oom_record *r = &self->recs[i];

		ASSERT_NE(NULL, o) TH_LOG("json-c rejected: %s", line);
		if (strcmp(jstr(o, "type"), "oom_kill")) {
			json_object_put(o);
			continue;
		}
		ASSERT_GT(NR_CASES, i);
		missing = jget(o, "missing");
		ASSERT_NE(NULL, missing);
		for (f = 0, m = 0; f < NR_RECORD_FIELDS; f++) {
			const char *name = record_field_name(f);
			const char *dot = strchr(name, '.');
			const char *member = dot ? dot + 1 : name;
			char outer[32];
			struct json_object *parent = o;

			/* the event counters, which every kernel that has them counts pgfault of */
			if (f == RF_OOM_MEMCG_STAT_EVENTS)
				member = "pgfault";

			/* "victim.pid", "mem_info.nodes": a member of an object, which
			 * is there unless the whole object is null */
			if (dot) {
				snprintf(outer, sizeof(outer), "%.*s", (int)(dot - name), name);
				parent = jget(o, outer);
			}
			if (parent) {
				ASSERT_TRUE(json_object_object_get_ex(parent, member, &v))
					TH_LOG("%s: no %s", cases[i].name, name);
			} else {
				ASSERT_TRUE(jnull(o, outer))
					TH_LOG("%s: no %s", cases[i].name, outer);
				v = NULL;
			}
			EXPECT_EQ(record_has(r, f), v != NULL)
				TH_LOG("%s: %s", cases[i].name, name);
			if (!(r->unknown & RF_BIT(f)))
				continue;
			EXPECT_STREQ(name, json_object_get_string(
					json_object_array_get_idx(missing, m)));
			m++;
		}
		EXPECT_EQ(m, json_object_array_length(missing));
		json_object_put(o);
		i++;
	}
	EXPECT_EQ(NR_CASES, i);
	free(out);
}

/* scripts/validate-records.py: 0 when every line is valid, else its reason. */
static int schema_validate(const char *path, char *why, size_t len)
{
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "python3 scripts/validate-records.py "
		 "schema/oomtrace.schema.json %s 2>&1", path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	why[0] = '\0';
	while (n + 1 < len && fgets(why + n, len - n, p))
		n = strlen(why);
	st = pclose(p);
	return st;
}

TEST_F(sinks, json_validates_against_the_schema)
{
	char *out = render(_metadata, self, &sink_json), why[4096];
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/sink-test-%d.jsonl", getpid());
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(out, f);
	fclose(f);
	free(out);
	EXPECT_EQ(0, schema_validate(path, why, sizeof(why))) TH_LOG("%s", why);
	unlink(path);
}

/* The kernel's PSI format (kernel/sched/psi.c psi_show()), and text that is not it. */
TEST(psi_lines)
{
	struct record_psi p = {};

	ASSERT_EQ(0, psi_parse("some avg10=0.07 avg60=12.50 avg300=0.00 total=6069090\n"
			       "full avg10=100.00 avg60=0.00 avg300=0.00 total=0\n", &p));
	EXPECT_EQ(7, p.some.avg10);
	EXPECT_EQ(1250, p.some.avg60);
	EXPECT_EQ(6069090, p.some.total_us);
	EXPECT_EQ(10000, p.full.avg10);
	EXPECT_EQ(0, p.full.total_us);
	/* a kernel without the "full" line for memory, or not PSI at all */
	EXPECT_EQ(-EINVAL, psi_parse("some avg10=0.07 avg60=12.50 avg300=0.00 total=1\n", &p));
	EXPECT_EQ(-EINVAL, psi_parse("", &p));
	EXPECT_EQ(-EINVAL, psi_parse("some avg10=x avg60=1.00 avg300=0.00 total=1\n"
				     "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &p));
}

TEST_HARNESS_MAIN
