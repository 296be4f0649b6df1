/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __CONTAINER_H
#define __CONTAINER_H

/*
 * Who a cgroup path belongs to: container, Kubernetes pod, systemd unit.
 * Read from the path alone, as oomtrace records it (inside the memory
 * hierarchy; "/..." first when the kernel side cut it short). A field the
 * path does not say stays empty: nothing is guessed, and the raw path the
 * caller holds remains the fallback label.
 *
 * Across a container restart:
 *   stable:   pod_uid, qos, unit (kubelet keeps the pod cgroup; systemd
 *             keeps unit names);
 *   changes:  container_id (every start is a new container; a label made of
 *             it alone grows one series per restart).
 * runtime is stable too, but says little alone.
 */

enum ctr_runtime {
	CTR_NONE,
	CTR_CONTAINERD,
	CTR_CRIO,
	CTR_DOCKER,
	CTR_PODMAN,
	CTR_LXC,
};

enum pod_qos {
	POD_QOS_NONE,		/* not a pod, or its QoS level was cut off */
	POD_QOS_GUARANTEED,
	POD_QOS_BURSTABLE,
	POD_QOS_BESTEFFORT,
};

#define CTR_ID_LEN	64	/* OCI runtimes: sha256 hex; LXC: a name */
#define POD_UID_LEN	36	/* 8-4-4-4-12 */
#define CTR_UNIT_LEN	256	/* systemd's UNIT_NAME_MAX, NUL included */

struct container_id {
	enum ctr_runtime runtime;
	char container_id[CTR_ID_LEN + 1];
	/* dashed as the API spells it; a static pod's UID is 32 hex */
	char pod_uid[POD_UID_LEN + 1];
	enum pod_qos qos;
	/* leaf-most unit below the container or pod, or on the host; kept
	 * escaped ("\x2d") as systemctl takes it */
	char unit[CTR_UNIT_LEN];
};

/* Fill out from cgpath; never fails, any bytes are safe. Returns 1 when a
 * container was found, else 0 (pod_uid or unit may still be set). */
int container_parse(const char *cgpath, struct container_id *out);

/* "containerd", "cri-o", ...; NULL for CTR_NONE: leave the label out. */
const char *ctr_runtime_name(enum ctr_runtime rt);

/* "guaranteed", "burstable", "besteffort"; NULL for POD_QOS_NONE. */
const char *pod_qos_name(enum pod_qos qos);

#endif /* __CONTAINER_H */
