/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege: once the BPF programs are attached and every file and
 * socket is open, tracing needs no capability at all (ring buffer reads,
 * map lookups and closing links go through fds we hold). Drop them all,
 * and with --user become that user too.
 */
#ifndef __PRIVILEGE_H
#define __PRIVILEGE_H

#include <stddef.h>
#include <sys/types.h>

struct run_as {
	const char *name;	/* NULL: stay who we are */
	uid_t uid;
	gid_t gid;
};

/* Look --user up: 0, or -ENOENT when there is no such user. */
int run_as_lookup(struct run_as *r, const char *name);

/* Become r (if named) and drop every capability of this, the only,
 * thread. 0, or -errno with what failed in why. */
int privilege_drop(const struct run_as *r, char *why, size_t len);

#endif /* __PRIVILEGE_H */
