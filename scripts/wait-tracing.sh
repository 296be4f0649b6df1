# Sourced by scripts that start oomtrace in the background.
# wait_tracing PID ERRFILE [TICK]: wait (up to 300 ticks of TICK seconds,
# 0.1 by default) until the oomtrace of PID says in ERRFILE that it is
# tracing. 1, with its stderr shown, when it ended or did not get there.
wait_tracing() {
	local _
	for _ in $(seq 300); do
		grep -q 'oomtrace: tracing' "$2" && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep "${3:-0.1}"
	done
	cat "$2" >&2
	return 1
}
