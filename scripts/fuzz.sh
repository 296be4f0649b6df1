#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time from its seeds in
# fuzz/corpus/X/ (what it finds on the way goes to build/fuzz/corpus/X/,
# a crash to build/fuzz/crash/), then give promtool the exposition that
# metrics_fuzz writes for every input of its corpus. One TAP line each,
# closing with the totals (`make fuzz`, `make fuzz-smoke`).
#   scripts/fuzz.sh [--smoke] SECONDS BINARY...
set -uo pipefail
cd "$(dirname "$0")/.."

what=fuzz
if [ "${1:-}" = --smoke ]; then
	what="fuzz smoke"
	shift
fi
secs=$1
shift
pass=0 fail=0 skip=0
out=build/fuzz

for bin in "$@"; do
	name=$(basename "$bin" _fuzz)
	mkdir -p "$out/corpus/$name" "$out/crash" "fuzz/corpus/$name"
	# a victim record alone is 8.7 KB; the parsers need far less
	len=4096
	[ "$name" = records ] && len=65536
	log="$out/$name.log"
	if "$bin" -max_total_time="$secs" -max_len="$len" -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$out/crash/$name-" \
		"$out/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1; then
		echo "ok - $what: $name ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
			grep -o '[0-9]*$') runs in ${secs}s)"
		pass=$((pass + 1))
	else
		tail -n 40 "$log"
		echo "not ok - $what: $name (log: $log)"
		fail=$((fail + 1))
	fi
done

# The strict checker in metrics_fuzz is ours; promtool's parser is
# Prometheus's own. Every corpus input's output must pass both.
if [[ " $* " == *"/metrics_fuzz "* ]]; then
	prom="$out/prom"
	rm -rf "$prom"
	mkdir -p "$prom"
	bin=$(printf '%s\n' "$@" | grep '/metrics_fuzz$')
	FUZZ_PROM_OUT=$prom "$bin" -runs=0 "$out/corpus/metrics" fuzz/corpus/metrics \
		>"$out/prom.log" 2>&1
	if ! command -v promtool >/dev/null; then
		echo "ok - promtool accepts metrics_fuzz's output # SKIP no promtool"
		skip=$((skip + 1))
	else
		bad=0 n=0
		for f in "$prom"/*.prom; do
			[ -e "$f" ] || continue
			n=$((n + 1))
			# promtool also lints (exit 3): only a parse error (1) fails
			promtool check metrics <"$f" >"$f.out" 2>&1
			if [ $? -eq 1 ]; then
				echo "# promtool rejects $f:"
				head -n 5 "$f.out"
				bad=$((bad + 1))
			fi
		done
		if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then
			echo "ok - promtool accepts metrics_fuzz's output for all $n corpus inputs"
			pass=$((pass + 1))
		else
			echo "not ok - promtool rejects $bad of $n metrics_fuzz outputs"
			fail=$((fail + 1))
		fi
	fi
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
