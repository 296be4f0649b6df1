// SPDX-License-Identifier: GPL-2.0
/* Memory samples: usage and limit per domain, read from the kernel's files. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "sampler.h"

struct domain {
	char path[CGPATH_MAX];	/* "": the system */
	char dir[PATH_MAX];
};

struct sampler {
	__u64 interval_ns;
	__u64 next_ns;		/* 0: at the first tick */
	int v1;
	__u64 max_kb;		/* "max" on cgroup v2: PAGE_COUNTER_MAX, as the kernel prints it */
	struct domain *doms;
	int nr, cap;
};

static int add_domain(struct sampler *s, const char *path, const char *dir)
{
	struct domain *d;
	int i;

	for (i = 0; i < s->nr; i++)
		if (!strcmp(s->doms[i].path, path))
			return 0;
	if (s->nr == s->cap) {
		d = realloc(s->doms, (s->cap * 2 + 4) * sizeof(*d));
		if (!d)
			return -ENOMEM;
		s->doms = d;
		s->cap = s->cap * 2 + 4;
	}
	d = &s->doms[s->nr++];
	snprintf(d->path, sizeof(d->path), "%s", path);
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	return 0;
}

struct sampler *sampler_new(double interval, const char *dir, const char *path)
{
	struct sampler *s = calloc(1, sizeof(*s));
	long page = sysconf(_SC_PAGESIZE);

	if (!s)
		return NULL;
	s->interval_ns = interval * 1e9;
	s->v1 = cgroup_memory_v1();
	s->max_kb = (__u64)(LONG_MAX / page) * (page / 1024);
	if (add_domain(s, dir ? path : "", dir ? dir : "")) {
		sampler_free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void sampler_add_memcg(struct sampler *s, const char *path)
{
	char dir[PATH_MAX];
	int err;

	err = cgroup_memory_dir(path, dir, sizeof(dir));
	if (!err)
		err = add_domain(s, path, dir);
	if (err)
		fprintf(stderr, "oomtrace: failed to sample memory cgroup %s: %s\n", path,
			strerror(-err));
}

/* The number in a cgroup file; "max" is no limit. 0 or -errno. */
static int read_bytes_kb(const struct sampler *s, const char *dir, const char *file, __u64 *kb)
{
	char path[PATH_MAX + 32], buf[64];
	unsigned long long v;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		err = -EIO;
	else if (!strcmp(buf, "max\n"))
		*kb = s->max_kb;
	else if (sscanf(buf, "%llu", &v) == 1)
		*kb = v / 1024;
	else
		err = -EINVAL;
	fclose(f);
	return err;
}

static int read_meminfo(struct mem_sample *m)
{
	unsigned long long total = 0, avail = 0, v;
	char line[256];
	int seen = 0;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -errno;
	while (seen != 3 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &v) == 1) {
			total = v;
			seen |= 1;
		} else if (sscanf(line, "MemAvailable: %llu kB", &v) == 1) {
			avail = v;
			seen |= 2;
		}
	}
	fclose(f);
	if (seen != 3)
		return -EINVAL;
	m->usage_kb = total - avail;
	m->limit_kb = total;
	return 0;
}

static int read_domain(const struct sampler *s, const struct domain *d, struct mem_sample *m)
{
	int err;

	snprintf(m->memcg, sizeof(m->memcg), "%s", d->path);
	if (!d->path[0])
		return read_meminfo(m);
	err = read_bytes_kb(s, d->dir, s->v1 ? "memory.usage_in_bytes" : "memory.current",
			    &m->usage_kb);
	if (!err)
		err = read_bytes_kb(s, d->dir, s->v1 ? "memory.limit_in_bytes" : "memory.max",
				    &m->limit_kb);
	return err;
}

void sampler_tick(struct sampler *s, __u64 now_ns, int64_t boot_to_unix_ns,
		  sample_fn fn, void *ctx)
{
	struct mem_sample m;
	int i, err;

	if (now_ns < s->next_ns)
		return;
	/* a late tick does not bunch up the next ones */
	s->next_ns = s->next_ns + s->interval_ns > now_ns ? s->next_ns + s->interval_ns :
							    now_ns + s->interval_ns;
	m.time_ns = (int64_t)now_ns + boot_to_unix_ns;
	for (i = 0; i < s->nr; i++) {
		err = read_domain(s, &s->doms[i], &m);
		if (!err) {
			fn(&m, ctx);
			continue;
		}
		/* a removed memcg is the usual end of a container: no news */
		if (err != -ENOENT && err != -ENODEV)
			fprintf(stderr, "oomtrace: failed to sample %s: %s; no more samples of it\n",
				s->doms[i].path[0] ? s->doms[i].path : "/proc/meminfo",
				strerror(-err));
		s->doms[i--] = s->doms[--s->nr];
	}
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	free(s->doms);
	free(s);
}
