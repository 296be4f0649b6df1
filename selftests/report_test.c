// SPDX-License-Identifier: GPL-2.0
/*
 * `oomtrace report --svg`: a trace recorded live on a real kernel
 * (doc/road-to-oom.jsonl, made by scripts/road-to-oom.sh) drawn, rendered
 * to PNG by librsvg's rsvg-convert, and each kill, reap, reclaim window and
 * loss checked against the records themselves: the kernel's time stamps give
 * the x positions, the records the labels. Bad input gets one line and exit 1.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"
#include "report.h"

#define TRACE "doc/road-to-oom.jsonl"
#define PICTURE "doc/road-to-oom.svg"
#define MAX_RECS 4096

struct result {
	int status;		/* exit code, or 128 + signal */
	char err[4096];
};

static rlim_t fsize_limit;	/* set: the child's RLIMIT_FSIZE */
static const char *stdin_from;	/* set: the child's stdin */

/* report_run() in a child, so that a crash is a result, not the test's end. */
static void report(struct result *r, const char *svg, const char *input, long long episode)
{
	struct report_opts o = { .svg = svg, .input = input, .one_episode = episode >= 0,
				 .episode = episode };
	int fd[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd))
		abort();
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { fsize_limit, fsize_limit };

		dup2(fd[1], 2);
		close(fd[0]);
		if (stdin_from && dup2(open(stdin_from, O_RDONLY), 0) < 0)
			_exit(98);
		/* past the limit, a write fails with EFBIG instead of killing */
		if (fsize_limit && (signal(SIGXFSZ, SIG_IGN) == SIG_ERR ||
				    setrlimit(RLIMIT_FSIZE, &rl)))
			_exit(99);
		_exit(report_run(&o));
	}
	close(fd[1]);
	while (got < sizeof(r->err) - 1 &&
	       (n = read(fd[0], r->err + got, sizeof(r->err) - 1 - got)) > 0)
		got += n;
	r->err[got] = '\0';
	close(fd[0]);
	waitpid(pid, &st, 0);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The records of the trace, read with json-c: the oracle. */
struct recs {
	struct json_object *r[MAX_RECS];
	int n;
	long long t0, t1;	/* µs: the first and last record (the summary has no time) */
};

static void read_recs(struct __test_metadata *_metadata, struct recs *rs, const char *path)
{
	char line[65536];
	FILE *f = fopen(path, "r");

	ASSERT_NE(NULL, f) TH_LOG("run from the repository root");
	rs->n = 0;
	while (fgets(line, sizeof(line), f) && rs->n < MAX_RECS) {
		struct json_object *o = json_tokener_parse(line);
		long long t;

		ASSERT_NE(NULL, o);
		rs->r[rs->n++] = o;
		if (!jstr(o, "time"))
			continue;
		t = rfc3339_us(jstr(o, "time"));
		ASSERT_LE(0, t);
		if (rs->n == 1 || t < rs->t0)
			rs->t0 = t;
		if (rs->n == 1 || t > rs->t1)
			rs->t1 = t;
	}
	fclose(f);
}

static void put_recs(struct recs *rs)
{
	while (rs->n)
		json_object_put(rs->r[--rs->n]);
}

static int is(struct json_object *o, const char *type)
{
	return !strcmp(jstr(o, "type"), type);
}

