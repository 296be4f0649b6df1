// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include "oomtest.h"
#include "trace.h"	/* EXIT_MODE_UNAVAILABLE */

#define MPOL_BIND 2	/* include/uapi/linux/mempolicy.h */
#define CGROUP_SUPER_MAGIC	0x27e0eb	/* include/uapi/linux/magic.h */
#define CGROUP2_SUPER_MAGIC	0x63677270
#define EXT4_SUPER_MAGIC	0xef53
#define LOOP_MAJOR 7	/* include/uapi/linux/major.h */
#define FIFREEZE _IOWR('X', 119, int)	/* include/uapi/linux/fs.h */
#define FITHAW _IOWR('X', 120, int)

#define FROZEN_FS_SIZE (16 << 20)

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

long read_key(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

int memcg_write(const struct memcg *cg, const char *file, const char *val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	return write_file(path, val);
}

int memcg_v2(void)
{
	char buf[128];
	FILE *f;
	int v2;

	f = fopen("/sys/fs/cgroup/cgroup.controllers", "r");
	v2 = f && fgets(buf, sizeof(buf), f) && strstr(buf, "memory");
	if (f)
		fclose(f);
	return v2;
}

int memcg_create(struct memcg *cg, const char *name, unsigned long limit)
{
	const char *root;
	char buf[64];
	int err;

	cg->v2 = memcg_v2();
	root = cg->v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
	if (!cg->v2 && access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK))
		return -ENOENT;
	if (cg->v2)
		write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	snprintf(cg->rel, sizeof(cg->rel), "/oomtrace-%s-%d", name, getpid());
	snprintf(cg->path, sizeof(cg->path), "%s%s", root, cg->rel);
	if (mkdir(cg->path, 0755) && errno != EEXIST)
		return -errno;
	if (limit)
		snprintf(buf, sizeof(buf), "%lu", limit);
	else
		snprintf(buf, sizeof(buf), cg->v2 ? "max" : "-1");
	err = memcg_write(cg, cg->v2 ? "memory.max" : "memory.limit_in_bytes", buf);
	if (!err && cg->v2)
		memcg_write(cg, "memory.swap.max", "0");
	if (err)
		memcg_destroy(cg);
	return err;
}

static int kill_all(const char *dir)
{
	char path[512];
	int pid, n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &pid) == 1) {
		kill(pid, SIGKILL);
		n++;
	}
	fclose(f);
	return n;
}

static void destroy_dir(const char *dir)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char sub[512];
	struct dirent *d;
	DIR *dp;
	int i;

	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_type == DT_DIR && d->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
			destroy_dir(sub);
		}
	}
	closedir(dp);
	/* killed tasks leave the cgroup only once they are reaped */
	for (i = 0; i < 250 && (kill_all(dir) || rmdir(dir)); i++) {
		if (errno == ENOENT)
			break;
		nanosleep(&ts, NULL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

void memcg_destroy(struct memcg *cg)
{
	if (cg->path[0])
		destroy_dir(cg->path);
	cg->path[0] = '\0';
}

long memcg_oom_kills(const struct memcg *cg)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg->path,
		 cg->v2 ? "memory.events" : "memory.oom_control");
	return read_key(path, "oom_kill");
}

