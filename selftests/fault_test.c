// SPDX-License-Identifier: GPL-2.0
/*
 * Failure modes, each held against an oracle outside oomtrace:
 * - the tracer killed or signalled mid-storm: bpftool shows none of its
 *   programs or links left, a restart traces at once, and SIGTERM/SIGINT
 *   drain to a summary that is exactly the kernel's reports so far;
 * - its output failing: a full tmpfs, /dev/full, a closed pipe; in serve, a
 *   full disk under --json-log and clients that hang up stop nothing;
 * - a hog that cannot join its scratch memcg never starts, neither the
 *   tests' (hog_start) nor demo.sh's (scripts/in-cgroup.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (16UL << 20)
#define STORM 10
#define MAX_IDS 64

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int have_bpftool(void)
{
	return !system("command -v bpftool >/dev/null 2>&1");
}

/* `bpftool WHAT show -j`, parsed. */
static struct json_object *bpftool_show(const char *what)
{
	char cmd[64], *buf = NULL;
	struct json_object *o;
	size_t len = 0;
	FILE *p, *m;
	int c;

	snprintf(cmd, sizeof(cmd), "bpftool %s show -j 2>/dev/null", what);
	p = popen(cmd, "r");
	m = open_memstream(&buf, &len);
	while (p && m && (c = fgetc(p)) != EOF)
		fputc(c, m);
	if (p)
		pclose(p);
	if (m)
		fclose(m);
	o = buf ? json_tokener_parse(buf) : NULL;
	free(buf);
	return o;
}

/* IDs of loaded programs named as bpf/oomtrace.bpf.c names its own. */
static int oomtrace_progs(int *ids, int n)
{
	static const char *const prefixes[] = {
		"oom_enter_", "oom_exit_", "oom_kill_", "mark_victim_",
	};
	struct json_object *a = bpftool_show("prog");
	int i, j, got = 0;

	for (i = 0; a && i < (int)json_object_array_length(a); i++) {
		struct json_object *p = json_object_array_get_idx(a, i);
		const char *name = jstr(p, "name");

		for (j = 0; name && j < 4 && got < n; j++) {
			if (!strncmp(name, prefixes[j], strlen(prefixes[j]))) {
				ids[got++] = jint(p, "id");
				break;
			}
		}
	}
	json_object_put(a);
	return got;
}

static int has_id(const int *ids, int n, int id)
{
	while (n-- > 0)
		if (ids[n] == id)
			return 1;
	return 0;
}

/* Of ids (the child's programs), how many are loaded, and links to them. */
static void still_there(const int *ids, int n, int *progs, int *links)
{
	int now[MAX_IDS], nnow = oomtrace_progs(now, MAX_IDS), i;
	struct json_object *a = bpftool_show("link");

	for (*progs = 0, i = 0; i < nnow; i++)
		*progs += has_id(ids, n, now[i]);
	for (*links = 0, i = 0; a && i < (int)json_object_array_length(a); i++)
		*links += has_id(ids, n, jint(json_object_array_get_idx(a, i), "prog_id"));
	json_object_put(a);
}

/* A process that makes n kills in cg, one at a time, while the test goes on. */
static pid_t storm_start(const struct memcg *cg, int n)
{
	struct hog h = { .comm = "fault-hog" };
	pid_t pid = fork();
	int i;

	if (pid)
		return pid;
	for (i = 0; i < n; i++)
		if (!hog_wait_killed(hog_start(cg, &h)))
			_exit(1);
	_exit(0);
}

static int storm_wait(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st);
}

/* Has c ended (within ms)? Its wait status in *st. */
static int child_ended(struct oomtrace_child *c, int ms, int *st)
{
	do {
		if (waitpid(c->pid, st, WNOHANG) == c->pid) {
			c->pid = 0;
			return 1;
		}
		msleep(20);
	} while ((ms -= 20) > 0);
	return 0;
}

static void kill_one(struct __test_metadata *_metadata, const struct memcg *cg)
{
	struct hog h = { .comm = "fault-hog" };

	ASSERT_TRUE(hog_wait_killed(hog_start(cg, &h))) TH_LOG("the hog was not OOM-killed");
}

