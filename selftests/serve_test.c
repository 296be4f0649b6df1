// SPDX-License-Identifier: GPL-2.0
/*
 * `oomtrace serve` against real parts: OOM kills in a scratch memory cgroup
 * laid out like a Kubernetes pod's container, scraped by a real Prometheus
 * server (Debian's), whose HTTP API must then show each kill under the
 * container's pod_uid, container_id and qos, also after the container's
 * cgroup was removed and made again; promtool checks the live exposition;
 * scrapes in flight, many and stuck ones, never cost a record.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kselftest_harness.h"
#include "oomtest.h"

#define LIMIT (16UL << 20)
#define POD_UID "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
#define CID "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
#define NR_SCRAPERS 100

FIXTURE(serve) {
	struct live l;
	struct memcg ctr;	/* the container's cgroup, inside the scratch one */
	int port;
	char listen[32];
	pid_t prom;
	int prom_port;
	char promdir[64];
	char textfile[64];	/* --textfile, for node_exporter */
};

static int have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return !system(cmd);
}

/*
 * kubepods/burstable/pod<UID>/<ID> under root, as kubelet's cgroupfs driver
 * and containerd lay a Burstable pod's container out, with the limit on the
 * container. On cgroup v2 each level hands the memory controller down.
 */
static int ctr_create(struct memcg *ctr, const struct memcg *root, unsigned long limit)
{
	static const char *const levels[] = {
		"/kubepods", "/burstable", "/pod" POD_UID, "/" CID,
	};
	char buf[32];
	unsigned int i;

	*ctr = *root;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (ctr->v2)
			memcg_write(ctr, "cgroup.subtree_control", "+memory");
		strncat(ctr->path, levels[i], sizeof(ctr->path) - strlen(ctr->path) - 1);
		strncat(ctr->rel, levels[i], sizeof(ctr->rel) - strlen(ctr->rel) - 1);
		if (mkdir(ctr->path, 0755) && errno != EEXIST)
			return -errno;
	}
	snprintf(buf, sizeof(buf), "%lu", limit);
	return memcg_write(ctr, ctr->v2 ? "memory.max" : "memory.limit_in_bytes", buf);
}

static void start_prometheus(struct __test_metadata *_metadata, FIXTURE_DATA(serve) *self)
{
	char path[128], arg[4][160], buf[256];
	FILE *f;
	int i, fd;

	snprintf(self->promdir, sizeof(self->promdir), "/tmp/oomtrace-prom-%d", getpid());
	ASSERT_EQ(0, mkdir(self->promdir, 0700));
	snprintf(path, sizeof(path), "%s/prometheus.yml", self->promdir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
		"scrape_configs:\n  - job_name: oomtrace\n    static_configs:\n"
		"      - targets: ['%s']\n", self->listen);
	fclose(f);
	snprintf(arg[0], sizeof(arg[0]), "--config.file=%s", path);
	snprintf(arg[1], sizeof(arg[1]), "--storage.tsdb.path=%s/data", self->promdir);
	snprintf(arg[2], sizeof(arg[2]), "--web.listen-address=127.0.0.1:%d", self->prom_port);
	snprintf(arg[3], sizeof(arg[3]), "%s/log", self->promdir);
	self->prom = fork();
	ASSERT_LE(0, self->prom);
	if (self->prom == 0) {
		/* a test that crashes takes its Prometheus with it */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		fd = open(arg[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("prometheus", "prometheus", arg[0], arg[1], arg[2], "--log.level=warn",
		       (char *)NULL);
		_exit(127);
	}
	/* under TCG in the guest, Prometheus takes its time */
	for (i = 0; i < 1200; i++) {
		if (http_get(self->prom_port, "/-/ready", buf, sizeof(buf)) == 200)
			return;
		usleep(100 * 1000);
	}
	ASSERT_TRUE(0) TH_LOG("Prometheus was not ready within 120 s (log: %s)", arg[3]);
}

FIXTURE_SETUP(serve)
{
	const char *args[] = { "--max-series", "50", "--events", "10", "--textfile",
			       self->textfile, NULL };
	struct live_opts o = {
		.memcg = "serve", .oomtrace = 1, .only_memcg = 1, .serve = self->listen,
		.args = args,
	};
	int err;

	self->prom = -1;
	if (!have("prometheus") || !have("promtool"))
		SKIP(return, "needs Debian's prometheus package (prometheus, promtool)");
	/* ports of our own, away from the default one a real daemon may hold */
	self->port = 20000 + getpid() % 5000 * 2;
	self->prom_port = self->port + 1;
	snprintf(self->listen, sizeof(self->listen), "127.0.0.1:%d", self->port);
	snprintf(self->textfile, sizeof(self->textfile), "/tmp/oomtrace-serve-%d.prom", getpid());
	live_setup(_metadata, &self->l, &o);
	RETURN_IF_SKIPPED();
	/* v1 counts oom_kill per memcg, not per subtree: the records are held
	 * against the container's own count and the kernel's reports instead */
	self->l.memcg0 = -1;
	err = ctr_create(&self->ctr, &self->l.cg, LIMIT);
	ASSERT_EQ(0, err) TH_LOG("failed to lay out the pod: %s", strerror(-err));
	start_prometheus(_metadata, self);
}

FIXTURE_TEARDOWN(serve)
{
	char cmd[160];

	if (self->prom > 0) {
		kill(self->prom, SIGTERM);
		waitpid(self->prom, NULL, 0);
	}
	if (self->promdir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->promdir);
		system(cmd);
	}
	live_cleanup(&self->l);
	unlink(self->textfile);
}

static void kill_in(struct __test_metadata *_metadata, const struct memcg *cg,
		    const char *comm)
{
	struct hog h = { .comm = comm };
	pid_t pid = hog_start(cg, &h);

	ASSERT_LT(0, pid);
	ASSERT_TRUE(hog_wait_killed(pid)) TH_LOG("the hog was not OOM-killed");
}

/* Prometheus's instant query; the first sample's value and its labels. */
static int prom_query(int port, const char *expr, double *value,
		      struct json_object **metric, struct json_object **doc)
{
	char cmd[1024], out[65536];
	struct json_object *res, *first, *v;
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "curl -s --max-time 5 http://127.0.0.1:%d/api/v1/query "
		 "--data-urlencode 'query=%s'", port, expr);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < sizeof(out) && fgets(out + n, sizeof(out) - n, p))
		n = strlen(out);
	pclose(p);
	*doc = json_tokener_parse(out);
	if (!*doc || !jstr(*doc, "status") || strcmp(jstr(*doc, "status"), "success"))
		return -1;
	res = jget(*doc, "data.result");
	if (!res || !json_object_array_length(res))
		return 0;
	first = json_object_array_get_idx(res, 0);
	v = json_object_array_get_idx(jget(first, "value"), 1);
	*value = v ? strtod(json_object_get_string(v), NULL) : -1;
	*metric = jget(first, "metric");
	return 1;
}