long vmstat_oom_kill(void)
{
	return read_key("/proc/vmstat", "oom_kill");
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/*
 * Join cg. A cgroup.procs that is not on a cgroup file system (a plain
 * directory that only looks like one) would take the write and leave us
 * where we are: that counts as a failure too.
 */
static int memcg_join(const struct memcg *cg)
{
	char path[600], pid[32];
	struct statfs fs;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	snprintf(pid, sizeof(pid), "%d", getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &fs))
		err = -errno;
	else if (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC)
		err = -ENOTDIR;
	else if (write(fd, pid, strlen(pid)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	/* "tid (comm) S ...": a comm may hold ") " itself */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

struct stuck_writer {
	const char *path;
	pid_t tid;		/* set just before it writes */
};

static void *stuck_writer(void *arg)
{
	struct stuck_writer *w = arg;
	int fd = open(w->path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		_exit(108);
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	(void)!write(fd, "x", 1);
	/* it went through: the file system was not frozen */
	_exit(109);
}

/*
 * Start a thread that blocks writing to path, and return once it is in D
 * state. Its file is open by then: D can only be the write, which waits
 * for the thaw before it touches anything.
 */
static void stuck_writer_start(const char *path)
{
	static struct stuck_writer w;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pthread_t th;
	pid_t tid;
	int i;

	w.path = path;
	if (pthread_create(&th, NULL, stuck_writer, &w))
		_exit(105);
	for (i = 0; i < 500; i++) {
		tid = __atomic_load_n(&w.tid, __ATOMIC_ACQUIRE);
		if (tid && task_state(tid) == 'D')
			return;
		nanosleep(&ts, NULL);
	}
	_exit(110);
}

static void hog_run(const struct memcg *cg, const struct hog *h)
{
	const size_t chunk = 1 << 20;
	char buf[32];
	size_t total = 0;
	pthread_t th;
	int i;

	/* a hog that is never killed fails its test, not the run */
	alarm(h->deadline ? h->deadline : 60);
	/* outside its memcg a hog would bring a global OOM: refuse */
	if (cg && memcg_join(cg))
		_exit(HOG_NOT_JOINED);
	snprintf(buf, sizeof(buf), "%d", h->oom_score_adj);
	if (write_file("/proc/self/oom_score_adj", buf))
		_exit(101);
	if (h->comm)
		prctl(PR_SET_NAME, h->comm);
	if (h->uid && (setresgid(h->uid, h->uid, h->uid) || setresuid(h->uid, h->uid, h->uid)))
		_exit(102);
	if (h->shmem) {
		int fd = memfd_create("oomtest-shmem", 0);
		char *p;

		if (fd < 0 || ftruncate(fd, h->shmem))
			_exit(103);
		p = mmap(NULL, h->shmem, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(104);
		memset(p, 0x5a, h->shmem);
	}
	if (h->bind_node) {
		unsigned long nodes = 1UL << (h->bind_node - 1);

		if (syscall(SYS_set_mempolicy, MPOL_BIND, &nodes, sizeof(nodes) * 8))
			_exit(107);
	}
	for (i = 0; i < h->threads; i++)
		if (pthread_create(&th, NULL, idle_thread, NULL))
			_exit(105);
	if (h->stuck_write)
		stuck_writer_start(h->stuck_write);
	for (;;) {
		char *p;

		if (h->anon_limit && total >= h->anon_limit)
			pause();
		p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(106);
		memset(p, 0xa5, chunk);
		total += chunk;
	}
}

pid_t hog_start(const struct memcg *cg, const struct hog *h)
{
	pid_t pid = fork();

	if (pid == 0)
		hog_run(cg, h);
	return pid;
}

int hog_wait_killed(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "# hog %d: waitpid: %s\n", pid, strerror(errno));
		return 0;
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return 1;
	if (WIFSIGNALED(st))
		fprintf(stderr, "# hog %d: ended by %s, not by the OOM killer\n",
			pid, strsignal(WTERMSIG(st)));
	else
		fprintf(stderr, "# hog %d: exited with %d\n", pid, WEXITSTATUS(st));
	return 0;
}

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

int kmsg_parse_killed(const char *msg, struct kmsg_kill *k)
{
	const char *p = strstr(msg, "Killed process "), *open, *close, *c;
	size_t n;

	if (!p)
		return -1;
	if (sscanf(p, "Killed process %d (", &k->pid) != 1)
		return -1;
	open = strchr(p, '(');
	/* a comm may itself hold ") total-vm:": the last one ends it */
	close = NULL;
	for (c = strstr(open, ") total-vm:"); c; c = strstr(c + 1, ") total-vm:"))
		close = c;
	if (!open || !close)
		return -1;
	n = close - open - 1;
	if (n >= sizeof(k->comm))
		n = sizeof(k->comm) - 1;
	memcpy(k->comm, open + 1, n);
	k->comm[n] = '\0';
	if (sscanf(close, ") total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, "
		   "UID:%u pgtables:%lukB oom_score_adj:%d", &k->total_vm, &k->anon_rss,
		   &k->file_rss, &k->shmem_rss, &k->uid, &k->pgtables, &k->oom_score_adj) != 7)
		return -1;
	return 0;
}

int kmsg_parse_reaped(const char *msg, struct kmsg_reap *r)
{
	const char *p = strstr(msg, "oom_reaper: reaped process "), *open, *close, *c;
	size_t n;

	if (!p || sscanf(p, "oom_reaper: reaped process %d (", &r->pid) != 1)
		return -1;
	open = strchr(p, '(');
	/* as in kmsg_parse_killed(): the last one ends the comm */
	close = NULL;
	for (c = strstr(open, "), now anon-rss:"); c; c = strstr(c + 1, "), now anon-rss:"))
		close = c;
	if (!close)
		return -1;
	n = close - open - 1;
	if (n >= sizeof(r->comm))
		n = sizeof(r->comm) - 1;
	memcpy(r->comm, open + 1, n);
	r->comm[n] = '\0';
	if (sscanf(close, "), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB",
		   &r->anon_rss, &r->file_rss, &r->shmem_rss) != 3)
		return -1;
	return 0;
}

int kmsg_parse_task(const char *msg, struct kmsg_task *t)
{
	short adj;
	int n = -1;

	/* dump_task(): "[%7d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s" */
	if (msg[0] != '[' ||
	    sscanf(msg, "[%d] %u %d %lu %lu %ld %lu %hd%n", &t->pid, &t->uid, &t->tgid,
		   &t->total_vm, &t->rss, &t->pgtables_bytes, &t->swapents, &adj, &n) != 8 ||
	    n < 0 || msg[n] != ' ' || !msg[n + 1])
		return -1;
	t->oom_score_adj = adj;
	/* the rest is the comm, spaces and all */
	snprintf(t->comm, sizeof(t->comm), "%s", msg + n + 1);
	return 0;
}

const char *const kmsg_mem_keys[KMSG_MEM_ITEMS] = {
	"active_anon", "inactive_anon", "isolated_anon", "active_file", "inactive_file",
	"isolated_file", "unevictable", "dirty", "writeback", "slab_reclaimable",
	"slab_unreclaimable", "mapped", "shmem", "pagetables", "bounce", "free", "free_cma",
};

/* "key:N" where key starts the message or follows a blank ("pagetables:"
 * is not the end of "sec_pagetables:") */
static int mem_key(const char *msg, const char *key, unsigned long *v)
{
	size_t n = strlen(key);
	const char *p;

	for (p = strstr(msg, key); p; p = strstr(p + 1, key))
		if ((p == msg || p[-1] == ' ' || p[-1] == '\n') && p[n] == ':')
			return sscanf(p + n + 1, "%lu", v) == 1 ? 0 : -1;
	return -1;
}

int kmsg_parse_meminfo(const char *msg, struct kmsg_meminfo *m)
{
	unsigned long kb;
	char zone[32];
	int nid, i, got = 0;

	if (!strncmp(msg, "Node ", 5)) {
		m->in_nodes = 1;
		/* "Node 0 DMA32 free:1234kB boost:..." (the node's own line and
		 * its buddy lists have no "<zone> free:") */
		if (sscanf(msg, "Node %d %31s free:%lukB", &nid, zone, &kb) != 3 ||
		    nid < 0 || nid >= KMSG_MEM_NODES)
			return -1;
		m->node_seen[nid] = 1;
		m->node_free_kb[nid] += kb;
		return 0;
	}
	if (m->in_nodes)
		return -1;
	/* one message with newlines in it, or one a line: either way, by key */
	for (i = 0; i < KMSG_MEM_ITEMS; i++) {
		if (mem_key(msg, kmsg_mem_keys[i], &m->item[i]))
			continue;
		m->has[i] = 1;
		got = 1;
	}
	return got ? 0 : -1;
}

int kallsyms_lists_vmstat(void)
{
	char line[512], name[256];
	int found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type;

	if (!f)
		return 0;
	while (found != 3 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (!strcmp(name, "vm_zone_stat"))
			found |= 1;
		else if (!strcmp(name, "vm_node_stat"))
			found |= 2;
	}
	fclose(f);
	return found == 3;
}

long vmstat_fold_pages(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), max = 0, t;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " vm stats threshold: %ld", &t) == 1 && t > max)
			max = t;
	fclose(f);
	return max * (cpus > 0 ? cpus : 1);
}

long pcp_high_pages(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	long sum = 0, h;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " high: %ld", &h) == 1)
			sum += h;
	fclose(f);
	return sum;
}

