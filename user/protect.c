// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include "protect.h"

/*
 * memory.min that oomtrace sets: its usage once tracing plus room for what
 * it allocates later (episodes in flight, its output's page cache). Only
 * what it uses is protected, so the room costs others nothing until used.
 */
#define MIN_HEADROOM (16LL << 20)

/* Read a small file into buf, NUL-terminated; 0 or an errno. No heap:
 * this runs after the memory is locked. */
static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		err = errno;
	else
		buf[n] = '\0';
	close(fd);
	return err;
}

static int write_fd(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	return n < 0 ? errno : 0;
}

static int write_adj(int v)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC), err;
	char buf[16];

	if (fd < 0)
		return errno;
	snprintf(buf, sizeof(buf), "%d", v);
	err = write_fd(fd, buf);
	close(fd);
	return err;
}

/* A "Key:  value" line of /proc/self/status, as text; 0 or an errno. */
static int status_field(const char *key, char *out, size_t len)
{
	char buf[4096], *p;
	size_t klen = strlen(key);
	int err = read_small("/proc/self/status", buf, sizeof(buf));

	if (err)
		return err;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			p += klen + 1;
			p += strspn(p, " \t");
			snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
			return 0;
		}
	}
	return ENOENT;
}

static int has_cap(int cap)
{
	char v[32];

	if (status_field("CapEff", v, sizeof(v)))
		return 0;
	return (strtoull(v, NULL, 16) >> cap) & 1;
}

void protect_oom_score(struct protection *p)
{
	char v[16];
	int lo = -1000, hi, mid, err;

	p->min_fd = -1;
	p->locked_kb = -1;
	p->adj_cap = has_cap(CAP_SYS_RESOURCE);
	p->adj_err = write_adj(-1000);
	if (!p->adj_err) {
		p->adj = -1000;
		return;
	}
	if (read_small("/proc/self/oom_score_adj", v, sizeof(v))) {
		p->adj = INT_MIN;
		return;
	}
	hi = atoi(v);
	/*
	 * Without CAP_SYS_RESOURCE any value from the floor up is allowed,
	 * none below it, and the floor cannot be read: find it by halving.
	 */
	if (p->adj_err == EACCES || p->adj_err == EPERM) {
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			err = write_adj(mid);
			if (!err)
				hi = mid;
			else if (err == EACCES || err == EPERM)
				lo = mid;
			else
				break;
		}
	}
	p->adj = hi;
}

/* The cgroup v2 mount point with the whole hierarchy (root "/"). */
static int cgroup2_mount(char *out, size_t len)
{
	char line[4096], root[256], mnt[256];
	int found = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");

		if (sep && sscanf(line, "%*s %*s %*s %255s %255s", root, mnt) == 2 &&
		    !strcmp(root, "/")) {
			snprintf(out, len, "%s", mnt);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : ENOENT;
}

/* Bytes in a memory.min or memory.low style file ("max" as LLONG_MAX); -1: none. */
static long long read_bytes(const char *dir, const char *file)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (read_small(path, buf, sizeof(buf)))
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 10);
}

/* Does the cgroup at dir hold this process alone, with no child cgroups? */
static const char *alone_why(const char *dir)
{
	char path[PATH_MAX], buf[256];
	int pid;

	snprintf(path, sizeof(path), "%s/cgroup.stat", dir);
	if (read_small(path, buf, sizeof(buf)))
		return "failed to read cgroup.stat";
	if (!strstr(buf, "nr_descendants 0\n"))
		return "its cgroup has child cgroups";
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	/* one pid fits; more than that is others */
	if (read_small(path, buf, sizeof(buf)))
		return "failed to read cgroup.procs";
	if (sscanf(buf, "%d", &pid) != 1 || pid != getpid() || strchr(buf, '\n') != buf + strlen(buf) - 1)
		return "its cgroup holds other processes";
	return NULL;
}

/* The least memory.min and memory.low of the ancestors of dir below mnt. */
static void reach(struct protection *p, const char *mnt, char *dir)
{
	long long v;
	char *slash;

	p->min_reach = p->min;
	p->low_reach = p->low;
	while ((slash = strrchr(dir, '/')) && slash > dir + strlen(mnt)) {
		*slash = '\0';
		v = read_bytes(dir, "memory.min");
		if (v < 0)
			break;
		if (v < p->min_reach) {
			p->min_reach = v;
			snprintf(p->reach_by, sizeof(p->reach_by), "%s", dir + strlen(mnt));
		}
		v = read_bytes(dir, "memory.low");
		if (v >= 0 && v < p->low_reach)
			p->low_reach = v;
	}
}

