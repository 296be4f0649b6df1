// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own memcg selftests (test_memcontrol from linux-source-6.1,
 * built by make) provoke every kind of memcg OOM they know of while oomtrace
 * traces. They run in a cgroup namespace rooted at a scratch cgroup, so that
 * cgroup's hierarchical memory.events counts every kill they cause.
 *
 * Where the kernel counts a victim twice: a memory.oom.group kill runs
 * __oom_kill_process() on the chosen task and then again on every group
 * member, the chosen task included. The second pass counts oom_kill (in
 * /proc/vmstat and memory.events) and prints "Killed process" again, but
 * mark_oom_victim() is a no-op for a task already marked, so one victim is
 * reported twice and traced once - unless the chosen task already let go
 * of its mm when the group walk reaches it (seen once under TCG: oom_kill
 * +13, oom_group_kill +3, 11 victims), which kills and counts nothing.
 * Hence the oracle below: one record per distinct victim of the kernel's
 * "Killed process" lines, as many lines as memory.events counts kills, and
 * records between oom_kill - oom_group_kill and oom_kill.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define MAX_RECS 64
#define SELFTEST "build/ksft/cgroup/test_memcontrol"

FIXTURE(memcontrol) {
	struct live live;
};

FIXTURE_SETUP(memcontrol)
{
	struct live_opts o = { .memcg = "memcontrol", .oomtrace = 1, .only_memcg = 1 };

	if (!getenv("OOMTRACE_VM"))
		SKIP(return, "needs cgroup v2 with memory at the root: runs in the QEMU guest (make check-vm)");
	ASSERT_EQ(0, access(SELFTEST, X_OK)) TH_LOG("%s is not built", SELFTEST);
	if (!memcg_v2())
		SKIP(return, "needs cgroup v2 with the memory controller");
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(memcontrol)
{
	live_cleanup(&self->live);
}

/* In a child: become the root of a cgroup namespace at dir, and run the
 * selftest there with its output in log. */
static void run_selftest(const char *dir, const char *log)
{
	char pid[32], procs[600];
	int fd;

	snprintf(pid, sizeof(pid), "%d", getpid());
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(120);
	/* join dir, make it the namespace's root, see it at /sys/fs/cgroup */
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	fd = open(procs, O_WRONLY);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		_exit(121);
	close(fd);
	/*
	 * "/" of a chroot is no mount point: keep /sys's mounts to ourselves.
	 * The kernel refuses to stack a cgroup2 mount on the hierarchy's own
	 * root, so the old mount goes first.
	 */
	if (unshare(CLONE_NEWCGROUP | CLONE_NEWNS) ||
	    mount(NULL, "/sys", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    umount2("/sys/fs/cgroup", MNT_DETACH) ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		_exit(122);
	/* no processes in a cgroup that delegates controllers: step aside */
	if (mkdir("/sys/fs/cgroup/oomtrace-runner", 0755))
		_exit(123);
	fd = open("/sys/fs/cgroup/oomtrace-runner/cgroup.procs", O_WRONLY);
	if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
		_exit(124);
	close(fd);
	execl(SELFTEST, SELFTEST, NULL);
	_exit(125);
}

TEST_F_TIMEOUT(memcontrol, records_equal_memory_events, 900)
{
	struct json_object *recs[MAX_RECS + 1];
	struct live *l = &self->live;
	char events[600], log[64];
	long kills0, groups0, kills, groups;
	int st, nrec, i;
	pid_t pid;

	RETURN_IF_SKIPPED();
	snprintf(events, sizeof(events), "%s/memory.events", l->cg.path);
	snprintf(log, sizeof(log), "/tmp/test_memcontrol-%d.log", getpid());
	kills0 = read_key(events, "oom_kill");
	groups0 = read_key(events, "oom_group_kill");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		run_selftest(l->cg.path, log);
	/* read the kernel's reports as they come: the OOM dumps can wrap its log */
	while (waitpid(pid, &st, WNOHANG) == 0) {
		live_read_kills(l);
		usleep(100 * 1000);
	}
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) < 120)
		TH_LOG("test_memcontrol could not be started: %d", WEXITSTATUS(st));

	/* their own verdicts are theirs: what they made the kernel do is ours */
	unlink(log);

	kills = read_key(events, "oom_kill") - kills0;
	groups = read_key(events, "oom_group_kill") - groups0;
	live_read_kills(l);
	ASSERT_EQ(0, child_stop(&l->child));
	check_schema(_metadata, &l->child);
	nrec = child_records(&l->child, "oom_kill", recs, MAX_RECS + 1);
	TH_LOG("memory.events: oom_kill +%ld, oom_group_kill +%ld; kmsg: %d reports of %d "
	       "victims; oomtrace: %d records", kills, groups, l->nkills, live_victims(l), nrec);
	EXPECT_LT(0, kills) TH_LOG("the selftests provoked no OOM kill");
	EXPECT_EQ(kills, l->nkills);
	EXPECT_EQ(live_victims(l), nrec);
	EXPECT_LE(kills - groups, nrec);
	EXPECT_GE(kills, nrec);
	for (i = 0; i < nrec; i++) {
		const char *cg = jstr(recs[i], "victim.memcg");

		EXPECT_STREQ("killed", jstr(recs[i], "outcome"));
		EXPECT_TRUE(cg && !strncmp(cg, l->cg.rel, strlen(l->cg.rel)))
			TH_LOG("victim memcg %s outside %s", cg, l->cg.rel);
	}
	child_records_put(recs, nrec);
}

TEST_HARNESS_MAIN
