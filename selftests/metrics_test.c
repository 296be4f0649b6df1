// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's metrics, offline: counts by victim identity, the series
 * bound and its overflow, idle series, group kills, and label values built
 * from hostile cgroup names. Prometheus's own promtool must accept every
 * exposition written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "metrics.h"

#define S (1000000000ULL)
#define CID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define POD "/kubepods/burstable/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/"

static struct metrics *new_metrics(unsigned int max_series, __u64 ttl_ns)
{
	struct metrics_config cfg = {
		.max_series = max_series, .series_ttl_ns = ttl_ns, .version = "0.1",
		.mode = "fentry", .kernel = "6.1.0-56-amd64",
	};

	return metrics_new(&cfg);
}

static void victim(struct oom_record *r, const char *memcg, __u64 episode)
{
	memset(r, 0, sizeof(*r));
	r->episode = episode;
	r->time_ns = 1764547200LL * S + 250000000;
	r->mode = MODE_FENTRY;
	r->outcome = OUTCOME_KILLED;
	r->constraint = CONSTRAINT_MEMCG;
	snprintf(r->victim.memcg, sizeof(r->victim.memcg), "%s", memcg);
	/* as record_build() does */
	container_parse(r->victim.memcg, &r->victim_id);
	r->anon_rss_kb = 3 << 10;
	r->duration_us = 1500;
}

static char *expose(struct metrics *m, __u64 now_ns)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || metrics_write(m, f, 42, now_ns)) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* promtool check metrics: 0 when it accepts the exposition; -1 if absent. */
static int promtool(const char *text, char *why, size_t len)
{
	char path[64], cmd[160];
	size_t n = 0;
	FILE *f, *p;

	if (system("command -v promtool >/dev/null 2>&1"))
		return -1;
	snprintf(path, sizeof(path), "/tmp/metrics-test-%d.prom", getpid());
	f = fopen(path, "w");
	if (!f)
		return -2;
	fputs(text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s 2>&1", path);
	p = popen(cmd, "r");
	why[0] = '\0';
	while (p && n + 1 < len && fgets(why + n, len - n, p))
		n = strlen(why);
	n = p ? pclose(p) : 1;
	unlink(path);
	return WIFEXITED(n) ? WEXITSTATUS(n) : 1;
}

#define EXPECT_LINE(text, line) \
	EXPECT_NE(NULL, strstr(text, line "\n")) TH_LOG("no '%s' in:\n%s", line, text)


TEST(container_kills_are_counted_by_identity)
{
	struct metrics *m = new_metrics(100, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, POD CID_A, 1);
	metrics_record(m, r, 1 * S);
	victim(r, POD CID_A, 2);
	metrics_record(m, r, 2 * S);
	victim(r, "/system.slice/nginx.service", 3);
	r->constraint = CONSTRAINT_NONE;
	metrics_record(m, r, 3 * S);
	victim(r, "/oomtrace-scratch", 4);
	metrics_record(m, r, 4 * S);
	out = expose(m, 5 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",runtime=\"containerd\","
		    "pod_uid=\"0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0\",container_id=\"" CID_A "\","
		    "qos=\"burstable\"} 2");
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"none\",unit=\"nginx.service\"} 1");
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",cgroup=\"/oomtrace-scratch\"} 1");
	EXPECT_LINE(out, "oomtrace_oom_episodes_total{constraint=\"memcg\"} 3");
	EXPECT_LINE(out, "oomtrace_oom_episodes_total{constraint=\"none\"} 1");
	EXPECT_LINE(out, "oomtrace_oom_outcomes_total{outcome=\"killed\"} 4");
	EXPECT_LINE(out, "oomtrace_victim_rss_bytes_bucket{le=\"4194304\"} 4");
	EXPECT_LINE(out, "oomtrace_victim_rss_bytes_count 4");
	EXPECT_LINE(out, "oomtrace_oom_duration_seconds_bucket{le=\"0.001\"} 0");
	EXPECT_LINE(out, "oomtrace_oom_duration_seconds_bucket{le=\"0.01\"} 4");
	EXPECT_LINE(out, "oomtrace_kernel_oom_kills_total 42");
	EXPECT_LINE(out, "oomtrace_last_kill_timestamp_seconds 1764547200.250000");
	EXPECT_LINE(out, "oomtrace_build_info{version=\"0.1\",mode=\"fentry\",kernel=\"6.1.0-56-amd64\"} 1");
	free(out);
	free(r);
	metrics_free(m);
}