void protect_memory(struct protection *p)
{
	char buf[4096], mnt[256], dir[1024], path[PATH_MAX];
	long long cur;
	char *rel;

	if (!status_field("VmLck", buf, sizeof(buf)))
		p->locked_kb = strtoll(buf, NULL, 10);
	p->min = p->low = -1;
	p->cg_err = read_small("/proc/self/cgroup", buf, sizeof(buf));
	if (p->cg_err) {
		p->cg_why = "failed to read /proc/self/cgroup";
		return;
	}
	/* the v2 line is "0::PATH" */
	rel = strstr(buf, "0::");
	if (!rel || (rel != buf && rel[-1] != '\n')) {
		p->cg_why = "it is in no cgroup v2";
		return;
	}
	rel += 3;
	rel[strcspn(rel, "\n")] = '\0';
	snprintf(p->cgroup, sizeof(p->cgroup), "%s", rel);
	p->cg_err = cgroup2_mount(mnt, sizeof(mnt));
	if (p->cg_err) {
		p->cg_why = "cgroup v2 is not mounted";
		return;
	}
	snprintf(dir, sizeof(dir), "%s/cgroup.controllers", mnt);
	if (read_small(dir, path, sizeof(path)) || !strstr(path, "memory")) {
		p->cg_why = "the memory controller is not on cgroup v2";
		return;
	}
	snprintf(dir, sizeof(dir), "%s%s", mnt, strcmp(rel, "/") ? rel : "");
	p->min = read_bytes(dir, "memory.min");
	p->low = read_bytes(dir, "memory.low");
	if (p->min < 0) {
		p->cg_why = strcmp(rel, "/") ? "its cgroup has no memory controller" :
			"it runs in the root cgroup, which has no memory.min";
		return;
	}
	/* one found set is its launcher's choice: kept */
	if (!p->min && !(p->cg_why = alone_why(dir))) {
		cur = read_bytes(dir, "memory.current");
		snprintf(path, sizeof(path), "%s/memory.min", dir);
		p->min_fd = open(path, O_WRONLY | O_CLOEXEC);
		if (p->min_fd < 0) {
			p->cg_err = errno;
			p->cg_why = "failed to open memory.min";
		} else {
			snprintf(buf, sizeof(buf), "%lld", (cur < 0 ? 0 : cur) + MIN_HEADROOM);
			p->cg_err = write_fd(p->min_fd, buf);
			if (p->cg_err) {
				p->cg_why = "failed to write memory.min";
				close(p->min_fd);
				p->min_fd = -1;
			} else {
				p->min_old = p->min;
				p->min_set = 1;
				p->min = read_bytes(dir, "memory.min");
			}
		}
	}
	reach(p, mnt, dir);
}

void protect_release(struct protection *p)
{
	char buf[32];
	int err;

	if (p->min_fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%lld", p->min_old);
	err = write_fd(p->min_fd, buf);
	if (err)
		fprintf(stderr, "oomtrace: failed to put back memory.min of %s: %s\n",
			p->cgroup, strerror(err));
	close(p->min_fd);
	p->min_fd = -1;
}

#define KB(b) ((b) == LLONG_MAX ? -1 : (b) / 1024)

void protect_describe(const struct protection *p, char *buf, size_t len)
{
	size_t n = 0;

#define say(...) (n += snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	if (p->adj == INT_MIN)
		say("oom_score_adj unknown, not -1000 (%s)", strerror(p->adj_err));
	else if (!p->adj_err)
		say("oom_score_adj -1000");
	else if (p->adj_err != EACCES && p->adj_err != EPERM)
		say("oom_score_adj %d, not -1000 (%s)", p->adj, strerror(p->adj_err));
	else if (!p->adj_cap)
		say("oom_score_adj %d, not -1000 (it lacks CAP_SYS_RESOURCE, "
		    "and %d is the floor it was started with)", p->adj, p->adj);
	else
		say("oom_score_adj %d, not -1000 (%s)", p->adj, strerror(p->adj_err));
	if (p->locked_kb > 0)
		say("; memory locked (VmLck %lld kB)", p->locked_kb);
	if (p->min > 0) {
		if (p->min == LLONG_MAX)
			say("; memory.min max");
		else
			say("; memory.min %lld kB", KB(p->min));
		say(" of %s (%s)", p->cgroup, p->min_set ? "set by oomtrace" : "found set");
		if (p->min_reach < p->min)
			say(", but %s passes down only %lld kB", p->reach_by, KB(p->min_reach));
	} else {
		say("; no memory.min");
		if (p->cgroup[0])
			say(" of %s", p->cgroup);
		say(": %s", p->cg_why);
		if (p->cg_err)
			say(": %s", strerror(p->cg_err));
	}
	if (p->low > 0) {
		if (p->low == LLONG_MAX)
			say("; memory.low max");
		else
			say("; memory.low %lld kB", KB(p->low));
		if (p->low_reach < p->low)
			say(" (its ancestors pass down %lld kB)", KB(p->low_reach));
	}
#undef say
}
