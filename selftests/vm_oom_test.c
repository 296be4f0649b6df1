// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM kinds a host must never see: global, cpuset and mempolicy OOMs,
 * group kills, oom_kill_allocating_task and oom_score_adj extremes. They run
 * only in the QEMU guest (make check-vm), once per attach mode, and every
 * record is held against the kernel's own reports.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "oomtest.h"

FIXTURE(vm) {
	struct live live;
	pid_t idle[2];
};

FIXTURE_VARIANT(vm) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(vm, fentry) { .mode = "fentry" };
FIXTURE_VARIANT_ADD(vm, kprobe) { .mode = "kprobe" };
FIXTURE_VARIANT_ADD(vm, tracepoint) { .mode = "tracepoint" };

FIXTURE_SETUP(vm)
{
	struct live_opts o = { .oomtrace = 1, .mode = variant->mode };

	if (!getenv("OOMTRACE_VM"))
		SKIP(return, "global, cpuset and mempolicy OOMs run only in the QEMU guest (make check-vm)");
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(vm)
{
	int i;

	for (i = 0; i < 2; i++)
		if (self->idle[i] > 0)
			kill(self->idle[i], SIGKILL);
	live_cleanup(&self->live);
	/* restore the default for the tests after this one */
	if (getenv("OOMTRACE_VM")) {
		FILE *f = fopen("/proc/sys/vm/oom_kill_allocating_task", "w");

		if (f) {
			fputs("0", f);
			fclose(f);
		}
	}
}

/*
 * Hold one record per victim against the kernel's report of it. The guest
 * as a whole runs short of memory: kswapd may take file pages too.
 */
static void collect(struct __test_metadata *_metadata, FIXTURE_DATA(vm) *self, int n)
{
	check_records(_metadata, &self->live, &(struct expect){
		.victims = n, .global_reclaim = 1 });
}

static long meminfo_kb(const char *key)
{
	return read_key("/proc/meminfo", key);
}

static void expect_global(struct __test_metadata *_metadata, FIXTURE_DATA(vm) *self,
			  struct json_object *r, const char *constraint)
{
	EXPECT_EQ(NULL, jstr(r, "oom_memcg"));
	if (full_mode(self->live.mode)) {
		EXPECT_STREQ(constraint, jstr(r, "constraint"));
	} else {
		EXPECT_STREQ("global", jstr(r, "constraint"));
		EXPECT_EQ(NULL, jstr(r, "message"));
	}
}

TEST_F_TIMEOUT(vm, global_oom, 240)
{
	struct hog h = { .comm = "vm-global", .oom_score_adj = 1000,
			  .deadline = GLOBAL_HOG_DEADLINE };
	pid_t pid;

	RETURN_IF_SKIPPED();
	pid = hog_start(NULL, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	collect(_metadata, self, 1);
	expect_global(_metadata, self, self->live.recs[0], "none");
	if (full_mode(self->live.mode)) {
		EXPECT_STREQ("Out of memory", jstr(self->live.recs[0], "message"));
		/* RAM + swap; "MemTotal:" lines carry the key with its colon */
		EXPECT_EQ((meminfo_kb("MemTotal:") + meminfo_kb("SwapTotal:")) / (getpagesize() / 1024),
			  jint(self->live.recs[0], "totalpages"));
	}
}

static void numa_hog(struct __test_metadata *_metadata, FIXTURE_DATA(vm) *self,
		     const struct hog *h, struct memcg *cg)
{
	pid_t pid = hog_start(cg, h);

	ASSERT_LT(0, pid);
	ASSERT_TRUE(hog_wait_killed(pid));
	collect(_metadata, self, 1);
}

TEST_F_TIMEOUT(vm, cpuset_oom, 240)
{
	struct hog h = { .comm = "vm-cpuset", .oom_score_adj = 1000,
			  .deadline = GLOBAL_HOG_DEADLINE };
	int err;

	RETURN_IF_SKIPPED();
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs a guest with two NUMA nodes (vmtest.sh --numa 2)");
	err = memcg_create(&self->live.cg, "cpuset", 0);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, memcg_write(&self->live.cg, "cpuset.mems", "1"));
	numa_hog(_metadata, self, &h, &self->live.cg);
	expect_global(_metadata, self, self->live.recs[0], "cpuset");
}

TEST_F_TIMEOUT(vm, mempolicy_oom, 240)
{
	struct hog h = { .comm = "vm-mpol", .oom_score_adj = 1000, .bind_node = 2,
			  .deadline = GLOBAL_HOG_DEADLINE };

	RETURN_IF_SKIPPED();
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs a guest with two NUMA nodes (vmtest.sh --numa 2)");
	numa_hog(_metadata, self, &h, NULL);
	expect_global(_metadata, self, self->live.recs[0], "mempolicy");
}

TEST_F_TIMEOUT(vm, group_kill_is_one_episode, 120)
{
	struct hog idle = { .comm = "vm-group-idle", .anon_limit = 4 << 20 };
	struct hog h = { .comm = "vm-group-hog" };
	char events[600];
	long kills0;
	pid_t pid;
	int i;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, memcg_create(&self->live.cg, "group", 64 << 20));
	ASSERT_EQ(0, memcg_write(&self->live.cg, "memory.oom.group", "1"));
	for (i = 0; i < 2; i++) {
		self->idle[i] = hog_start(&self->live.cg, &idle);
		ASSERT_LT(0, self->idle[i]);
	}
	sleep(1);	/* let them allocate before the hog fills the group */
	kills0 = memcg_oom_kills(&self->live.cg);
	pid = hog_start(&self->live.cg, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(hog_wait_killed(self->idle[i]));
		self->idle[i] = 0;
	}
	collect(_metadata, self, 3);
	/* the chosen victim is killed again as a group member: 4 reports */
	EXPECT_EQ(4, self->live.nkills);
	EXPECT_EQ(self->live.kills[0].pid, self->live.kills[3].pid);
	EXPECT_EQ(self->live.kills[0].pid, jint(self->live.recs[0], "victim.pid"));
	EXPECT_EQ(4, memcg_oom_kills(&self->live.cg) - kills0);
	snprintf(events, sizeof(events), "%s/memory.events", self->live.cg.path);
	EXPECT_EQ(1, read_key(events, "oom_group_kill"));	/* a fresh group: from 0 */
	for (i = 1; i < 3; i++)
		EXPECT_EQ(jint(self->live.recs[0], "episode"), jint(self->live.recs[i], "episode"));
}