/* A group kill: one episode, several victims; the exiting shortcut kills
 * nobody; totals bring losses and victimless episodes. */
TEST(episodes_groups_outcomes_and_losses)
{
	struct trace_summary sum = { .lost = 7, .lost_ring = 5, .lost_nomem = 2, .no_victim = 3 };
	struct metrics *m = new_metrics(100, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out;
	int i;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	for (i = 0; i < 3; i++) {
		victim(r, "/group", 9);
		metrics_record(m, r, S);
	}
	victim(r, "/group", 10);
	r->outcome = OUTCOME_EXITING;
	metrics_record(m, r, S);
	metrics_totals(m, &sum);
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",cgroup=\"/group\"} 3");
	EXPECT_LINE(out, "oomtrace_oom_episodes_total{constraint=\"memcg\"} 2");
	EXPECT_LINE(out, "oomtrace_oom_group_kills_total 1");
	EXPECT_LINE(out, "oomtrace_oom_outcomes_total{outcome=\"killed\"} 3");
	EXPECT_LINE(out, "oomtrace_oom_outcomes_total{outcome=\"exiting\"} 1");
	EXPECT_LINE(out, "oomtrace_oom_outcomes_total{outcome=\"no_victim\"} 3");
	EXPECT_LINE(out, "oomtrace_records_lost_total{reason=\"ring_full\"} 5");
	EXPECT_LINE(out, "oomtrace_records_lost_total{reason=\"no_memory\"} 2");
	free(out);
	free(r);
	metrics_free(m);
}

TEST(reaps_are_counted_and_timed)
{
	struct reap_record reaped = { .reaper = REAPER_REAPED, .exit_us = 2100000 };
	struct reap_record quick = { .reaper = REAPER_NOT_NEEDED, .exit_us = 4000 };
	struct metrics *m = new_metrics(100, 3600 * S);
	char *out;

	ASSERT_NE(NULL, m);
	metrics_reap(m, &reaped);
	metrics_reap(m, &quick);
	metrics_reap(m, &quick);
	out = expose(m, S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_reaps_total{reaper=\"reaped\"} 1");
	EXPECT_LINE(out, "oomtrace_reaps_total{reaper=\"skipped\"} 0");
	EXPECT_LINE(out, "oomtrace_reaps_total{reaper=\"not_needed\"} 2");
	EXPECT_LINE(out, "oomtrace_victim_exit_seconds_bucket{le=\"0.01\"} 2");
	EXPECT_LINE(out, "oomtrace_victim_exit_seconds_bucket{le=\"2.5\"} 3");
	EXPECT_LINE(out, "oomtrace_victim_exit_seconds_count 3");
	free(out);
	metrics_free(m);
}

/* Past --max-series, kills still count, in one overflow series. */
TEST(series_are_bounded_and_nothing_is_dropped)
{
	struct metrics *m = new_metrics(3, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char memcg[64], *out;
	int i;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	for (i = 0; i < 10; i++) {
		snprintf(memcg, sizeof(memcg), "/job-%d", i % 5);
		victim(r, memcg, i + 1);
		metrics_record(m, r, S);
	}
	EXPECT_EQ(3, metrics_nr_series(m));
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",cgroup=\"/job-0\"} 2");
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",cgroup=\"/job-2\"} 2");
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",overflow=\"true\"} 4");
	EXPECT_LINE(out, "oomtrace_series_overflow_total 4");
	free(out);
	free(r);
	metrics_free(m);
}

/* A series that has not grown for the TTL goes; the same identity later
 * starts a new one, and frees room under the bound. */
