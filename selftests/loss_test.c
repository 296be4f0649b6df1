// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing lost silently: with a ring buffer smaller than one record, every
 * victim record is dropped in the kernel, and each drop must be counted and
 * reported (a "lost" record as it happens, and in the summary), matching
 * the kernel's own count of kills.
 */
#include <stdio.h>
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

TEST_HARNESS_MAIN
