// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM kinds a host must never see: global, cpuset and mempolicy OOMs,
 * group kills, oom_kill_allocating_task and oom_score_adj extremes. They run
 * only in the QEMU guest (make check-vm), once per attach mode, and every
 * record is held against the kernel's own reports.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define MAX_KILLS 8

FIXTURE(vm) {
	struct memcg cg;
	struct tracer_proc tr;
	int kmsg;
	long vmstat0;
	const char *mode;
	struct kmsg_kill kills[MAX_KILLS];
	int nkills;
	struct json_object *recs[MAX_KILLS + 1];
	int nrec;
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
	const char *args[] = { "--mode", variant->mode, NULL };
	char why[4096];

	self->kmsg = -1;
	self->mode = variant->mode;
	if (!getenv("OOMTRACE_VM"))
		SKIP(return, "global, cpuset and mempolicy OOMs run only in the QEMU guest (make check-vm)");
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
	self->vmstat0 = vmstat_oom_kill();
	if (tracer_spawn(&self->tr, args, why, sizeof(why))) {
		close(self->kmsg);
		if (strstr(why, "is not available on this kernel"))
			SKIP(return, "%s mode unavailable here: %.900s", variant->mode, why);
		ASSERT_TRUE(0) TH_LOG("oomtrace did not start: %s", why);
	}
}

FIXTURE_TEARDOWN(vm)
{
	int i;

	for (i = 0; i < 2; i++)
		if (self->idle[i] > 0)
			kill(self->idle[i], SIGKILL);
	tracer_finish(&self->tr);
	tracer_records_put(self->recs, self->nrec);
	tracer_remove_files(&self->tr);
	memcg_destroy(&self->cg);
	if (self->kmsg >= 0)
		close(self->kmsg);
	/* restore the default for the tests after this one */
	if (getenv("OOMTRACE_VM")) {
		FILE *f = fopen("/proc/sys/vm/oom_kill_allocating_task", "w");

		if (f) {
			fputs("0", f);
			fclose(f);
		}
	}
}

static int full_mode(const char *mode)
{
	return strcmp(mode, "tracepoint") != 0;
}

static const char *constraint_of(const char *kmsg_constraint)
{
	static const char *const map[][2] = {
		{ "CONSTRAINT_NONE", "none" }, { "CONSTRAINT_CPUSET", "cpuset" },
		{ "CONSTRAINT_MEMORY_POLICY", "mempolicy" }, { "CONSTRAINT_MEMCG", "memcg" },
	};
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(kmsg_constraint, map[i][0]))
			return map[i][1];
	return NULL;
}

static int distinct_pids(const struct kmsg_kill *k, int n)
{
	int i, j, d = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && k[j].pid != k[i].pid; j++)
			;
		d += j == i;
	}
	return d;
}

/*
 * Wait for kills of n distinct victims, stop the tracer, and hold one record
 * per victim against the kernel's "Killed process" line for it. The kernel
 * may report one victim twice (a memory.oom.group kill kills the chosen
 * task again as a member); /proc/vmstat counts every report.
 */
