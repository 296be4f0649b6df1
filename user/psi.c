// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "psi.h"

/* "12.34" as 1234; the kernel prints two decimals */
static int parse_avg(const char *s, __u32 *out)
{
	unsigned int whole, frac;

	if (sscanf(s, "%u.%2u", &whole, &frac) != 2)
		return -EINVAL;
	*out = whole * 100 + frac;
	return 0;
}

static int parse_line(const char *text, const char *kind, struct psi_line *l)
{
	char avg10[16], avg60[16];
	unsigned long long total;
	const char *p = text;
	size_t n = strlen(kind);

	/* each line starts the text or follows a newline */
	while (p && strncmp(p, kind, n)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || sscanf(p + n, " avg10=%15s avg60=%15s avg300=%*s total=%llu",
			 avg10, avg60, &total) != 3)
		return -EINVAL;
	if (parse_avg(avg10, &l->avg10) || parse_avg(avg60, &l->avg60))
		return -EINVAL;
	l->total_us = total;
	return 0;
}

int psi_parse(const char *text, struct record_psi *psi)
{
	if (parse_line(text, "some", &psi->some) || parse_line(text, "full", &psi->full))
		return -EINVAL;
	return 0;
}

int psi_read(const char *memcg, struct record_psi *psi)
{
	char path[PATH_MAX], text[256];
	ssize_t n;
	int fd, err;

	psi->memcg = 0;
	strcpy(path, "/proc/pressure/memory");
	if (memcg[0] && !cgroup_memory_v1()) {
		err = cgroup_memory_dir(memcg, path, sizeof(path) - sizeof("/memory.pressure"));
		if (err)
			return err;
		strcat(path, "/memory.pressure");
		psi->memcg = 1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	text[n] = '\0';
	return psi_parse(text, psi);
}