/* The child's stderr: its last line, and how many lines hold needle. */
static int err_lines(const struct oomtrace_child *c, const char *needle, char *last, size_t len)
{
	char line[1024];
	int n = 0;
	FILE *f = fopen(c->err, "r");

	last[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		n += strstr(line, needle) != NULL;
		snprintf(last, len, "%s", line);
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * A tmpfs at dir, in a mount namespace of our own: it goes when the test
 * does. "/" of a chroot (the VM guest's) is no mount point and cannot be
 * made private; there the mount is seen outside too, until teardown.
 */
static int small_tmpfs(const char *dir, const char *opts)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mkdir(dir, 0700))
		return -1;
	return mount("oomtrace-full", dir, "tmpfs", 0, opts);
}

/*
 * The tracer, killed or signalled while a storm of kills goes on: one
 * variant per attach mode, a mode this kernel lacks is skipped.
 */
FIXTURE(tracer) {
	struct live live;
	int before[MAX_IDS];	/* others' programs, loaded before ours */
	int nbefore;
	pid_t storm;
};

FIXTURE_VARIANT(tracer) {
	const char *mode;
};

FIXTURE_VARIANT_ADD(tracer, fentry) { .mode = "fentry" };
FIXTURE_VARIANT_ADD(tracer, kprobe) { .mode = "kprobe" };
FIXTURE_VARIANT_ADD(tracer, tracepoint) { .mode = "tracepoint" };

FIXTURE_SETUP(tracer)
{
	struct live_opts o = {
		.memcg = variant->mode, .limit = LIMIT, .oomtrace = 1,
		.mode = variant->mode, .only_memcg = 1,
	};

	self->storm = -1;
	self->nbefore = oomtrace_progs(self->before, MAX_IDS);
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(tracer)
{
	if (self->storm > 0) {
		kill(self->storm, SIGKILL);
		waitpid(self->storm, NULL, 0);
	}
	live_cleanup(&self->live);
}

TEST_F_TIMEOUT(tracer, sigkill_leaves_nothing_attached_and_restarts, 300)
{
	const char *args[] = { "--mode", variant->mode, "--cgroup", self->live.cg.path, NULL };
	int now[MAX_IDS], ours[MAX_IDS], nnow, nours = 0, progs, links, i, st;
	struct live *l = &self->live;
	char why[4096];

	RETURN_IF_SKIPPED();
	if (!have_bpftool())
		SKIP(return, "needs bpftool");
	nnow = oomtrace_progs(now, MAX_IDS);
	for (i = 0; i < nnow; i++)
		if (!has_id(self->before, self->nbefore, now[i]))
			ours[nours++] = now[i];
	ASSERT_LT(0, nours) TH_LOG("bpftool shows no program of the running oomtrace");
	still_there(ours, nours, &progs, &links);
	ASSERT_LT(0, links) TH_LOG("bpftool shows no link to its programs");

	self->storm = storm_start(&l->cg, STORM);
	ASSERT_LT(0, self->storm);
	ASSERT_LE(2, kmsg_wait_kills(l, 2));
	ASSERT_EQ(0, kill(l->child.pid, SIGKILL));
	ASSERT_EQ(l->child.pid, waitpid(l->child.pid, &st, 0));
	l->child.pid = 0;
	/* the kernel lets go of them as their last holder exits, or just after */
	for (i = 0; i < 100; i++) {
		still_there(ours, nours, &progs, &links);
		if (!progs && !links)
			break;
		msleep(20);
	}
	EXPECT_EQ(0, progs) TH_LOG("programs left loaded after SIGKILL");
	EXPECT_EQ(0, links) TH_LOG("links left attached after SIGKILL");
	ASSERT_TRUE(storm_wait(self->storm));
	self->storm = -1;

	/* a restart traces at once, and sees exactly what the kernel reports */
	child_remove_files(&l->child);
	ASSERT_EQ(CHILD_TRACING, child_start(&l->child, args, why, sizeof(why)))
		TH_LOG("restart failed: %s", why);
	live_read_kills(l);
	l->nkills = 0;
	l->vmstat0 = vmstat_oom_kill();
	l->memcg0 = memcg_oom_kills(&l->cg);
	kill_one(_metadata, &l->cg);
	kill_one(_metadata, &l->cg);
	check_records(_metadata, l, &(struct expect){ .victims = 2, .reports = 2 });
}

/*
 * A signal mid-storm: oomtrace drains and exits 0, and its records are
 * exactly the kernel's first reports, in order, none lost, as its
 * summary (JSON and stderr) says.
 */
static void signal_mid_storm(struct __test_metadata *_metadata, FIXTURE_DATA(tracer) *self,
			     int sig)
{
	unsigned long long srecs, sfilt, slost;
	struct json_object *recs[LIVE_MAX_KILLS + 1], *sum[1];
	struct live *l = &self->live;
	int split = split_rss_counting(), nrec, i, st;
	char last[1024], line[1024];
	FILE *f;

	self->storm = storm_start(&l->cg, STORM);
	ASSERT_LT(0, self->storm);
	ASSERT_LE(3, kmsg_wait_kills(l, 3));
	ASSERT_EQ(0, kill(l->child.pid, sig));
	ASSERT_EQ(l->child.pid, waitpid(l->child.pid, &st, 0));
	l->child.pid = 0;
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %d", st);
	ASSERT_TRUE(storm_wait(self->storm));
	self->storm = -1;
	ASSERT_EQ(STORM, kmsg_wait_kills(l, STORM));
	EXPECT_EQ(STORM, vmstat_oom_kill() - l->vmstat0);
	check_schema(_metadata, &l->child);

	nrec = child_records(&l->child, "oom_kill", recs, LIVE_MAX_KILLS + 1);
	/* those reported before the signal were marked before it, at least */
	EXPECT_LE(3, nrec);
	for (i = 0; i < nrec && i < l->nkills; i++) {
		EXPECT_EQ(l->kills[i].pid, jint(recs[i], "victim.pid"));
		check_record(_metadata, l, &(struct expect){ .victims = STORM }, split,
			     recs[i], &l->kills[i]);
	}
	ASSERT_EQ(1, child_records(&l->child, "summary", sum, 1));
	EXPECT_EQ(nrec, jint(sum[0], "records"));
	EXPECT_EQ(0, jint(sum[0], "lost"));
	EXPECT_EQ(0, jint(sum[0], "filtered"));
	err_lines(&l->child, "", last, sizeof(last));
	f = fopen(l->child.err, "r");
	ASSERT_NE(NULL, f);
	srecs = sfilt = slost = ~0ULL;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "oomtrace: %llu records, %llu filtered out, %llu lost;",
		       &srecs, &sfilt, &slost);
	fclose(f);
	EXPECT_EQ(nrec, srecs) TH_LOG("stderr ends: %s", last);
	EXPECT_EQ(0, sfilt);
	EXPECT_EQ(0, slost);
	child_records_put(sum, 1);
	child_records_put(recs, nrec);
}

TEST_F_TIMEOUT(tracer, sigterm_drains_with_an_exact_summary, 300)
{
	RETURN_IF_SKIPPED();
	signal_mid_storm(_metadata, self, SIGTERM);
}

TEST_F_TIMEOUT(tracer, sigint_drains_with_an_exact_summary, 300)
{
	RETURN_IF_SKIPPED();
	signal_mid_storm(_metadata, self, SIGINT);
}

/*
 * Output that fails while kills happen. The oomtrace child is started by
 * each test, in a mount namespace of the test's own, where a tmpfs of a
 * few pages stands for a full disk and goes away with the test.
 */
FIXTURE(output) {
	struct live live;
	char dir[64];
	int mounted;
};

FIXTURE_SETUP(output)
{
	struct live_opts o = { .memcg = "output", .limit = LIMIT };

	live_setup(_metadata, &self->live, &o);
	RETURN_IF_SKIPPED();
	snprintf(self->dir, sizeof(self->dir), "/tmp/oomtrace-full-%d", getpid());
	ASSERT_EQ(0, small_tmpfs(self->dir, "size=32k")) TH_LOG("%s", strerror(errno));
	self->mounted = 1;
}

FIXTURE_TEARDOWN(output)
{
	live_cleanup(&self->live);
	if (self->mounted)
		umount2(self->dir, MNT_DETACH);
	if (self->dir[0])
		rmdir(self->dir);
}

/* Start `oomtrace --json ARGS` on the scratch memcg. */
static void start_tracer(struct __test_metadata *_metadata, struct live *l,
			 const char *const *more)
{
	const char *args[16] = { "--cgroup", l->cg.path };
	char why[4096];
	int i;

	for (i = 0; more[i]; i++)
		args[2 + i] = more[i];
	ASSERT_EQ(CHILD_TRACING, child_start(&l->child, args, why, sizeof(why)))
		TH_LOG("%s", why);
}

/* One line says why, last, and the exit status is 1. */
static void check_write_failure(struct __test_metadata *_metadata, struct oomtrace_child *c,
				int st)
{
	char last[1024];
	int n = err_lines(c, "No space left on device", last, sizeof(last));

	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) TH_LOG("status %d", st);
	EXPECT_EQ(1, n) TH_LOG("lines that say why: %d", n);
	EXPECT_STREQ("oomtrace: failed to write records: No space left on device", last);
}

