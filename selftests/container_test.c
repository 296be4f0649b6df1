// SPDX-License-Identifier: GPL-2.0
/* Container identity from cgroup paths. Each row is a format a runtime
 * really writes; the source is named above it. IDs are ones those sources
 * show. On cgroup v1 the memory hierarchy holds the same shapes as the
 * unified one, so one row serves both unless a row says otherwise. */
#include <stdlib.h>
#include <string.h>
#include "kselftest_harness.h"
#include "container.h"

/* containerd: google/cadvisor container/containerd/factory_test.go */
#define CTRD	"40af7cdcbe507acad47a5a62025743ad3ddc6ab93b77b21363aa1c1d641047c9"
/* CRI-O: google/cadvisor container/crio/factory_test.go */
#define CRIO	"81e5c2990803c383229c9680ce964738d5e566d97f5bd436ac34808d2ec75d5f"
#define UID	"068e8fa0-9213-11e7-a01f-507b9d4141fa"
#define UID_	"068e8fa0_9213_11e7_a01f_507b9d4141fa"	/* systemd driver */
#define STATIC	"d76e26fba3bf2bfd215eb29011d55250"	/* md5: a static pod */
/* Docker: neuvector/neuvector share/system/cgroup_test.go */
#define DOCK	"9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define DOCK2	"4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
/* Podman: `podman pod inspect` and --log-level=debug output */
#define LIBPOD	"6dd05e91f00f99281f70b1fd90a29e5cc30b0dab243cb7cfb6153d8017872394"
#define PODPOD	"71b289d2028f1c5a5557efaee6f352615311e199997f0ec2fa5b579876eb9e07"
#define INFRA	"6d6d61f09fc1c86833314aa7ed0065c087b707c3cf5687d5b5e9c7699d7dcc72"
/* kubelet rootless: kubernetes/kubernetes PR "kubelet: new feature gate:
 * Rootless" (Akihiro Suda), its commit message */
#define RLESS	"6938564e754ad86269a536ed19172af0eff5f7ff0a41eefc5b433a76f1f38f16"

/* row shorthands: no pod; nothing found at all */
#define NO_POD	NULL, POD_QOS_NONE
#define NOTHING	CTR_NONE, NULL, NO_POD, NULL

#define BU	"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice"

struct row {
	const char *path;
	enum ctr_runtime rt;
	const char *id;
	const char *pod;
	enum pod_qos qos;
	const char *unit;
};

static void check_rows(struct __test_metadata *_metadata,
		       const struct row *rows, size_t n)
{
	struct container_id c;
	size_t i;

	/* each path exactly sized on the heap: valgrind and ASan catch a
	 * read past its NUL */
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char *path = strdup(r->path);
		int found = container_parse(path, &c);

		free(path);
		EXPECT_EQ(r->rt != CTR_NONE, found) TH_LOG("%s", r->path);
		EXPECT_EQ(r->rt, c.runtime) TH_LOG("%s", r->path);
		EXPECT_STREQ(r->id ? r->id : "", c.container_id) TH_LOG("%s", r->path);
		EXPECT_STREQ(r->pod ? r->pod : "", c.pod_uid) TH_LOG("%s", r->path);
		EXPECT_EQ(r->qos, c.qos) TH_LOG("%s", r->path);
		EXPECT_STREQ(r->unit ? r->unit : "", c.unit) TH_LOG("%s", r->path);
	}
}

#define CHECK(rows) check_rows(_metadata, rows, ARRAY_SIZE(rows))

/* kubernetes/kubernetes pkg/kubelet/cm/cgroup_manager_linux.go (driver
 * naming), pod_container_manager_linux.go ("pod" + UID), and
 * qos_container_manager_linux.go (burstable, besteffort; Guaranteed pods
 * directly under kubepods). */
