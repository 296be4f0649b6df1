/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __CGROUP_H
#define __CGROUP_H

#include <stddef.h>
#include <linux/types.h>
#include "oomtrace.h"

/* Room for any path cgpath_format() writes. */
#define CGPATH_MAX (OOMTRACE_CG_DEPTH * (OOMTRACE_CG_NAME_LEN + 1) + 8)

/* "/a/b" from leaf-first components; "/" for a hierarchy's root. A path cut
 * short in the kernel says so with "..." where the missing part would be. */
void cgpath_format(const struct oomtrace_cgpath *p, char *buf, size_t len);

/* Turn a cgroupfs directory into its path inside the memory-controller
 * hierarchy ("/sys/fs/cgroup/memory/a/b" -> "/a/b"). 0 or -errno:
 * -ENOENT (no such directory), -ENOTDIR, -EINVAL (not a memory cgroup). */
int cgroup_resolve(const char *dir, char *out, size_t len);

/* 1 when the memory controller is mounted on a cgroup v1 hierarchy. */
int cgroup_memory_v1(void);

/* The cgroupfs directory of the memory cgroup at hierarchy path (a
 * record's "/a/b"); 0 or -errno: -ENOENT when no mount shows it. */
int cgroup_memory_dir(const char *path, char *dir, size_t len);

/* path is prefix or a descendant of it, compared component-wise. */
int cgpath_under(const char *path, const char *prefix);

#endif /* __CGROUP_H */
