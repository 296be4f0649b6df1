// SPDX-License-Identifier: GPL-2.0
/*
 * Container identity from a memory cgroup path. Only whole components are
 * matched, and IDs must be exactly 64 lower-case hex: mounts such as
 * "run-containerd-...-<id>-rootfs.mount" or monitors such as
 * "crio-conmon-<id>.scope" then fail without special cases. Upper case is
 * refused too: no runtime writes it, and a second spelling of one ID would
 * be a second label value. The innermost container or pod wins, so kubelet
 * nested in a Docker container yields its pod, not the outer scope.
 */
#include <string.h>
#include "container.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct comp {
	const char *s;
	size_t n;
};

static int comp_is(struct comp c, const char *lit)
{
	return c.n == strlen(lit) && !memcmp(c.s, lit, c.n);
}

static int has_prefix(struct comp c, const char *lit)
{
	size_t n = strlen(lit);

	return c.n >= n && !memcmp(c.s, lit, n);
}

static int has_suffix(struct comp c, const char *lit)
{
	size_t n = strlen(lit);

	return c.n >= n && !memcmp(c.s + c.n - n, lit, n);
}

static int is_lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static int is_hex_id(const char *s, size_t n)
{
	size_t i;

	if (n != CTR_ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_lower_hex(s[i]))
			return 0;
	return 1;
}

/*
 * A pod UID into uid[POD_UID_LEN + 1]: 8-4-4-4-12 with sep where the API
 * has '-' (the systemd driver writes '_', as '-' means nesting to systemd),
 * or 32 hex. The 32-hex form is a static pod's UID: kubelet makes it the md5
 * of the manifest (pkg/kubelet/config/common.go applyDefaults). It is kept
 * undashed: that is the UID kubelet uses and the value of the pod's
 * kubernetes.io/config.hash annotation (config.mirror on its mirror pod),
 * the only things it can be joined with; the mirror pod's own API UID is a
 * new one the API server assigns, so no dashed form of the md5 exists
 * anywhere to match.
 */
static int parse_uid(const char *s, size_t n, char sep, char *uid)
{
	size_t i;

	if (n != 32 && n != POD_UID_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		int dash = n == POD_UID_LEN &&
			   (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? s[i] != sep : !is_lower_hex(s[i]))
			return 0;
		uid[i] = dash ? '-' : s[i];
	}
	uid[n] = '\0';
	return 1;
}

static enum pod_qos qos_of(const char *s, size_t n)
{
	struct comp c = { s, n };

	/* Guaranteed pods sit directly under kubepods, the others one down */
	if (comp_is(c, "kubepods"))
		return POD_QOS_GUARANTEED;
	if (comp_is(c, "burstable"))
		return POD_QOS_BURSTABLE;
	if (comp_is(c, "besteffort"))
		return POD_QOS_BESTEFFORT;
	return POD_QOS_NONE;
}

/*
 * kubernetes/kubernetes pkg/kubelet/cm (cgroup_manager_linux.go,
 * pod_container_manager_linux.go, qos_container_manager_linux.go):
 * cgroupfs "kubepods/[burstable|besteffort/]pod<uid>"; systemd expands
 * "kubepods-burstable-pod<uid_>.slice" into one slice per level, so the
 * pod's own slice names its QoS level even when the path was cut short.
 * A kubelet prefix ("kubelet-kubepods-...", kind's cgroupRoot) changes
 * nothing here.
 */
static int match_pod(struct comp prev, struct comp c, char *uid,
		     enum pod_qos *qos)
{
	const char *stem = c.s;
	size_t n, d, b;

	if (!has_suffix(c, ".slice")) {
		if (!has_prefix(c, "pod") ||
		    !parse_uid(c.s + 3, c.n - 3, '-', uid))
			return 0;
		*qos = qos_of(prev.s, prev.n);
		return 1;
	}
	n = c.n - strlen(".slice");
	for (d = n; d > 0 && stem[d - 1] != '-'; d--)
		;
	/* a pod slice always has a parent level before its last '-' */
	if (d < 2 || n - d < 3 || memcmp(stem + d, "pod", 3) ||
	    !parse_uid(stem + d + 3, n - d - 3, '_', uid))
		return 0;
	for (b = d - 1; b > 0 && stem[b - 1] != '-'; b--)
		;
	*qos = qos_of(stem + b, d - 1 - b);
	return 1;
}

/* Named container cgroups: prefix, 64 hex, suffix. */
static const struct {
	const char *prefix, *suffix;
	enum ctr_runtime rt;
} ctr_forms[] = {
	/* containerd/containerd pkg/cri/server/helpers_linux.go getCgroupsPath:
	 * "<slice>:cri-containerd:<id>" under the systemd driver */
	{ "cri-containerd-", ".scope", CTR_CONTAINERD },
	/* cri-o/cri-o internal/config/cgmgr: systemd_linux.go makes a scope,
	 * cgroupfs_linux.go (and the sandbox cgroup) a bare directory */
	{ "crio-", ".scope", CTR_CRIO },
	{ "crio-", "", CTR_CRIO },
	/* moby/moby daemon/oci_linux.go: "system.slice:docker:<id>" */
	{ "docker-", ".scope", CTR_DOCKER },
	/* containers/podman libpod/runtime_ctr.go: "<slice>:libpod:<id>",
	 * under cgroupfs "/libpod_parent/libpod-<id>" */
	{ "libpod-", ".scope", CTR_PODMAN },
	{ "libpod-", "", CTR_PODMAN },
};