TEST(kubernetes)
{
	static const struct row rows[] = {
		/* cgroupfs + containerd "<parent>/<id>" (cadvisor's own row;
		 * its pod UID is a static pod's md5, kept undashed) */
		{ "/kubepods/besteffort/pod" STATIC "/" CTRD,
		  CTR_CONTAINERD, CTRD, STATIC, POD_QOS_BESTEFFORT, NULL },
		/* cgroupfs + CRI-O, Guaranteed (cadvisor crio factory_test) */
		{ "/kubepods/pod" UID "/crio-" CRIO ".scope",
		  CTR_CRIO, CRIO, UID, POD_QOS_GUARANTEED, NULL },
		/* CRI-O cgroupfs_linux.go: a bare directory */
		{ "/kubepods/burstable/pod" UID "/crio-" CRIO,
		  CTR_CRIO, CRIO, UID, POD_QOS_BURSTABLE, NULL },
		/* systemd driver: '_' in the slice, '-' in the UID */
		{ BU "/cri-containerd-" CTRD ".scope",
		  CTR_CONTAINERD, CTRD, UID, POD_QOS_BURSTABLE, NULL },
		{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" CRIO ".scope",
		  CTR_CRIO, CRIO, UID, POD_QOS_GUARANTEED, NULL },
		/* cri-dockerd, systemd driver */
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
		  UID_ ".slice/docker-" DOCK ".scope",
		  CTR_DOCKER, DOCK, UID, POD_QOS_BESTEFFORT, NULL },
		/* static pod under the systemd driver */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
		  STATIC ".slice/cri-containerd-" CTRD ".scope",
		  CTR_CONTAINERD, CTRD, STATIC, POD_QOS_BURSTABLE, NULL },
		/* cri-o systemd_linux.go: crun configures a child "container" */
		{ BU "/crio-" CRIO ".scope/container",
		  CTR_CRIO, CRIO, UID, POD_QOS_BURSTABLE, NULL },
		/* cri-o systemd_linux.go CreateSandboxCgroup: the infra
		 * container's cgroupfs directory under the pod slice */
		{ BU "/crio-" CRIO, CTR_CRIO, CRIO, UID, POD_QOS_BURSTABLE, NULL },
		/* v1 with the mount point still in front (fleet.md) */
		{ "/sys/fs/cgroup/memory/kubepods/burstable/pod" UID "/" CTRD,
		  CTR_CONTAINERD, CTRD, UID, POD_QOS_BURSTABLE, NULL },
		/* a process in the pod cgroup but in no container */
		{ BU, CTR_NONE, NULL, UID, POD_QOS_BURSTABLE, NULL },
		/* the QoS level itself: a unit, no pod */
		{ "/kubepods.slice/kubepods-burstable.slice", CTR_NONE, NULL, NO_POD,
		  "kubepods-burstable.slice" },
		/* rootless kubelet: no QoS or pod level (see RLESS) */
		{ "/user.slice/user-1001.slice/user@1001.service/user.slice/cri-containerd-"
		  RLESS ".scope", CTR_CONTAINERD, RLESS, NO_POD, NULL },
	};

	CHECK(rows);
}

/* kubelet nested in Docker: kubernetes-sigs/kind sets cgroupRoot /kubelet
 * (pkg/cluster/internal/kubeadm/config.go); the innermost pod and container
 * are the identity, not the node container around them. */
TEST(kubelet_in_docker)
{
	static const struct row rows[] = {
		{ "/system.slice/docker-" DOCK ".scope/kubelet.slice/kubelet-kubepods.slice"
		  "/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
		  UID_ ".slice/cri-containerd-" CTRD ".scope",
		  CTR_CONTAINERD, CTRD, UID, POD_QOS_BESTEFFORT, NULL },
		{ "/docker/" DOCK2 "/kubelet/kubepods/burstable/pod" UID "/" CTRD,
		  CTR_CONTAINERD, CTRD, UID, POD_QOS_BURSTABLE, NULL },
		{ "/system.slice/docker-" DOCK ".scope/kubelet.slice/kubelet-kubepods.slice"
		  "/kubelet-kubepods-pod" UID_ ".slice",
		  CTR_NONE, NULL, UID, POD_QOS_GUARANTEED, NULL },
		/* kubelet itself, a service of the node container's systemd */
		{ "/system.slice/docker-" DOCK ".scope/system.slice/kubelet.service",
		  CTR_DOCKER, DOCK, NO_POD, "kubelet.service" },
	};

	CHECK(rows);
}

/* Paths cut short by the kernel side keep the 10 components nearest the
 * leaf (cgroup.c cgpath_format): what survives still counts. */