int kmsg_parse_counter(const char *msg, struct kmsg_kill *k)
{
	static const struct {
		const char *what;
		size_t off;
	} lines[] = {
		{ "memory: ", offsetof(struct kmsg_kill, memory) },
		{ "swap: ", offsetof(struct kmsg_kill, swap) },
		{ "memory+swap: ", offsetof(struct kmsg_kill, memsw) },
		{ "kmem: ", offsetof(struct kmsg_kill, kmem) },
	};
	unsigned int i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct kmsg_counter *c = (void *)((char *)k + lines[i].off);
		size_t n = strlen(lines[i].what);

		if (strncmp(msg, lines[i].what, n))
			continue;
		if (sscanf(msg + n, "usage %llukB, limit %llukB, failcnt %llu",
			   &c->usage, &c->limit, &c->failcnt) != 3)
			return -1;
		c->seen = 1;
		return 0;
	}
	return -1;
}

/*
 * v6.1 prints the block as one message, which printk cuts at its record
 * size (LOG_LINE_MAX, 1024 - 32 bytes): the last line of a message that
 * long may be cut mid-number, so it is not taken. Later kernels print a
 * message per line (seq_buf_do_printk()).
 */
#define KMSG_CUT_AT (1024 - 32 - 64)

int kmsg_parse_stats(const char *msg, struct kmsg_kill *k)
{
	struct kmsg_kill got;
	const char *p = msg;

	got.nstats = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct kmsg_stat *st = &got.stats[got.nstats];
		char line[128], tail;

		if (!nl && p != msg && strlen(msg) >= KMSG_CUT_AT)
			break;
		if (n >= sizeof(line) || got.nstats >= KMSG_MAX_STATS)
			return -1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (sscanf(line, "%39[a-z0-9_] %llu%c", st->name, &st->val, &tail) != 2)
			return -1;
		got.nstats++;
		p += n + (nl ? 1 : 0);
	}
	if (!got.nstats || k->nstats + got.nstats > KMSG_MAX_STATS)
		return -1;
	memcpy(&k->stats[k->nstats], got.stats, got.nstats * sizeof(got.stats[0]));
	k->nstats += got.nstats;
	return 0;
}

