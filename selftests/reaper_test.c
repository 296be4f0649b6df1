// SPDX-License-Identifier: GPL-2.0
/*
 * The oom_reaper at work, every time: a thread of the victim blocks writing
 * to a frozen file system (a loop-mounted ext4 image of the test's own), so
 * its process cannot exit and its mm outlives OOM_REAPER_DELAY (2 s): the
 * reaper reaps it and says so in /dev/kmsg. Then the file system is thawed
 * and the victim exits. Its oom_reap record must say "reaped", with what
 * the kernel printed; check_records() holds every record against the
 * kernel. One variant per attach mode; a mode this kernel lacks is skipped.
 */
#include <time.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (16UL << 20)

FIXTURE(reaper) {
	struct live live;
};

FIXTURE_VARIANT(reaper) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(reaper, fentry) { .mode = "fentry" };
FIXTURE_VARIANT_ADD(reaper, kprobe) { .mode = "kprobe" };
FIXTURE_VARIANT_ADD(reaper, tracepoint) { .mode = "tracepoint" };

FIXTURE_SETUP(reaper)
{
	struct live_opts o = {
		.memcg = variant->mode, .limit = LIMIT,
		.oomtrace = 1, .mode = variant->mode, .only_memcg = 1,
	};

	live_setup(_metadata, &self->live, &o);
	if (!_metadata->skip)
		freeze_fs_setup(_metadata, &self->live);
}

FIXTURE_TEARDOWN(reaper)
{
	live_cleanup(&self->live);
}

TEST_F_TIMEOUT(reaper, reaps_a_victim_that_cannot_exit, 60)
{
	struct live *l = &self->live;
	struct hog h = { .comm = "oomtest-stuck", .stuck_write = l->fs.file };
	struct json_object *early[LIVE_MAX_KILLS + 1];
	const struct kmsg_reap *k;
	long long thawed_us;
	struct timespec ts;
	int victims, st, n;
	pid_t pid;

	RETURN_IF_SKIPPED();
	pid = hog_start(&l->cg, &h);
	ASSERT_LT(0, pid);
	victims = kmsg_wait_kills(l, 1);
	if (victims != 1 && waitpid(pid, &st, WNOHANG) == pid)
		TH_LOG("the hog ended unkilled, status %#x", st);
	ASSERT_EQ(1, victims);
	ASSERT_EQ(pid, l->kills[0].pid);
	k = kmsg_wait_reaped(l, pid);
	ASSERT_NE(NULL, k) TH_LOG("no \"oom_reaper: reaped process %d\" within 10 s", pid);
	/* the kill record is out though no exit has woken the reader yet */
	n = child_records(&l->child, "oom_kill", early, LIVE_MAX_KILLS + 1);
	child_records_put(early, n);
	EXPECT_EQ(1, n) TH_LOG("the kill record waited for its victim's exit");
	clock_gettime(CLOCK_REALTIME, &ts);
	thawed_us = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
	ASSERT_EQ(0, live_thaw_fs(l));
	ASSERT_TRUE(hog_wait_killed(pid));
	/* .threads 0: a thread blocked since before the kill flushes no cached RSS */
	check_records(_metadata, l, &(struct expect){ .victims = 1, .reports = 1 });
	ASSERT_EQ(1, l->nreap_rec);
	EXPECT_STREQ("reaped", jstr(l->reap_recs[0], "reaper"));
	/* its exit could come only after the thaw (the record's clock is the
	 * boot clock plus an offset taken at start: allow it to drift a little) */
	EXPECT_LE(thawed_us - 20000, rfc3339_us(jstr(l->reap_recs[0], "time")));
}

TEST_HARNESS_MAIN