/* Complete lines in path, whether it ends with one, and the oom_kill and
 * oom_reap lines among the complete ones. */
static int lines_in(const char *path, int *whole, int *kill, int *reap)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 0;
	FILE *f = fopen(path, "r");

	*whole = 1;
	*kill = *reap = 0;
	while (f && (len = getline(&line, &cap, f)) > 0) {
		*whole = line[len - 1] == '\n';
		if (!*whole)
			break;
		n++;
		*kill += !!strstr(line, "\"type\":\"oom_kill\"");
		*reap += !!strstr(line, "\"type\":\"oom_reap\"");
	}
	free(line);
	if (f)
		fclose(f);
	return n;
}

TEST_F_TIMEOUT(output, full_tmpfs_stops_at_the_first_record_that_does_not_fit, 300)
{
	char out[128];
	const char *args[] = { "-o", out, NULL };
	struct live *l = &self->live;
	int kills, lines = 0, whole, st, i, ended = 0, kill, reap;

	RETURN_IF_SKIPPED();
	snprintf(out, sizeof(out), "%s/records.json", self->dir);
	start_tracer(_metadata, l, args);
	for (kills = 1; kills <= 64 && !ended; kills++) {
		kill_one(_metadata, &l->cg);
		/* the record is written whole, or oomtrace ends */
		for (i = 0; i < 100 && !(ended = child_ended(&l->child, 20, &st)); i++)
			if (lines_in(out, &whole, &kill, &reap) > lines && whole)
				break;
		lines = lines_in(out, &whole, &kill, &reap);
	}
	ASSERT_TRUE(ended) TH_LOG("oomtrace still runs after %d kills", kills - 1);
	EXPECT_LT(0, lines) TH_LOG("the first record did not fit: no test");
	/*
	 * Each kill writes its oom_kill line, then its oom_reap line once the
	 * hog is gone: the last kill's oom_kill line did not fit (what did
	 * stays as a partial line), or it did and its oom_reap line did not.
	 */
	EXPECT_EQ(lines, kill + reap);
	EXPECT_TRUE(reap == kill || reap == kill - 1) TH_LOG("%d kills, %d reaps", kill, reap);
	EXPECT_EQ(kills - 1, kill + (reap == kill)) TH_LOG("%d records written", kill);
	check_write_failure(_metadata, &l->child, st);
}

