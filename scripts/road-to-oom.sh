#!/usr/bin/env bash
# Record doc/road-to-oom.jsonl, the trace the README's picture and
# report_test draw, with live OOM kills confined to scratch memory cgroups
# (removed afterwards, whatever happens), and draw doc/road-to-oom.svg:
#   sudo scripts/road-to-oom.sh [OOMTRACE]   (default build/oomtrace)
# A parent memcg (160 MiB) holds A (64 MiB), where a file of twice A's limit
# is written and read (memcg reclaim drops its page cache, again and again),
# and then a task grows until it is killed, twice; then two tasks in B grow
# together until the parent's limit kills one, and then the other. With
# --reclaim 5, each kill's record holds the reclaim of its last 5 s.
set -euo pipefail

cd "$(dirname "$0")/.."
. scripts/wait-tracing.sh
oomtrace=${1:-build/oomtrace}
[ "$(id -u)" -eq 0 ] || { echo "road-to-oom: run as root" >&2; exit 1; }
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	cg=/sys/fs/cgroup/oomtrace-road
	limit=memory.max swap=memory.swap.max
elif [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/oomtrace-road
	limit=memory.limit_in_bytes swap=memory.memsw.limit_in_bytes
else
	echo "road-to-oom: no memory cgroup controller is mounted" >&2
	exit 1
fi
out=doc/road-to-oom.jsonl
tracer=
# the file A's reader churns: on a disk, whose page cache reclaim can drop
churn=/var/tmp/oomtrace-road-$$

cleanup() {
	[ -n "$tracer" ] && kill "$tracer" 2>/dev/null
	rm -f "$churn"
	for d in "$cg/a" "$cg/b" "$cg"; do
		[ -d "$d" ] || continue
		# shellcheck disable=SC2046
		kill -9 $(cat "$d/cgroup.procs") 2>/dev/null || true
		for _ in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
}
trap cleanup EXIT

# set_limit DIR BYTES: with no swap beyond it, the limit ends in the OOM killer
set_limit() {
	echo "$2" > "$1/$limit"
	if [ -e "$1/$swap" ]; then
		if [ "$swap" = memory.swap.max ]; then echo 0; else echo "$2"; fi > "$1/$swap"
	fi
}

mkdir "$cg"
set_limit "$cg" $((160 << 20))
[ "$limit" = memory.max ] && echo +memory > "$cg/cgroup.subtree_control"
mkdir "$cg/a" "$cg/b"
set_limit "$cg/a" $((64 << 20))

# grow CG NAME MIB SECS: a task named NAME in CG that takes MIB more every SECS
grow() {
	timeout 120 scripts/in-cgroup.sh "$1" python3 - "$2" "$3" "$4" <<'PY'
import sys, time
open("/proc/self/comm", "w").write(sys.argv[1])
held = []
while True:
    held.append(b"x" * (int(sys.argv[2]) << 20))
    time.sleep(float(sys.argv[3]))
PY
}

"$oomtrace" --json --sample-interval 0.2 --reclaim 5 --cgroup "$cg" -o "$out" 2>"$out.err" &
tracer=$!
wait_tracing "$tracer" "$out.err" || exit 1
scripts/in-cgroup.sh "$cg/a" dd if=/dev/zero of="$churn" bs=1M count=128 conv=fsync status=none
scripts/in-cgroup.sh "$cg/a" dd if="$churn" of=/dev/null bs=1M status=none
rm "$churn"
grow "$cg/a" grower 4 0.1 || true
sleep 1
grow "$cg/a" grower 2 0.1 || true
sleep 1
grow "$cg/b" worker-1 3 0.1 & w1=$!
grow "$cg/b" worker-2 2 0.1 & w2=$!
wait $w1 || true
wait $w2 || true
sleep 3
kill -INT "$tracer"
wait "$tracer" || { cat "$out.err" >&2; exit 1; }
tracer=
cat "$out.err" >&2
rm -f "$out.err"
"$oomtrace" report --svg doc/road-to-oom.svg "$out"
echo "road-to-oom: $out, doc/road-to-oom.svg"
