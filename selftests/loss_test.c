// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing lost silently: with a ring buffer smaller than one record, every
 * victim record is dropped in the kernel, and each drop must be counted and
 * reported (a "lost" record as it happens, and in the summary), matching
 * the kernel's own count of kills.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "oomtest.h"

FIXTURE(loss) {
	struct memcg cg;
	struct tracer_proc tr;
	int kmsg;
	long vmstat0;
};

FIXTURE_SETUP(loss)
{
	const char *args[] = { "--cgroup", NULL, "--ringbuf-size", NULL, NULL };
	char size[32], why[4096];
	int err;

	self->kmsg = -1;
	if (geteuid())
		SKIP(return, "needs root");
	err = memcg_create(&self->cg, "loss", 16 << 20);
	if (err == -ENOENT)
		SKIP(return, "no memory cgroup controller mounted");
	ASSERT_EQ(0, err);
	/* one page: less than one victim record */
	snprintf(size, sizeof(size), "%d", getpagesize());
	args[1] = self->cg.path;
	args[3] = size;
	self->kmsg = kmsg_open();
	self->vmstat0 = vmstat_oom_kill();
	if (self->kmsg < 0 || tracer_spawn(&self->tr, args, why, sizeof(why))) {
		memcg_destroy(&self->cg);
		ASSERT_TRUE(0) TH_LOG("oomtrace did not start: %s", why);
	}
}

FIXTURE_TEARDOWN(loss)
{
	tracer_finish(&self->tr);
	tracer_remove_files(&self->tr);
	memcg_destroy(&self->cg);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

TEST_F_TIMEOUT(loss, every_drop_is_counted_and_reported, 120)
{
	struct json_object *recs[8], *lost[8], *sum[1];
	struct hog h = { .comm = "loss-hog" };
	struct kmsg_kill kills[8];
	long long reported = 0;
	int i, n, nkills = 0, tries;

	RETURN_IF_SKIPPED();
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(hog_wait_killed(hog_start(&self->cg, &h)));
	for (tries = 0; tries < 50 && nkills < 3; tries++) {
		nkills += kmsg_kills(self->kmsg, kills + nkills, 8 - nkills);
		usleep(100 * 1000);
	}
	ASSERT_EQ(3, nkills);
	usleep(300 * 1000);	/* the tracer checks its counters every 100 ms */
	ASSERT_EQ(0, tracer_finish(&self->tr));
	EXPECT_EQ(3, vmstat_oom_kill() - self->vmstat0);

	n = tracer_records(&self->tr, "oom_kill", recs, 8);
	EXPECT_EQ(0, n);
	tracer_records_put(recs, n);
	n = tracer_records(&self->tr, "lost", lost, 8);
	ASSERT_LT(0, n) TH_LOG("no lost record was reported as it happened");
	for (i = 0; i < n; i++)
		reported += jint(lost[i], "count");
	EXPECT_EQ(3, reported);
	EXPECT_EQ(3, jint(lost[n - 1], "total"));
	tracer_records_put(lost, n);
	ASSERT_EQ(1, tracer_records(&self->tr, "summary", sum, 1));
	EXPECT_EQ(3, jint(sum[0], "lost"));
	EXPECT_EQ(0, jint(sum[0], "records"));
	tracer_records_put(sum, 1);
}

TEST_HARNESS_MAIN