/*
 * On a full device of its own (/dev/full's 1:7): once, on this machine, a
 * stray unlink left /dev/full a regular file that takes every write.
 */
TEST_F_TIMEOUT(output, dev_full_ends_at_the_first_record, 120)
{
	struct live *l = &self->live;
	char full[96];
	const char *args[] = { "-o", full, NULL };
	int st;

	RETURN_IF_SKIPPED();
	snprintf(full, sizeof(full), "%s/full", self->dir);
	ASSERT_EQ(0, mknod(full, S_IFCHR | 0600, makedev(1, 7))) TH_LOG("%s", strerror(errno));
	start_tracer(_metadata, l, args);
	kill_one(_metadata, &l->cg);
	ASSERT_TRUE(child_ended(&l->child, 2000, &st)) TH_LOG("oomtrace still runs");
	check_write_failure(_metadata, &l->child, st);
}

/* `oomtrace --json | head -1`: once head is gone, the next record ends it. */
TEST_F_TIMEOUT(output, closed_pipe_ends_it_at_the_next_record, 120)
{
	const char *args[] = { NULL };
	struct live *l = &self->live;
	struct pollfd p;
	int fd[2], st;
	char c = 0;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, pipe2(fd, O_CLOEXEC));
	l->child.stdout_fd = fd[1];
	start_tracer(_metadata, l, args);
	close(fd[1]);
	kill_one(_metadata, &l->cg);
	p = (struct pollfd){ .fd = fd[0], .events = POLLIN };
	while (c != '\n' && poll(&p, 1, 10000) == 1 && read(fd[0], &c, 1) == 1)
		;
	ASSERT_EQ('\n', c) TH_LOG("no first line");
	close(fd[0]);
	kill_one(_metadata, &l->cg);
	ASSERT_TRUE(child_ended(&l->child, 2000, &st)) TH_LOG("oomtrace still runs");
	EXPECT_TRUE((WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE) ||
		    (WIFEXITED(st) && WEXITSTATUS(st) == 1)) TH_LOG("status %d", st);
}

