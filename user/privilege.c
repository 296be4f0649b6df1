// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "privilege.h"

int run_as_lookup(struct run_as *r, const char *name)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(name);
	if (!pw)
		return errno ? -errno : -ENOENT;
	r->name = name;
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	return 0;
}

int privilege_drop(const struct run_as *r, char *why, size_t len)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3] = {};

	if (r->name) {
		/* groups first: they go with the capability to change them */
		if (setgroups(0, NULL) || setresgid(r->gid, r->gid, r->gid) ||
		    setresuid(r->uid, r->uid, r->uid)) {
			snprintf(why, len, "failed to become %s: %s", r->name, strerror(errno));
			return -errno;
		}
	}
	/* capabilities are per thread: callers have started no other yet */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		snprintf(why, len, "failed to clear ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	if (syscall(SYS_capset, &hdr, none)) {
		snprintf(why, len, "failed to drop capabilities: %s", strerror(errno));
		return -errno;
	}
	return 0;
}