/* The value of attribute name in the tag that starts at tag. */
static int attr(const char *tag, const char *name, char *out, size_t len)
{
	const char *end = strchr(tag, '>'), *p = tag;
	char key[64];
	size_t n;

	snprintf(key, sizeof(key), " %s=\"", name);
	while ((p = strstr(p, key)) && p < end) {
		p += strlen(key);
		n = strcspn(p, "\"");
		if (n >= len)
			return -1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

static double attr_num(const char *tag, const char *name)
{
	char v[64];

	return attr(tag, name, v, sizeof(v)) ? NAN : strtod(v, NULL);
}

/* The element <g class="cls" data-seq="seq" ...>, or NULL. */
static const char *group_of(const char *svg, const char *cls, long long seq)
{
	char want[128];
	const char *p;

	snprintf(want, sizeof(want), "<g class=\"%s\" data-seq=\"%lld\"", cls, seq);
	p = strstr(svg, want);
	return p;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* The PNG's IHDR width and height; 0 when it is not a PNG. */
static int png_size(const char *path, unsigned int *w, unsigned int *h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char b[24];
	int fd = open(path, O_RDONLY), ok;

	ok = fd >= 0 && read(fd, b, sizeof(b)) == sizeof(b) && !memcmp(b, sig, 8) &&
	     !memcmp(b + 12, "IHDR", 4);
	if (fd >= 0)
		close(fd);
	if (!ok)
		return 0;
	*w = (unsigned int)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
	*h = (unsigned int)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
	return 1;
}

/* x of a time (µs) on the axis that the SVG draws from x0 to x1 for [t0, t1]. */
static double x_of(const char *svg, long long t0, long long t1, long long t)
{
	const char *axis = strstr(svg, "<line class=\"axis\"");
	double x0, x1;

	if (!axis)
		return NAN;
	x0 = attr_num(axis, "data-x0");
	x1 = attr_num(axis, "data-x1");
	return x0 + (double)(t - t0) * (x1 - x0) / (double)(t1 - t0);
}

/* Each kill of the view is drawn once, at its time, labelled with its victim. */
static void check_kills(struct __test_metadata *_metadata, const char *svg,
			const struct recs *rs, long long t0, long long t1, long long episode)
{
	int i, kills = 0;
	char header[64];

	for (i = 0; i < rs->n; i++) {
		struct json_object *o = rs->r[i];
		const char *g, *line, *text;
		char want[128];
		double x;

		if (!is(o, "oom_kill") || (episode >= 0 && jint(o, "episode") != episode))
			continue;
		kills++;
		g = group_of(svg, "kill", jint(o, "seq"));
		ASSERT_NE(NULL, g) TH_LOG("no kill mark for seq %lld", jint(o, "seq"));
		EXPECT_EQ(NULL, group_of(g + 1, "kill", jint(o, "seq")));
		line = strstr(g, "<line ");
		ASSERT_NE(NULL, line);
		x = x_of(svg, t0, t1, rfc3339_us(jstr(o, "time")));
		EXPECT_GT(0.001, fabs(attr_num(line, "x1") - x))
			TH_LOG("seq %lld at %f, not %f", jint(o, "seq"), attr_num(line, "x1"), x);
		EXPECT_GT(0.001, fabs(attr_num(line, "x2") - x));
		snprintf(want, sizeof(want), ">%s (%lld)</text>", jstr(o, "victim.comm"),
			 jint(o, "victim.pid"));
		text = strstr(g, "<text ");
		ASSERT_NE(NULL, text);
		EXPECT_EQ(0, strncmp(strchr(text, '>'), want, strlen(want)))
			TH_LOG("want %s in %.80s", want, text);
	}
	EXPECT_LT(0, kills);
	EXPECT_EQ(kills, count(svg, "<g class=\"kill\""));
	/* the header counts the view's kills, not the trace's */
	snprintf(header, sizeof(header), ": %d kills, ", kills);
	EXPECT_NE(NULL, strstr(svg, header)) TH_LOG("no \"%s\" in the header", header);
}

/* Each victim's exit is drawn at its oom_reap record's time, saying what the reaper did. */
static void check_reaps(struct __test_metadata *_metadata, const char *svg,
			const struct recs *rs, long long t0, long long t1, long long episode)
{
	int i, j, reaps = 0;
	char header[64];

	for (i = 0; i < rs->n; i++) {
		struct json_object *o = rs->r[i], *k = NULL;
		const char *g;
		char reaper[32];

		if (!is(o, "oom_reap"))
			continue;
		for (j = 0; j < rs->n; j++)
			if (is(rs->r[j], "oom_kill") && jint(rs->r[j], "seq") == jint(o, "seq"))
				k = rs->r[j];
		ASSERT_NE(NULL, k);
		if (episode >= 0 && jint(k, "episode") != episode)
			continue;
		reaps++;
		g = group_of(svg, "reap", jint(o, "seq"));
		ASSERT_NE(NULL, g);
		ASSERT_EQ(0, attr(g, "data-reaper", reaper, sizeof(reaper)));
		EXPECT_STREQ(jstr(o, "reaper"), reaper);
		EXPECT_GT(0.001, fabs(attr_num(strstr(g, "<circle "), "cx") -
				      x_of(svg, t0, t1, rfc3339_us(jstr(o, "time")))));
	}
	EXPECT_EQ(reaps, count(svg, "<g class=\"reap\""));
	snprintf(header, sizeof(header), " kills, %d victim exits, ", reaps);
	EXPECT_NE(NULL, strstr(svg, header)) TH_LOG("no \"%s\" in the header", header);
}

/*
 * Each kill with a reclaim window has its band, from the window's start (or
 * the view's) to the kill, saying its stalls and PSI as the record does.
 */
static void check_windows(struct __test_metadata *_metadata, const char *svg,
			  const struct recs *rs, long long t0, long long t1, long long episode)
{
	int i, windows = 0;

	for (i = 0; i < rs->n; i++) {
		struct json_object *o = rs->r[i];
		long long t, from, stalls;
		const char *g, *rect, *end;
		char want[256], title[2048];
		double x;

		if (!is(o, "oom_kill") || !jget(o, "reclaim") ||
		    (episode >= 0 && jint(o, "episode") != episode))
			continue;
		windows++;
		g = group_of(svg, "reclaim", jint(o, "seq"));
		ASSERT_NE(NULL, g) TH_LOG("no reclaim window for seq %lld", jint(o, "seq"));
		EXPECT_EQ(NULL, group_of(g + 1, "reclaim", jint(o, "seq")));
		end = strstr(g, "</g>");
		ASSERT_NE(NULL, end);
		t = rfc3339_us(jstr(o, "time"));
		from = t - jint(o, "reclaim.window_us");
		rect = strstr(g, "<rect ");
		ASSERT_NE(NULL, rect);
		ASSERT_GT(end, rect);
		x = x_of(svg, t0, t1, from < t0 ? t0 : from);
		EXPECT_GT(0.001, fabs(attr_num(rect, "x") - x))
			TH_LOG("seq %lld's window at %f, not %f", jint(o, "seq"), attr_num(rect, "x"), x);
		EXPECT_GT(0.002, fabs(attr_num(rect, "x") + attr_num(rect, "width") -
				      x_of(svg, t0, t1, t)));
		stalls = jint(o, "reclaim.direct.stalls") + jint(o, "reclaim.memcg.stalls");
		EXPECT_EQ(stalls, (long long)attr_num(g, "data-stalls"));
		/* the title says the record's own numbers */
		ASSERT_LT(0, sscanf(strstr(g, "<title>"), "<title>%2047[^<]", title));
		snprintf(want, sizeof(want), "memcg reclaim %lld stalls, %.1f ms in all, longest "
			 "%.1f ms, %lld pages reclaimed of %lld scanned",
			 jint(o, "reclaim.memcg.stalls"), jint(o, "reclaim.memcg.total_us") / 1e3,
			 jint(o, "reclaim.memcg.max_us") / 1e3,
			 jint(o, "reclaim.memcg.reclaimed_pages"),
			 jint(o, "reclaim.memcg.scanned_pages"));
		EXPECT_NE(NULL, strstr(title, want)) TH_LOG("want %s in %s", want, title);
		if (jget(o, "reclaim.psi")) {
			snprintf(want, sizeof(want), "some %.2f%% full %.2f%% (avg10)",
				 json_object_get_double(jget(o, "reclaim.psi.some.avg10")),
				 json_object_get_double(jget(o, "reclaim.psi.full.avg10")));
			EXPECT_NE(NULL, strstr(title, want)) TH_LOG("want %s in %s", want, title);
		}
		snprintf(want, sizeof(want), ">%lld stalls, ", stalls);
		EXPECT_NE(NULL, strstr(g, want));
	}
	EXPECT_EQ(windows, count(svg, "<g class=\"reclaim\""));
}

TEST(recorded_trace_is_drawn_at_the_kernels_times)
{
	char svg_path[] = "/tmp/report-test-XXXXXX", png[64], cmd[256];
	unsigned int w, h;
	struct result r;
	struct recs rs;
	int fd, i, lanes = 0, samples = 0;
	char *svg;

	fd = mkstemp(svg_path);
	ASSERT_LE(0, fd);
	close(fd);
	read_recs(_metadata, &rs, TRACE);
	report(&r, svg_path, TRACE, -1);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ("", r.err);
	svg = slurp_file(svg_path);
	ASSERT_NE(NULL, svg);

	check_kills(_metadata, svg, &rs, rs.t0, rs.t1, -1);
	check_reaps(_metadata, svg, &rs, rs.t0, rs.t1, -1);
	check_windows(_metadata, svg, &rs, rs.t0, rs.t1, -1);
	/* recorded with --reclaim: every kill has its window */
	EXPECT_EQ(count(svg, "<g class=\"kill\""), count(svg, "<g class=\"reclaim\""));
	/* a lane per domain; every sample a point of its lane's line */
	for (i = 0; i < rs.n; i++)
		samples += is(rs.r[i], "memory_sample");
	EXPECT_LT(0, samples);
	for (const char *p = svg; (p = strstr(p, "<polyline class=\"usage\"")); p++) {
		const char *pts = strstr(p, "points=\"") + 8;

		lanes++;
		samples -= count(pts, ",") - count(strchr(pts, '"'), ",");
	}
	EXPECT_EQ(0, samples);
	EXPECT_EQ(lanes, count(svg, "<g class=\"lane\""));
	EXPECT_LE(2, lanes);

	/* librsvg parses and renders it, at the size it says */
	snprintf(png, sizeof(png), "%s.png", svg_path);
	snprintf(cmd, sizeof(cmd), "rsvg-convert -o %s %s 2>&1", png, svg_path);
	if (system("command -v rsvg-convert >/dev/null")) {
		unlink(svg_path);
		SKIP(return, "no rsvg-convert (Debian: librsvg2-bin; scripts/deps.sh unit)");
	}
	EXPECT_EQ(0, system(cmd));
	ASSERT_EQ(1, png_size(png, &w, &h));
	EXPECT_EQ((unsigned int)attr_num(strstr(svg, "<svg "), "width"), w);
	EXPECT_EQ((unsigned int)attr_num(strstr(svg, "<svg "), "height"), h);
	unlink(png);
	unlink(svg_path);
	free(svg);
	put_recs(&rs);
}

/* The picture README shows is this trace's, as this oomtrace draws it. */
TEST(committed_picture_is_current)
{
	char svg_path[] = "/tmp/report-test-XXXXXX";
	char *want, *got;
	struct result r;
	int fd = mkstemp(svg_path);

	ASSERT_LE(0, fd);
	close(fd);
	report(&r, svg_path, TRACE, -1);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	got = slurp_file(svg_path);
	want = slurp_file(PICTURE);
	ASSERT_NE(NULL, want) TH_LOG("run from the repository root");
	ASSERT_NE(NULL, got);
	EXPECT_STREQ(want, got) TH_LOG("redraw it: oomtrace report --svg " PICTURE " " TRACE);
	unlink(svg_path);
	free(want);
	free(got);
}

/* No file, or "-": stdin, the same picture. */
TEST(stdin_is_read)
{
	char svg_path[] = "/tmp/report-test-XXXXXX";
	struct result r;
	char *want, *got;
	int fd = mkstemp(svg_path);

	ASSERT_LE(0, fd);
	close(fd);
	want = slurp_file(PICTURE);
	ASSERT_NE(NULL, want) TH_LOG("run from the repository root");
	stdin_from = TRACE;
	report(&r, svg_path, NULL, -1);
	got = slurp_file(svg_path);
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ(want, got);
	free(got);
	report(&r, svg_path, "-", -1);
	stdin_from = NULL;
	got = slurp_file(svg_path);
	EXPECT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_STREQ(want, got);
	free(got);
	free(want);
	unlink(svg_path);
}

/* --episode: that episode's kills and reaps, from 10 s before to 1 s after. */
TEST(episode_view)
{
	char svg_path[] = "/tmp/report-test-XXXXXX";
	long long ep = -1, t0 = 0, t1 = 0, t;
	int fd, i, j;
	struct result r;
	struct recs rs;
	char *svg;

	fd = mkstemp(svg_path);
	ASSERT_LE(0, fd);
	close(fd);
	read_recs(_metadata, &rs, TRACE);
	/* the second episode: an earlier one is outside its view */
	for (i = 0, j = 0; i < rs.n && ep < 0; i++)
		if (is(rs.r[i], "oom_kill") && j++ == 1)
			ep = jint(rs.r[i], "episode");
	ASSERT_LE(0, ep);
	for (i = 0, j = 0; i < rs.n; i++) {
		struct json_object *o = rs.r[i];
		int mine = is(o, "oom_kill") && jint(o, "episode") == ep;

		for (int k = 0; !mine && is(o, "oom_reap") && k < rs.n; k++)
			mine = is(rs.r[k], "oom_kill") && jint(rs.r[k], "seq") == jint(o, "seq") &&
			       jint(rs.r[k], "episode") == ep;
		if (!mine)
			continue;
		t = rfc3339_us(jstr(o, "time"));
		if (!j++ || t < t0)
			t0 = t;
		if (j == 1 || t > t1)
			t1 = t;
	}
	report(&r, svg_path, TRACE, ep);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	svg = slurp_file(svg_path);
	ASSERT_NE(NULL, svg);
	check_kills(_metadata, svg, &rs, t0 - 10000000, t1 + 1000000, ep);
	check_reaps(_metadata, svg, &rs, t0 - 10000000, t1 + 1000000, ep);
	check_windows(_metadata, svg, &rs, t0 - 10000000, t1 + 1000000, ep);
	unlink(svg_path);
	free(svg);
	put_recs(&rs);
}

/* Write text to a temporary file named in path. */
static void write_tmp(struct __test_metadata *_metadata, char *path, const char *text)
{
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(text), write(fd, text, strlen(text)));
	close(fd);
}

#define KILL(seq, t, comm) \
	"{\"type\":\"oom_kill\",\"version\":4,\"seq\":" #seq ",\"episode\":" #seq "," \
	"\"time\":\"2026-12-01T00:00:0" #t ".000000Z\",\"outcome\":\"killed\",\"oom_memcg\":null," \
	"\"oom_memcg_memory\":null,\"victim\":{\"pid\":1" #seq ",\"comm\":\"" comm "\"}}\n"

/* Lost records are marked where they were seen, with their count. */
TEST(losses_are_marked)
{
	char in[] = "/tmp/report-test-in-XXXXXX", out[] = "/tmp/report-test-XXXXXX";
	const char *g;
	struct result r;
	char *svg;
	int fd;

	write_tmp(_metadata, in, KILL(1, 0, "a") KILL(2, 4, "b")
		  "{\"type\":\"lost\",\"version\":4,\"time\":\"2026-12-01T00:00:03.000000Z\","
		  "\"count\":7,\"total\":7}\n");
	fd = mkstemp(out);
	ASSERT_LE(0, fd);
	close(fd);
	report(&r, out, in, -1);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	svg = slurp_file(out);
	ASSERT_NE(NULL, svg);
	g = strstr(svg, "<g class=\"lost\" data-count=\"7\"");
	ASSERT_NE(NULL, g);
	EXPECT_GT(0.001, fabs(attr_num(strstr(g, "<line "), "x1") - x_of(svg, 0, 4, 3)));
	EXPECT_NE(NULL, strstr(g, ">7 lost</text>"));
	/* kills without --reclaim: no window */
	EXPECT_EQ(0, count(svg, "<g class=\"reclaim\""));
	unlink(in);
	unlink(out);
	free(svg);
}

/* Names are text, never markup, and stay valid XML. */
TEST(hostile_names_stay_text)
{
	char in[] = "/tmp/report-test-in-XXXXXX", out[] = "/tmp/report-test-XXXXXX";
	char cmd[256], png[64];
	struct result r;
	char *svg;
	int fd;

	write_tmp(_metadata, in, KILL(1, 0, "<a href='x'>&\\u0001\\uffff") KILL(2, 1, "\\\"]]>"));
	fd = mkstemp(out);
	ASSERT_LE(0, fd);
	close(fd);
	report(&r, out, in, -1);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	svg = slurp_file(out);
	ASSERT_NE(NULL, svg);
	EXPECT_NE(NULL, strstr(svg, ">&lt;a href=&#39;x&#39;&gt;&amp;\xef\xbf\xbd\xef\xbf\xbd (11)</text>"));
	EXPECT_NE(NULL, strstr(svg, ">&quot;]]&gt; (12)</text>"));
	snprintf(png, sizeof(png), "%s.png", out);
	snprintf(cmd, sizeof(cmd), "rsvg-convert -o %s %s", png, out);
	if (!system("command -v rsvg-convert >/dev/null"))
		EXPECT_EQ(0, system(cmd));
	unlink(png);
	unlink(in);
	unlink(out);
	free(svg);
}

/* Bad input: one line naming the problem (and the line), exit 1, no crash,
 * and no picture left behind. */
static void expect_bad(struct __test_metadata *_metadata, const char *text, const char *why)
{
	char in[] = "/tmp/report-test-in-XXXXXX", out[64];
	struct result r;

	write_tmp(_metadata, in, text);
	snprintf(out, sizeof(out), "%s.svg", in);
	report(&r, out, in, -1);
	EXPECT_EQ(1, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, why)) TH_LOG("want '%s' in: %s", why, r.err);
	EXPECT_EQ(1, count(r.err, "\n")) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(0, access(out, F_OK));
	unlink(in);
	unlink(out);
}

#define BAD(name, text, why)							\
TEST(name)									\
{										\
	expect_bad(_metadata, text, why);					\
}

BAD(malformed_line_fails, KILL(1, 0, "a") "{\"type\":\"oom_kill\",\n", ":2: not one JSON value")
BAD(truncated_last_line_fails, KILL(1, 0, "a") "{\"type\":\"oom_k", ":2: not one JSON value")
BAD(two_values_on_a_line_fail, "{\"type\":\"summary\"} {}\n", ":1: not one JSON value")
BAD(non_object_fails, "[1,2]\n", ":1: not a JSON object")
BAD(invalid_utf8_fails, "{\"type\":\"oom_kill\",\"x\":\"\xff\"}\n", ":1: not one JSON value")
BAD(record_without_type_fails, "{\"seq\":1}\n", ":1: no \"type\"")
BAD(kill_without_time_fails, "{\"type\":\"oom_kill\",\"seq\":1}\n", ":1: no \"time\"")
BAD(bad_time_fails, "{\"type\":\"lost\",\"time\":\"2026-12-01 00:00:00\",\"count\":1}\n",
    ":1: \"time\" is not RFC 3339")
BAD(wrong_type_fails, "{\"type\":\"memory_sample\",\"time\":\"2026-12-01T00:00:00.000000Z\","
    "\"memcg\":null,\"usage_kb\":\"1\",\"limit_kb\":2}\n", ":1: \"usage_kb\" is not an integer")
BAD(negative_count_fails, "{\"type\":\"lost\",\"time\":\"2026-12-01T00:00:00.000000Z\","
    "\"count\":-1}\n", ":1: \"count\" is negative")
BAD(bad_reclaim_fails, "{\"type\":\"oom_kill\",\"seq\":1,\"episode\":1,"
    "\"time\":\"2026-12-01T00:00:00.000000Z\",\"outcome\":\"killed\",\"oom_memcg\":null,"
    "\"oom_memcg_memory\":null,\"victim\":{\"pid\":1,\"comm\":\"a\"},"
    "\"reclaim\":{\"window_us\":1,\"direct\":{\"stalls\":1}}}\n", ":1: no \"total_us\"")
BAD(bad_psi_fails, "{\"type\":\"oom_kill\",\"seq\":1,\"episode\":1,"
    "\"time\":\"2026-12-01T00:00:00.000000Z\",\"outcome\":\"killed\",\"oom_memcg\":null,"
    "\"oom_memcg_memory\":null,\"victim\":{\"pid\":1,\"comm\":\"a\"},"
    "\"reclaim\":{\"window_us\":1,"
    "\"direct\":{\"stalls\":0,\"total_us\":0,\"max_us\":0,\"reclaimed_pages\":0,\"scanned_pages\":0},"
    "\"memcg\":{\"stalls\":0,\"total_us\":0,\"max_us\":0,\"reclaimed_pages\":0,\"scanned_pages\":0},"
    "\"kswapd_wakeups\":0,\"reclaim_retries\":0,\"compact_retries\":0,"
    "\"psi\":{\"source\":\"system\",\"some\":{\"avg10\":\"0\",\"avg60\":0}}}}\n",
    ":1: \"avg10\" is not a number")
BAD(empty_input_fails, "", "holds no records to draw")
BAD(only_summary_fails, "{\"type\":\"summary\"}\n", "holds no records to draw")
BAD(binary_fails, "\x7f" "ELF\x02\x01\x01\n", ":1: not one JSON value")

TEST(missing_file_fails)
{
	struct result r;

	report(&r, "/tmp/report-test-never.svg", "/nonexistent/records.jsonl", -1);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "failed to open /nonexistent/records.jsonl: No such file"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(1, count(r.err, "\n"));
}

TEST(unwritable_picture_fails)
{
	struct result r;

	report(&r, "/nonexistent/road.svg", TRACE, -1);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "failed to open /nonexistent/road.svg"))
		TH_LOG("stderr: %s", r.err);
	/* a file that cannot grow past 1000 bytes: the write fails part-way */
	fsize_limit = 1000;
	report(&r, "/tmp/report-test-short.svg", TRACE, -1);
	fsize_limit = 0;
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "failed to write /tmp/report-test-short.svg: File too large"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(1, count(r.err, "\n"));
	EXPECT_NE(0, access("/tmp/report-test-short.svg", F_OK));
}

TEST(unknown_episode_fails)
{
	struct result r;

	report(&r, "/tmp/report-test-never.svg", TRACE, 999999);
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "has no kill of episode 999999")) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(0, access("/tmp/report-test-never.svg", F_OK));
}

/* A newer oomtrace's record types are skipped, and said once. */
TEST(unknown_types_are_skipped_and_said)
{
	char in[] = "/tmp/report-test-in-XXXXXX", out[] = "/tmp/report-test-XXXXXX";
	struct result r;
	char *svg;
	int fd;

	write_tmp(_metadata, in, "{\"type\":\"reclaim\",\"version\":9}\n" KILL(1, 0, "a")
		  "{\"type\":\"psi\"}\n");
	fd = mkstemp(out);
	ASSERT_LE(0, fd);
	close(fd);
	report(&r, out, in, -1);
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.err, "skipped 2 records of types this oomtrace does not know"))
		TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(1, count(r.err, "\n"));
	svg = slurp_file(out);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(1, count(svg, "<g class=\"kill\""));
	unlink(in);
	unlink(out);
	free(svg);
}

TEST_HARNESS_MAIN