TEST(truncated)
{
	static const struct row rows[] = {
		/* the systemd pod slice names its own QoS level */
		{ "/.../kubepods-burstable-pod" UID_ ".slice/cri-containerd-" CTRD ".scope",
		  CTR_CONTAINERD, CTRD, UID, POD_QOS_BURSTABLE, NULL },
		/* cgroupfs needs the parent for the QoS level */
		{ "/.../pod" UID "/" CTRD, CTR_CONTAINERD, CTRD, UID, POD_QOS_NONE, NULL },
		/* a bare ID with no parent left: whose is unknown */
		{ "/.../" CTRD, NOTHING },
		{ "/.../docker-" DOCK ".scope/app.slice/worker.service",
		  CTR_DOCKER, DOCK, NO_POD, "worker.service" },
	};

	CHECK(rows);
}

TEST(runtimes)
{
	static const struct row rows[] = {
		/* moby/moby daemon/oci_linux.go: systemd and cgroupfs */
		{ "/system.slice/docker-" DOCK ".scope", CTR_DOCKER, DOCK, NO_POD, NULL },
		{ "/docker/" DOCK2, CTR_DOCKER, DOCK2, NO_POD, NULL },
		{ "/docker/" DOCK2 "/", CTR_DOCKER, DOCK2, NO_POD, NULL },
		/* Docker in Docker: the inner container */
		{ "/docker/" DOCK2 "/docker/" DOCK, CTR_DOCKER, DOCK, NO_POD, NULL },
		/* containers/podman libpod/runtime_ctr.go: root, crun's
		 * child, rootless, cgroupfs */
		{ "/machine.slice/libpod-" LIBPOD ".scope", CTR_PODMAN, LIBPOD, NO_POD, NULL },
		{ "/machine.slice/libpod-" LIBPOD ".scope/container", CTR_PODMAN, LIBPOD, NO_POD, NULL },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-"
		  LIBPOD ".scope", CTR_PODMAN, LIBPOD, NO_POD, NULL },
		{ "/libpod_parent/libpod-" LIBPOD, CTR_PODMAN, LIBPOD, NO_POD, NULL },
		/* podman libpod/runtime_pod_linux.go: a pod is a slice; the
		 * container is the scope in it; a Podman pod ID is no pod UID */
		{ "/machine.slice/machine-libpod_pod_" PODPOD ".slice/libpod-" INFRA ".scope",
		  CTR_PODMAN, INFRA, NO_POD, NULL },
		{ "/user.slice/user-1000.slice/user@1000.service/user.slice/user-libpod_pod_"
		  PODPOD ".slice/libpod-" LIBPOD ".scope", CTR_PODMAN, LIBPOD, NO_POD, NULL },
		{ "/machine.slice/machine-libpod_pod_" PODPOD ".slice", CTR_NONE, NULL,
		  NO_POD, "machine-libpod_pod_" PODPOD ".slice" },
		/* lxc/lxc src/lxc/cgroups/cgfsng.c: payload and monitor */
		{ "/lxc.payload.web1", CTR_LXC, "web1", NO_POD, NULL },
		{ "/lxc.payload.c1/system.slice/nginx.service", CTR_LXC, "c1", NO_POD,
		  "nginx.service" },
		{ "/lxc.monitor.web1", NOTHING },
	};

	CHECK(rows);
}

