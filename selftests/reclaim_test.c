// SPDX-License-Identifier: GPL-2.0
/*
 * --reclaim against the kernel's own tracing: a workload churns page cache
 * through a memcg with a limit (memcg reclaim frees the cache, again and
 * again), then grows anonymous memory until the OOM killer ends it. The
 * same tracepoints are enabled meanwhile in a tracefs instance of the
 * test's own, filtered to the workload's pid. The record's window sums
 * must equal what tracefs saw of that task up to its oom:mark_victim:
 * stalls, pages reclaimed and scanned exactly, stall times within the
 * slack below. And the window, with what the task reclaimed after its
 * kill, must agree with the kernel's own counters of the run: memory.stat
 * pgscan and pgsteal and memory.events max on cgroup v2, /proc/vmstat on v1.
 * check_records() holds the rest of the record against the kernel's
 * report, as in every live test.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (32UL << 20)
#define CHURN (2 * LIMIT)	/* page cache written, then read, through the limit */
#define CHUNK (1UL << 20)
#define WINDOW "600"		/* --reclaim: longer than the test */
#define TRACEFS "/sys/kernel/tracing"
#define TMPFS_MAGIC 0x01021994
#define V9FS_MAGIC 0x01021997
/* mm/memcontrol.c: a charge reclaims this many times more before its OOM */
#define MAX_RECLAIM_RETRIES 16
/* room for every event of the run: a drop would fail the test, not skew it */
#define TRACE_BUF_KB "16384"

/*
 * Per stall, oomtrace's and tracefs's durations are taken by two probes on
 * the same two tracepoint calls: they differ by what runs between the two
 * probes at the begin and at the end (one probe body: measured 0.2 us a
 * stall, 3 us on the longest, on the host), and tracefs prints
 * microseconds, cut, so its durations are off by up to 1 us each. Probes
 * run with interrupts on, so an interrupt between them adds its length to
 * one stall: a full CI run on the host once gave 25 us on the longest
 * stall (STALL_MAX_SLACK_US); over many stalls such delays stay well under
 * the per-stall slack of the total. Under QEMU TCG a probe's code runs
 * slowly the first time, and after each flush of TCG's translation cache,
 * while it is translated: measured up to 950 us on one stall in the 6.1
 * guest.
 */
#define STALL_SLACK_US 20
#define STALL_MAX_SLACK_US 250
#define STALL_SLACK_TCG_US 2000

/*
 * The record's pages against the kernel's counters (check_counters()).
 * mm/vmscan.c counts pgscan and pgsteal where it traces
 * mm_vmscan_lru_shrink_inactive, with two exceptions: a pass that isolated
 * no folio (another task, compaction say, had taken them off the LRU) is
 * counted but not traced; and before v6.4 ("mm: vmscan: refactor updating
 * reclaimed pages in reclaim_state") a memcg pass's nr_reclaimed also holds
 * the slab pages freed meanwhile, which pgsteal does not. One isolation
 * batch (SWAP_CLUSTER_MAX) covers such a rare pass; measured: exact on the
 * host (25088 pages reclaimed, 33280 scanned); in the 6.1 guest, which has
 * no page cache to churn, 0 either way. On cgroup v1 the
 * counters are the system's: the live tests hold a lock, and nothing else
 * here reclaims under a memcg limit or in direct reclaim meanwhile.
 */
#define COUNTER_SLACK_PAGES 32

static const char *const events[] = {
	"vmscan/mm_vmscan_direct_reclaim_begin", "vmscan/mm_vmscan_direct_reclaim_end",
	"vmscan/mm_vmscan_memcg_reclaim_begin", "vmscan/mm_vmscan_memcg_reclaim_end",
	"vmscan/mm_vmscan_lru_shrink_inactive", "oom/mark_victim",
};

/* What tracefs saw of one kind of stall. */
struct seen_stalls {
	long long count, total_us, max_us, reclaimed, scanned;
};

struct seen {
	struct seen_stalls direct, memcg;
	/* after the task's oom:mark_victim: the charge that called the OOM
	 * killer retries, and reclaims, until it sees it is dying */
	struct seen_stalls after_direct, after_memcg;
	int killed;		/* its oom:mark_victim came */
	long long lines;
};

FIXTURE(reclaim) {
	struct live live;
	char instance[128];	/* "": none made */
	int mounted;		/* we mounted tracefs */
};

static int instance_write(FIXTURE_DATA(reclaim) *self, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", self->instance, file);
	return write_file(path, val);
}

