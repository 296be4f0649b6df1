// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"

void cgpath_format(const struct oomtrace_cgpath *p, char *buf, size_t len)
{
	/* a record claiming more than it can hold is cut short, not trusted */
	unsigned int i = p->depth < OOMTRACE_CG_DEPTH ? p->depth : OOMTRACE_CG_DEPTH;
	size_t off = 0;

	buf[0] = '\0';
	if (p->truncated || p->depth > OOMTRACE_CG_DEPTH)
		off += snprintf(buf, len, "/...");
	while (i-- > 0 && off < len)
		off += snprintf(buf + off, len - off, "/%.*s", OOMTRACE_CG_NAME_LEN,
				p->name[i]);
	if (!p->depth)
		snprintf(buf, len, "/");
}

/* The memory hierarchy's mount holding dir: a cgroup2 mount or a v1 mount
 * with the memory controller. Its mount point goes to root. */
static int memcg_mount_of(const char *dir, char *root, size_t len)
{
	char line[4096], mnt[PATH_MAX], fstype[64], opts[1024];
	size_t best = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		size_t n;

		/* id parent maj:min root mountpoint ... - fstype source superopts */
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (strcmp(fstype, "cgroup2") &&
		    !(strcmp(fstype, "cgroup") == 0 && strstr(opts, "memory")))
			continue;
		n = strlen(mnt);
		if (strncmp(dir, mnt, n) || (dir[n] && dir[n] != '/' && n > 1))
			continue;
		if (n > best) {	/* the innermost mount wins */
			best = n;
			snprintf(root, len, "%s", mnt);
		}
	}
	fclose(f);
	return best ? 0 : -EINVAL;
}

int cgroup_memory_v1(void)
{
	char line[4096], fstype[64], opts[1024];
	int v1 = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return 0;
	while (!v1 && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		/* a controller binds to one hierarchy: a v1 mount of it is where it is */
		v1 = sep && sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) == 2 &&
		     !strcmp(fstype, "cgroup") && strstr(opts, "memory");
	}
	fclose(f);
	return v1;
}

static int cgroup2_has_memory(const char *dir)
{
	char path[PATH_MAX + 32], buf[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	ok = fgets(buf, sizeof(buf), f) && strstr(buf, "memory");
	fclose(f);
	return ok;
}

int cgroup_resolve(const char *dir, char *out, size_t len)
{
	char real[PATH_MAX], root[PATH_MAX], probe[PATH_MAX + 32];
	const char *rel;
	struct stat st;
	int err;

	if (!realpath(dir, real))
		return -errno;
	if (stat(real, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	err = memcg_mount_of(real, root, sizeof(root));
	if (err)
		return err;
	/* a cgroup2 hierarchy must have the memory controller at this level */
	snprintf(probe, sizeof(probe), "%s/memory.max", real);
	if (access(probe, F_OK) && !cgroup2_has_memory(real)) {
		snprintf(probe, sizeof(probe), "%s/memory.limit_in_bytes", real);
		if (access(probe, F_OK))
			return -EINVAL;
	}
	rel = strcmp(root, "/") ? real + strlen(root) : real;
	snprintf(out, len, "%s", *rel ? rel : "/");
	return 0;
}

int cgpath_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return 1;
	while (n > 1 && prefix[n - 1] == '/')
		n--;
	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

int cgroup_memory_dir(const char *path, char *dir, size_t len)
{
	char line[4096], root[PATH_MAX], mnt[PATH_MAX], fstype[64], opts[1024];
	int v1 = cgroup_memory_v1(), found = 0;
	size_t n;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		/* id parent maj:min root mountpoint ... - fstype source superopts */
		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (v1)
			found = !strcmp(fstype, "cgroup") && strstr(opts, "memory");
		else
			found = !strcmp(fstype, "cgroup2") && cgroup2_has_memory(mnt);
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	/* a mount of a subtree holds only the paths under its root; a path cut
	 * short in the kernel names no directory */
	n = strcmp(root, "/") ? strlen(root) : 0;
	if (strncmp(path, root, n) || (path[n] && path[n] != '/') ||
	    !strncmp(path, "/.../", 5))
		return -ENOENT;
	if ((size_t)snprintf(dir, len, "%s%s", mnt, path + n) >= len)
		return -ENAMETOOLONG;
	return 0;
}
