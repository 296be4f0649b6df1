// SPDX-License-Identifier: GPL-2.0
/*
 * The oomtrace kernel module (kmod/): its debugfs files against the kernel's
 * own counts and reports, under concurrent readers and reloads.
 *
 * Loading modules needs a kernel with CONFIG_MODULES and a .ko built for it
 * (make kmod-all writes build/kmod/$(uname -r)/oomtrace.ko): run this
 * in the guest, e.g. scripts/vmtest.sh --mem 512M -- build/selftests/kmod_test.
 * Anywhere else the tests skip, saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include "kselftest_harness.h"
#include "oomtest.h"
#include "kmod_fields.h"

#define KMOD_DIR "/sys/kernel/debug/oomtrace"
#define LIMIT (48UL << 20)

struct kvictim {
	int pid;
	char comm[64];
	unsigned int uid;
	char memcg[256];
	char constraint[32];
	int oom_score_adj;
	unsigned long total_vm, anon_rss, file_rss, shmem_rss, pgtables;
};

static int ko_path(char *buf, size_t len)
{
	struct utsname u;

	if (getenv("OOMTRACE_KO")) {
		snprintf(buf, len, "%s", getenv("OOMTRACE_KO"));
		return access(buf, R_OK);
	}
	uname(&u);
	snprintf(buf, len, "build/kmod/%s/oomtrace.ko", u.release);
	if (!access(buf, R_OK))
		return 0;
	snprintf(buf, len, "kmod/oomtrace.ko");
	return access(buf, R_OK);
}

static int kmod_loaded(void)
{
	return !access("/sys/module/oomtrace", F_OK);
}

static int kmod_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	close(fd);
	return err;
}

/* Readers keep the module busy while they hold a file open: retry. */
static int kmod_unload(void)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (!syscall(SYS_delete_module, "oomtrace", O_NONBLOCK))
			return 0;
		if (errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		usleep(5000);
	}
	return -EBUSY;
}

static char *slurp(const char *name)
{
	char path[256], *buf;
	size_t len = 0, cap = 1 << 16;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), KMOD_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* "key=N" on its own line of the stats file; -1 if absent or unknown. */
static long stat_get(const char *stats, const char *key)
{
	char *copy = strdup(stats), *line, *save = NULL;
	struct kmod_field f;
	long v = -1;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (kmod_fields_split(line, &f, 1) == 1 && !strcmp(f.key, key)) {
			if (!kmod_field_unknown(f.val))
				v = strtol(f.val, NULL, 10);
			break;
		}
	}
	free(copy);
	return v;
}

static void victim_field(struct kvictim *v, const char *k, const char *val)
{
	if (!strcmp(k, "pid"))
		v->pid = atoi(val);
	else if (!strcmp(k, "comm"))
		snprintf(v->comm, sizeof(v->comm), "%s", val);
	else if (!strcmp(k, "uid"))
		v->uid = strtoul(val, NULL, 10);
	else if (!strcmp(k, "memcg"))
		snprintf(v->memcg, sizeof(v->memcg), "%s", val);
	else if (!strcmp(k, "constraint"))
		snprintf(v->constraint, sizeof(v->constraint), "%s", val);
	else if (!strcmp(k, "oom_score_adj"))
		v->oom_score_adj = atoi(val);
	else if (!strcmp(k, "total_vm"))
		v->total_vm = strtoul(val, NULL, 10);
	else if (!strcmp(k, "anon_rss"))
		v->anon_rss = strtoul(val, NULL, 10);
	else if (!strcmp(k, "file_rss"))
		v->file_rss = strtoul(val, NULL, 10);
	else if (!strcmp(k, "shmem_rss"))
		v->shmem_rss = strtoul(val, NULL, 10);
	else if (!strcmp(k, "pgtables"))
		v->pgtables = strtoul(val, NULL, 10);
}

/* Parse the victims file; returns the entries (max n) or -1 if unreadable. */
static int victims_get(struct kvictim *out, int n)
{
	char *buf = slurp("victims"), *line, *save = NULL;
	struct kmod_field f[32];
	int got = 0, i, nf;

	if (!buf)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || got >= n)
			continue;
		memset(&out[got], 0, sizeof(out[got]));
		nf = kmod_fields_split(line, f, 32);
		for (i = 0; i < nf; i++)
			victim_field(&out[got], f[i].key, f[i].val);
		got++;
	}
	free(buf);
	return got;
}

/*
 * The one warning a reload may draw from the kernel itself: on 6.1,
 * delete_module() drops the module's last reference before it marks it
 * going, and a debugfs open in between fails try_module_get() on a module
 * still "live", which full_proxy_open() takes for a module that left its
 * files behind (fs/debugfs/file.c). Its message comes as the record
 * before its "WARNING:".
 */