/* Wait for Prometheus to have scraped expr == want. */
static void expect_scraped(struct __test_metadata *_metadata, FIXTURE_DATA(serve) *self,
			   const char *expr, double want, struct json_object **labels,
			   struct json_object **doc)
{
	double v = -1;
	int i, got = 0;

	for (i = 0; i < 100; i++) {
		*doc = NULL;
		got = prom_query(self->prom_port, expr, &v, labels, doc);
		if (got == 1 && v == want)
			return;
		json_object_put(*doc);
		*doc = NULL;
		usleep(200 * 1000);
	}
	EXPECT_EQ(1, got) TH_LOG("Prometheus has no %s", expr);
	EXPECT_EQ(want, v) TH_LOG("%s", expr);
}

/* Threads of pid that hold a capability; -1 if none could be read. */
static int threads_with_caps(pid_t pid)
{
	char path[64], line[256];
	struct dirent *d;
	int n = 0, seen = 0;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "CapEff:", 7)) {
				n += strtoull(line + 7, NULL, 16) != 0;
				seen++;
			}
		}
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return seen ? n : -1;
}

TEST_F_TIMEOUT(serve, kills_reach_prometheus_by_pod_and_container, 180)
{
	static const char expr[] = "oomtrace_oom_kills_total{pod_uid=\"" POD_UID "\","
				   "container_id=\"" CID "\"}";
	struct json_object *labels = NULL, *doc = NULL;
	struct expect e = { .victims = 3 };
	char *text = malloc(1 << 20), path[96], *p;
	long kernel0 = vmstat_oom_kill();
	FILE *f;
	int st, n, i;

	RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, text);
	/* attached, listening, its HTTP threads running: no capability left */
	EXPECT_EQ(0, threads_with_caps(self->l.child.pid));
	kill_in(_metadata, &self->ctr, "serve-hog");
	kill_in(_metadata, &self->ctr, "serve-hog");
	/* the container restarts: its cgroup, and the cgroup's own count, go */
	memcg_destroy(&self->ctr);
	ASSERT_EQ(0, ctr_create(&self->ctr, &self->l.cg, LIMIT));
	EXPECT_EQ(0, memcg_oom_kills(&self->ctr));
	kill_in(_metadata, &self->ctr, "serve-hog");
	ASSERT_EQ(3, kmsg_wait_kills(&self->l, 3));

	expect_scraped(_metadata, self, expr, 3, &labels, &doc);
	if (labels) {
		EXPECT_STREQ("burstable", jstr(labels, "qos"));
		EXPECT_STREQ("containerd", jstr(labels, "runtime"));
		EXPECT_STREQ("memcg", jstr(labels, "constraint"));
		EXPECT_STREQ("oomtrace", jstr(labels, "job"));
	}
	json_object_put(doc);
	expect_scraped(_metadata, self, "oomtrace_oom_episodes_total{constraint=\"memcg\"}", 3,
		       &labels, &doc);
	json_object_put(doc);
	expect_scraped(_metadata, self, "oomtrace_records_lost_total{reason=\"ring_full\"}", 0,
		       &labels, &doc);
	json_object_put(doc);
	/* each hog exited once killed: three follow-ups, however reaped */
	expect_scraped(_metadata, self, "sum(oomtrace_reaps_total)", 3, &labels, &doc);
	json_object_put(doc);
	expect_scraped(_metadata, self, "oomtrace_victim_exit_seconds_count", 3, &labels, &doc);
	json_object_put(doc);

	/* the live exposition, as Prometheus's own linter sees it */
	ASSERT_EQ(200, http_get(self->port, "/metrics", text, 1 << 20));
	snprintf(path, sizeof(path), "/tmp/oomtrace-scrape-%d.prom", getpid());
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs(text, f);
	fclose(f);
	snprintf(text, 1 << 20, "promtool check metrics < %s", path);
	st = system(text);
	unlink(path);
	EXPECT_EQ(0, st);
	ASSERT_EQ(200, http_get(self->port, "/metrics", text, 1 << 20));
	/* the kernel's count as it reads it: the kills since we began, at least */
	p = strstr(text, "\noomtrace_kernel_oom_kills_total ");
	ASSERT_NE(NULL, p);
	EXPECT_LE(kernel0 + 3, strtol(p + 33, NULL, 10));
	/* node_exporter's textfile: the same count, whole, and no leftovers */
	for (i = 0; i < 50; i++) {
		f = fopen(self->textfile, "r");
		n = f ? fread(text, 1, (1 << 20) - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
		if (strstr(text, "container_id=\"" CID "\",qos=\"burstable\"} 3\n"))
			break;
		usleep(100 * 1000);
	}
	EXPECT_GT(50, i) TH_LOG("%s does not count the 3 kills: %s", self->textfile, text);
	snprintf(text, 1 << 20, "promtool check metrics < %s", self->textfile);
	EXPECT_EQ(0, system(text));
	snprintf(path, sizeof(path), "%s.tmp", self->textfile);
	EXPECT_NE(0, access(path, F_OK));
	ASSERT_EQ(200, http_get(self->port, "/healthz", text, 1 << 20));
	/* the latest records, one JSON line each, the container's memcg in them */
	ASSERT_EQ(200, http_get(self->port, "/events", text, 1 << 20));
	for (p = text, n = 0; (p = strstr(p, "\"type\":\"oom_kill\"")); p++)
		n++;
	EXPECT_EQ(3, n);
	EXPECT_NE(NULL, strstr(text, self->ctr.rel));
	EXPECT_EQ(404, http_get(self->port, "/nope", text, 1 << 20));
	free(text);
	/* and the records themselves against the kernel's reports */
	check_records(_metadata, &self->l, &e);
}

