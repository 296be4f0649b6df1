#!/usr/bin/env bash
# oomtrace under valgrind while a scratch memory cgroup sees N sequential
# OOM kills (default 200). valgrind must report no error and no leak, and
# every kill must be a record. What valgrind says about bpf(2) is listed at
# the end. Slow (a minute or more), so not part of `make check`. As root,
# under the lock every live test takes:
#   flock /tmp/oomtrace-live.lock scripts/valgrind-trace.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."

n=${1:-200}
bin=${OOMTRACE:-build/oomtrace}
out=build/valgrind
if [ -d /sys/fs/cgroup/memory ]; then
	cg=/sys/fs/cgroup/memory/oomtrace-valgrind-$$
else
	cg=/sys/fs/cgroup/oomtrace-valgrind-$$
fi
rm -rf "$out"
mkdir -p "$out"

cleanup() {
	if [ -n "${vg:-}" ]; then
		kill -INT "$vg" 2>/dev/null
	fi
	# shellcheck disable=SC2046
	kill -9 $(cat "$cg/cgroup.procs" 2>/dev/null) 2>/dev/null
	for _ in $(seq 50); do
		rmdir "$cg" 2>/dev/null && break
		[ -d "$cg" ] || break
		sleep 0.1
	done
}
trap cleanup EXIT

mkdir "$cg" || exit 1
if [ -e "$cg/memory.limit_in_bytes" ]; then
	echo 32M >"$cg/memory.limit_in_bytes"
	echo 0 >"$cg/memory.swappiness"
else
	echo 32M >"$cg/memory.max"
	echo 0 >"$cg/memory.swap.max"
fi

valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--suppressions=scripts/valgrind-bpf.supp \
	--log-file="$out/valgrind.log" \
	"$bin" --json -o "$out/records.jsonl" -d 3600 --cgroup "$cg" 2>"$out/oomtrace.err" &
vg=$!
for _ in $(seq 1200); do
	grep -q 'tracing OOM kills' "$out/oomtrace.err" && break
	kill -0 "$vg" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q 'tracing OOM kills' "$out/oomtrace.err"; then
	cat "$out/oomtrace.err" "$out/valgrind.log"
	echo "not ok - oomtrace did not start under valgrind"
	exit 1
fi

# each hog joins the cgroup first and only then allocates
for _ in $(seq "$n"); do
	sh -c 'echo $$ > "$1/cgroup.procs" && exec tail /dev/zero' sh "$cg" 2>/dev/null
done
for _ in $(seq 1200); do
	[ "$(grep -c '"type":"oom_kill"' "$out/records.jsonl")" -ge "$n" ] && break
	sleep 0.1
done
kill -INT "$vg"
wait "$vg"
rc=$?
vg=

got=$(grep -c '"type":"oom_kill"' "$out/records.jsonl")
echo "# oomtrace: $(tail -n 1 "$out/oomtrace.err")"
echo "# valgrind on bpf(2):"
grep -iE 'bpf|unsupported|unhandled|syscall param' "$out/valgrind.log" | sort | uniq -c | head -n 20
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable' "$out/valgrind.log"
fail=0
if [ "$rc" -eq 0 ]; then
	echo "ok - valgrind reports no error and no leak (log: $out/valgrind.log)"
else
	echo "not ok - valgrind or oomtrace exited $rc (log: $out/valgrind.log)"
	fail=1
fi
if [ "$got" -eq "$n" ]; then
	echo "ok - $got records for $n kills"
else
	echo "not ok - $got records for $n kills"
	fail=1
fi
exit "$fail"