#define RELOAD_RACE "debugfs file owner did not clean up at exit"

/* The first kernel warning, oops or leak report read from fd, if any. */
static int kmsg_trouble(int fd, char *why, size_t len)
{
	static const char *const bad[] = { "WARNING:", "BUG:", "Oops", "kmemleak" };
	char rec[8192];
	int race = 0;
	ssize_t n;
	size_t i;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return 0;
		rec[n] = '\0';
		if (race && strstr(rec, "WARNING:") && strstr(rec, " full_proxy_open+")) {
			race = 0;
			continue;
		}
		race = !!strstr(rec, RELOAD_RACE);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				snprintf(why, len, "%s", rec);
				return 1;
			}
		}
	}
}

FIXTURE(kmod) {
	char ko[512];
	int kmsg_bad;		/* warnings since the test began */
	struct live live;	/* no oomtrace child: the module traces */
};

FIXTURE_SETUP(kmod)
{
	struct live_opts o = { .memcg = "kmod", .limit = LIMIT };
	int err;

	self->kmsg_bad = -1;
	if (access("/proc/modules", F_OK))
		SKIP(return, "this kernel cannot load modules (CONFIG_MODULES off): run it in the guest (scripts/vmtest.sh)");
	if (geteuid())
		SKIP(return, "needs root");
	if (ko_path(self->ko, sizeof(self->ko)))
		SKIP(return, "no oomtrace.ko for this kernel: run make kmod-all (or set OOMTRACE_KO)");
	self->kmsg_bad = kmsg_open();
	ASSERT_LE(0, self->kmsg_bad);
	ASSERT_EQ(0, kmod_unload());
	err = kmod_load(self->ko);
	ASSERT_EQ(0, err) TH_LOG("insmod %s: %s", self->ko, strerror(-err));
	ASSERT_EQ(0, access(KMOD_DIR "/stats", R_OK)) TH_LOG("no %s/stats after insmod", KMOD_DIR);
	live_setup(_metadata, &self->live, &o);
}

FIXTURE_TEARDOWN(kmod)
{
	live_cleanup(&self->live);
	if (kmod_loaded())
		kmod_unload();
	if (self->kmsg_bad >= 0)
		close(self->kmsg_bad);
}

static void no_trouble(struct __test_metadata *_metadata, FIXTURE_DATA(kmod) *self)
{
	char why[8192];

	EXPECT_EQ(0, kmsg_trouble(self->kmsg_bad, why, sizeof(why)))
		TH_LOG("kernel log since the test began: %s", why);
}

/*
 * stats against /proc/vmstat and memory.events; want victims, each victims
 * entry against its "Killed process" report. The kernel may count (and
 * report) a kill twice (memory.oom.group kills the chosen victim again):
 * those are untraced_kills, with no victims entry of their own.
 */
static void check_kills(struct __test_metadata *_metadata, FIXTURE_DATA(kmod) *self,
			int want, const char *constraint, const char *memcg)
{
	struct live *l = &self->live;
	long vm, mc, kills, untraced;
	struct kvictim v[64];
	char *stats;
	int i, k, nv;

	kmsg_wait_kills(l, want);
	vm = vmstat_oom_kill() - l->vmstat0;
	mc = memcg_oom_kills(&l->cg) - l->memcg0;
	stats = slurp("stats");
	ASSERT_NE(NULL, stats);
	kills = stat_get(stats, "kills");
	untraced = stat_get(stats, "untraced_kills");
	EXPECT_LE(want, vm) TH_LOG("/proc/vmstat oom_kill moved by %ld", vm);
	EXPECT_EQ(vm, kills) TH_LOG("stats:\n%s", stats);
	EXPECT_EQ(mc, kills);
	EXPECT_EQ(vm, l->nkills) TH_LOG("Killed process lines");
	EXPECT_EQ(want, kills - untraced) TH_LOG("stats:\n%s", stats);
	if (constraint) {
		char key[64];

		snprintf(key, sizeof(key), "kills_constraint_%s", constraint);
		EXPECT_EQ(vm, stat_get(stats, key)) TH_LOG("stats:\n%s", stats);
	}
	EXPECT_LE(1, stat_get(stats, "oom_episodes"));

	nv = victims_get(v, 64);
	ASSERT_EQ(want, nv);
	for (i = 0; i < nv; i++) {
		for (k = 0; k < l->nkills && l->kills[k].pid != v[i].pid; k++)
			;
		ASSERT_LT(k, l->nkills) TH_LOG("victim %d has no Killed process line", v[i].pid);
		EXPECT_STREQ(l->kills[k].comm, v[i].comm);
		EXPECT_EQ(l->kills[k].uid, v[i].uid);
		EXPECT_EQ(l->kills[k].oom_score_adj, v[i].oom_score_adj);
		EXPECT_EQ(l->kills[k].total_vm, v[i].total_vm);
		EXPECT_EQ(l->kills[k].anon_rss, v[i].anon_rss);
		EXPECT_EQ(l->kills[k].file_rss, v[i].file_rss);
		EXPECT_EQ(l->kills[k].shmem_rss, v[i].shmem_rss);
		EXPECT_EQ(l->kills[k].pgtables, v[i].pgtables);
		if (l->kills[k].task_memcg[0])
			EXPECT_STREQ(l->kills[k].task_memcg, v[i].memcg);
		if (memcg)
			EXPECT_STREQ(memcg, v[i].memcg);
		if (constraint)
			EXPECT_STREQ(constraint, v[i].constraint);
	}
	free(stats);
}