FIXTURE_SETUP(reclaim)
{
	struct live_opts o = {
		.memcg = "reclaim", .limit = LIMIT, .oomtrace = 1, .only_memcg = 1,
		.args = (const char *const[]){ "--reclaim", WINDOW, NULL },
	};
	char path[256];
	unsigned int i;

	self->instance[0] = '\0';
	self->mounted = 0;
	if (geteuid())
		SKIP(return, "needs root");
	/* a fresh machine has tracefs unmounted (machines.md) */
	if (access(TRACEFS "/instances", F_OK)) {
		if (mount("nodev", TRACEFS, "tracefs", 0, NULL))
			SKIP(return, "no tracefs: mount at " TRACEFS ": %s", strerror(errno));
		self->mounted = 1;
	}
	snprintf(self->instance, sizeof(self->instance), TRACEFS "/instances/oomtest-reclaim-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->instance, 0700)) TH_LOG("mkdir %s: %s", self->instance,
							 strerror(errno));
	ASSERT_EQ(0, instance_write(self, "tracing_on", "0"));
	/* the clock oomtrace stamps with, so both measure the same time */
	ASSERT_EQ(0, instance_write(self, "trace_clock", "boot"));
	ASSERT_EQ(0, instance_write(self, "buffer_size_kb", TRACE_BUF_KB));
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "events/%s/enable", events[i]);
		ASSERT_EQ(0, instance_write(self, path, "1")) TH_LOG("enable %s", events[i]);
	}
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(reclaim)
{
	live_cleanup(&self->live);
	if (self->instance[0]) {
		instance_write(self, "tracing_on", "0");
		rmdir(self->instance);
	}
	if (self->mounted)
		umount(TRACEFS);
}

/*
 * A writable directory whose page cache memcg reclaim can drop; NULL: none
 * here (the guest's are tmpfs, or the host's root over 9p, read-only and
 * uncached).
 */
static const char *churn_dir(void)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp" };
	struct statfs st;
	unsigned int i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!statfs(dirs[i], &st) && st.f_type != TMPFS_MAGIC &&
		    st.f_type != V9FS_MAGIC && !(st.f_flags & ST_RDONLY))
			return dirs[i];
	return NULL;
}