static void collect(struct __test_metadata *_metadata, FIXTURE_DATA(vm) *self, int n)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct json_object *sum[1];
	int tries, i, j, split;

	for (tries = 0; tries < 200 && distinct_pids(self->kills, self->nkills) < n; tries++) {
		nanosleep(&ts, NULL);
		self->nkills += kmsg_kills(self->kmsg, self->kills + self->nkills,
					   MAX_KILLS - self->nkills);
	}
	for (i = 0; i < 6; i++)
		nanosleep(&ts, NULL);	/* late reports, and the tracer's 100 ms poll */
	self->nkills += kmsg_kills(self->kmsg, self->kills + self->nkills,
				   MAX_KILLS - self->nkills);
	for (i = 0; i < self->nkills; i++)
		TH_LOG("kmsg: Killed process %d (%s)", self->kills[i].pid, self->kills[i].comm);
	ASSERT_EQ(n, distinct_pids(self->kills, self->nkills));
	ASSERT_EQ(0, tracer_finish(&self->tr)) TH_LOG("the tracer did not survive");
	EXPECT_EQ(self->nkills, vmstat_oom_kill() - self->vmstat0);
	ASSERT_EQ(1, tracer_records(&self->tr, "summary", sum, 1));
	EXPECT_EQ(0, jint(sum[0], "lost"));
	tracer_records_put(sum, 1);
	self->nrec = tracer_records(&self->tr, "oom_kill", self->recs, MAX_KILLS + 1);
	ASSERT_EQ(n, self->nrec);
	for (i = 0; i < n; i++) {
		struct json_object *r = self->recs[i];
		const struct kmsg_kill *k = NULL;

		for (j = 0; j < self->nkills && !k; j++)
			if (self->kills[j].pid == jint(r, "victim.pid"))
				k = &self->kills[j];
		ASSERT_NE(NULL, k) TH_LOG("no kmsg report for victim %lld", jint(r, "victim.pid"));
		EXPECT_STREQ(k->comm, jstr(r, "victim.comm"));
		EXPECT_EQ(k->uid, jint(r, "victim.uid"));
		EXPECT_EQ(k->total_vm, jint(r, "victim.total_vm_kb"));
		TH_LOG("record: victim %lld (%s) trigger %lld/%lld (%s)", jint(r, "victim.pid"),
		       jstr(r, "victim.comm"), jint(r, "trigger.pid"), jint(r, "trigger.tid"),
		       jstr(r, "trigger.comm"));
		/* see oomtest.h: RSS is read before the kernel prints it */
		split = jint(r, "victim.tid") != jint(r, "trigger.tid") && split_rss_counting() ?
			RSS_SPLIT_SLACK_KB : 0;
		EXPECT_NEAR(k->anon_rss, jint(r, "victim.anon_rss_kb"), split);
		EXPECT_NEAR(k->file_rss, jint(r, "victim.file_rss_kb"), split + RSS_RECLAIM_SLACK_KB);
		EXPECT_NEAR(k->shmem_rss, jint(r, "victim.shmem_rss_kb"), split);
		EXPECT_EQ(k->pgtables, jint(r, "victim.pgtables_kb"));
		EXPECT_EQ(k->oom_score_adj, jint(r, "victim.oom_score_adj"));
		EXPECT_STREQ("killed", jstr(r, "outcome"));
		EXPECT_STREQ(self->mode, jstr(r, "mode"));
		if (k->task_memcg[0])
			EXPECT_STREQ(k->task_memcg, jstr(r, "victim.memcg"));
		if (full_mode(self->mode) && k->constraint[0])
			EXPECT_STREQ(constraint_of(k->constraint), jstr(r, "constraint"));
		if (!full_mode(self->mode))
			continue;
		if (jget(r, "victim.points") == NULL)	/* not select_bad_process()'s choice */
			continue;
		EXPECT_EQ(0, json_object_array_length(jget(r, "missing")));
		/* the kernel's normalisation of points by the domain's size */
		j = jint(r, "victim.points") * 1000 / jint(r, "totalpages");
		EXPECT_EQ(j < 0 ? 0 : j > 1000 ? 1000 : j, jint(r, "victim.oom_score"));
	}
}

static long meminfo_kb(const char *key)
{
	return read_key("/proc/meminfo", key);
}

static void expect_global(struct __test_metadata *_metadata, FIXTURE_DATA(vm) *self,
			  struct json_object *r, const char *constraint)
{
	EXPECT_EQ(NULL, jstr(r, "oom_memcg"));
	if (full_mode(self->mode)) {
		EXPECT_STREQ(constraint, jstr(r, "constraint"));
	} else {
		EXPECT_STREQ("global", jstr(r, "constraint"));
		EXPECT_EQ(NULL, jstr(r, "message"));
	}
}