TEST_F_TIMEOUT(kmod, memcg_kills, 180)
{
	struct hog h[3] = {
		{ .comm = "kmod-hog-a", .oom_score_adj = 0 },
		{ .comm = "kmod hog b", .oom_score_adj = 300, .shmem = 8 << 20 },
		{ .comm = "kmod-hog-c", .oom_score_adj = 500, .uid = 65534, .threads = 2 },
	};
	int i;

	RETURN_IF_SKIPPED();
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(hog_wait_killed(hog_start(&self->live.cg, &h[i])));
	check_kills(_metadata, self, 3, "memcg", self->live.cg.rel);
	no_trouble(_metadata, self);
}

TEST_F_TIMEOUT(kmod, group_kill, 180)
{
	struct hog idle = { .comm = "kmod-idle", .anon_limit = 8 << 20 };
	struct hog big = { .comm = "kmod-big" };
	pid_t p[3];
	char *stats;
	int i;

	RETURN_IF_SKIPPED();
	ASSERT_EQ(0, memcg_write(&self->live.cg, "memory.oom.group", "1"));
	p[0] = hog_start(&self->live.cg, &idle);
	p[1] = hog_start(&self->live.cg, &idle);
	sleep(1);
	p[2] = hog_start(&self->live.cg, &big);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(hog_wait_killed(p[i]));
	check_kills(_metadata, self, 3, "memcg", self->live.cg.rel);
	stats = slurp("stats");
	ASSERT_NE(NULL, stats);
	EXPECT_EQ(2, stat_get(stats, "group_kills")) TH_LOG("stats:\n%s", stats);
	free(stats);
	no_trouble(_metadata, self);
}

TEST_F_TIMEOUT(kmod, global_oom, 300)
{
	struct hog h = { .comm = "kmod-global", .oom_score_adj = 1000,
			  .deadline = GLOBAL_HOG_DEADLINE };

	RETURN_IF_SKIPPED();
	if (!getenv("OOMTRACE_MODULES"))
		SKIP(return, "a global OOM is only safe in the vmtest guest");
	/* a memory cgroup without a limit that matters: the OOM is global */
	ASSERT_EQ(0, memcg_write(&self->live.cg, "memory.max", "max"));
	ASSERT_TRUE(hog_wait_killed(hog_start(&self->live.cg, &h)));
	check_kills(_metadata, self, 1, "none", self->live.cg.rel);
	no_trouble(_metadata, self);
}