/* lxc/lxc src/lxc/cgroups/cgfsng.c: "lxc.payload.<name>" holds the
 * container, "lxc.monitor.<name>" its monitor. Names are taken only when
 * they fit and look like LXD's (hostname-like), so a label stays printable. */
static int lxc_name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > CTR_ID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("-_.", s[i])))
			return 0;
	return 1;
}

static enum ctr_runtime match_ctr(struct comp prev, int prev_is_pod,
				  struct comp c, struct comp *id)
{
	size_t i, pl, sl;

	for (i = 0; i < ARRAY_SIZE(ctr_forms); i++) {
		pl = strlen(ctr_forms[i].prefix);
		sl = strlen(ctr_forms[i].suffix);
		if (c.n < pl + sl || !has_prefix(c, ctr_forms[i].prefix) ||
		    !has_suffix(c, ctr_forms[i].suffix) ||
		    !is_hex_id(c.s + pl, c.n - pl - sl))
			continue;
		*id = (struct comp){ c.s + pl, c.n - pl - sl };
		return ctr_forms[i].rt;
	}
	pl = strlen("lxc.payload.");
	if (has_prefix(c, "lxc.payload.") && lxc_name_ok(c.s + pl, c.n - pl)) {
		*id = (struct comp){ c.s + pl, c.n - pl };
		return CTR_LXC;
	}
	if (!is_hex_id(c.s, c.n))
		return CTR_NONE;
	*id = c;
	/* moby: "/docker/<id>" under cgroupfs */
	if (comp_is(prev, "docker"))
		return CTR_DOCKER;
	/* containerd's cgroupfs form "<pod>/<id>"; cri-dockerd writes the same
	 * shape, which the path cannot tell apart */
	return prev_is_pod ? CTR_CONTAINERD : CTR_NONE;
}

/* systemd src/basic/unit-name.c: the characters a unit name may hold, and
 * the unit types that own a cgroup (FUSE daemons live in .mount units). */
static int is_unit(struct comp c)
{
	static const char *const types[] = {
		".service", ".scope", ".slice", ".socket", ".mount", ".swap",
	};
	size_t i;

	if (c.n >= CTR_UNIT_LEN)
		return 0;
	for (i = 0; i < c.n; i++)
		if (!((c.s[i] >= 'a' && c.s[i] <= 'z') ||
		      (c.s[i] >= 'A' && c.s[i] <= 'Z') ||
		      (c.s[i] >= '0' && c.s[i] <= '9') || strchr(":-_.\\@", c.s[i])))
			return 0;
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (c.n > strlen(types[i]) && has_suffix(c, types[i]))
			return 1;
	return 0;
}

int container_parse(const char *cgpath, struct container_id *out)
{
	struct comp prev = { "", 0 }, c, id, ctr = { NULL, 0 }, unit = { NULL, 0 };
	enum ctr_runtime rt, ctr_rt = CTR_NONE;
	char uid[POD_UID_LEN + 1];
	long i = 0, ci = -1, pi = -1, ui = -1;
	const char *p = cgpath;
	enum pod_qos qos;

	memset(out, 0, sizeof(*out));
	for (;; i++, prev = c) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		c.s = p;
		c.n = strcspn(p, "/");
		p += c.n;

		if (match_pod(prev, c, uid, &qos)) {
			pi = i;
			strcpy(out->pod_uid, uid);
			out->qos = qos;
		}
		rt = match_ctr(prev, pi >= 0 && pi == i - 1, c, &id);
		if (rt != CTR_NONE) {
			ci = i;
			ctr_rt = rt;
			ctr = id;
		}
		if (is_unit(c)) {
			ui = i;
			unit = c;
		}
	}
	/* a pod below the container is kubelet nested in it: the pod wins */
	if (ci > pi) {
		out->runtime = ctr_rt;
		memcpy(out->container_id, ctr.s, ctr.n);
	}
	/* the unit inside the container or pod, not the container's scope */
	if (ui > ci && ui > pi)
		memcpy(out->unit, unit.s, unit.n);
	return out->runtime != CTR_NONE;
}

const char *ctr_runtime_name(enum ctr_runtime rt)
{
	switch (rt) {
	case CTR_CONTAINERD:
		return "containerd";
	case CTR_CRIO:
		return "cri-o";
	case CTR_DOCKER:
		return "docker";
	case CTR_PODMAN:
		return "podman";
	case CTR_LXC:
		return "lxc";
	default:
		return NULL;
	}
}

const char *pod_qos_name(enum pod_qos qos)
{
	switch (qos) {
	case POD_QOS_GUARANTEED:
		return "guaranteed";
	case POD_QOS_BURSTABLE:
		return "burstable";
	case POD_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return NULL;
	}
}
