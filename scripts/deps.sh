#!/usr/bin/env bash
# Install the dependencies from Debian, idempotently: a machine that has
# them all is left alone (and needs no root).
#   scripts/deps.sh [GROUP]...   (default: all)
#     cc     C code against libbpf (the pure code, part of every other group)
#     build  what `make` needs: cc, plus clang, llvm and bpftool for the BPF object
#     unit   what `make test-unit` needs: no clang, bpftool or kernel BTF
#     kmod   what `make kmod-all` needs: the headers of the kernels the VM
#            tests boot (`make kmod KDIR=...` needs only KDIR's headers)
#     vm     the QEMU rig (scripts/vmtest.sh)
#     live   what the live tests run besides oomtrace: mkfs.ext4 and mount -o
#            loop for reaper_test's frozen file system (in the guest too)
#     serve  what the exporter's tests run against: Prometheus, promtool
#     kit    what `make man` and `make check-kit` need (scripts/check-kit.sh)
#     fuzz   what `make fuzz` needs: clang's libFuzzer and sanitizers, json-c,
#            promtool
#     bench  the peers `make bench` measures oomtrace against (scripts/bench.sh);
#            not part of `all`: `make check` does not need them
#     all    every group but bench: what `make check` needs
set -euo pipefail

cc=(make gcc libbpf-dev libelf-dev zlib1g-dev libmicrohttpd-dev
	libjson-c-dev			# `oomtrace report` reads JSON lines
)
build=("${cc[@]}" clang llvm bpftool)
unit=("${cc[@]}"
	linux-source-6.1 xz-utils	# kselftest harness, checkpatch
	python3-jsonschema		# records against the JSON Schema
	librsvg2-bin			# rsvg-convert: report_test renders the SVG
)
kmod=(make gcc linux-headers-6.1.0-56-amd64 linux-headers-6.1.0-47-amd64)
vm=(qemu-system-x86 busybox-static kmod cpio xz-utils)
live=(e2fsprogs mount)
serve=(prometheus curl)			# a real Prometheus and promtool
kit=(scdoc prometheus curl python3-yaml bash-completion groff-base man-db systemd)
bench=(bpftrace bpfcc-tools python3	# the peers, and the figures' arithmetic
	"${vm[@]}" linux-headers-6.1.0-56-amd64	# the guest half; bcc compiles against its headers
)
fuzz=("${cc[@]}" clang libclang-rt-14-dev prometheus)

[ $# -gt 0 ] || set -- all
pkgs=()
for group in "$@"; do
	case $group in
	cc) pkgs+=("${cc[@]}") ;;
	build) pkgs+=("${build[@]}") ;;
	unit) pkgs+=("${unit[@]}") ;;
	kmod) pkgs+=("${kmod[@]}") ;;
	vm) pkgs+=("${vm[@]}") ;;
	live) pkgs+=("${live[@]}") ;;
	serve) pkgs+=("${serve[@]}") ;;
	kit) pkgs+=("${kit[@]}") ;;
	fuzz) pkgs+=("${fuzz[@]}") ;;
	bench) pkgs+=("${bench[@]}") ;;
	all) pkgs+=("${build[@]}" "${unit[@]}" "${kmod[@]}" "${vm[@]}" "${live[@]}" "${serve[@]}" "${kit[@]}" "${fuzz[@]}") ;;
	*) echo "deps: unknown group '$group' (cc, build, unit, kmod, vm, live, serve, kit, fuzz, bench or all)" >&2; exit 2 ;;
	esac
done

missing=()
for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run 'sudo scripts/deps.sh $*'" >&2
	exit 1
fi
# `make -j` may run two groups at once: one apt at a time.
exec 9>/run/lock/oomtrace-deps.lock
flock 9
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
