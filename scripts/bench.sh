#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: measure oomtrace against its peers on this machine and print a
# table of ratios and the raw figures (README, Benchmarks). It takes
# /tmp/oomtrace-live.lock for the whole run: live OOM tests and benches take
# turns. OOM kills happen only in a scratch v1 memory cgroup (16 MiB limit),
# removed at the end whatever happens.
#   BENCH_RUNS=N          alternating start/RSS runs per tool, and storm blocks (7)
#   BENCH_KILLS=K         kills per storm block, for bpf_stats and idle latency (30)
#   BENCH_STORM_KILLS=K   back-to-back kills for the storm latency (100)
#   BENCH_MEM_KILLS=K     kills of the memory-over-kills block (10000)
#   OOMTRACE=PATH         the binary (build/oomtrace)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"
. scripts/wait-tracing.sh
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root: sudo make bench" >&2; exit 1; }

lock=/tmp/oomtrace-live.lock
if [ "${OOMTRACE_BENCH_LOCKED:-}" != 1 ]; then
	echo "bench: waiting for $lock (live OOM tests and benches take turns)" >&2
	OOMTRACE_BENCH_LOCKED=1 exec flock "$lock" "$0" "$@"
fi

N=${BENCH_RUNS:-7}
K=${BENCH_KILLS:-30}
KS=${BENCH_STORM_KILLS:-100}
MK=${BENCH_MEM_KILLS:-10000}
OOMTRACE=${OOMTRACE:-build/oomtrace}
BENCH_PY=scripts/bench.py
BPFTRACE_PROG='tracepoint:oom:mark_victim { printf("%d\n", args->pid); }'
for t in "$OOMTRACE" bpftrace bpftool python3; do
	command -v "$t" >/dev/null || { echo "bench: no $t (scripts/deps.sh bench)" >&2; exit 1; }
done