/*
 * With the sysctl set, the task whose allocation fails is killed, however
 * small, unless it is exempt (-1000, as oomtrace makes itself). Both tasks
 * here are bound to node 1, so only they can trigger that node's OOM.
 */
TEST_F_TIMEOUT(vm, oom_kill_allocating_task, 240)
{
	struct hog big = { .comm = "vm-big-idle", .anon_limit = 192 << 20, .bind_node = 2 };
	struct hog h = { .comm = "vm-allocating", .bind_node = 2 };
	struct json_object *r;
	FILE *f;
	pid_t pid;

	RETURN_IF_SKIPPED();
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs a guest with two NUMA nodes (vmtest.sh --numa 2)");
	f = fopen("/proc/sys/vm/oom_kill_allocating_task", "w");
	ASSERT_NE(NULL, f);
	fputs("1", f);
	fclose(f);
	self->idle[0] = hog_start(NULL, &big);
	sleep(3);	/* bigger than the allocating task will get */
	pid = hog_start(NULL, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	collect(_metadata, self, 1);
	r = self->live.recs[0];
	EXPECT_EQ(pid, jint(r, "victim.pid"));
	EXPECT_EQ(pid, jint(r, "trigger.pid"));
	EXPECT_EQ(0, kill(self->idle[0], 0)) TH_LOG("the bigger idle task was killed");
	if (full_mode(self->live.mode))
		EXPECT_STREQ("Out of memory (oom_kill_allocating_task)", jstr(r, "message"));
}

TEST_F_TIMEOUT(vm, oom_score_adj_extremes, 120)
{
	struct hog never = { .comm = "vm-adj-min", .oom_score_adj = -1000, .anon_limit = 24 << 20 };
	struct hog first = { .comm = "vm-adj-max", .oom_score_adj = 1000, .anon_limit = 2 << 20 };
	struct hog h = { .comm = "vm-adj-hog" };
	pid_t pid;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, memcg_create(&self->live.cg, "adj", 64 << 20));
	self->idle[0] = hog_start(&self->live.cg, &never);
	self->idle[1] = hog_start(&self->live.cg, &first);
	sleep(1);
	pid = hog_start(&self->live.cg, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	EXPECT_TRUE(hog_wait_killed(self->idle[1]));
	self->idle[1] = 0;
	collect(_metadata, self, 2);
	EXPECT_STREQ("vm-adj-max", jstr(self->live.recs[0], "victim.comm"));
	EXPECT_STREQ("vm-adj-hog", jstr(self->live.recs[1], "victim.comm"));
	EXPECT_EQ(0, kill(self->idle[0], 0)) TH_LOG("oom_score_adj -1000 was killed");
}

TEST_HARNESS_MAIN