/* Monitors and mounts carry container IDs but are not containers. */
TEST(lookalikes)
{
	static const struct row rows[] = {
		/* cri-o systemd_linux.go / cgroupfs_linux.go MoveConmonToCgroup */
		{ BU "/crio-conmon-" CRIO ".scope", CTR_NONE, NULL, UID,
		  POD_QOS_BURSTABLE, "crio-conmon-" CRIO ".scope" },
		{ "/kubepods/pod" UID "/crio-conmon-" CRIO, CTR_NONE, NULL, UID,
		  POD_QOS_GUARANTEED, NULL },
		/* cadvisor crio factory_test: other prefixes, suffixes, lengths */
		{ "/kubepods/pod" UID "/no-crio-conmon-" CRIO, CTR_NONE, NULL, UID,
		  POD_QOS_GUARANTEED, NULL },
		{ "/kubepods/pod" UID "/crio-" CRIO ".mount", CTR_NONE, NULL, UID,
		  POD_QOS_GUARANTEED, "crio-" CRIO ".mount" },
		{ "/kubepods/pod" UID "/crio-990803c383229c9680ce964738d5e566d97f5bd436ac34808d2ec75",
		  CTR_NONE, NULL, UID, POD_QOS_GUARANTEED, NULL },
		/* podman libpod/oci_conmon_linux.go */
		{ "/machine.slice/libpod-conmon-" LIBPOD ".scope", CTR_NONE, NULL, NO_POD,
		  "libpod-conmon-" LIBPOD ".scope" },
		/* cadvisor containerd factory_test */
		{ "/system.slice/run-containerd-io.containerd.runtime.v1.linux-k8s.io-"
		  "14ae50f1d3ada102aec3ab00168fdafb2dc0986d79ca9e8d5b75581fa89e9fea-rootfs.mount",
		  CTR_NONE, NULL, NO_POD,
		  "run-containerd-io.containerd.runtime.v1.linux-k8s.io-"
		  "14ae50f1d3ada102aec3ab00168fdafb2dc0986d79ca9e8d5b75581fa89e9fea-rootfs.mount" },
		{ "/system.slice/var-lib-docker-overlay2-" DOCK "-merged.mount", CTR_NONE,
		  NULL, NO_POD, "var-lib-docker-overlay2-" DOCK "-merged.mount" },
		/* systemd-run's transient unit: 32 hex, a unit */
		{ "/system.slice/run-r3b2a3f7e0b3f4f0c9c2d1e5a6b7c8d9e.scope", CTR_NONE,
		  NULL, NO_POD, "run-r3b2a3f7e0b3f4f0c9c2d1e5a6b7c8d9e.scope" },
		/* the daemons themselves */
		{ "/system.slice/containerd.service", CTR_NONE, NULL, NO_POD,
		  "containerd.service" },
		/* a bare ID under neither docker nor a pod */
		{ "/default/" CTRD, NOTHING },
		{ "/" CTRD, NOTHING },
		/* a bare UID without "pod", and slices that only start like one */
		{ "/kubepods/burstable/" UID, NOTHING },
		{ "/kubepods.slice/pod" UID_ ".slice", CTR_NONE, NULL, NO_POD,
		  "pod" UID_ ".slice" },
		{ "/kubepods.slice/kubepods-pod.slice", CTR_NONE, NULL, NO_POD,
		  "kubepods-pod.slice" },
	};

	CHECK(rows);
}

/* systemd src/basic/unit-name.c; names stay escaped as systemctl takes them */
TEST(host_units)
{
	static const struct row rows[] = {
		{ "/system.slice/nginx.service", CTR_NONE, NULL, NO_POD,
		  "nginx.service" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		  "app-gnome-firefox\\x2dw-96379.scope", CTR_NONE, NULL, NO_POD,
		  "app-gnome-firefox\\x2dw-96379.scope" },
		{ "/user.slice/user-1000.slice/session-3.scope", CTR_NONE, NULL, NO_POD,
		  "session-3.scope" },
		{ "/system.slice/system-systemd\\x2dcoredump.slice/"
		  "systemd-coredump@0-1234-0.service", CTR_NONE, NULL, NO_POD,
		  "systemd-coredump@0-1234-0.service" },
		/* a cgroup a service made for itself below its unit */
		{ "/system.slice/postgresql.service/worker", CTR_NONE, NULL, NO_POD,
		  "postgresql.service" },
		{ "/init.scope", CTR_NONE, NULL, NO_POD, "init.scope" },
		{ "/", NOTHING },
		{ "", NOTHING },
		{ "/.../", NOTHING },
	};

	CHECK(rows);
}