TEST(idle_series_expire)
{
	struct metrics *m = new_metrics(2, 60 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, "/old", 1);
	metrics_record(m, r, 10 * S);
	victim(r, "/busy", 2);
	metrics_record(m, r, 10 * S);
	victim(r, "/busy", 3);
	metrics_record(m, r, 65 * S);
	out = expose(m, 71 * S);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(NULL, strstr(out, "cgroup=\"/old\""));
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\",cgroup=\"/busy\"} 2");
	free(out);
	victim(r, "/new", 4);
	metrics_record(m, r, 72 * S);
	EXPECT_EQ(2, metrics_nr_series(m));
	out = expose(m, 72 * S);
	EXPECT_LINE(out, "oomtrace_series_overflow_total 0");
	free(out);
	free(r);
	metrics_free(m);
}

/* Label values from arbitrary cgroup bytes: escaped, valid UTF-8, long. */
TEST(hostile_cgroup_names_are_escaped)
{
	struct metrics *m = new_metrics(10, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out, *p;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, "/a\\b\"c\nd\xff\xfe\xc3(e", 1);
	metrics_record(m, r, S);
	victim(r, "", 2);
	/* as long as a recorded path can be: 10 names of 255 bytes */
	memset(r->victim.memcg, 'x', sizeof(r->victim.memcg) - 1);
	r->victim.memcg[0] = '/';
	r->victim.memcg[sizeof(r->victim.memcg) - 1] = '\0';
	container_parse(r->victim.memcg, &r->victim_id);
	metrics_record(m, r, S);
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\","
		    "cgroup=\"/a\\\\b\\\"c\\nd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(e\"} 1");
	p = strstr(out, "cgroup=\"/xxx");
	ASSERT_NE(NULL, p);
	EXPECT_EQ('"', p[8 + sizeof(r->victim.memcg) - 1]);
	free(out);
	free(r);
	metrics_free(m);
}

/* Found by the exposition checker of fuzz/ (fuzz_prom_error()): both
 * paths were written as "/a\ufffd",
 * two samples with one label set, which a scrape rejects. */
TEST(paths_alike_once_escaped_are_one_series)
{
	struct metrics *m = new_metrics(10, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, "/a\xff", 1);
	metrics_record(m, r, S);
	victim(r, "/a\xfe", 2);
	metrics_record(m, r, S);
	EXPECT_EQ(1, metrics_nr_series(m));
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\","
		    "cgroup=\"/a\xef\xbf\xbd\"} 2");
	free(out);
	free(r);
	metrics_free(m);
}

/* Found by fuzz/metrics_fuzz.c: the same for an identity's values, which
 * container_parse() keeps to ASCII today but the writer must not rely on. */
TEST(identities_alike_once_escaped_are_one_series)
{
	struct metrics *m = new_metrics(10, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char *out;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, POD, 1);
	strcpy(r->victim_id.pod_uid, "\xff");
	metrics_record(m, r, S);
	victim(r, POD, 2);
	strcpy(r->victim_id.pod_uid, "\xfe");
	metrics_record(m, r, S);
	EXPECT_EQ(1, metrics_nr_series(m));
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	EXPECT_LINE(out, "oomtrace_oom_kills_total{constraint=\"memcg\","
		    "pod_uid=\"\xef\xbf\xbd\",qos=\"burstable\"} 2");
	free(out);
	free(r);
	metrics_free(m);
}

/* Everything above at once, held against Prometheus's own parser. */
TEST(promtool_accepts_the_exposition)
{
	struct trace_summary sum = { .lost = 1, .lost_ring = 1 };
	struct metrics *m = new_metrics(2, 3600 * S);
	struct oom_record *r = malloc(sizeof(*r));
	char why[4096], *out;
	int st;

	ASSERT_NE(NULL, m);
	ASSERT_NE(NULL, r);
	victim(r, POD CID_A, 1);
	metrics_record(m, r, S);
	victim(r, "/a\\b\"c\nd\xff\xfe\xc3(e", 2);
	metrics_record(m, r, S);
	victim(r, "/system.slice/x.service", 3);
	r->constraint = CONSTRAINT_NONE;
	metrics_record(m, r, S);
	metrics_totals(m, &sum);
	out = expose(m, 2 * S);
	ASSERT_NE(NULL, out);
	st = promtool(out, why, sizeof(why));
	free(out);
	free(r);
	metrics_free(m);
	if (st == -1)
		SKIP(return, "promtool is not installed (Debian's prometheus package)");
	EXPECT_EQ(0, st) TH_LOG("promtool: %s", why);
}

TEST_HARNESS_MAIN