/* logrotate's way: rename the log, SIGHUP, and the next record goes to a
 * new file of the old name; none is lost between the two. Records are not
 * for every user to read, the textfile is for node_exporter to. */
TEST_F_TIMEOUT(serve, json_log_reopens_on_sighup, 120)
{
	struct json_object *recs[4];
	char rotated[96], line[65536];
	struct stat st;
	int n, old = 0;
	FILE *f;

	RETURN_IF_SKIPPED();
	kill_in(_metadata, &self->ctr, "before-hup");
	ASSERT_EQ(1, kmsg_wait_kills(&self->l, 1));
	usleep(300 * 1000);	/* the consumer polls every 100 ms */
	snprintf(rotated, sizeof(rotated), "%s.1", self->l.child.out);
	ASSERT_EQ(0, rename(self->l.child.out, rotated));
	ASSERT_EQ(0, kill(self->l.child.pid, SIGHUP));
	usleep(300 * 1000);
	kill_in(_metadata, &self->ctr, "after-hup");
	ASSERT_EQ(2, kmsg_wait_kills(&self->l, 2));
	usleep(300 * 1000);
	ASSERT_EQ(0, child_stop(&self->l.child));

	f = fopen(rotated, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		old += strstr(line, "\"type\":\"oom_kill\"") &&
		       strstr(line, "\"comm\":\"before-hup\"");
	fclose(f);
	EXPECT_EQ(1, old);
	n = child_records(&self->l.child, "oom_kill", recs, 4);
	ASSERT_EQ(1, n);
	EXPECT_STREQ("after-hup", jstr(recs[0], "victim.comm"));
	/* serve sums the reclaim before each kill unless told --reclaim 0:
	 * the window, or why this mode could not tell the domain's */
	EXPECT_TRUE(jget(recs[0], "reclaim") || missing_has(recs[0], "reclaim"));
	child_records_put(recs, n);
	ASSERT_EQ(0, stat(self->l.child.out, &st));
	EXPECT_EQ(0, st.st_mode & 0007) TH_LOG("records are world-readable: %o", st.st_mode);
	ASSERT_EQ(0, stat(self->textfile, &st));
	EXPECT_EQ(0644, st.st_mode & 0777);
	unlink(rotated);
}

struct scraper {
	int port;
	int status;
	int complete;
};

static void *scrape(void *arg)
{
	struct scraper *s = arg;
	char *buf = malloc(1 << 20);

	if (!buf)
		return NULL;
	s->status = http_get(s->port, "/metrics", buf, 1 << 20);
	s->complete = strstr(buf, "oomtrace_build_info{") != NULL;
	free(buf);
	return NULL;
}

/*
 * A stuck scraper (a request never finished, a response never read) and a
 * hundred at once during a storm of kills: every scrape is answered, and the
 * consumer loses nothing.
 */
TEST_F_TIMEOUT(serve, scrapes_during_a_storm_cost_no_record, 300)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(self->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char partial[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
	struct scraper s[NR_SCRAPERS];
	pthread_t th[NR_SCRAPERS];
	struct expect e = { .victims = 20 };
	int stuck, i, answered = 0, complete = 0;

	RETURN_IF_SKIPPED();
	stuck = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, stuck);
	ASSERT_EQ(0, connect(stuck, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ((ssize_t)strlen(partial), write(stuck, partial, strlen(partial)));
	for (i = 0; i < NR_SCRAPERS; i++) {
		s[i] = (struct scraper){ .port = self->port };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, scrape, &s[i]));
		if (i % 5 == 0)
			kill_in(_metadata, &self->ctr, "storm-hog");
	}
	for (i = 0; i < NR_SCRAPERS; i++) {
		pthread_join(th[i], NULL);
		answered += s[i].status == 200;
		complete += s[i].complete;
	}
	EXPECT_EQ(NR_SCRAPERS, answered);
	EXPECT_EQ(NR_SCRAPERS, complete);
	/* the stuck one is still there while every record went through */
	check_records(_metadata, &self->l, &e);
	close(stuck);
}

/*
 * memory.oom.group (Kubernetes since 1.28 sets it on containers): the whole
 * container is killed, each member counted under it, one group kill.
 */
TEST_F_TIMEOUT(serve, group_kill_counts_every_member, 180)
{
	struct hog idle = { .comm = "group-idle", .anon_limit = 2 << 20 };
	struct json_object *labels = NULL, *doc = NULL;
	struct expect e = { .victims = 3 };
	char *text = malloc(1 << 20), events[600];
	pid_t pids[2];
	int i;

	RETURN_IF_SKIPPED();
	ASSERT_NE(NULL, text);
	if (!self->ctr.v2)
		SKIP(free(text); return, "memory.oom.group needs cgroup v2 (the QEMU guest has it)");
	ASSERT_EQ(0, memcg_write(&self->ctr, "memory.oom.group", "1"));
	for (i = 0; i < 2; i++) {
		pids[i] = hog_start(&self->ctr, &idle);
		ASSERT_LT(0, pids[i]);
	}
	sleep(1);
	kill_in(_metadata, &self->ctr, "group-hog");
	for (i = 0; i < 2; i++)
		EXPECT_TRUE(hog_wait_killed(pids[i]));
	/* the kernel reports the chosen victim twice: README */
	e.reports = 4;
	ASSERT_EQ(3, kmsg_wait_kills(&self->l, 3));
	usleep(300 * 1000);
	ASSERT_EQ(200, http_get(self->port, "/metrics", text, 1 << 20));
	EXPECT_NE(NULL, strstr(text, "oomtrace_oom_group_kills_total 1\n")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "container_id=\"" CID "\",qos=\"burstable\"} 3\n"))
		TH_LOG("%s", text);
	snprintf(events, sizeof(events), "%s/memory.events", self->ctr.path);
	EXPECT_EQ(1, read_key(events, "oom_group_kill"));
	/* and so Prometheus has them */
	expect_scraped(_metadata, self, "oomtrace_oom_kills_total{pod_uid=\"" POD_UID "\","
		       "container_id=\"" CID "\",qos=\"burstable\"}", 3, &labels, &doc);
	json_object_put(doc);
	expect_scraped(_metadata, self, "oomtrace_oom_group_kills_total", 1, &labels, &doc);
	json_object_put(doc);
	free(text);
	check_records(_metadata, &self->l, &e);
}

TEST_HARNESS_MAIN
