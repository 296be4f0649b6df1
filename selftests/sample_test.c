// SPDX-License-Identifier: GPL-2.0
/*
 * Live memory samples (--sample-interval): each must agree with the
 * cgroup's own files read around it (the limit exactly, the usage within
 * what a workload that holds its memory still moves), the system's limit
 * with /proc/meminfo, and sampling must not change a kill record's shape.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (64UL << 20)
/* memory the rest of a shared machine may take or give back meanwhile */
#define SYS_SLACK_KB (64LL << 10)
#define HELD (24UL << 20)
#define INTERVAL "0.1"
#define MAX_SAMPLES 4096
/* per CPU, the memcg keeps up to MEMCG_CHARGE_BATCH (64) pages charged ahead */
#define STOCK_SLACK (64L * getpagesize() * sysconf(_SC_NPROCESSORS_CONF))

static void setup(struct __test_metadata *_metadata, struct live *l, int only_memcg)
{
	struct live_opts o = {
		.memcg = "samples", .limit = LIMIT, .oomtrace = 1, .only_memcg = only_memcg,
		.args = (const char *const[]){ "--sample-interval", INTERVAL, NULL },
	};

	live_setup(_metadata, l, &o);
}

/* --cgroup: the scratch memcg is sampled, not the system */
FIXTURE(memcg_samples) {
	struct live live;
};

FIXTURE_SETUP(memcg_samples)
{
	setup(_metadata, &self->live, 1);
}

FIXTURE_TEARDOWN(memcg_samples)
{
	live_cleanup(&self->live);
}

/* no --cgroup: the system, and each memcg that has had a kill */
FIXTURE(system_samples) {
	struct live live;
};

FIXTURE_SETUP(system_samples)
{
	setup(_metadata, &self->live, 0);
}

FIXTURE_TEARDOWN(system_samples)
{
	live_cleanup(&self->live);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* A number the memcg's file holds. */
static long long memcg_read(const struct memcg *cg, const char *v1, const char *v2)
{
	char path[600];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cg->path, cg->v2 ? v2 : v1);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static long long usage(const struct memcg *cg)
{
	return memcg_read(cg, "memory.usage_in_bytes", "memory.current");
}

static long long meminfo_kb(const char *key)
{
	char line[256], want[64];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	snprintf(want, sizeof(want), "%s: %%lld kB", key);
	while (f && v < 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, want, &v) != 1)
			v = -1;
	if (f)
		fclose(f);
	return v;
}

/* The JSON types of a record, keys in order: two records of one shape give
 * the same string, whatever their values. */
static void shape(struct json_object *o, char *buf, size_t len)
{
	size_t off = strlen(buf);

	switch (json_object_get_type(o)) {
	case json_type_object:
		snprintf(buf + off, len - off, "{");
		json_object_object_foreach(o, key, v) {
			off = strlen(buf);
			snprintf(buf + off, len - off, "%s:", key);
			shape(v, buf, len);
			off = strlen(buf);
			snprintf(buf + off, len - off, ",");
		}
		off = strlen(buf);
		snprintf(buf + off, len - off, "}");
		break;
	case json_type_array:
		/* a stack's depth may differ between two kills: its elements' type may not */
		snprintf(buf + off, len - off, "[");
		if (json_object_array_length(o))
			shape(json_object_array_get_idx(o, 0), buf, len);
		off = strlen(buf);
		snprintf(buf + off, len - off, "]");
		break;
	default:
		snprintf(buf + off, len - off, "%s", json_type_to_name(json_object_get_type(o)));
	}
}

static void kill_one(struct __test_metadata *_metadata, struct live *l, const char *comm)
{
	struct hog h = { .comm = comm };
	pid_t pid = hog_start(&l->cg, &h);

	ASSERT_LT(0, pid);
	ASSERT_TRUE(hog_wait_killed(pid)) TH_LOG("the hog was not OOM-killed");
	live_read_kills(l);
	check_records(_metadata, l, &(struct expect){ .victims = 1, .reports = 1 });
}

