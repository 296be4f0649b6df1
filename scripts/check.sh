#!/usr/bin/env bash
# `make check`: the tests on the running kernel, then in QEMU on Debian's
# 6.1 kernels (the newest and the oldest ABI Debian serves), closing with
# one line of totals.
#   scripts/check.sh host|vm|all TEST...
set -uo pipefail
cd "$(dirname "$0")/.."

# The oldest still served carries the same mark_victim layout as the newest
# (both have the backport); what differs is listed in README.md.
VM_KERNELS=(linux-image-6.1.0-56-amd64 linux-image-6.1.0-47-amd64)
# Sequential kills per mode in the guest: under TCG each takes ~0.5 s.
VM_STORM=20

what=$1
shift
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Add a run's closing "N passed, N failed, N skipped"; no such line is a failure.
tally() {
	local line re='^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'

	line=$(tail -n 1 "$log")
	if [[ $line =~ $re ]]; then
		pass=$((pass + BASH_REMATCH[1]))
		fail=$((fail + BASH_REMATCH[2]))
		skip=$((skip + BASH_REMATCH[3]))
	else
		echo "# $1 ended without its totals: counted as a failure"
		fail=$((fail + 1))
	fi
}

# The module follows kernel style: checkpatch from linux-source-6.1.
checkpatch_kmod() {
	local out

	if out=$(build/ksft/scripts/checkpatch.pl --no-tree --quiet --terse -f \
		kmod/* 2>&1); then
		echo "ok - checkpatch.pl is clean on kmod/"
		pass=$((pass + 1))
	else
		printf '%s\n' "$out"
		echo "not ok - checkpatch.pl complains about kmod/"
		fail=$((fail + 1))
	fi
}

# SANITIZE=1 (the Makefile sets SAN_REPORTS): every ASan, LSan or UBSan
# report of the run, from a test or from any child, is a failure.
sanitizer_reports() {
	local n

	[ -n "${SAN_REPORTS:-}" ] || return 0
	n=$(find "$SAN_REPORTS" -type f 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "ok - no sanitizer reports"
		pass=$((pass + 1))
	else
		head -n 60 "$SAN_REPORTS"/* 2>/dev/null
		echo "not ok - $n sanitizer reports in $SAN_REPORTS"
		fail=$((fail + 1))
	fi
}
[ -z "${SAN_REPORTS:-}" ] || { rm -rf "$SAN_REPORTS" && mkdir -p "$SAN_REPORTS"; }

if [ "$what" != vm ]; then
	echo "# host: $(uname -r)"
	scripts/run-tests.sh "$@" 2>&1 | tee "$log"
	tally host
	checkpatch_kmod
	# each libFuzzer target from its seeds for a few seconds (make fuzz-smoke)
	scripts/fuzz.sh --smoke "${FUZZ_SMOKE_TIME:-10}" build/fuzz/*_fuzz 2>&1 | tee "$log"
	tally "fuzz smoke"
	# the deployment kit: unit, man page, completion, DaemonSet, alerts,
	# and the dashboard's queries on a real Prometheus
	scripts/check-kit.sh "${OOMTRACE:-build/oomtrace}" 2>&1 | tee "$log"
	tally kit
fi
# The BPF object must also build where vmlinux.h comes from an older kernel
# (CO-RE flavours on both sides of each shim): one check per guest kernel,
# against the vmlinux that vmtest.sh unpacked. The Makefile knows the flags.
bpf_builds_against() {
	local flags

	# make called from a script, not a recursive make: without the parent's
	# jobserver (its descriptors are not ours), with its variables (CLANG=...).
	# shellcheck disable=SC2001 # a regular expression
	flags=$(sed 's/--jobserver-[a-z]*=[^ ]*//g' <<<"${MAKEFLAGS:-}")
	if MAKEFLAGS=$flags make -s "build/compat/${1#linux-image-}/oomtrace.bpf.o"; then
		echo "ok - the BPF object builds against $1's BTF"
		pass=$((pass + 1))
	else
		echo "not ok - the BPF object does not build against $1's BTF"
		fail=$((fail + 1))
	fi
}

if [ "$what" != host ]; then
	for k in "${VM_KERNELS[@]}"; do
		echo "# guest: $k"
		# the guest suite takes about 25 minutes under TCG on 2 cores
		# (self-protection's global OOMs and the ranking's among them)
		scripts/vmtest.sh --kernel "$k" --mem 768M --numa 2 --cpus 2 --timeout 2400 -- \
			env OOMTRACE_VM=1 OOMTRACE_STORM=$VM_STORM scripts/run-tests.sh "$@" 2>&1 |
			tee "$log"
		tally "$k"
		bpf_builds_against "$k"
	done
fi
sanitizer_reports
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