/* The workload: join cg, wait for go, churn page cache, then grow until killed. */
static void workload(const struct memcg *cg, int go, const char *dir)
{
	static char chunk[CHUNK];
	char path[128], pid[16];
	size_t done;
	int fd;

	prctl(PR_SET_NAME, "oomtest-reclaim");
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (memcg_write(cg, "cgroup.procs", pid))
		_exit(HOG_NOT_JOINED);
	if (read(go, pid, 1) != 1)
		_exit(1);
	alarm(120);
	memset(chunk, 'x', sizeof(chunk));
	if (dir) {
		snprintf(path, sizeof(path), "%s/oomtest-reclaim-%d", dir, getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			_exit(2);
		unlink(path);
		for (done = 0; done < CHURN; done += CHUNK)
			if (write(fd, chunk, CHUNK) != (ssize_t)CHUNK)
				_exit(3);
		lseek(fd, 0, SEEK_SET);
		while (read(fd, chunk, CHUNK) > 0)
			;
		close(fd);
	}
	for (;;) {
		char *p = malloc(CHUNK);

		if (!p)
			_exit(4);
		memset(p, 'y', CHUNK);
	}
}

/* The number after "key=" in a trace line. */
static long long field_of(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/*
 * The instance's buffer, one task's events: "  comm-pid  [cpu] flags
 * sec.usec: event: fields". Stalls pair a begin with the next end; what
 * comes after oom:mark_victim is past the record's window, and goes to
 * s->after_*.
 */
static void count_trace(struct __test_metadata *_metadata, FIXTURE_DATA(reclaim) *self,
			struct seen *s)
{
	long long begin_us = -1, scanned = 0;
	struct seen_stalls *cur = NULL;
	char path[256], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", self->instance);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sec, usec;
		long long entries, written;
		char event[64];
		const char *p;

		if (sscanf(line, "# entries-in-buffer/entries-written: %lld/%lld",
			   &entries, &written) == 2) {
			EXPECT_EQ(written, entries) TH_LOG("tracefs overwrote events");
			continue;
		}
		if (line[0] == '#')
			continue;
		p = strchr(line, ']');
		if (!p || sscanf(p + 1, " %*s %llu.%llu: %63[^:]:", &sec, &usec, event) != 3)
			continue;
		s->lines++;
		if (!strcmp(event, "mark_victim")) {
			s->killed = 1;
		} else if (!strcmp(event, "mm_vmscan_direct_reclaim_begin") ||
			   !strcmp(event, "mm_vmscan_memcg_reclaim_begin")) {
			if (event[10] == 'd')
				cur = s->killed ? &s->after_direct : &s->direct;
			else
				cur = s->killed ? &s->after_memcg : &s->memcg;
			begin_us = sec * 1000000 + usec;
			scanned = 0;
		} else if (!strcmp(event, "mm_vmscan_lru_shrink_inactive")) {
			scanned += field_of(line, "nr_scanned=");
		} else if (cur && (!strcmp(event, "mm_vmscan_direct_reclaim_end") ||
				   !strcmp(event, "mm_vmscan_memcg_reclaim_end"))) {
			long long us = sec * 1000000 + usec - begin_us;

			cur->count++;
			cur->total_us += us;
			if (us > cur->max_us)
				cur->max_us = us;
			cur->reclaimed += field_of(line, "nr_reclaimed=");
			cur->scanned += scanned;
			cur = NULL;
		}
	}
	fclose(f);
}

static void check_stalls(struct __test_metadata *_metadata, struct json_object *r,
			 const char *kind, const struct seen_stalls *s)
{
	int tcg = getenv("OOMTRACE_VM") != NULL;
	long long slack = tcg ? STALL_SLACK_TCG_US : STALL_SLACK_US;
	long long max_slack = tcg ? STALL_SLACK_TCG_US : STALL_MAX_SLACK_US;
	char key[64];

#define GET(name) (snprintf(key, sizeof(key), "reclaim.%s.%s", kind, name), jint(r, key))
	EXPECT_EQ(s->count, GET("stalls")) TH_LOG("%s stalls", kind);
	EXPECT_EQ(s->reclaimed, GET("reclaimed_pages")) TH_LOG("%s pages reclaimed", kind);
	EXPECT_EQ(s->scanned, GET("scanned_pages")) TH_LOG("%s pages scanned", kind);
	EXPECT_NEAR(s->total_us, GET("total_us"), slack * (s->count + 1))
		TH_LOG("%s stall time", kind);
	EXPECT_NEAR(s->max_us, GET("max_us"), max_slack) TH_LOG("%s longest stall", kind);
#undef GET
}

/*
 * The kernel's own reclaim counts, kept apart from the tracepoints (mm/vmscan.c
 * counts a pass's pages where it traces them). Cgroup v2 keeps them for the
 * memcg: memory.stat pgscan and pgsteal, and memory.events max, one for each
 * reclaim pass of a charge over the limit (try_charge_memcg()). Cgroup v1's
 * memory.stat has none of them, so there /proc/vmstat's pgscan_anon/_file and
 * pgsteal_anon/_file, which count every reclaimer of the system.
 */
struct counters {
	long long scanned, reclaimed;
	long long max_events;	/* -1: not kept (v1) */
	long long allocstalls;	/* /proc/vmstat allocstall_*: the system's direct reclaim */
};

/* The sum of the "key value" lines of path whose key starts with prefix. */
static long long sum_keys(const char *path, const char *prefix)
{
	char line[256];
	long long sum = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			sum += strtoll(strchr(line, ' ') ?: line, NULL, 10);
	fclose(f);
	return sum;
}

static void read_counters(struct __test_metadata *_metadata, const struct memcg *cg,
			  struct counters *c)
{
	char path[600];

	c->allocstalls = sum_keys("/proc/vmstat", "allocstall_");
	if (cg->v2) {
		snprintf(path, sizeof(path), "%s/memory.stat", cg->path);
		c->scanned = read_key(path, "pgscan");
		c->reclaimed = read_key(path, "pgsteal");
		snprintf(path, sizeof(path), "%s/memory.events", cg->path);
		c->max_events = read_key(path, "max");
	} else {
		/* every reclaimer's pages, less kswapd's, khugepaged's and
		 * proactive reclaim's, which none of the workload's passes is */
		c->scanned = sum_keys("/proc/vmstat", "pgscan_anon") +
			     sum_keys("/proc/vmstat", "pgscan_file") -
			     sum_keys("/proc/vmstat", "pgscan_kswapd") -
			     sum_keys("/proc/vmstat", "pgscan_khugepaged") -
			     sum_keys("/proc/vmstat", "pgscan_proactive");
		c->reclaimed = sum_keys("/proc/vmstat", "pgsteal_anon") +
			       sum_keys("/proc/vmstat", "pgsteal_file") -
			       sum_keys("/proc/vmstat", "pgsteal_kswapd") -
			       sum_keys("/proc/vmstat", "pgsteal_khugepaged") -
			       sum_keys("/proc/vmstat", "pgsteal_proactive");
		c->max_events = -1;
	}
	ASSERT_LE(0, c->allocstalls);
	ASSERT_LE(0, c->scanned) TH_LOG("no pgscan counters");
	ASSERT_LE(0, c->reclaimed) TH_LOG("no pgsteal counters");
}

/*
 * The record's window against the kernel's counters: what the window
 * holds, plus what tracefs saw the task reclaim after its mark_victim
 * (past the window, before its exit), is what the counters grew by.
 */
static void check_counters(struct __test_metadata *_metadata, struct json_object *r,
			   const struct seen *s, const struct counters *c0,
			   const struct counters *c1)
{
	long long scanned = jint(r, "reclaim.memcg.scanned_pages") +
			    jint(r, "reclaim.direct.scanned_pages") +
			    s->after_memcg.scanned + s->after_direct.scanned;
	long long reclaimed = jint(r, "reclaim.memcg.reclaimed_pages") +
			      jint(r, "reclaim.direct.reclaimed_pages") +
			      s->after_memcg.reclaimed + s->after_direct.reclaimed;
	long long stalls = jint(r, "reclaim.memcg.stalls") + s->after_memcg.count;
	long long direct = jint(r, "reclaim.direct.stalls") + s->after_direct.count;

	TH_LOG("counters: scanned %lld (window + after: %lld), reclaimed %lld (%lld), "
	       "allocstall %lld (direct stalls %lld)", c1->scanned - c0->scanned, scanned,
	       c1->reclaimed - c0->reclaimed, reclaimed, c1->allocstalls - c0->allocstalls,
	       direct);
	/* pgscan counts every pass the tracepoint does, and one that isolated nothing */
	EXPECT_LE(scanned, c1->scanned - c0->scanned);
	EXPECT_NEAR(scanned, c1->scanned - c0->scanned, COUNTER_SLACK_PAGES);
	EXPECT_NEAR(reclaimed, c1->reclaimed - c0->reclaimed, COUNTER_SLACK_PAGES);
	/* other tasks may enter the system's direct reclaim too */
	EXPECT_LE(direct, c1->allocstalls - c0->allocstalls);
	if (c0->max_events >= 0)
		EXPECT_EQ(stalls, c1->max_events - c0->max_events)
			TH_LOG("memory.events max, memcg stalls in the window and after");
}

TEST_F_TIMEOUT(reclaim, window_equals_tracefs, 180)
{
	struct live *l = &self->live;
	const char *dir = churn_dir();
	struct counters before, after;
	struct seen seen = {};
	char pidstr[16];
	struct json_object *r;
	int go[2];
	pid_t pid;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		workload(&l->cg, go[0], dir);
	}
	close(go[0]);
	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	ASSERT_EQ(0, instance_write(self, "set_event_pid", pidstr));
	ASSERT_EQ(0, instance_write(self, "tracing_on", "1"));
	read_counters(_metadata, &l->cg, &before);
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	ASSERT_TRUE(hog_wait_killed(pid));
	ASSERT_EQ(0, instance_write(self, "tracing_on", "0"));
	/* memory.stat's events reach the memcg at the latest with the kernel's
	 * periodic stats flush, every 2 s (FLUSH_TIME) */
	if (l->cg.v2)
		sleep(3);
	read_counters(_metadata, &l->cg, &after);
	check_records(_metadata, l, &(struct expect){ .victims = 1, .reports = 1 });

	count_trace(_metadata, self, &seen);
	ASSERT_TRUE(seen.killed) TH_LOG("no oom:mark_victim among %lld trace lines", seen.lines);
	r = l->recs[0];
	ASSERT_NE(NULL, jget(r, "reclaim")) TH_LOG("no reclaim in the record");
	TH_LOG("tracefs: %lld memcg stalls, %lld us, %lld pages reclaimed, %lld scanned%s",
	       seen.memcg.count, seen.memcg.total_us, seen.memcg.reclaimed, seen.memcg.scanned,
	       dir ? "" : " (no page cache churn: no disk file system)");
	TH_LOG("oomtrace: %lld memcg stalls, %lld us (longest %lld, tracefs %lld)",
	       jint(r, "reclaim.memcg.stalls"), jint(r, "reclaim.memcg.total_us"),
	       jint(r, "reclaim.memcg.max_us"), seen.memcg.max_us);
	/* the limit makes memcg reclaim run many times before the kill */
	EXPECT_LT(MAX_RECLAIM_RETRIES, seen.memcg.count);
	check_stalls(_metadata, r, "direct", &seen.direct);
	check_stalls(_metadata, r, "memcg", &seen.memcg);
	/* the OOM domain is the memcg: kswapd works for no memcg limit */
	EXPECT_EQ(0, jint(r, "reclaim.kswapd_wakeups"));
	EXPECT_STREQ(l->cg.rel, jstr(r, "oom_memcg"));
	check_counters(_metadata, r, &seen, &before, &after);
}

TEST_HARNESS_MAIN
