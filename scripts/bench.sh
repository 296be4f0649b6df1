#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: measure oomtrace against its peers on this machine and print a
# table of ratios and the raw figures (README, Benchmarks). It takes
# /tmp/oomtrace-live.lock for the whole run: live OOM tests and benches take
# turns. OOM kills happen only in a scratch memory cgroup (v1 or v2, 16 MiB
# limit), removed at the end whatever happens.
#   BENCH_RUNS=N          alternating start/RSS runs per tool, storm and churn blocks (7)
#   BENCH_KILLS=K         kills per storm block, for bpf_stats and idle latency (30)
#   BENCH_STORM_KILLS=K   back-to-back kills for the storm latency (100)
#   BENCH_MEM_KILLS=K     kills of the memory-over-kills block (10000)
#   OOMTRACE=PATH         the binary (build/oomtrace)
#   BENCH_GUEST=PKG       then the same in a guest of this kernel package
#                         (linux-image-6.1.0-56-amd64; empty: none)
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
# the bound starts after kill 1000
[ "$MK" -eq 0 ] || [ "$MK" -gt 1000 ] ||
	{ echo "bench: BENCH_MEM_KILLS=$MK: more than 1000, or 0 for none" >&2; exit 2; }
OOMTRACE=${OOMTRACE:-build/oomtrace}
BENCH_GUEST=${BENCH_GUEST-linux-image-6.1.0-56-amd64}
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
	for p in "${pids[@]}"; do stop "$p"; done
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
# v1 on the host, v2 in the guest. reclaimed: pages the memcg's reclaim took
# from it, the churn block's evidence. v1 has no pgsteal: its pgpgout counts
# the uncharges, which only reclaim makes while a file is only read (a large
# folio counts once, so only growth is checked).
if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cg=/sys/fs/cgroup/memory/oomtrace-bench-$$
	mkdir "$cg"
	echo $((16 << 20)) > "$cg/memory.limit_in_bytes"
	[ -e "$cg/memory.memsw.limit_in_bytes" ] && echo $((16 << 20)) > "$cg/memory.memsw.limit_in_bytes"
	oom_kills() { awk '$1 == "oom_kill" {print $2}' "$cg/memory.oom_control"; }
	reclaimed() { awk '$1 == "total_pgpgout" {print $2}' "$cg/memory.stat"; }
elif grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
	cg=/sys/fs/cgroup/oomtrace-bench-$$
	mkdir "$cg"
	echo $((16 << 20)) > "$cg/memory.max"
	[ -e "$cg/memory.swap.max" ] && echo 0 > "$cg/memory.swap.max"
	oom_kills() { awk '$1 == "oom_kill" {print $2}' "$cg/memory.events"; }
	reclaimed() { awk '$1 == "pgsteal" {print $2}' "$cg/memory.stat"; }
else
	say "no memory controller: neither cgroup v1 at /sys/fs/cgroup/memory nor v2 with +memory"
	exit 1
fi

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

# start_tracer FILE MODE ARGS...: oomtrace in the background, stderr to FILE,
# once it says it is tracing; its pid in $tracer.
start_tracer() {
	local err=$1 m=$2
	shift 2
	"$OOMTRACE" --mode "$m" --cgroup "$cg" "$@" 2>"$err" &
	tracer=$!
	pids+=("$tracer")
	wait_tracing "$tracer" "$err" 0.05 && return 0
	say "oomtrace did not start"
	exit 1
}

# Running, not a zombie: kill -0 succeeds on a child not yet reaped.
alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# A tool that outlives its SIGINT by 30 s is killed, and the run says so,
# rather than waiting on it: the guest's bench once stalled in a BPF round
# until the guest's timeout.
stop() {
	local t
	kill -INT "$1" 2>/dev/null || true
	for ((t = 0; t < 300; t++)); do
		alive "$1" || break
		sleep 0.1
	done
	if alive "$1"; then
		say "pid $1 ($(cat /proc/"$1"/comm 2>/dev/null)) still ran 30 s after SIGINT: killed"
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# --- the attach modes this kernel offers ----------------------------------------
# The BPF cost is measured in each; everything else in the first, the one
# oomtrace picks by itself.
modes=$("$OOMTRACE" probe --json | python3 -c 'import json, sys
m = json.load(sys.stdin)["modes"]
print(" ".join(k for k in ("fentry", "kprobe", "tracepoint") if m[k]["available"]))')
[ -n "$modes" ] || { say "oomtrace probe finds no attach mode on this kernel"; exit 1; }
mode=${modes%% *}
say "attach modes: $modes; start, storm, latency and churn in $mode mode"

# --- 1. start-to-attached and RSS, alternating A B C ... -------------------------
# The peers: the bpftrace one-liner everywhere, and where the kernel has
# kprobes, bpftrace's oomkill.bt and bcc's oomkill-bpfcc (both kprobe
# oom_kill_process).
peers=(bpftrace)
if [[ " $modes " == *" kprobe "* ]]; then
	for t in oomkill.bt oomkill-bpfcc; do
		if command -v "$t" >/dev/null; then
			peers+=("$t")
		else
			skip "start and RSS against $t: not installed (scripts/deps.sh bench)"
		fi
	done
else
	skip "start and RSS against bpftrace's oomkill.bt and bcc's oomkill-bpfcc: both kprobe oom_kill_process, and this kernel ($(uname -r)) has no kprobes"
fi
start_run() {	# start_run TOOL: one start, its figures appended to TOOL's files
	local ms rss hwm lck
	case $1 in
	oomtrace) set -- "$1" 'oomtrace: tracing' "$OOMTRACE" --mode "$mode" --duration 60 ;;
	bpftrace) set -- "$1" 'Attaching 1 probe' bpftrace -e "$BPFTRACE_PROG" ;;
	oomkill.bt) set -- "$1" 'Tracing oom_kill_process' bpftrace "$(command -v oomkill.bt)" ;;
	oomkill-bpfcc) set -- "$1" 'Tracing OOM kills' oomkill-bpfcc ;;
	esac
	read -r ms rss hwm lck < <(python3 "$BENCH_PY" start "$2" -- "${@:3}")
	echo "$ms" >> "$run/start_ms.$1"; echo "$rss" >> "$run/rss_kb.$1"
	echo "$hwm" >> "$run/hwm_kb.$1"; echo "$lck" >> "$run/lck_kb.$1"
}
say "start-to-attached and RSS: $N runs each, alternating oomtrace and ${peers[*]}"
for ((i = 0; i < N; i++)); do
	for t in oomtrace "${peers[@]}"; do
		start_run "$t"
	done
