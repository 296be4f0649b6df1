// SPDX-License-Identifier: GPL-2.0
/*
 * Self-protection: what oomtrace says it got on its "tracing" line against
 * /proc/PID/oom_score_adj, /proc/PID/status and its cgroup's files, with
 * and without CAP_SYS_RESOURCE; and, in the QEMU guest, a global OOM that
 * it must survive and report.
 *
 * The tracer starts at oom_score_adj 1000, in a cgroup v2 of its own (as a
 * systemd unit or a container gets), where cgroup v2 has the memory
 * controller. At 1000 its badness (rss + 1000 * totalpages / 1000) beats
 * that of any process, whose rss cannot pass totalpages: left there, it is
 * the OOM killer's first choice, so only what oomtrace does for itself can
 * save it. With CAP_SYS_RESOURCE that is -1000. Without it, the test sets
 * a floor first, with the capability (fs/proc/base.c keeps the value a
 * privileged writer sets as oom_score_adj_min), drops it from every set
 * and the bounding set and only then raises the value to 1000: oomtrace
 * can get back to the floor, no lower, and must find it.
 *
 * Its cgroup: one of its own (it sets memory.min), one it shares with
 * another process or one with a memory.min set already (it must leave
 * both alone), one under a parent without memory.min (it must say that
 * the protection does not get through).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

/* The floor of the no-CAP_SYS_RESOURCE case, where the test can set it. */
#define FLOOR (-500)

struct start {
	char join[600];		/* cgroup.procs to join; "": stay */
	int keep_cap;		/* keep CAP_SYS_RESOURCE */
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		err = errno;
	close(fd);
	return err;
}

static int write_adj(int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", v);
	return write_str("/proc/self/oom_score_adj", buf);
}

/* The hex capability set KEY ("CapEff", "CapBnd") of /proc/PID/status. */
static unsigned long long caps_of(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long long v = 0;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}

/* "VmLck:   123 kB" of /proc/PID/status; -1: none. */
static long status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static long long file_ll(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoll(buf, NULL, 10);
}

static int have_sys_resource(void)
{
	return (caps_of(getpid(), "CapEff") >> CAP_SYS_RESOURCE) & 1;
}

/* The floor, then CAP_SYS_RESOURCE gone, then 1000 (see the top). */
static int adj_setup(const struct start *s)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int err;

	if (!s->keep_cap) {
		if (have_sys_resource() && (err = write_adj(FLOOR)))
			return err;
		if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0) ||
		    syscall(SYS_capget, &h, d))
			return errno;
		d[0].effective &= ~(1u << CAP_SYS_RESOURCE);
		d[0].permitted &= ~(1u << CAP_SYS_RESOURCE);
		d[0].inheritable &= ~(1u << CAP_SYS_RESOURCE);
		if (syscall(SYS_capset, &h, d))
			return errno;
	}
	return write_adj(1000);
}

/* In the tracer's child before exec: its own cgroup, then its oom_score_adj. */
static int prepare(void *arg)
{
	const struct start *s = arg;
	char pid[16];
	int err;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (s->join[0] && (err = write_str(s->join, pid)))
		return err;
	return adj_setup(s);
}

/*
 * The floor as the kernel has it, found without oomtrace's search: a
 * process set up as the tracer was may write want, and not want - 1.
 */
static int floor_is(const struct start *s, int want)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(adj_setup(s) || write_adj(want) ||
		      (want > -1000 && write_adj(want - 1) != EACCES));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && !WEXITSTATUS(st);
}

FIXTURE(protect) {
	struct live live;
	struct start start;
	char line[2048];	/* its "tracing" line */
	char dir[600];		/* its cgroup; "": where the test runs */
	char rel[300];		/* the same inside the hierarchy */
	long long min0;		/* the memory.min it found */
	pid_t other;		/* the process it shares its cgroup with */
};

FIXTURE_VARIANT(protect) {
	int keep_cap;
	int share;		/* another process in its cgroup */
	long long preset_min;	/* memory.min set before it starts */
	int nested;		/* in a child of the test's cgroup */
};

FIXTURE_VARIANT_ADD(protect, with_sys_resource) { .keep_cap = 1 };
FIXTURE_VARIANT_ADD(protect, without_sys_resource) { .keep_cap = 0 };
FIXTURE_VARIANT_ADD(protect, shared_cgroup) { .share = 1 };
FIXTURE_VARIANT_ADD(protect, min_found_set) { .preset_min = 64 << 20 };
FIXTURE_VARIANT_ADD(protect, nested_cgroup) { .nested = 1 };

static long long cg_ll(FIXTURE_DATA(protect) *self, const char *file)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", self->dir, file);
	return file_ll(path);
}

