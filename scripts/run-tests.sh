#!/usr/bin/env bash
# Run kselftest binaries, show their TAP output, and close with one line of
# totals. Whatever a killed test left behind (scratch memory cgroups, their
# tasks) is swept away at the end: every oomtrace-* cgroup, so a live run
# must not overlap another. --no-sweep is for tests that make no cgroups
# (`make test-unit`), so they can run beside a live run.
#   scripts/run-tests.sh [--no-sweep] TEST...
set -uo pipefail

sweep=1
if [ "${1:-}" = --no-sweep ]; then
	sweep=0
	shift
fi

pass=0 fail=0 skip=0

sweep_cgroups() {
	local d

	[ "$sweep" -eq 1 ] || return 0
	for d in /sys/fs/cgroup/oomtrace-* /sys/fs/cgroup/memory/oomtrace-*; do
		[ -d "$d" ] || continue
		# shellcheck disable=SC2046
		kill -9 $(cat $(find "$d" -name cgroup.procs) 2>/dev/null) 2>/dev/null
		# killed tasks leave only once reaped; children go first
		for _ in $(seq 50); do
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] || break
			sleep 0.1
		done
		[ -d "$d" ] && echo "# failed to remove $d"
	done
}
trap sweep_cgroups EXIT

for t in "$@"; do
	echo "# running $t"
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(grep -cE '^ok [0-9]+ ' <<<"$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+ ' <<<"$out" | tr -d ' ')
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $t exited $rc without a failing test: counted as a failure"
		fail=$((fail + 1))
	fi
done
sweep_cgroups
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
