// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing lost silently: with a ring buffer smaller than one record, every
 * victim record is dropped in the kernel, and each drop must be counted and
 * reported (a "lost" record as it happens, and in the summary), matching
 * the kernel's own count of kills. And in a storm that a stopped consumer
 * misses, in every attach mode: kills == records + lost, exactly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "oomtest.h"

FIXTURE(loss) {
	struct live live;
};

FIXTURE_SETUP(loss)
{
	char size[32];
	const char *args[] = { "--ringbuf-size", size, NULL };
	struct live_opts o = {
		.memcg = "loss", .limit = 16 << 20,
		.oomtrace = 1, .only_memcg = 1, .args = args,
	};

	/* one page: less than one victim record */
	snprintf(size, sizeof(size), "%d", getpagesize());
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(loss)
{
	live_cleanup(&self->live);
}

TEST_F_TIMEOUT(loss, every_drop_is_counted_and_reported, 120)
{
	struct json_object *recs[8], *lost[8], *sum[1];
	struct hog h = { .comm = "loss-hog" };
	struct live *l = &self->live;
	long long reported = 0;
	int i, n;

	RETURN_IF_SKIPPED();
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(hog_wait_killed(hog_start(&l->cg, &h)));
	kmsg_wait_kills(l, 3);
	ASSERT_EQ(3, l->nkills);
	ASSERT_EQ(0, child_stop(&l->child));
	check_schema(_metadata, &l->child);
	EXPECT_EQ(3, vmstat_oom_kill() - l->vmstat0);
	EXPECT_EQ(3, memcg_oom_kills(&l->cg) - l->memcg0);

	n = child_records(&l->child, "oom_kill", recs, 8);
	EXPECT_EQ(0, n);
	child_records_put(recs, n);
	n = child_records(&l->child, "lost", lost, 8);
	ASSERT_LT(0, n) TH_LOG("no lost record was reported as it happened");
	for (i = 0; i < n; i++)
		reported += jint(lost[i], "count");
	EXPECT_EQ(3, reported);
	EXPECT_EQ(3, jint(lost[n - 1], "total"));
	child_records_put(lost, n);
	ASSERT_EQ(1, child_records(&l->child, "summary", sum, 1));
	EXPECT_EQ(3, jint(sum[0], "lost"));
	EXPECT_EQ(0, jint(sum[0], "records"));
	child_records_put(sum, 1);
}

FIXTURE(storm_loss) {
	struct live live;
};

FIXTURE_VARIANT(storm_loss) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(storm_loss, fentry) { .mode = "fentry" };
FIXTURE_VARIANT_ADD(storm_loss, kprobe) { .mode = "kprobe" };
FIXTURE_VARIANT_ADD(storm_loss, tracepoint) { .mode = "tracepoint" };

FIXTURE_SETUP(storm_loss)
{
	/* room for one victim record (~8.5 KiB), not two */
	const char *args[] = { "--ringbuf-size", "16384", NULL };
	struct live_opts o = {
		.memcg = variant->mode, .limit = 16 << 20, .oomtrace = 1,
		.mode = variant->mode, .only_memcg = 1, .args = args,
	};

	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(storm_loss)
{
	live_cleanup(&self->live);
}

/* The consumer stopped (SIGSTOP) through a storm of kills, then let go. */
TEST_F_TIMEOUT(storm_loss, kills_equal_records_plus_lost, 300)
{
	struct json_object *recs[LIVE_MAX_KILLS + 1], *lost[LIVE_MAX_KILLS], *sum[1];
	const char *env = getenv("OOMTRACE_STORM");
	struct hog h = { .comm = "storm-hog" };
	struct live *l = &self->live;
	int i, n = env ? atoi(env) : 40, nrec, nlost, split = split_rss_counting();
	long long reported = 0, kills;

	RETURN_IF_SKIPPED();
	ASSERT_LT(1, n);
	ASSERT_GE(LIVE_MAX_KILLS, n);
	ASSERT_EQ(0, kill(l->child.pid, SIGSTOP));
	for (i = 0; i < n; i++)
		ASSERT_TRUE(hog_wait_killed(hog_start(&l->cg, &h)));
	ASSERT_EQ(n, kmsg_wait_kills(l, n));
	ASSERT_EQ(0, kill(l->child.pid, SIGCONT));
	ASSERT_EQ(0, child_stop(&l->child));
	check_schema(_metadata, &l->child);
	kills = vmstat_oom_kill() - l->vmstat0;
	EXPECT_EQ(n, kills);
	EXPECT_EQ(n, memcg_oom_kills(&l->cg) - l->memcg0);

	ASSERT_EQ(1, child_records(&l->child, "summary", sum, 1));
	nrec = child_records(&l->child, "oom_kill", recs, LIVE_MAX_KILLS + 1);
	nlost = child_records(&l->child, "lost", lost, LIVE_MAX_KILLS);
	for (i = 0; i < nlost; i++)
		reported += jint(lost[i], "count");
	/* the ring held one record; the rest were lost, and said so */
	EXPECT_LT(0, nrec);
	EXPECT_LT(0, nlost);
	EXPECT_EQ(kills, nrec + reported);
	EXPECT_EQ(nrec, jint(sum[0], "records"));
	EXPECT_EQ(reported, jint(sum[0], "lost"));
	if (nlost > 0)
		EXPECT_EQ(reported, jint(lost[nlost - 1], "total"));
	/* what got through is the kernel's report of that victim */
	for (i = 0; i < nrec; i++) {
		const struct kmsg_kill *k = live_kill_of(l, recs[i]);

		ASSERT_NE(NULL, k) TH_LOG("no kill of pid %lld", jint(recs[i], "victim.pid"));
		check_record(_metadata, l, &(struct expect){ .victims = n }, split, recs[i], k);
	}
	child_records_put(lost, nlost);
	child_records_put(recs, nrec);
	child_records_put(sum, 1);
}

TEST_HARNESS_MAIN
