#!/usr/bin/env bash
# Install the dependencies from Debian, idempotently: a machine that has
# them all is left alone (and needs no root).
#   scripts/deps.sh [build|all]   build: what `make` needs; all: tests too
set -euo pipefail

pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev	# BPF build
)
[ "${1:-all}" = build ] || pkgs+=(
	linux-source-6.1 xz-utils			# kselftest harness, checkpatch
	libjson-c-dev					# tests read the JSON records
	qemu-system-x86 busybox-static kmod cpio	# VM rig
	linux-headers-6.1.0-56-amd64			# the kernel module, for the
	linux-headers-6.1.0-47-amd64			# two kernels the VM boots
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'sudo make deps'" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