done

# --- 2. BPF run time per victim, both attached to the same kills ---------------
# Per kill, the run_time_ns and run_cnt growth of each tool's program on
# oom:mark_victim, which must run exactly once; and of all of oomtrace's
# programs (the programs that appeared when it started), which also follow
# the victim to its exit and see every process exit. Half the kills with
# oomtrace attached first, half with bpftrace first: the first program on
# the hook runs on a colder cache. In each attach mode the kernel offers;
# where the records time out_of_memory() (fentry, kprobe), that duration too.
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
bpf_round() {	# bpf_round MODE FIRST KILLS
	local m=$1 records="$run/bpf.$1.$2.jsonl"
	shift
	progs | awk '{print $1}' | sort > "$run/ids.before_ot"
	if [ "$1" = bpftrace ]; then
		cp "$run/ids.before_ot" "$run/ids.before_bt"
		start_bpftrace
		progs | awk '{print $1}' | sort > "$run/ids.before_ot"
		start_tracer "$run/bpf.err" "$m" --json -o "$records"
		ot_ids=$(new_ids "$run/ids.before_ot")
	else
		start_tracer "$run/bpf.err" "$m" --json -o "$records"
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
		echo $((mt1 - mt0)) >> "$run/bpf_ns.oomtrace.$m"
		echo $((ot1 - ot0)) >> "$run/bpf_all_ns.oomtrace.$m"
		echo $((oc1 - oc0)) >> "$run/bpf_all_runs.oomtrace.$m"
		echo $((bt1 - bt0)) >> "$run/bpf_ns.bpftrace.$m"
		ot0=$ot1 oc0=$oc1 mt0=$mt1 mc0=$mc1 bt0=$bt1 bc0=$bc1
	done
	stop "$tracer"
	stop "$bt"
	python3 - "$records" >> "$run/oom_us.$m" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "oom_kill" and r.get("duration_us") is not None:
        print(r["duration_us"])
PY
}
for m in $modes; do
	say "BPF run time per victim in $m mode: $K kills, oomtrace and bpftrace attached to each"
	bpf_round "$m" oomtrace $((K / 2))
	bpf_round "$m" bpftrace $((K - K / 2))
done
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
	start_tracer "$run/storm.err" "$mode" --json -o /dev/null
	block with
	stop "$tracer"
done