/* Its cgroup, as the variant wants it; 0 or an errno. */
static int cgroup_setup(FIXTURE_DATA(protect) *self, const FIXTURE_VARIANT(protect) *variant)
{
	struct hog idle = { .comm = "protect-idle", .anon_limit = 1 << 20,
			    .deadline = GLOBAL_HOG_DEADLINE };
	char buf[32];
	int err;

	err = -memcg_create(&self->live.cg, "protect", 0);
	if (err)
		return err;
	snprintf(self->dir, sizeof(self->dir), "%s", self->live.cg.path);
	snprintf(self->rel, sizeof(self->rel), "%s", self->live.cg.rel);
	if (variant->nested) {
		if ((err = -memcg_write(&self->live.cg, "cgroup.subtree_control", "+memory")))
			return err;
		strcat(self->dir, "/tracer");
		strcat(self->rel, "/tracer");
		if (mkdir(self->dir, 0755))
			return errno;
	}
	if (variant->preset_min) {
		snprintf(buf, sizeof(buf), "%lld", variant->preset_min);
		if ((err = -memcg_write(&self->live.cg, "memory.min", buf)))
			return err;
	}
	if (variant->share) {
		self->other = hog_start(&self->live.cg, &idle);
		if (self->other <= 0)
			return ECHILD;
	}
	snprintf(self->start.join, sizeof(self->start.join), "%s/cgroup.procs", self->dir);
	self->min0 = cg_ll(self, "memory.min");
	return 0;
}

FIXTURE_SETUP(protect)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct live_opts o = {};
	char why[4096] = "";
	FILE *f;
	int i;

	if (variant->keep_cap && !have_sys_resource())
		SKIP(return, "needs CAP_SYS_RESOURCE, which root lacks here");
	live_setup(_metadata, &self->live, &o);
	if (_metadata->skip)
		return;
	self->start.keep_cap = variant->keep_cap;
	if (memcg_v2()) {
		ASSERT_EQ(0, cgroup_setup(self, variant));
	} else if (variant->share || variant->preset_min || variant->nested) {
		SKIP(return, "needs the memory controller on cgroup v2");
	}
	self->live.child.prepare = prepare;
	self->live.child.prepare_arg = &self->start;
	self->live.child.stop_sig = SIGTERM;
	ASSERT_EQ(CHILD_TRACING, child_start(&self->live.child, NULL, why, sizeof(why)))
		TH_LOG("%s", why);
	/* the line is written in pieces: until its end is there */
	for (i = 0; i < 100 && !strchr(self->line, '\n'); i++) {
		f = fopen(self->live.child.err, "r");
		ASSERT_NE(NULL, f);
		while (fgets(self->line, sizeof(self->line), f) &&
		       strncmp(self->line, "oomtrace: tracing", 17))
			;
		fclose(f);
		nanosleep(&ts, NULL);
	}
	ASSERT_EQ(0, strncmp(self->line, "oomtrace: tracing", 17));
	ASSERT_NE(NULL, strchr(self->line, '\n'));
	self->line[strcspn(self->line, "\n")] = '\0';
	TH_LOG("%s", self->line);
}

FIXTURE_TEARDOWN(protect)
{
	live_cleanup(&self->live);
}

/* The number after WHAT on the tracing line; 0 when WHAT is not there. */
static int said(const char *line, const char *what, long long *v)
{
	const char *p = strstr(line, what);

	return p && sscanf(p + strlen(what), "%lld", v) == 1;
}

/* What it says it got is what the kernel shows it has. */
static void check_report(struct __test_metadata *_metadata, FIXTURE_DATA(protect) *self,
			 const FIXTURE_VARIANT(protect) *variant)
{
	int keep_cap = variant->keep_cap;
	pid_t pid = self->live.child.pid;
	const char *line = self->line;
	char path[700];
	long long adj, v, min;
	char want[800];

	ASSERT_TRUE(said(line, "protection: oom_score_adj ", &adj));
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", pid);
	EXPECT_EQ(adj, file_ll(path));
	EXPECT_EQ(keep_cap, (int)((caps_of(pid, "CapBnd") >> CAP_SYS_RESOURCE) & 1));
	if (keep_cap) {
		EXPECT_EQ(-1000, adj);
	} else {
		EXPECT_TRUE(floor_is(&self->start, adj)) TH_LOG("%lld is not the floor", adj);
		EXPECT_NE(NULL, strstr(line, "not -1000 (it lacks CAP_SYS_RESOURCE"));
		/* the one this test could set */
		if (have_sys_resource())
			EXPECT_EQ(FLOOR, adj);
	}

	/* locked: no MCL_FUTURE, nothing mapped since */
	if (said(line, "memory locked (VmLck ", &v)) {
		EXPECT_LT(0, v);
		EXPECT_EQ(v, status_kb(pid, "VmLck"));
	} else {
		/* failed, and said so; or a no-op, as under ASan */
		EXPECT_EQ(0, status_kb(pid, "VmLck"));
	}

	if (!self->dir[0]) {
		EXPECT_NE(NULL, strstr(line, "; no memory.min"));
		return;
	}
	min = cg_ll(self, "memory.min");
	if (variant->share) {
		EXPECT_EQ(self->min0, min) TH_LOG("it changed a cgroup it shares");
		snprintf(want, sizeof(want), "; no memory.min of %s: its cgroup holds other processes",
			 self->rel);
		EXPECT_NE(NULL, strstr(line, want)) TH_LOG("want %s", want);
		return;
	}
	snprintf(want, sizeof(want), " kB of %s (%s)", self->rel,
		 variant->preset_min ? "found set" : "set by oomtrace");
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("want %s", want);
	ASSERT_TRUE(said(line, "; memory.min ", &v));
	EXPECT_EQ(min / 1024, v);
	if (variant->preset_min) {
		EXPECT_EQ(variant->preset_min, min) TH_LOG("it changed a memory.min found set");
	} else {
		EXPECT_LT(cg_ll(self, "memory.current"), min) TH_LOG("its usage is not covered");
	}
	/* the effective protection is capped by each ancestor's memory.min */
	snprintf(want, sizeof(want), ", but %s passes down only 0 kB", self->live.cg.rel);
	if (variant->nested) {
		EXPECT_NE(NULL, strstr(line, want)) TH_LOG("want %s", want);
	} else {
		EXPECT_EQ(NULL, strstr(line, "passes down"));
	}
}