/* `oomtrace serve` with --json-log on a full disk, and clients that hang up. */
FIXTURE(serve_fault) {
	struct live live;
	char dir[64];
	char log[96];
	char listen[32];
	int port;
	int mounted;
};

/* Fill it: every later write there fails. */
static int fill(const char *dir)
{
	char path[128], buf[4096] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/filler", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return errno == ENOSPC ? 0 : -errno;
}

FIXTURE_SETUP(serve_fault)
{
	const char *args[] = { "--json-log", self->log, NULL };
	struct live_opts o = {
		.memcg = "serve-fault", .limit = LIMIT, .oomtrace = 1, .only_memcg = 1,
		.serve = self->listen, .args = args,
	};

	if (geteuid())
		SKIP(return, "needs root");
	self->port = 20000 + getpid() % 5000 * 2;
	snprintf(self->listen, sizeof(self->listen), "127.0.0.1:%d", self->port);
	snprintf(self->dir, sizeof(self->dir), "/tmp/oomtrace-full-%d", getpid());
	snprintf(self->log, sizeof(self->log), "%s/records.json", self->dir);
	/* the child must be born where the full disk is mounted */
	ASSERT_EQ(0, small_tmpfs(self->dir, "size=16k")) TH_LOG("%s", strerror(errno));
	self->mounted = 1;
	ASSERT_EQ(0, fill(self->dir));
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(serve_fault)
{
	live_cleanup(&self->live);
	if (self->mounted)
		umount2(self->dir, MNT_DETACH);
	if (self->dir[0])
		rmdir(self->dir);
}

/* Ask for path and hang up with a reset after reading at most n bytes. */
static void rude_client(int port, const char *path, size_t n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 1024;
	char req[128], buf[256];

	if (fd < 0)
		return;
	/* a small window: the reply cannot all be sent before we go */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
		if (write(fd, req, strlen(req)) > 0 && n)
			(void)!read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
	}
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* A "NAME VALUE" line of an exposition; -1 when absent. */
static double metric(const char *text, const char *name)
{
	char key[256];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	return p ? strtod(p + strlen(key), NULL) : -1;
}

TEST_F_TIMEOUT(serve_fault, full_log_and_rude_clients_stop_nothing, 300)
{
	char *text = malloc(1 << 20), status[4096], last[1024], *p;
	struct live *l = &self->live;
	unsigned long long ign = 0;
	int i, st;
	FILE *f;

	RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, text);
	for (i = 0; i < 3; i++)
		kill_one(_metadata, &l->cg);
	ASSERT_EQ(3, kmsg_wait_kills(l, 3));
	for (i = 0; i < 50; i++) {
		rude_client(self->port, i % 2 ? "/events" : "/metrics", i % 3 ? 16 : 0);
		rude_client(self->port, "/", 0);
	}
	/* the daemon lives on, and serves every kill */
	ASSERT_FALSE(child_ended(&l->child, 200, &st)) TH_LOG("serve ended: status %d", st);
	ASSERT_EQ(200, http_get(self->port, "/healthz", text, 1 << 20));
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(200, http_get(self->port, "/metrics", text, 1 << 20));
		if (metric(text, "oomtrace_oom_episodes_total{constraint=\"memcg\"}") == 3)
			break;
		msleep(100);
	}
	EXPECT_EQ(3, metric(text, "oomtrace_oom_episodes_total{constraint=\"memcg\"}"));
	EXPECT_EQ(0, metric(text, "oomtrace_records_lost_total{reason=\"ring_full\"}"));
	ASSERT_EQ(200, http_get(self->port, "/events", text, 1 << 20));
	for (i = 0, p = text; (p = strstr(p, "{\"type\":\"oom_kill\"")); p++)
		i++;
	EXPECT_EQ(3, i) TH_LOG("/events has %d kill records: %s", i, text);
	/* SIGPIPE is ignored: no write to a hung-up peer can kill it */
	snprintf(status, sizeof(status), "/proc/%d/status", l->child.pid);
	f = fopen(status, "r");
	ASSERT_NE(NULL, f);
	while (fgets(status, sizeof(status), f))
		sscanf(status, "SigIgn: %llx", &ign);
	fclose(f);
	EXPECT_TRUE(ign & (1ULL << (SIGPIPE - 1)));
	/* the log's failure is said once */
	EXPECT_EQ(1, err_lines(&l->child, "failed to write", last, sizeof(last)));
	EXPECT_EQ(0, child_stop(&l->child));
	free(text);
}