# --- 4. kill-to-record latency, idle and in a storm ------------------------------
latency() {	# latency NAME KILLS GAP
	mkfifo "$run/fifo.$1"
	python3 "$BENCH_PY" latency "$run/lat.$1" < "$run/fifo.$1" &
	local reader=$!
	start_tracer "$run/lat.err" "$mode" --json > "$run/fifo.$1"
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

# --- 5. --reclaim's cost on page-cache churn, alternating blocks ------------------
# A file 16 times the scratch memcg's limit, written and then read again and
# again from inside it: every pass reclaims the memcg's own page cache (memcg
# reclaim, no OOM), and reclaimed() must grow in every block (memory.failcnt
# would not do: on 6.18 it stayed 0 through such passes, usage at the limit).
churn_block() {	# churn_block NAME: MiB/s of 4 passes over the file
	local t0 t1 r0
	r0=$(reclaimed)
	t0=$(now)
	for _ in 1 2 3 4; do
		{ scripts/in-cgroup.sh "$cg" dd if="$churn" of=/dev/null bs=1M; } 2>/dev/null ||
			{ say "a churn pass failed in $cg"; exit 1; }
	done
	t1=$(now)
	[ "$(reclaimed)" -gt "$r0" ] ||
		{ say "the churn did not reclaim in $cg"; exit 1; }
	python3 -c "print(4 * $churn_mib / ($t1 - $t0))" >> "$run/churn.$1"
}
churn="$run/churn"
churn_mib=256
if [ "$(stat -f -c %T "$run")" = tmpfs ]; then
	skip "--reclaim's cost on page-cache churn: $run is tmpfs, whose pages are not page cache that reclaim can drop"
else
	{ scripts/in-cgroup.sh "$cg" dd if=/dev/zero of="$churn" bs=1M count=$churn_mib conv=fsync; } 2>/dev/null ||
		{ say "could not write the churn file from inside $cg"; exit 1; }
	say "--reclaim's cost: $N blocks of 4 passes over a $churn_mib MiB file in $cg, without and with oomtrace --reclaim"
	for ((i = 0; i < N; i++)); do
		churn_block without
		start_tracer "$run/churn.err" "$mode" --json -o /dev/null --reclaim
		churn_block with
		stop "$tracer"
	done
	rm -f "$churn"
fi

# --- 6. memory over many kills ----------------------------------------------------
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
# (at most 200 ms a kill: the loops make one in about 45 ms here)
mem_kills_to() {
	local p deadline=$((SECONDS + 60 + $1 / 5))
	while [ $(($(oom_kills) - mem0)) -lt "$1" ]; do
		for p in "${workers[@]}"; do
			kill -0 "$p" 2>/dev/null || { say "a hog loop stopped"; exit 1; }
		done
		kill -0 "$tracer" 2>/dev/null || { say "oomtrace stopped: $(cat "$run/mem.err")"; exit 1; }
		[ "$SECONDS" -lt "$deadline" ] ||
			{ say "the hogs made $(($(oom_kills) - mem0)) of $1 kills in time"; exit 1; }
		sleep 0.2
	done
	# what is in the ring is consumed before the figure is read
	sleep 1
}
if [ "$MK" -eq 0 ]; then
	skip "memory over many kills: BENCH_MEM_KILLS=0 (as the guest half sets it: thousands of kills would take hours under TCG)"
else
	say "memory over $MK kills: oomtrace --json -o /dev/null, VmRSS at the start, after 1000 and after $MK"
	start_tracer "$run/mem.err" "$mode" --json -o /dev/null
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
fi

# --- what this run could not measure ---------------------------------------------
for m in fentry kprobe tracepoint; do
	[[ " $modes " == *" $m "* ]] ||
		skip "BPF cost in $m mode: this kernel ($(uname -r)) does not offer it (oomtrace probe says why)"
done
[ -s "$run/oom_us.${modes%% *}" ] ||
	skip "BPF cost against out_of_memory()'s duration: only fentry and kprobe modes time it"
skip "BPF cost in raw_tp: oomtrace's tracepoint mode takes tp_btf where the kernel has it and cannot be told to use raw_tp"

# --- the report --------------------------------------------------------------------
printf '{"tracefs_mounted_by_bench": %s, "kills_per_block": %s, "storm_latency_kills": %s, "runs": %s, "memory_kills": %s}\n' \
	"$([ "$mounted_tracefs" = 1 ] && echo true || echo false)" "$K" "$KS" "$N" "$MK" > "$run/extras.json"
python3 "$BENCH_PY" report "$run" | tee "$run/table.txt"
# in the guest, its results export (the repository is read-only there)
outdir=${OOMTRACE_RESULTS:-build/bench}
mkdir -p "$outdir"
key=$(printf '%s-%s-%s' "$host" "${machine_id:0:12}" "$(uname -r)" | tr -c 'A-Za-z0-9._-' _)
out=$outdir/results-$key-$(date -u -d "$date" +%Y%m%dT%H%M%SZ).json
cp "$run/results.json" "$out"
cp "$run/table.txt" "${out%.json}.txt"
echo
echo "bench: results in $out (this machine only: $host, machine-id ${machine_id:0:12}, kernel $(uname -r))"

# --- the Debian 6.1 guest: the modes and peers this host may lack ------------------
# The same script in scripts/vmtest.sh's guest, with the lock this run holds.
# Its results are its own machine's: a file and a table of their own.
[ -z "${OOMTRACE_RESULTS:-}" ] && [ -n "$BENCH_GUEST" ] || exit 0
gres=$(mktemp -d "$repo/build/bench/guest.XXXXXX")
say "the same bench in a $BENCH_GUEST guest (TCG: its absolute figures are slow; its ratios are what count)"
rc=0
scripts/vmtest.sh --kernel "$BENCH_GUEST" --mem 1G --cpus 2 --timeout 5400 --results "$gres" -- \
	env OOMTRACE_BENCH_LOCKED=1 BENCH_RUNS="$N" BENCH_KILLS="$K" BENCH_STORM_KILLS="$KS" \
	BENCH_MEM_KILLS=0 OOMTRACE="$OOMTRACE" scripts/bench.sh || rc=$?
for f in "$gres"/results-*; do
	[ -e "$f" ] && mv "$f" build/bench/ && echo "bench: guest results in build/bench/${f##*/}"
done
rm -rf "$gres"
exit "$rc"
