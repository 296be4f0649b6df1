#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the initramfs scripts/vmtest.sh builds (busybox sh, PID 1): load
# the 9p stack, mount the host's root read-only at /host with the usual kernel
# filesystems and a writable results export inside it, run the command there
# and power off. ttyS1 and ttyS2 carry its stdout and stderr to the host,
# ttyS3 its exit status; ttyS0 is the kernel console.
# shellcheck disable=SC2154 # modules, kdir, kver, repo, run: set by /vmtest.conf
set -eu

/bin/busybox --install -s /bin
export PATH=/bin
# shellcheck source=/dev/null
. /vmtest.conf

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Raw, so the host gets the bytes as written (no \n to \r\n).
for t in 1 2 3; do
	stty -F /dev/ttyS$t raw -echo
done
# From here on a failure ends this script, which panics the guest; the
# host then reports that no exit status came, and this shows why.
exec 2>/dev/ttyS2

for m in $modules; do
	insmod "/modules/$m"
done

# Largest message size the virtio transport takes: fewer round trips.
p9=trans=virtio,version=9p2000.L,msize=512000
h=/host
# cache=loose keeps what the guest reads (shared libraries above all) in its
# page cache rather than fetching it anew for every exec; the host's files are
# not expected to change under a running guest.
mount -t 9p -o "$p9,ro,cache=loose" host $h
mount -t proc proc $h/proc
mount -t sysfs sysfs $h/sys
mount -t devtmpfs devtmpfs $h/dev
mkdir -p $h/dev/pts $h/dev/shm
mount -t devpts -o ptmxmode=0666 devpts $h/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $h/dev/shm
# devtmpfs lacks these; bash's process substitution needs /dev/fd.
ln -sfn /proc/self/fd $h/dev/fd
ln -sfn /proc/self/fd/0 $h/dev/stdin
ln -sfn /proc/self/fd/1 $h/dev/stdout
ln -sfn /proc/self/fd/2 $h/dev/stderr
mount -t debugfs debugfs $h/sys/kernel/debug
mount -t tracefs tracefs $h/sys/kernel/tracing
mount -t bpf bpf $h/sys/fs/bpf
mount -t cgroup2 cgroup2 $h/sys/fs/cgroup
# Enable every controller (memory, cpuset, ...) for child groups.
sed 's/[^ ][^ ]*/+&/g' $h/sys/fs/cgroup/cgroup.controllers >$h/sys/fs/cgroup/cgroup.subtree_control
mount -t tmpfs -o mode=1777 tmpfs $h/tmp
mount -t tmpfs -o mode=0755 tmpfs $h/run
mkdir $h/run/results
mount -t 9p -o "$p9" results $h/run/results
# The repository has its own export: a clone under /tmp (as CI may make)
# would otherwise vanish under the guest's tmpfs.
mkdir -p "$h$repo"
mount -t 9p -o "$p9,ro,cache=loose" repo "$h$repo"

hostname vmtest
ip link set lo up	# for tests that talk to localhost

# A clean environment; stderr is ours, ttyS2.
rc=0
chroot $h /usr/bin/env -i \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root \
	OOMTRACE_RESULTS=/run/results \
	OOMTRACE_MODULES="$kdir/lib/modules/$kver" \
	MODPROBE_OPTIONS="-d $kdir" \
	/bin/sh -c "$run" </dev/null >/dev/ttyS1 || rc=$?
# The last close of a tty waits until its output has gone out: let go of
# ttyS2 so nothing the command wrote is lost at power-off.
exec 2>/dev/console
echo $rc >/dev/ttyS3
poweroff -f