/* With --cgroup: the memcg, from the start, agreeing with its own files. */
TEST_F_TIMEOUT(memcg_samples, samples_match_the_memcg_files, 60)
{
	struct live *l = &self->live;
	struct hog h = { .comm = "oomtest-held", .anon_limit = HELD };
	struct json_object *s[MAX_SAMPLES];
	long long u1, u2, t0, t1, start = now_us(), limit, lo, hi;
	int i, n, in = 0;
	pid_t pid;

	RETURN_IF_SKIPPED();
	pid = hog_start(&l->cg, &h);
	ASSERT_LT(0, pid);
	for (i = 0; i < 200 && usage(&l->cg) < (long long)HELD; i++)
		usleep(50000);
	ASSERT_LE((long long)HELD, usage(&l->cg)) TH_LOG("the hog did not take its memory");
	usleep(300000);
	/* the hog holds its memory now: the samples in between see what the file saw */
	u1 = usage(&l->cg);
	t0 = now_us();
	usleep(1500000);
	t1 = now_us();
	u2 = usage(&l->cg);
	limit = memcg_read(&l->cg, "memory.limit_in_bytes", "memory.max");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_EQ(0, child_stop(&l->child));
	check_schema(_metadata, &l->child);

	lo = (u1 < u2 ? u1 : u2) - STOCK_SLACK;
	hi = (u1 > u2 ? u1 : u2) + STOCK_SLACK;
	n = child_records(&l->child, "memory_sample", s, MAX_SAMPLES);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		long long t = rfc3339_us(jstr(s[i], "time"));

		/* --cgroup: that memcg, not the system */
		EXPECT_STREQ(l->cg.rel, jstr(s[i], "memcg"));
		EXPECT_EQ(limit / 1024, jint(s[i], "limit_kb"));
		EXPECT_EQ((long long)LIMIT / 1024, jint(s[i], "limit_kb"));
		EXPECT_GE(t, start);
		if (i)
			EXPECT_LE(rfc3339_us(jstr(s[i - 1], "time")), t);
		if (t < t0 || t > t1)
			continue;
		in++;
		EXPECT_LE(lo / 1024, jint(s[i], "usage_kb"));
		EXPECT_GE(hi / 1024, jint(s[i], "usage_kb"))
			TH_LOG("sample %lld kB; the file said %lld and %lld bytes", jint(s[i], "usage_kb"),
			       u1, u2);
	}
	/* 15 in 1.5 s; a busy machine may delay some, never add any */
	EXPECT_LE(5, in);
	EXPECT_GE(17, in);
	EXPECT_GE((now_us() - start) / 100000 + 2, n);
	child_records_put(s, n);
}

/* Without --cgroup: the system, against /proc/meminfo; a memcg from its
 * first kill on. */
TEST_F_TIMEOUT(system_samples, system_and_the_killed_memcg, 90)
{
	struct live *l = &self->live;
	struct json_object *s[MAX_SAMPLES], *k;
	long long total = meminfo_kb("MemTotal"), killed, used0, used1, lo, hi;
	int i, n, sys = 0, after = 0;

	RETURN_IF_SKIPPED();
	ASSERT_LT(0, total);
	used0 = total - meminfo_kb("MemAvailable");
	usleep(500000);
	kill_one(_metadata, l, "oomtest-smp");
	used1 = total - meminfo_kb("MemAvailable");
	/*
	 * The system's use is MemTotal - MemAvailable when sampled: between
	 * what it was before and after, give or take the hog (at most the
	 * limit) and SYS_SLACK_KB of whatever else this machine runs.
	 */
	lo = (used0 < used1 ? used0 : used1) - SYS_SLACK_KB;
	hi = (used0 > used1 ? used0 : used1) + (long long)LIMIT / 1024 + SYS_SLACK_KB;
	k = l->recs[0];
	killed = rfc3339_us(jstr(k, "time"));
	n = child_records(&l->child, "memory_sample", s, MAX_SAMPLES);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		long long t = rfc3339_us(jstr(s[i], "time"));

		if (!jstr(s[i], "memcg")) {
			sys++;
			EXPECT_EQ(total, jint(s[i], "limit_kb"));
			EXPECT_LE(lo, jint(s[i], "usage_kb"));
			EXPECT_GE(hi, jint(s[i], "usage_kb"));
			continue;
		}
		/* the OOM domain of the kill, and only after it */
		if (!jstr(k, "oom_memcg") || strcmp(jstr(s[i], "memcg"), jstr(k, "oom_memcg")))
			continue;
		EXPECT_LT(killed, t);
		EXPECT_EQ((long long)LIMIT / 1024, jint(s[i], "limit_kb"));
		after++;
	}
	EXPECT_LE(3, sys);
	/* tracepoint mode on cgroup v2 since v6.11 may not know the domain */
	if (jstr(k, "oom_memcg"))
		EXPECT_LE(1, after);
	child_records_put(s, n);
}

/* Sampling changes no kill or reap record: the same keys, in the same
 * order, with the same types, as without it. */
TEST_F_TIMEOUT(memcg_samples, kill_records_keep_their_shape, 90)
{
	struct live *l = &self->live;
	const char *args[] = { "--cgroup", l->cg.path, NULL };
	static char with[2][16384], without[2][16384];
	char why[4096] = "";

	RETURN_IF_SKIPPED();
	kill_one(_metadata, l, "oomtest-shape");
	shape(l->recs[0], with[0], sizeof(with[0]));
	ASSERT_LE(1, l->nreap_rec);
	shape(l->reap_recs[0], with[1], sizeof(with[1]));

	/* again, with a new oomtrace that does not sample */
	child_records_put(l->recs, l->nrec);
	child_records_put(l->reap_recs, l->nreap_rec);
	l->nrec = l->nreap_rec = l->nkills = l->nreaps = 0;
	child_remove_files(&l->child);
	l->vmstat0 = vmstat_oom_kill();
	l->memcg0 = memcg_oom_kills(&l->cg);
	ASSERT_EQ(CHILD_TRACING, child_start(&l->child, args, why, sizeof(why))) TH_LOG("%s", why);
	kill_one(_metadata, l, "oomtest-shape");
	shape(l->recs[0], without[0], sizeof(without[0]));
	ASSERT_LE(1, l->nreap_rec);
	shape(l->reap_recs[0], without[1], sizeof(without[1]));
	EXPECT_STREQ(without[0], with[0]);
	EXPECT_STREQ(without[1], with[1]);
	EXPECT_NE(NULL, strstr(with[0], "victim:{"));
}

TEST_HARNESS_MAIN