/* "oom-kill:constraint=C,...,oom_memcg=M,task_memcg=T,task=comm,pid=N,uid=U" */
static void parse_summary(const char *msg, struct kmsg_kill *k, int *pid)
{
	const char *p, *e;

	*pid = -1;
	p = strstr(msg, "constraint=");
	if (p && (e = strchr(p, ',')))
		snprintf(k->constraint, sizeof(k->constraint), "%.*s", (int)(e - p - 11), p + 11);
	p = strstr(msg, ",oom_memcg=");
	if (p && (e = strchr(p + 1, ',')))
		snprintf(k->oom_memcg, sizeof(k->oom_memcg), "%.*s", (int)(e - p - 11), p + 11);
	p = strstr(msg, ",task_memcg=");
	if (p && (e = strstr(p, ",task=")))
		snprintf(k->task_memcg, sizeof(k->task_memcg), "%.*s", (int)(e - p - 12), p + 12);
	p = strrchr(msg, ',');	/* ",uid=" */
	if (p) {
		for (e = p - 1; e > msg && *e != ','; e--)
			;
		sscanf(e, ",pid=%d", pid);
	}
}

/* /dev/kmsg writes backslashes and unprintable bytes as \xNN. */
static void kmsg_unescape(char *s)
{
	char *out = s;
	unsigned int c;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &c) == 1) {
			*out++ = c;
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/* Add what arrived since the last read to l->kills and l->reaps. */
static void kmsg_read(struct live *l)
{
	struct kmsg_kill *pending = &l->pending;
	char rec[8192];
	ssize_t len;

	for (;;) {
		char *msg;

		len = read(l->kmsg, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		kmsg_unescape(msg);
		if (l->stats_block && !kmsg_parse_stats(msg, pending))
			continue;
		l->stats_block = 0;
		if (!strncmp(msg, "Memory cgroup stats for ", 24)) {
			l->stats_block = 1;
		} else if (strstr(msg, " invoked oom-killer: ")) {
			/* a report begins: its counters come before "oom-kill:" */
			memset(pending, 0, sizeof(*pending));
			pending->task0 = l->ntasks;
			l->pending_pid = -1;
		} else if (!strcmp(msg, "Tasks state (memory values in pages):")) {
			pending->dumped = 1;
		} else if (pending->dumped && l->ntasks < LIVE_MAX_TASKS &&
			   !kmsg_parse_task(msg, &l->tasks[l->ntasks])) {
			l->ntasks++;
			pending->ntasks++;
		} else if (!strcmp(msg, "Mem-Info:")) {
			pending->meminfo.seen = 1;
		} else if (pending->meminfo.seen && !pending->dumped && !pending->constraint[0] &&
			   !kmsg_parse_meminfo(msg, &pending->meminfo)) {
			continue;
		} else if (!kmsg_parse_counter(msg, pending)) {
			continue;
		} else if (!strncmp(msg, "oom-kill:", 9)) {
			parse_summary(msg, pending, &l->pending_pid);
		} else if (strstr(msg, "Killed process ") && l->nkills < LIVE_MAX_KILLS) {
			struct kmsg_kill k = {};

			if (kmsg_parse_killed(msg, &k))
				continue;
			if (k.pid == l->pending_pid) {
				memcpy(k.task_memcg, pending->task_memcg, sizeof(k.task_memcg));
				memcpy(k.oom_memcg, pending->oom_memcg, sizeof(k.oom_memcg));
				memcpy(k.constraint, pending->constraint, sizeof(k.constraint));
				k.memory = pending->memory;
				k.swap = pending->swap;
				k.memsw = pending->memsw;
				k.kmem = pending->kmem;
				k.nstats = pending->nstats;
				memcpy(k.stats, pending->stats, sizeof(k.stats));
				k.meminfo = pending->meminfo;
				/* a full pool cuts the table short: then none */
				k.dumped = pending->dumped && l->ntasks < LIVE_MAX_TASKS;
				k.task0 = pending->task0;
				k.ntasks = pending->ntasks;
			}
			l->pending_pid = -1;
			l->kills[l->nkills++] = k;
		} else if (l->nreaps < LIVE_MAX_KILLS &&
			   !kmsg_parse_reaped(msg, &l->reaps[l->nreaps])) {
			l->nreaps++;
		}
	}
}

/* `oomtrace probe --json`'s output (stderr dropped) in out. */
static void probe_json(char *out, size_t len)
{
	const char *bin = oomtrace_bin();
	size_t got = 0;
	ssize_t n;
	int fd[2];
	pid_t pid;

	out[0] = '\0';
	if (pipe2(fd, O_CLOEXEC))
		return;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (dup2(fd[1], 1) < 0 || null < 0 || dup2(null, 2) < 0)
			_exit(127);
		execl(bin, bin, "probe", "--json", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && got < len - 1 && (n = read(fd[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * The harness forks every test: the answer goes to a shared page, so one
 * probe serves them all. 0: not asked yet, else split_rss_counting() + 2.
 */
static int *rss_layout;

static void __attribute__((constructor)) rss_layout_map(void)
{
	rss_layout = mmap(NULL, sizeof(*rss_layout), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rss_layout == MAP_FAILED)
		rss_layout = NULL;
}

int split_rss_counting(void)
{
	static char out[16384];
	struct json_object *o;
	const char *layout;
	int split = -1;

	if (rss_layout && *rss_layout)
		return *rss_layout - 2;
	probe_json(out, sizeof(out));
	o = json_tokener_parse(out);
	layout = jstr(o, "rss_stat_layout");
	if (layout && !strcmp(layout, "atomic_long_t count[]"))
		split = 1;
	else if (layout && !strcmp(layout, "percpu_counter[]"))
		split = 0;
	json_object_put(o);
	if (rss_layout)
		*rss_layout = split + 2;
	return split;
}

char *slurp_file(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

const char *oomtrace_bin(void)
{
	const char *bin = getenv("OOMTRACE");

	return bin ? bin : "build/oomtrace";
}

static int file_has(const char *path, const char *needle, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, needle) != NULL;
}

/* Flatten a message to one line: a SKIP reason must not break TAP. */
static void one_line(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (; *s; s++)
		if (*s == '\n')
			*s = ' ';
}

enum child_start_result child_start(struct oomtrace_child *c, const char *const *args,
				    char *why, size_t len)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	const char *argv[32];
	int i = 0, j, st;

	snprintf(c->out, sizeof(c->out), "/tmp/oomtest-%d-%ld.json", getpid(), random());
	snprintf(c->err, sizeof(c->err), "%s.err", c->out);
	argv[i++] = oomtrace_bin();
	if (c->listen) {
		/* the same records, appended to its log */
		argv[i++] = "serve";
		argv[i++] = "--listen";
		argv[i++] = c->listen;
		argv[i++] = "--json-log";
		argv[i++] = c->out;
	} else {
		argv[i++] = "--json";
		if (!c->stdout_fd) {
			argv[i++] = "-o";
			argv[i++] = c->out;
		}
	}
	/* outlives no test, even one the harness kills before teardown */
	argv[i++] = "--duration";
	argv[i++] = "1800";
	for (j = 0; args && args[j] && i < 31; j++)
		argv[i++] = args[j];
	argv[i] = NULL;

	c->pid = fork();
	if (c->pid == 0) {
		int fd = open(c->err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		if (c->stdout_fd && dup2(c->stdout_fd, 1) < 0)
			_exit(127);
		if (c->prepare && (errno = c->prepare(c->prepare_arg))) {
			fprintf(stderr, "preparing %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		execv(argv[0], (char **)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/*
	 * 60 s: under TCG, right after a global OOM evicted the page cache,
	 * one start of the 6.1.0-47 guest took more than 30 s (the start now
	 * also waits for kallsyms before it loads, for mem_info's addresses)
	 */
	for (i = 0; i < 3000; i++) {
		/* serve answers /healthz once it says it is serving */
		if (file_has(c->err, c->listen ? "oomtrace: serving" : "oomtrace: tracing",
			     why, len))
			return CHILD_TRACING;
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			c->pid = 0;
			file_has(c->err, "", why, len);
			if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_MODE_UNAVAILABLE) {
				one_line(why);
				return CHILD_MODE_UNAVAILABLE;
			}
			if (!why[0])
				snprintf(why, len, "oomtrace ended (status %d) without a word", st);
			return CHILD_FAILED;
		}
		nanosleep(&ts, NULL);
	}
	snprintf(why, len, "oomtrace did not start within 60 s");
	child_stop(c);
	return CHILD_FAILED;
}

int child_stop(struct oomtrace_child *c)
{
	int st;

	if (c->pid <= 0)
		return -1;
	kill(c->pid, c->stop_sig ? c->stop_sig : SIGINT);
	kill(c->pid, SIGCONT);	/* a test may have stopped it */
	if (waitpid(c->pid, &st, 0) != c->pid)
		return -1;
	c->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int child_records(const struct oomtrace_child *c, const char *type,
		  struct json_object **out, int n)
{
	char *line = NULL;
	size_t cap = 0;
	int got = 0;
	FILE *f;

	f = fopen(c->out, "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		struct json_object *o = json_tokener_parse(line);
		const char *ty = o ? jstr(o, "type") : NULL;

		if (ty && !strcmp(ty, type) && got < n)
			out[got++] = o;
		else
			json_object_put(o);
	}
	free(line);
	fclose(f);
	return got;
}

void child_remove_files(const struct oomtrace_child *c)
{
	if (!c->out[0])
		return;
	unlink(c->out);
	unlink(c->err);
}

void child_records_put(struct json_object **recs, int n)
{
	while (n-- > 0)
		json_object_put(recs[n]);
}

/*
 * Run argv (argv[0] from PATH), its stdout and stderr in out: as much of
 * the start as fits, the first complaint. Its exit status, 127 when there
 * is no such program, -1 when it could not be run (why in out).
 */
static int run_cmd(const char *const *argv, char *out, size_t len)
{
	size_t got = 0, take;
	char buf[4096];
	int fd[2], st;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(fd, O_CLOEXEC)) {
		snprintf(out, len, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(fd[1], 1) < 0 || dup2(fd[1], 2) < 0)
			_exit(126);
		execvp(argv[0], (char **)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && (n = read(fd[0], buf, sizeof(buf))) > 0) {
		take = (size_t)n < len - 1 - got ? (size_t)n : len - 1 - got;
		memcpy(out + got, buf, take);
		got += take;
	}
	out[got] = '\0';
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		snprintf(out, len, "failed to run %s", argv[0]);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define VALIDATOR "scripts/validate-records.py"

int child_validate(const struct oomtrace_child *c, char *why, size_t len)
{
	const char *schema = getenv("OOMTRACE_SCHEMA");
	glob_t g = { 0 };
	int st;

	why[0] = '\0';
	if (access(VALIDATOR, F_OK)) {
		snprintf(why, len, "no %s", VALIDATOR);
		return -1;
	}
	if (!schema) {
		if (glob("schema/*.json", 0, NULL, &g) || g.gl_pathc != 1) {
			snprintf(why, len, "%zu files match schema/*.json: set OOMTRACE_SCHEMA",
				 g.gl_pathc);
			globfree(&g);
			return 1;
		}
		schema = g.gl_pathv[0];
	}
	st = run_cmd((const char *[]){ VALIDATOR, schema, c->out, NULL }, why, len);
	globfree(&g);
	return st < 0 ? 1 : st;
}

int http_get(int port, const char *path, char *buf, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	size_t got = 0;
	char req[256];
	int fd, status = -1;
	ssize_t n;
	char *body;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
	if (write(fd, req, strlen(req)) == (ssize_t)strlen(req)) {
		while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
			got += n;
		buf[got] = '\0';
		sscanf(buf, "HTTP/1.%*d %d", &status);
		body = strstr(buf, "\r\n\r\n");
		if (body)
			memmove(buf, body + 4, strlen(body + 4) + 1);
	}
	close(fd);
	return status;
}

static void frozen_fs_paths(struct frozen_fs *fs, pid_t pid)
{
	snprintf(fs->dir, sizeof(fs->dir), "/tmp/oomtest-%d-fs", pid);
	snprintf(fs->img, sizeof(fs->img), "%s.img", fs->dir);
	snprintf(fs->file, sizeof(fs->file), "%s/stuck", fs->dir);
}

/*
 * Is dir the root of an ext4 on a loop device, not a directory of /tmp's
 * own file system? Nothing else is ever frozen or thawed.
 */
static int loop_ext4_at(const char *dir)
{
	struct stat d, tmp;
	struct statfs fs;

	return !stat(dir, &d) && !stat("/tmp", &tmp) && !statfs(dir, &fs) &&
	       d.st_dev != tmp.st_dev && major(d.st_dev) == LOOP_MAJOR &&
	       fs.f_type == EXT4_SUPER_MAGIC;
}

/* FIFREEZE or FITHAW, on our loop ext4 only. */
static int frozen_fs_ioctl(const struct frozen_fs *fs, unsigned long req)
{
	int fd, err = 0;

	if (!loop_ext4_at(fs->dir))
		return -EINVAL;
	fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, 0))
		err = -errno;
	close(fd);
	return err;
}

/* Once thawed, and its writers are killed: unmount it (which frees the loop device). */
static void frozen_fs_remove(const struct frozen_fs *fs)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	/* a killed writer holds its file until it has exited */
	for (i = 0; i < 100 && loop_ext4_at(fs->dir) && umount2(fs->dir, 0); i++)
		nanosleep(&ts, NULL);
	if (loop_ext4_at(fs->dir))
		umount2(fs->dir, MNT_DETACH);
	rmdir(fs->dir);
	unlink(fs->img);
}

int live_freeze_fs(struct live *l, char *why, size_t len)
{
	static const char *const modprobe[] = { "modprobe", "-a", "loop", "ext4", "crc32c", NULL };
	struct frozen_fs *fs = &l->fs;
	char out[4096] = "", buf[4096];
	int fd, st, err;

	/* the QEMU guest has them as modules, and the kernel finds no modprobe there */
	if (access("/dev/loop-control", F_OK) || !file_has("/proc/filesystems", "\text4\n",
							      buf, sizeof(buf)))
		run_cmd(modprobe, out, sizeof(out));
	if (access("/dev/loop-control", F_OK)) {
		snprintf(why, len, "no loop devices (no /dev/loop-control) %s", out);
		one_line(why);
		return -EOPNOTSUPP;
	}
	if (!file_has("/proc/filesystems", "\text4\n", buf, sizeof(buf))) {
		snprintf(why, len, "no ext4 in /proc/filesystems %s", out);
		one_line(why);
		return -EOPNOTSUPP;
	}
	frozen_fs_paths(fs, getpid());
	fd = open(fs->img, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, FROZEN_FS_SIZE)) {
		err = -errno;
		snprintf(why, len, "%s: %s", fs->img, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	st = run_cmd((const char *[]){ "mkfs.ext4", "-q", "-F", fs->img, NULL }, out, sizeof(out));
	if (st == 127) {
		snprintf(why, len, "no mkfs.ext4 in PATH (e2fsprogs)");
		return -EOPNOTSUPP;
	}
	if (st) {
		snprintf(why, len, "mkfs.ext4 %s: status %d: %s", fs->img, st, out);
		return -EIO;
	}
	if (mkdir(fs->dir, 0755)) {
		err = -errno;
		snprintf(why, len, "%s: %s", fs->dir, strerror(errno));
		return err;
	}
	st = run_cmd((const char *[]){ "mount", "-t", "ext4", "-o", "loop", fs->img, fs->dir,
				       NULL }, out, sizeof(out));
	if (st == 127) {
		snprintf(why, len, "no mount in PATH (util-linux)");
		return -EOPNOTSUPP;
	}
	if (st) {
		snprintf(why, len, "mount -o loop %s: status %d: %s", fs->img, st, out);
		return -EIO;
	}
	if (!loop_ext4_at(fs->dir)) {
		snprintf(why, len, "mount told success, but %s is no ext4 on a loop device", fs->dir);
		return -EIO;
	}
	fd = open(fs->file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		snprintf(why, len, "%s: %s", fs->file, strerror(errno));
		return err;
	}
	close(fd);
	err = frozen_fs_ioctl(fs, FIFREEZE);
	if (err) {
		snprintf(why, len, "FIFREEZE %s: %s", fs->dir, strerror(-err));
		return err;
	}
	fs->frozen = 1;
	return 0;
}

int live_thaw_fs(struct live *l)
{
	int err = frozen_fs_ioctl(&l->fs, FITHAW);

	if (!err)
		l->fs.frozen = 0;
	return err;
}

/*
 * What a test of process pid left: its frozen file system, its memcgs and
 * the oomtrace child's files.
 */
static void sweep(pid_t pid)
{
	struct frozen_fs fs;
	char pat[128];
	glob_t g;
	size_t i;

	/* first: the tasks blocked on it die only then */
	frozen_fs_paths(&fs, pid);
	frozen_fs_ioctl(&fs, FITHAW);

	snprintf(pat, sizeof(pat), "{/sys/fs/cgroup,/sys/fs/cgroup/memory}/oomtrace-*-%d", pid);
	if (!glob(pat, GLOB_BRACE | GLOB_ONLYDIR, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			destroy_dir(g.gl_pathv[i]);
		globfree(&g);
	}
	snprintf(pat, sizeof(pat), "/tmp/oomtest-%d-*.json*", pid);
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
		globfree(&g);
	}
	frozen_fs_remove(&fs);
}

/*
 * A process of its own session (the harness kills the test's process
 * group when it runs out of time) that waits for the test to end: when
 * live_cleanup() did not say it cleaned up, it sweeps. It watches the test
 * through a pidfd too: a hog blocked on a frozen file system cannot die,
 * and holds the pipe open, until the janitor thaws it.
 */
static int janitor_start(struct live *l)
{
	pid_t test = getpid(), pid;
	int fd[2], pidfd, null, err;
	struct pollfd p[2];
	char done;

	pidfd = syscall(SYS_pidfd_open, test, 0);
	if (pidfd < 0)
		return -errno;
	if (pipe2(fd, O_CLOEXEC)) {
		err = -errno;
		close(pidfd);
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(fd[0]);
		close(fd[1]);
		close(pidfd);
		return err;
	}
	if (pid == 0) {
		close(fd[1]);
		setsid();
		/* nobody waits for our output: run-tests.sh waits for its EOF */
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		p[0] = (struct pollfd){ .fd = fd[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		/* live_cleanup() writes before the test exits */
		fcntl(fd[0], F_SETFL, O_NONBLOCK);
		if (read(fd[0], &done, 1) != 1)
			sweep(test);
		_exit(0);
	}
	close(fd[0]);
	close(pidfd);
	l->janitor = pid;
	l->janitor_fd = fd[1];
	return 0;
}

enum live_start_result live_start(struct live *l, const struct live_opts *o,
				  char *why, size_t len)
{
	const char *args[32];
	int i = 0, j, err;

	memset(l, 0, sizeof(*l));
	l->kmsg = -1;
	l->memcg0 = -1;
	l->mode = o->mode;
	l->started = 1;
	err = janitor_start(l);
	if (err) {
		snprintf(why, len, "failed to start the janitor: %s", strerror(-err));
		goto fail;
	}
	if (o->memcg) {
		err = memcg_create(&l->cg, o->memcg, o->limit);
		if (err == -ENOENT) {
			live_cleanup(l);
			return LIVE_NO_MEMCG;
		}
		if (err) {
			snprintf(why, len, "failed to create a memory cgroup: %s", strerror(-err));
			goto fail;
		}
	}
	l->kmsg = kmsg_open();
	l->pending_pid = -1;
	if (l->kmsg < 0) {
		snprintf(why, len, "failed to open /dev/kmsg: %s", strerror(errno));
		goto fail;
	}
	l->vmstat0 = vmstat_oom_kill();
	if (o->memcg)
		l->memcg0 = memcg_oom_kills(&l->cg);
	if (!o->oomtrace)
		return LIVE_OK;

	if (o->mode) {
		args[i++] = "--mode";
		args[i++] = o->mode;
	}
	if (o->only_memcg) {
		args[i++] = "--cgroup";
		args[i++] = l->cg.path;
	}
	for (j = 0; o->args && o->args[j] && i < 31; j++)
		args[i++] = o->args[j];
	args[i] = NULL;
	l->child.listen = o->serve;
	switch (child_start(&l->child, args, why, len)) {
	case CHILD_TRACING:
		return LIVE_OK;
	case CHILD_MODE_UNAVAILABLE:
		live_cleanup(l);
		return LIVE_MODE_UNAVAILABLE;
	case CHILD_FAILED:
		break;
	}
fail:
	live_cleanup(l);
	return LIVE_FAILED;
}

void live_cleanup(struct live *l)
{
	if (!l->started)
		return;
	/* first: the tasks blocked on it die only then */
	if (l->fs.frozen)
		live_thaw_fs(l);
	child_stop(&l->child);
	child_records_put(l->recs, l->nrec);
	l->nrec = 0;
	child_records_put(l->reap_recs, l->nreap_rec);
	l->nreap_rec = 0;
	child_remove_files(&l->child);
	memcg_destroy(&l->cg);
	if (l->fs.dir[0])
		frozen_fs_remove(&l->fs);
	l->fs.dir[0] = '\0';
	if (l->kmsg >= 0)
		close(l->kmsg);
	l->kmsg = -1;
	if (l->janitor > 0) {
		/* should this fail, it sweeps what is gone already */
		(void)!write(l->janitor_fd, "d", 1);
		close(l->janitor_fd);
		waitpid(l->janitor, NULL, 0);
	}
	l->started = 0;
}

void live_read_kills(struct live *l)
{
	if (l->kmsg >= 0)
		kmsg_read(l);
}

int live_victims(const struct live *l)
{
	int i, j, d = 0;

	for (i = 0; i < l->nkills; i++) {
		for (j = 0; j < i && l->kills[j].pid != l->kills[i].pid; j++)
			;
		d += j == i;
	}
	return d;
}

int kmsg_wait_kills(struct live *l, int n)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 200; i++) {
		live_read_kills(l);
		if (live_victims(l) >= n)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < 6; i++)
		nanosleep(&ts, NULL);
	live_read_kills(l);
	return live_victims(l);
}

const struct kmsg_kill *live_kill_of(const struct live *l, struct json_object *rec)
{
	long long pid = jint(rec, "victim.pid");
	int i;

	for (i = 0; i < l->nkills; i++)
		if (l->kills[i].pid == pid)
			return &l->kills[i];
	return NULL;
}

const struct kmsg_reap *live_reap_of(const struct live *l, int pid)
{
	int i;

	for (i = 0; i < l->nreaps; i++)
		if (l->reaps[i].pid == pid)
			return &l->reaps[i];
	return NULL;
}

const struct kmsg_reap *kmsg_wait_reaped(struct live *l, int pid)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 200 && !live_reap_of(l, pid); i++) {
		nanosleep(&ts, NULL);
		live_read_kills(l);
	}
	return live_reap_of(l, pid);
}

/*
 * A pidfd polls readable once its process has exited, every thread of it,
 * each past sched_process_exit. It reads nothing of the process: a read of
 * /proc/PID/stat would hold its mm for a moment, and could make the
 * oom_reaper's work outlast the exit.
 */
int live_wait_exited(const struct live *l)
{
	struct timespec end, now;
	struct pollfd p;
	int i, ms, left = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 10;
	for (i = 0; i < l->nkills && !left; i++) {
		p.fd = syscall(SYS_pidfd_open, l->kills[i].pid, 0);
		if (p.fd < 0) {
			/* ESRCH: gone, and waited for */
			if (errno == ESRCH)
				continue;
			fprintf(stderr, "# pidfd_open(%d): %s\n", l->kills[i].pid, strerror(errno));
			return l->kills[i].pid;
		}
		p.events = POLLIN;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (poll(&p, 1, ms > 0 ? ms : 0) != 1)
			left = l->kills[i].pid;
		close(p.fd);
	}
	return left;
}

struct json_object *jget(struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path = dot + 1;
	}
	if (!o || !json_object_object_get_ex(o, path, &o))
		return NULL;
	return o;
}

long long jint(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int jnull(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && !v;
}

long long rfc3339_us(const char *s)
{
	struct tm tm = {};
	int us, n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ%n", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &us, &n) != 7 ||
	    n != 27)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return timegm(&tm) * 1000000LL + us;
}