/* Malformed IDs are not IDs; odd bytes never reach a field. */
TEST(hostile)
{
	static const struct row rows[] = {
		/* 63 and 65 hex */
		{ "/docker/" DOCK2 "0", NOTHING },
		{ "/docker/f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970", NOTHING },
		{ "/system.slice/docker-" DOCK "0.scope", CTR_NONE, NULL, NO_POD,
		  "docker-" DOCK "0.scope" },
		/* upper case: no runtime writes it */
		{ "/docker/4F797C539E6C745DE61A93CA3FF892358ECBCACCD8414D5DB545C38428142970", NOTHING },
		{ "/kubepods/pod068E8FA0-9213-11E7-A01F-507B9D4141FA/" CTRD, NOTHING },
		/* dashes in the wrong places, or '_' where cgroupfs has '-' */
		{ "/kubepods/pod068e8fa09-213-11e7-a01f-507b9d4141fa/" CTRD, NOTHING },
		{ "/kubepods/pod" UID_ "/" CTRD, NOTHING },
		/* non-hex in an ID */
		{ "/docker/4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c3842814297g", NOTHING },
		{ "/docker-" DOCK "\n.scope", NOTHING },
		/* quotes, newlines, invalid UTF-8: not unit names, so the unit
		 * is the nearest valid one above; not LXC names either */
		{ "/system.slice/\"evil\nname\".service", CTR_NONE, NULL, NO_POD,
		  "system.slice" },
		{ "/system.slice/caf\xc3.service", CTR_NONE, NULL, NO_POD,
		  "system.slice" },
		{ "/lxc.payload.\xff\xfe", NOTHING },
		{ "/lxc.payload.a\"b", NOTHING },
		{ "/lxc.payload.", NOTHING },
		/* 65 bytes: longer than any field */
		{ "/lxc.payload.0123456789012345678901234567890123456789"
		  "0123456789012345678901234x", NOTHING },
		{ "////", NOTHING },
		{ "/docker", NOTHING },
		{ "/pod", NOTHING },
		{ "/-pod" UID_ ".slice", CTR_NONE, NULL, NO_POD,
		  "-pod" UID_ ".slice" },
		{ "/.slice", NOTHING },
	};

	CHECK(rows);
}

/* Longer than any path the kernel side writes: no fixed buffer is involved */
TEST(long_paths)
{
	static char path[8192];
	struct container_id c;
	size_t n;

	/* one 4 KiB component, then a container */
	memset(path, 'a', 4096);
	strcpy(path + 4096, "/docker/" DOCK2);
	path[0] = '/';
	EXPECT_EQ(1, container_parse(path, &c));
	EXPECT_STREQ(DOCK2, c.container_id);

	/* a 4 KiB unit-like name is no unit */
	strcpy(path + 4096, ".service");
	EXPECT_EQ(0, container_parse(path, &c));
	EXPECT_STREQ("", c.unit);

	/* 255 is the longest unit name systemd allows */
	path[0] = '/';
	memset(path + 1, 'u', 255 - 8);
	strcpy(path + 1 + 255 - 8, ".service");
	container_parse(path, &c);
	EXPECT_EQ(255, strlen(c.unit));
	path[1 + 255 - 8] = 'u';
	strcpy(path + 1 + 256 - 8, ".service");
	container_parse(path, &c);
	EXPECT_STREQ("", c.unit);

	/* 2000 components, the container last */
	for (n = 0; n < 4000; n += 2)
		memcpy(path + n, "/a", 2);
	strcpy(path + n, "/machine.slice/libpod-" LIBPOD ".scope");
	EXPECT_EQ(1, container_parse(path, &c));
	EXPECT_EQ(CTR_PODMAN, c.runtime);
	EXPECT_STREQ(LIBPOD, c.container_id);
}

TEST(names)
{
	EXPECT_STREQ("containerd", ctr_runtime_name(CTR_CONTAINERD));
	EXPECT_STREQ("cri-o", ctr_runtime_name(CTR_CRIO));
	EXPECT_STREQ("docker", ctr_runtime_name(CTR_DOCKER));
	EXPECT_STREQ("podman", ctr_runtime_name(CTR_PODMAN));
	EXPECT_STREQ("lxc", ctr_runtime_name(CTR_LXC));
	EXPECT_EQ(NULL, ctr_runtime_name(CTR_NONE));
	EXPECT_EQ(NULL, ctr_runtime_name((enum ctr_runtime)99));
	EXPECT_STREQ("guaranteed", pod_qos_name(POD_QOS_GUARANTEED));
	EXPECT_STREQ("burstable", pod_qos_name(POD_QOS_BURSTABLE));
	EXPECT_STREQ("besteffort", pod_qos_name(POD_QOS_BESTEFFORT));
	EXPECT_EQ(NULL, pod_qos_name(POD_QOS_NONE));
	EXPECT_EQ(NULL, pod_qos_name((enum pod_qos)-1));
}

TEST_HARNESS_MAIN