# Everything this run makes: removed or restored on any exit.
run=$(mktemp -d /tmp/oomtrace-bench.XXXXXX)
cg=
pids=()
workers=()
old_stats=
mounted_tracefs=0
cleanup() {
	local p
	# background shells ignore SIGINT: the kill workers get SIGTERM
	touch "$run/mem.stop"
	for p in "${workers[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${workers[@]}"; do wait "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ -n "$cg" ] && [ -d "$cg" ]; then
		# shellcheck disable=SC2046
		kill -9 $(cat "$cg/cgroup.procs") 2>/dev/null || true
		for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
		[ -d "$cg" ] && echo "bench: could not remove $cg" >&2
	fi
	[ -n "$old_stats" ] && sysctl -q -w kernel.bpf_stats_enabled="$old_stats"
	if [ "$mounted_tracefs" = 1 ]; then
		umount /sys/kernel/tracing 2>/dev/null &&
			echo "bench: unmounted the tracefs it mounted" >&2 ||
			echo "bench: left tracefs mounted at /sys/kernel/tracing (busy)" >&2
	fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*" >&2; }
skip() { printf '%s\n' "$*" >> "$run/skips"; }

# --- the machine: its results are never mixed with another's -----------------
machine_id=$(cat /etc/machine-id 2>/dev/null || echo unknown)
host=$(hostname)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
python3 - "$host" "$machine_id" "$(uname -r)" "$cpu" "$(nproc)" \
	"$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" "$date" \
	"$(bpftrace --version 2>&1)" "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
	> "$run/machine.json" <<'EOF'
import json, sys
a = sys.argv[1:]
json.dump({"hostname": a[0], "machine_id": a[1], "kernel": a[2], "cpu_model": a[3],
           "cores": int(a[4]), "mem_total_kb": int(a[5]), "date": a[6], "bpftrace": a[7],
           "oomtrace_commit": a[8]}, sys.stdout)
EOF

# --- tracefs: bpftrace finds tracepoints there --------------------------------
if [ ! -d /sys/kernel/tracing/events/oom ]; then
	mount -t tracefs nodev /sys/kernel/tracing
	mounted_tracefs=1
	say "tracefs was not mounted: mounted it at /sys/kernel/tracing for bpftrace (unmounted at the end)"
fi

# --- the scratch memory cgroup and its hogs ------------------------------------
[ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ] ||
	{ say "no cgroup v1 memory controller at /sys/fs/cgroup/memory"; exit 1; }
cg=/sys/fs/cgroup/memory/oomtrace-bench-$$
mkdir "$cg"
echo $((16 << 20)) > "$cg/memory.limit_in_bytes"
[ -e "$cg/memory.memsw.limit_in_bytes" ] && echo $((16 << 20)) > "$cg/memory.memsw.limit_in_bytes"

oom_kills() { awk '$1 == "oom_kill" {print $2}' "$cg/memory.oom_control"; }

# One OOM kill: the hog starts only once it is in the cgroup, so nothing
# outside it is ever charged.
hog() {
	local rc=0

	# the braces take bash's "Killed" report of each hog along to /dev/null
	{ timeout 30 scripts/in-cgroup.sh "$cg" tail /dev/zero; } 2>/dev/null || rc=$?
	if [ "$rc" -eq 100 ]; then
		echo "bench: the hog could not join $cg: stopping" >&2
		exit 1
	fi
}

# kills COUNT [GAP]: COUNT kills one after another, GAP seconds apart; checks
# that each was an OOM kill.
kills() {
	local before i
	before=$(oom_kills)
	for ((i = 0; i < $1; i++)); do
		hog
		[ -n "${2:-}" ] && sleep "$2"
	done
	[ $(($(oom_kills) - before)) -eq "$1" ] ||
		{ say "expected $1 OOM kills in $cg, the kernel counted $(($(oom_kills) - before))"; exit 1; }
}

now() { date +%s.%N; }

# start_tracer FILE ARGS...: oomtrace in the background, stderr to FILE, once
# it says it is tracing; its pid in $tracer.
start_tracer() {
	local err=$1
	shift
	"$OOMTRACE" --mode tracepoint --cgroup "$cg" "$@" 2>"$err" &
	tracer=$!
	pids+=("$tracer")
	wait_tracing "$tracer" "$err" 0.05 && return 0
	say "oomtrace did not start"
	exit 1
}

stop() {
	kill -INT "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# --- 1. start-to-attached and RSS, alternating A B A B ... ---------------------
say "start-to-attached and RSS: $N runs each, alternating oomtrace and bpftrace"
for ((i = 0; i < N; i++)); do
	read -r ms rss hwm lck < <(python3 "$BENCH_PY" start 'oomtrace: tracing' -- \
		"$OOMTRACE" --mode tracepoint --duration 60)
	echo "$ms" >> "$run/start_ms.oomtrace"; echo "$rss" >> "$run/rss_kb.oomtrace"
	echo "$hwm" >> "$run/hwm_kb.oomtrace"; echo "$lck" >> "$run/lck_kb.oomtrace"
	read -r ms rss hwm lck < <(python3 "$BENCH_PY" start 'Attaching 1 probe' -- \
		bpftrace -e "$BPFTRACE_PROG")
	echo "$ms" >> "$run/start_ms.bpftrace"; echo "$rss" >> "$run/rss_kb.bpftrace"
	echo "$hwm" >> "$run/hwm_kb.bpftrace"; echo "$lck" >> "$run/lck_kb.bpftrace"
done

# --- 2. BPF run time per victim, both attached to the same kills ---------------
# Per kill, the run_time_ns and run_cnt growth of each tool's program on
# oom:mark_victim, which must run exactly once; and of all of oomtrace's
# programs (the programs that appeared when it started), which also follow
# the victim to its exit and see every process exit. Half the kills with
# oomtrace attached first, half with bpftrace first: the first program on
# the hook runs on a colder cache.
progs() { python3 "$BENCH_PY" progs; }
# cost IDS: "RUN_TIME_NS RUN_CNT" summed over the programs IDS
cost() { progs | awk -v ids=" $1 " 'index(ids, " " $1 " ") {t += $3; c += $4} END {print t + 0, c + 0}'; }
new_ids() { progs | awk '{print $1}' | sort > "$run/ids.now"; comm -13 "$1" "$run/ids.now" | tr '\n' ' '; }
# the programs among IDS on mark_victim (mark_victim_btf or mark_victim_raw)
victim_ids() { progs | awk -v ids=" $1 " 'index(ids, " " $1 " ") && $2 ~ /^mark_victim/ {printf "%s ", $1}'; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1
start_bpftrace() {
	bpftrace -e "$BPFTRACE_PROG" >/dev/null 2>&1 &
	bt=$!
	pids+=("$bt")
	for _ in $(seq 300); do
		bt_ids=$(new_ids "$run/ids.before_bt")
		[ -n "$bt_ids" ] && { sleep 0.3; return 0; }
		kill -0 "$bt" 2>/dev/null || break
		sleep 0.05
	done
	say "bpftrace did not attach"
	exit 1
}
bpf_round() {	# bpf_round FIRST KILLS
	progs | awk '{print $1}' | sort > "$run/ids.before_ot"
	if [ "$1" = bpftrace ]; then
		cp "$run/ids.before_ot" "$run/ids.before_bt"
		start_bpftrace
		progs | awk '{print $1}' | sort > "$run/ids.before_ot"
		start_tracer "$run/bpf.err" --json -o /dev/null
		ot_ids=$(new_ids "$run/ids.before_ot")
	else
		start_tracer "$run/bpf.err" --json -o /dev/null
		ot_ids=$(new_ids "$run/ids.before_ot")
		progs | awk '{print $1}' | sort > "$run/ids.before_bt"
		start_bpftrace
	fi
	local i ot0 oc0 mt0 mc0 bt0 bc0 ot1 oc1 mt1 mc1 bt1 bc1 mv_ids
	mv_ids=$(victim_ids "$ot_ids")
	read -r ot0 oc0 < <(cost "$ot_ids")
	read -r mt0 mc0 < <(cost "$mv_ids")
	read -r bt0 bc0 < <(cost "$bt_ids")
	for ((i = 0; i < $2; i++)); do
		kills 1 0.1
		read -r ot1 oc1 < <(cost "$ot_ids")
		read -r mt1 mc1 < <(cost "$mv_ids")
		read -r bt1 bc1 < <(cost "$bt_ids")
		[ $((mc1 - mc0)) -eq 1 ] && [ $((bc1 - bc0)) -eq 1 ] || {
			say "a kill ran oomtrace's mark_victim program $((mc1 - mc0)) times and bpftrace's $((bc1 - bc0))"
			exit 1
		}
		echo $((mt1 - mt0)) >> "$run/bpf_ns.oomtrace"
		echo $((ot1 - ot0)) >> "$run/bpf_all_ns.oomtrace"
		echo $((oc1 - oc0)) >> "$run/bpf_all_runs.oomtrace"
		echo $((bt1 - bt0)) >> "$run/bpf_ns.bpftrace"
		ot0=$ot1 oc0=$oc1 mt0=$mt1 mc0=$mc1 bt0=$bt1 bc0=$bc1
	done
	stop "$tracer"
	stop "$bt"
}
say "BPF run time per victim: $K kills, oomtrace and bpftrace attached to each"
bpf_round oomtrace $((K / 2))
bpf_round bpftrace $((K - K / 2))
sysctl -q -w kernel.bpf_stats_enabled="$old_stats"
old_stats=

# --- 3. storm throughput, with and without oomtrace, alternating blocks --------
say "storm throughput: $N blocks of $K back-to-back kills without and with oomtrace"
block() {
	local t0 t1
	t0=$(now)
	kills "$K"
	t1=$(now)
	python3 -c "print($K / ($t1 - $t0))" >> "$run/storm.$1"
}
for ((i = 0; i < N; i++)); do
	block without
	start_tracer "$run/storm.err" --json -o /dev/null
	block with
	stop "$tracer"
done

# --- 4. kill-to-record latency, idle and in a storm ------------------------------
latency() {	# latency NAME KILLS GAP
	mkfifo "$run/fifo.$1"
	python3 "$BENCH_PY" latency "$run/lat.$1" < "$run/fifo.$1" &
	local reader=$!
	start_tracer "$run/lat.err" --json > "$run/fifo.$1"
	for _ in $(seq 300); do
		[ -e "$run/lat.$1.ready" ] && break
		sleep 0.05
	done
	kills "$2" "$3"
	sleep 1
	stop "$tracer"
	wait "$reader"
	local got
	got=$(wc -l < "$run/lat.$1")
	[ "$got" -eq "$2" ] || { say "$1 latency: $2 kills gave $got records"; exit 1; }
}
say "kill-to-record latency: $K kills 200 ms apart, then $KS back to back"
latency idle "$K" 0.2
latency storm "$KS" ""

# --- 5. memory over many kills ----------------------------------------------------
# VmRSS of one oomtrace --json through MK kills: at the start, after 1000 and
# after MK. The first kills fault in what only a kill uses (kallsyms names,
# episode and output buffers): the bound is on the growth after them.
# Kills come fast from two loops of short-lived hogs in the one cgroup (dd's
# 32 MiB buffer cannot fit in 16 MiB); their number is the kernel's count.
mem_hogs() {
	local rc
	while [ ! -e "$run/mem.stop" ]; do
		rc=0
		{ scripts/in-cgroup.sh "$cg" dd if=/dev/zero of=/dev/null bs=32M count=1; } \
			2>/dev/null || rc=$?
		[ "$rc" -ne 100 ] || { echo "bench: the hog could not join $cg" >&2; exit 1; }
	done
}
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
# mem_kills_to N: until the kernel has counted N kills since the block began
mem_kills_to() {
	local p
	while [ $(($(oom_kills) - mem0)) -lt "$1" ]; do
		for p in "${workers[@]}"; do
			kill -0 "$p" 2>/dev/null || { say "a hog loop stopped"; exit 1; }
		done
		sleep 0.2
	done
	# what is in the ring is consumed before the figure is read
	sleep 1
}
say "memory over $MK kills: oomtrace --json -o /dev/null, VmRSS at the start, after 1000 and after $MK"
start_tracer "$run/mem.err" --json -o /dev/null
sleep 2
mem0=$(oom_kills)
t0=$(now)
echo "0 $(rss_kb "$tracer")" > "$run/mem_rss"
rm -f "$run/mem.stop"
for _ in 1 2; do
	mem_hogs &
	workers+=($!)
done
mem_kills_to 1000
echo "$(($(oom_kills) - mem0)) $(rss_kb "$tracer")" >> "$run/mem_rss"
mem_kills_to "$MK"
touch "$run/mem.stop"
for p in "${workers[@]}"; do wait "$p"; done
workers=()
sleep 1
t1=$(now)
echo "$(($(oom_kills) - mem0)) $(rss_kb "$tracer")" >> "$run/mem_rss"
stop "$tracer"
# "oomtrace: N records, F filtered out, L lost; ...": the kills it saw
sed -n 's/^oomtrace: \([0-9]*\) records, [0-9]* filtered out, \([0-9]*\) lost;.*/\1 \2/p' \
	"$run/mem.err" > "$run/mem_records"
python3 -c "print($(($(oom_kills) - mem0)) / ($t1 - $t0))" > "$run/mem_rate"

# --- what this run could not measure ---------------------------------------------
skip "guest (Debian 6.1): start-to-attached and RSS against bpftrace's oomkill.bt and bcc's oomkill-bpfcc: not implemented yet (TODO: run this script in scripts/vmtest.sh --kernel linux-image-6.1.0-56-amd64 --mem 768M --cpus 2)"
skip "BPF cost in fentry and kprobe modes: this kernel offers tracepoint mode only ($(uname -r): fentry load gets EPERM, no kprobes); needs the 6.1 guest (TODO)"
skip "BPF cost against out_of_memory duration: fentry mode only; needs the 6.1 guest (TODO)"
skip "--reclaim's cost on a reclaim-heavy workload (page-cache churn in a memcg, with and without): not implemented yet"
skip "BPF cost in raw_tp: oomtrace's tracepoint mode takes tp_btf where the kernel has it and cannot be told to use raw_tp"

# --- the report --------------------------------------------------------------------
printf '{"tracefs_mounted_by_bench": %s, "kills_per_block": %s, "storm_latency_kills": %s, "runs": %s, "memory_kills": %s}\n' \
	"$([ "$mounted_tracefs" = 1 ] && echo true || echo false)" "$K" "$KS" "$N" "$MK" > "$run/extras.json"
python3 "$BENCH_PY" report "$run" | tee "$run/table.txt"
mkdir -p build/bench
key=$(printf '%s-%s' "$host" "${machine_id:0:12}" | tr -c 'A-Za-z0-9._-' _)
out=build/bench/results-$key-$(date -u -d "$date" +%Y%m%dT%H%M%SZ).json
cp "$run/results.json" "$out"
cp "$run/table.txt" "${out%.json}.txt"
echo
echo "bench: results in $out (this machine only: $host, machine-id ${machine_id:0:12})"
