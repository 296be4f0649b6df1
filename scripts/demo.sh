#!/usr/bin/env bash
# `make demo`: start oomtrace, provoke one OOM kill confined to a scratch
# memory cgroup (removed afterwards, whatever happens), show the record next
# to the kernel's own report, and exit.
set -euo pipefail

cd "$(dirname "$0")/.."
. scripts/wait-tracing.sh
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root: sudo make demo" >&2; exit 1; }

if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	cg=/sys/fs/cgroup/oomtrace-demo-$$
	limit_file=memory.max
elif [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/oomtrace-demo-$$
	limit_file=memory.limit_in_bytes
else
	echo "demo: no memory cgroup controller is mounted" >&2
	exit 1
fi
err=$(mktemp)
tracer=

cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null
	if [ -d "$cg" ]; then
		# shellcheck disable=SC2046
		kill -9 $(cat "$cg/cgroup.procs") 2>/dev/null || true
		for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
	fi
	rm -f "$err"
}
trap cleanup EXIT

mkdir "$cg"
echo $((64 << 20)) > "$cg/$limit_file"
# no swap either, so the limit ends in the OOM killer
[ -e "$cg/memory.swap.max" ] && echo 0 > "$cg/memory.swap.max"
[ -e "$cg/memory.memsw.limit_in_bytes" ] && echo $((64 << 20)) > "$cg/memory.memsw.limit_in_bytes"

echo "demo: tracing OOM kills in $cg (64 MiB limit)"
build/oomtrace --cgroup "$cg" --count 1 --duration 60 2>"$err" &
tracer=$!
wait_tracing "$tracer" "$err" || exit 1
cat "$err" >&2

echo "demo: 'tail /dev/zero' in that cgroup buffers an endless line until the OOM killer stops it"
# the hog starts only once it is in the cgroup: never an OOM outside it
timeout 60 scripts/in-cgroup.sh "$cg" tail /dev/zero &
hog=$!
wait "$hog" 2>/dev/null || true
wait "$tracer" || { cat "$err" >&2; exit 1; }
tracer=
tail -n 1 "$err" >&2
echo
echo "demo: the kernel's own report of the same kill (dmesg):"
dmesg | grep -E 'Killed process [0-9]+ \(tail\)' | tail -n 1
