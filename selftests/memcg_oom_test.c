// SPDX-License-Identifier: GPL-2.0
/*
 * Live memcg OOM kills, confined to a scratch memory cgroup: every record
 * must equal the kernel's own "Killed process" report in /dev/kmsg, and the
 * record count must equal the /proc/vmstat and memcg oom_kill deltas.
 * One variant per attach mode; a mode this kernel lacks is skipped.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (16UL << 20)

FIXTURE(memcg_oom) {
	struct live live;
};

FIXTURE_VARIANT(memcg_oom) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(memcg_oom, fentry) { .mode = "fentry" };
FIXTURE_VARIANT_ADD(memcg_oom, kprobe) { .mode = "kprobe" };
FIXTURE_VARIANT_ADD(memcg_oom, tracepoint) { .mode = "tracepoint" };

FIXTURE_SETUP(memcg_oom)
{
	struct live_opts o = {
		.memcg = variant->mode, .limit = LIMIT,
		.oomtrace = 1, .mode = variant->mode, .only_memcg = 1,
	};

	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(memcg_oom)
{
	live_cleanup(&self->live);
}

/*
 * Hold every record against the kernel's reports (check_records()), and
 * against what a memcg OOM in our scratch memcg must show.
 */
static void check_kills(struct __test_metadata *_metadata,
			FIXTURE_DATA(memcg_oom) *self, int n, int threads)
{
	struct live *l = &self->live;
	int i;

	check_records(_metadata, l, &(struct expect){
		.victims = n, .reports = n, .threads = threads });
	for (i = 0; i < l->nrec; i++) {
		struct json_object *r = l->recs[i];
		const struct kmsg_kill *k = live_kill_of(l, r);

		EXPECT_STREQ("memcg", jstr(r, "constraint"));
		EXPECT_STREQ("Memory cgroup out of memory", jstr(r, "message"));
		EXPECT_STREQ(l->cg.rel, jstr(r, "victim.memcg"));
		if (!full_mode(l->mode))
			continue;
		EXPECT_NE(NULL, jget(r, "victim.points"));
		EXPECT_STREQ(l->cg.rel, jstr(r, "oom_memcg"));
		EXPECT_NE(NULL, jstr(r, "gfp_mask"));
		EXPECT_EQ(LIMIT / getpagesize(), jint(r, "totalpages"));
		if (!threads) {
			/* oom_badness() from the "Killed process" line: rss,
			 * page tables, and adj in thousandths of totalpages */
			long pages = getpagesize() / 1024;
			long long points = (k->anon_rss + k->file_rss + k->shmem_rss) / pages +
					   k->pgtables / pages +
					   (long long)k->oom_score_adj * (LIMIT / getpagesize() / 1000);

			EXPECT_EQ(points, jint(r, "victim.points"));
		}
	}
}

static void kill_one(struct __test_metadata *_metadata,
		     FIXTURE_DATA(memcg_oom) *self, const struct hog *h)
{
	pid_t pid = hog_start(&self->live.cg, h);

	ASSERT_LT(0, pid);
	ASSERT_TRUE(hog_wait_killed(pid)) TH_LOG("the hog was not OOM-killed");
	live_read_kills(&self->live);
}

TEST_F_TIMEOUT(memcg_oom, single_kill, 60)
{
	struct hog h = { .comm = "oomtest-hog" };

	RETURN_IF_SKIPPED();
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
}

TEST_F_TIMEOUT(memcg_oom, multithreaded_victim_is_tgid, 60)
{
	struct hog h = { .comm = "oomtest-mt", .threads = 4 };

	RETURN_IF_SKIPPED();
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
}

TEST_F_TIMEOUT(memcg_oom, shmem_victim, 60)
{
	struct hog h = { .comm = "oomtest-shm", .shmem = 4 << 20 };

	RETURN_IF_SKIPPED();
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
}

TEST_F_TIMEOUT(memcg_oom, oom_score_adj_and_uid, 60)
{
	struct hog h = { .comm = "oomtest-adj", .oom_score_adj = 500, .uid = 65534 };

	RETURN_IF_SKIPPED();
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
}

TEST_F_TIMEOUT(memcg_oom, comm_with_spaces_and_quotes, 60)
{
	struct hog h = { .comm = "a \"b\" c\\d'e" };

	RETURN_IF_SKIPPED();
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
	EXPECT_STREQ(h.comm, self->live.kills[0].comm);
}

/*
 * Three tasks in the memcg: the ranking must be the kernel's task dump
 * (check_ranking(), in every test), with the idle one scored below the
 * victim and the -1000 one skipped for it.
 */
TEST_F_TIMEOUT(memcg_oom, ranking_of_idle_tasks, 60)
{
	struct hog small = { .comm = "oomtest-small", .anon_limit = 2 << 20 };
	struct hog keep = { .comm = "oomtest-keep", .oom_score_adj = -1000,
			    .anon_limit = 3 << 20 };
	struct hog h = { .comm = "oomtest-rank" };
	struct json_object *r, *c;
	pid_t idle[2];
	int i, found;

	RETURN_IF_SKIPPED();
	idle[0] = hog_start(&self->live.cg, &small);
	ASSERT_LT(0, idle[0]);
	/* -1000 needs CAP_SYS_RESOURCE, which the host's root lacks: it
	 * matters only where the ranking is seen */
	idle[1] = full_mode(self->live.mode) ? hog_start(&self->live.cg, &keep) : 0;
	sleep(1);	/* let them allocate before the hog fills the memcg */
	if (idle[1])
		ASSERT_EQ(0, kill(idle[1], 0)) TH_LOG("the -1000 task did not start");
	kill_one(_metadata, self, &h);
	check_kills(_metadata, self, 1, h.threads);
	for (i = 0; i < 2; i++)
		if (idle[i] > 0)
			EXPECT_EQ(0, kill(idle[i], 0)) TH_LOG("an idle task was killed");
	if (!full_mode(self->live.mode))
		return;
	r = self->live.recs[0];
	/* the kernel's table lists all three, -1000 too */
	EXPECT_EQ(3, self->live.kills[0].ntasks);
	EXPECT_EQ(2, jint(r, "candidates_scored"));
	c = json_object_array_get_idx(jget(r, "candidates"), 1);
	EXPECT_EQ(idle[0], jint(c, "pid"));
	EXPECT_STREQ("oomtest-small", jstr(c, "comm"));
	EXPECT_EQ(1, jint(r, "skipped.oom_score_adj_min"));
	c = jget(r, "skipped.tasks");
	for (found = 0, i = 0; c && i < (int)json_object_array_length(c); i++)
		if (jint(json_object_array_get_idx(c, i), "pid") == idle[1])
			found = !strcmp("oom_score_adj_min",
					jstr(json_object_array_get_idx(c, i), "reason"));
	EXPECT_TRUE(found) TH_LOG("the -1000 task is not skipped for it");
}

/* 200 on the host; check-vm asks for fewer, as TCG makes each kill slow. */
TEST_F_TIMEOUT(memcg_oom, sequential_kills_no_loss, 600)
{
	struct hog h = { .comm = "oomtest-seq" };
	const char *env = getenv("OOMTRACE_STORM");
	int i, n = env ? atoi(env) : 200;

	RETURN_IF_SKIPPED();
	ASSERT_LT(0, n);
	ASSERT_GE(LIVE_MAX_KILLS, n);
	TH_LOG("%d sequential kills", n);
	for (i = 0; i < n; i++)
		kill_one(_metadata, self, &h);
	check_kills(_metadata, self, n, h.threads);
}

TEST_HARNESS_MAIN