TEST_F_TIMEOUT(vm, global_oom, 240)
{
	struct hog h = { .comm = "vm-global", .oom_score_adj = 1000 };
	pid_t pid;

	RETURN_IF_SKIPPED();
	pid = hog_start(NULL, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	collect(_metadata, self, 1);
	expect_global(_metadata, self, self->recs[0], "none");
	if (full_mode(self->mode)) {
		EXPECT_STREQ("Out of memory", jstr(self->recs[0], "message"));
		/* RAM + swap; "MemTotal:" lines carry the key with its colon */
		EXPECT_EQ((meminfo_kb("MemTotal:") + meminfo_kb("SwapTotal:")) / (getpagesize() / 1024),
			  jint(self->recs[0], "totalpages"));
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
	struct hog h = { .comm = "vm-cpuset", .oom_score_adj = 1000 };
	int err;

	RETURN_IF_SKIPPED();
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs a guest with two NUMA nodes (vmtest.sh --numa 2)");
	err = memcg_create(&self->cg, "cpuset", 0);
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, memcg_write(&self->cg, "cpuset.mems", "1"));
	numa_hog(_metadata, self, &h, &self->cg);
	expect_global(_metadata, self, self->recs[0], "cpuset");
}

TEST_F_TIMEOUT(vm, mempolicy_oom, 240)
{
	struct hog h = { .comm = "vm-mpol", .oom_score_adj = 1000, .bind_node = 2 };

	RETURN_IF_SKIPPED();
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs a guest with two NUMA nodes (vmtest.sh --numa 2)");
	numa_hog(_metadata, self, &h, NULL);
	expect_global(_metadata, self, self->recs[0], "mempolicy");
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
	ASSERT_EQ(0, memcg_create(&self->cg, "group", 64 << 20));
	ASSERT_EQ(0, memcg_write(&self->cg, "memory.oom.group", "1"));
	for (i = 0; i < 2; i++) {
		self->idle[i] = hog_start(&self->cg, &idle);
		ASSERT_LT(0, self->idle[i]);
	}
	sleep(1);	/* let them allocate before the hog fills the group */
	kills0 = memcg_oom_kills(&self->cg);
	pid = hog_start(&self->cg, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(hog_wait_killed(self->idle[i]));
		self->idle[i] = 0;
	}
	collect(_metadata, self, 3);
	/* the chosen victim is killed again as a group member: 4 reports */
	EXPECT_EQ(4, self->nkills);
	EXPECT_EQ(self->kills[0].pid, self->kills[3].pid);
	EXPECT_EQ(self->kills[0].pid, jint(self->recs[0], "victim.pid"));
	EXPECT_EQ(4, memcg_oom_kills(&self->cg) - kills0);
	snprintf(events, sizeof(events), "%s/memory.events", self->cg.path);
	EXPECT_EQ(1, read_key(events, "oom_group_kill"));	/* a fresh group: from 0 */
	for (i = 1; i < 3; i++)
		EXPECT_EQ(jint(self->recs[0], "episode"), jint(self->recs[i], "episode"));
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
	r = self->recs[0];
	EXPECT_EQ(pid, jint(r, "victim.pid"));
	EXPECT_EQ(pid, jint(r, "trigger.pid"));
	EXPECT_EQ(0, kill(self->idle[0], 0)) TH_LOG("the bigger idle task was killed");
	if (full_mode(self->mode))
		EXPECT_STREQ("Out of memory (oom_kill_allocating_task)", jstr(r, "message"));
}

TEST_F_TIMEOUT(vm, oom_score_adj_extremes, 120)
{
	struct hog never = { .comm = "vm-adj-min", .oom_score_adj = -1000, .anon_limit = 24 << 20 };
	struct hog first = { .comm = "vm-adj-max", .oom_score_adj = 1000, .anon_limit = 2 << 20 };
	struct hog h = { .comm = "vm-adj-hog" };
	pid_t pid;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, memcg_create(&self->cg, "adj", 64 << 20));
	self->idle[0] = hog_start(&self->cg, &never);
	self->idle[1] = hog_start(&self->cg, &first);
	sleep(1);
	pid = hog_start(&self->cg, &h);
	ASSERT_TRUE(hog_wait_killed(pid));
	EXPECT_TRUE(hog_wait_killed(self->idle[1]));
	self->idle[1] = 0;
	collect(_metadata, self, 2);
	EXPECT_STREQ("vm-adj-max", jstr(self->recs[0], "victim.comm"));
	EXPECT_STREQ("vm-adj-hog", jstr(self->recs[1], "victim.comm"));
	EXPECT_EQ(0, kill(self->idle[0], 0)) TH_LOG("oom_score_adj -1000 was killed");
}

TEST_HARNESS_MAIN