/* Where a hog must not start: a removed memcg, and a look-alike directory. */
struct bad_cg {
	struct memcg cg;
	char why[32];
};

static int bad_cgs(struct bad_cg *b)
{
	struct memcg cg;
	int n = 0, fd;

	/* a plain directory takes a write to "cgroup.procs" as a new file */
	snprintf(b[n].cg.path, sizeof(b[n].cg.path), "/tmp/oomtrace-notcg-%d", getpid());
	snprintf(b[n].why, sizeof(b[n].why), "a look-alike directory");
	mkdir(b[n].cg.path, 0700);
	snprintf(b[n].cg.rel, sizeof(b[n].cg.rel), "%s/cgroup.procs", b[n].cg.path);
	fd = open(b[n].cg.rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	n++;
	if (!geteuid() && !memcg_create(&cg, "gone", LIMIT)) {
		b[n].cg = cg;
		snprintf(b[n].why, sizeof(b[n].why), "a removed memcg");
		memcg_destroy(&cg);
		n++;
	}
	return n;
}

static void bad_cgs_remove(struct bad_cg *b)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/cgroup.procs", b[0].cg.path);
	unlink(path);
	rmdir(b[0].cg.path);
}

TEST(hog_refuses_a_memcg_it_cannot_join)
{
	/* should the refusal fail, the hog still stops at 64 MiB */
	struct hog h = { .comm = "fault-nojoin", .anon_limit = 64 << 20 };
	struct rusage self_ru, ru;
	struct bad_cg b[2];
	int n = bad_cgs(b), i, j, st;
	pid_t pid;

	getrusage(RUSAGE_SELF, &self_ru);
	for (i = 0; i < n; i++) {
		pid = hog_start(&b[i].cg, &h);
		ASSERT_LT(0, pid);
		for (j = 0; j < 250 && wait4(pid, &st, WNOHANG, &ru) != pid; j++)
			msleep(20);
		if (j == 250) {
			kill(pid, SIGKILL);
			wait4(pid, &st, 0, &ru);
		}
		EXPECT_GT(250, j) TH_LOG("%s: the hog started", b[i].why);
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == HOG_NOT_JOINED)
			TH_LOG("%s: status %d", b[i].why, st);
		/* it allocated nothing: no bigger than the test that forked it */
		EXPECT_GT(self_ru.ru_maxrss + 8192, ru.ru_maxrss) TH_LOG("%s", b[i].why);
	}
	bad_cgs_remove(b);
}

TEST(in_cgroup_refuses_a_cgroup_it_cannot_join)
{
	char cmd[1024], marker[64];
	struct bad_cg b[2];
	struct memcg cg;
	int n = bad_cgs(b), i, st;

	snprintf(marker, sizeof(marker), "/tmp/oomtrace-ran-%d", getpid());
	for (i = 0; i < n; i++) {
		unlink(marker);
		snprintf(cmd, sizeof(cmd), "scripts/in-cgroup.sh %s touch %s 2>/dev/null",
			 b[i].cg.path, marker);
		st = system(cmd);
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 100)
			TH_LOG("%s: status %d", b[i].why, st);
		EXPECT_NE(0, access(marker, F_OK)) TH_LOG("%s: the command ran", b[i].why);
	}
	bad_cgs_remove(b);
	/* and a real one it joins */
	if (!geteuid() && !memcg_create(&cg, "incg", 0)) {
		unlink(marker);
		snprintf(cmd, sizeof(cmd), "scripts/in-cgroup.sh %s touch %s", cg.path, marker);
		EXPECT_EQ(0, system(cmd));
		EXPECT_EQ(0, access(marker, F_OK));
		memcg_destroy(&cg);
	}
	unlink(marker);
	/* and demo.sh starts its hog through it */
	st = system("grep -q '^timeout 60 scripts/in-cgroup.sh \"$cg\" tail /dev/zero &$' "
		    "scripts/demo.sh");
	EXPECT_EQ(0, st) TH_LOG("demo.sh starts its hog otherwise");
}

TEST_HARNESS_MAIN