TEST_F_TIMEOUT(protect, report, 60)
{
	RETURN_IF_SKIPPED();
	check_report(_metadata, self, variant);
}

static long long vmstat_sum(const char *a, const char *b)
{
	return read_key("/proc/vmstat", a) + read_key("/proc/vmstat", b);
}

/*
 * A global OOM while it traces: the whole guest short of memory, reclaim
 * taking pages from everyone it may. The hog (oom_score_adj 0) must be the
 * victim, oomtrace must live on and report it as the kernel did, and
 * reclaim must have taken none of its cgroup's pages.
 */
TEST_F_TIMEOUT(protect, global_oom, 240)
{
	struct hog h = { .comm = "protect-hog", .deadline = GLOBAL_HOG_DEADLINE };
	struct json_object *sum[1];
	long long steal0, global0, adj;
	pid_t pid, tracer;
	char path[64], stat[700];

	RETURN_IF_SKIPPED();
	if (!getenv("OOMTRACE_VM"))
		SKIP(return, "a global OOM runs only in the QEMU guest (make check-vm)");
	check_report(_metadata, self, variant);
	ASSERT_NE(0, self->dir[0]) TH_LOG("the guest has the memory controller on cgroup v2");
	snprintf(stat, sizeof(stat), "%s/memory.stat", self->dir);
	tracer = self->live.child.pid;
	said(self->line, "protection: oom_score_adj ", &adj);
	steal0 = read_key(stat, "pgsteal");
	global0 = vmstat_sum("pgsteal_kswapd", "pgsteal_direct");

	pid = hog_start(NULL, &h);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(hog_wait_killed(pid));
	/* a killed child stays a zombie until reaped: kill(pid, 0) would pass */
	ASSERT_EQ(0, waitpid(tracer, NULL, WNOHANG)) TH_LOG("the tracer died");
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", tracer);
	EXPECT_EQ(adj, file_ll(path));
	EXPECT_LT(global0, vmstat_sum("pgsteal_kswapd", "pgsteal_direct"))
		TH_LOG("no reclaim: no pressure");
	/* where memory.min gets through, reclaim leaves the cgroup alone */
	if (!variant->share && !variant->nested) {
		EXPECT_EQ(steal0, read_key(stat, "pgsteal"))
			TH_LOG("reclaim took pages of the tracer's cgroup");
	}

	/* stops it with SIGTERM: it must drain and exit 0 */
	check_records(_metadata, &self->live, &(struct expect){ .victims = 1, .global_reclaim = 1 });
	EXPECT_EQ(pid, jint(self->live.recs[0], "victim.pid"));
	/* the "oom-kill:" line is rate limited: only when it was printed */
	if (self->live.kills[0].constraint[0])
		EXPECT_STREQ("none", constraint_of(self->live.kills[0].constraint));
	ASSERT_EQ(1, child_records(&self->live.child, "summary", sum, 1));
	EXPECT_EQ(1, jint(sum[0], "records"));
	EXPECT_EQ(1, jint(sum[0], "reaps"));
	/* out_of_memory() may run again while the victim dies, finding none */
	EXPECT_EQ(1, jint(sum[0], "episodes") - jint(sum[0], "episodes_without_victim"));
	EXPECT_EQ(0, jint(sum[0], "incomplete_episodes"));
	child_records_put(sum, 1);
	/* what it found, back as it exited */
	EXPECT_EQ(self->min0, cg_ll(self, "memory.min"));
}

TEST_HARNESS_MAIN