/* Readers of all three files, as fast as they can, until killed. */
static pid_t readers_start(void)
{
	static const char *const files[] = {
		KMOD_DIR "/stats", KMOD_DIR "/victims", KMOD_DIR "/latency"
	};
	pid_t pid = fork();
	char buf[4096];
	int i, fd;

	if (pid)
		return pid;
	if (nice(15) < 0)	/* hammer the files, but let the OOM storm run */
		_exit(1);
	for (i = 0;; i = (i + 1) % 3) {
		fd = open(files[i], O_RDONLY);
		if (fd < 0) {
			usleep(1000);
			continue;
		}
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/* Memcg OOM kills, three hogs at a time, until killed. */
static pid_t storm_start(const struct memcg *cg)
{
	struct hog h = { .comm = "kmod-storm" };
	pid_t pid = fork(), p[3];
	int i;

	if (pid)
		return pid;
	for (;;) {
		for (i = 0; i < 3; i++)
			p[i] = hog_start(cg, &h);
		for (i = 0; i < 3; i++)
			waitpid(p[i], NULL, 0);
	}
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(kmod, readers_during_storm, 300)
{
	pid_t r[3], storm;
	long vm, kills;
	struct kvictim v[64];
	char *stats;
	int i, nv;

	RETURN_IF_SKIPPED();
	for (i = 0; i < 3; i++)
		r[i] = readers_start();
	storm = storm_start(&self->live.cg);
	for (i = 0; i < 600 && vmstat_oom_kill() - self->live.vmstat0 < 30; i++)
		usleep(100000);
	stop(storm);
	memcg_write(&self->live.cg, "cgroup.kill", "1");
	usleep(200000);
	for (i = 0; i < 3; i++)
		stop(r[i]);

	vm = vmstat_oom_kill() - self->live.vmstat0;
	stats = slurp("stats");
	ASSERT_NE(NULL, stats);
	kills = stat_get(stats, "kills");
	EXPECT_LE(10, vm);
	EXPECT_EQ(vm, kills) TH_LOG("stats:\n%s", stats);
	EXPECT_EQ(vm, stat_get(stats, "kills_constraint_memcg"));
	kills -= stat_get(stats, "untraced_kills");
	nv = victims_get(v, 64);
	EXPECT_EQ(kills < 64 ? kills : 64, nv);
	for (i = 0; i < nv; i++) {
		EXPECT_LT(0, v[i].pid);
		EXPECT_STREQ(self->live.cg.rel, v[i].memcg);
	}
	free(stats);
	no_trouble(_metadata, self);
}

TEST_F_TIMEOUT(kmod, reload_during_storm, 300)
{
	pid_t r, storm;
	char *stats;
	int i, err;

	RETURN_IF_SKIPPED();
	r = readers_start();
	storm = storm_start(&self->live.cg);
	for (i = 0; i < 20; i++) {
		usleep(100000);
		err = kmod_unload();
		ASSERT_EQ(0, err) TH_LOG("rmmod #%d: %s", i, strerror(-err));
		EXPECT_NE(0, access(KMOD_DIR, F_OK));
		err = kmod_load(self->ko);
		ASSERT_EQ(0, err) TH_LOG("insmod #%d: %s", i, strerror(-err));
	}
	usleep(500000);
	stop(storm);
	stop(r);
	stats = slurp("stats");
	ASSERT_NE(NULL, stats);
	EXPECT_LE(0, stat_get(stats, "kills")) TH_LOG("stats:\n%s", stats);
	free(stats);
	EXPECT_LT(0, vmstat_oom_kill() - self->live.vmstat0) TH_LOG("no OOM kill during the reloads");
	no_trouble(_metadata, self);
}

/* Run `oomtrace stats [--json]` with stdout and stderr captured. */
static int run_stats(int json, char *out, size_t outlen, char *err, size_t errlen)
{
	char tmpl_o[] = "/tmp/kmod-test-outXXXXXX", tmpl_e[] = "/tmp/kmod-test-errXXXXXX";
	int fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e), st;
	ssize_t n;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		dup2(fo, 1);
		dup2(fe, 2);
		execl(oomtrace_bin(), oomtrace_bin(), "stats", json ? "--json" : NULL, NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	n = pread(fo, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	n = pread(fe, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fo);
	close(fe);
	unlink(tmpl_o);
	unlink(tmpl_e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST_F(kmod, stats_cli)
{
	static char out[1 << 18], err[4096];
	struct json_object *o, *x;

	RETURN_IF_SKIPPED();
	ASSERT_TRUE(hog_wait_killed(hog_start(&self->live.cg, &(struct hog){ .comm = "kmod-cli" })));

	ASSERT_EQ(0, run_stats(0, out, sizeof(out), err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(out, "kills=1")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "comm=kmod-cli")) TH_LOG("%s", out);

	ASSERT_EQ(0, run_stats(1, out, sizeof(out), err, sizeof(err))) TH_LOG("%s", err);
	o = json_tokener_parse(out);
	ASSERT_NE(NULL, o) TH_LOG("not JSON: %s", out);
	EXPECT_EQ(1, jint(o, "stats.kills"));
	x = jget(o, "victims");
	ASSERT_NE(NULL, x);
	ASSERT_EQ(1, json_object_array_length(x));
	EXPECT_STREQ("kmod-cli", jstr(json_object_array_get_idx(x, 0), "comm"));
	EXPECT_STREQ(self->live.cg.rel, jstr(json_object_array_get_idx(x, 0), "memcg"));
	EXPECT_NE(NULL, jget(o, "latency.oom_duration_us.buckets"));
	json_object_put(o);

	ASSERT_EQ(0, kmod_unload());
	EXPECT_EQ(1, run_stats(0, out, sizeof(out), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "the oomtrace kernel module is not loaded")) TH_LOG("%s", err);
	EXPECT_EQ(1, run_stats(1, out, sizeof(out), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "the oomtrace kernel module is not loaded")) TH_LOG("%s", err);
	no_trouble(_metadata, self);
}

TEST_HARNESS_MAIN
