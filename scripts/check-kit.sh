#!/usr/bin/env bash
# Check the deployment kit (deploy/, doc/): one "ok - ..." / "not ok - ..." /
# "ok - ... # SKIP why" line per check, then "N passed, N failed, N skipped".
# Exits 1 if any check failed.
#   scripts/check-kit.sh [BINARY]    (default build/oomtrace; `make check-kit`)
# The live Prometheus check runs the dashboard's expressions against a real
# Prometheus scraping `BINARY serve`: it needs root (CAP_BPF, CAP_PERFMON),
# and is skipped otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath -m "${1:-build/oomtrace}")
# The unit's exposure, as `systemd-analyze security` scores it (0.0 best,
# 10.0 worst). deploy/oomtrace.service scores 1.6 with systemd 252.
MAX_EXPOSURE=2.0
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() {
	echo "not ok - $1"
	[ -z "${2:-}" ] || sed 's/^/#   /' <<<"$2" | head -40
	fail=$((fail + 1))
}
skip() { echo "ok - $1 # SKIP $2"; skip=$((skip + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }
# check NAME CMD...: ok if CMD succeeds, else not ok with its output
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else notok "$name" "$out"; fi
}

# --- systemd unit ---
unit=$tmp/unit/oomtrace.service
mkdir -p "$tmp/unit" "$tmp/man/man8"
sed "s,^ExecStart=/usr/local/sbin/oomtrace,ExecStart=$BIN," deploy/oomtrace.service > "$unit"
if ! have systemd-analyze; then
	skip "systemd-analyze verify deploy/oomtrace.service" "no systemd-analyze"
	skip "systemd-analyze security: exposure <= $MAX_EXPOSURE" "no systemd-analyze"
elif [ ! -x "$BIN" ]; then
	skip "systemd-analyze verify deploy/oomtrace.service" "no $BIN (make)"
	skip "systemd-analyze security: exposure <= $MAX_EXPOSURE" "no $BIN (make)"
else
	# Documentation=man:oomtrace(8) is looked up: the page rendered below
	if have scdoc && scdoc < doc/oomtrace.8.scd > "$tmp/man/man8/oomtrace.8" 2>/dev/null; then
		check "systemd-analyze verify deploy/oomtrace.service" \
			env MANPATH="$tmp/man" systemd-analyze verify "$unit"
	else
		check "systemd-analyze verify deploy/oomtrace.service (--man=no: no scdoc)" \
			systemd-analyze verify --man=no "$unit"
	fi
	out=$(systemd-analyze security --offline=true "$unit" 2>&1)
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
	if [ -n "$score" ] && awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
		ok "systemd-analyze security: exposure $score <= $MAX_EXPOSURE"
	else
		notok "systemd-analyze security: exposure ${score:-unknown} <= $MAX_EXPOSURE" \
			"$(grep '✗' <<<"$out")"
	fi
fi

# --- Prometheus rules ---
if have promtool; then
	check "promtool check rules deploy/alerts.yml" promtool check rules deploy/alerts.yml
	check "promtool test rules deploy/alerts_test.yml" promtool test rules deploy/alerts_test.yml
else
	skip "promtool check rules deploy/alerts.yml" "no promtool (scripts/deps.sh kit)"
	skip "promtool test rules deploy/alerts_test.yml" "no promtool (scripts/deps.sh kit)"
fi

# --- man page ---
if ! have scdoc; then
	skip "scdoc renders doc/oomtrace.8.scd" "no scdoc (scripts/deps.sh kit)"
	skip "groff formats oomtrace.8 without warnings" "no scdoc"
else
	check "scdoc renders doc/oomtrace.8.scd" \
		bash -c 'scdoc < doc/oomtrace.8.scd > "$1"' _ "$tmp/oomtrace.8"
	if ! have groff; then
		skip "groff formats oomtrace.8 without warnings" "no groff (groff-base)"
	else
		out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$tmp/oomtrace.8" 2>&1)
		[ -z "$out" ] && ok "groff formats oomtrace.8 without warnings" ||
			notok "groff formats oomtrace.8 without warnings" "$out"
	fi
	if ! have man; then
		skip "man -l formats oomtrace.8 without warnings" "no man (man-db)"
	else
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$tmp/oomtrace.8" 2>&1 >/dev/null)
		[ -z "$out" ] && ok "man -l formats oomtrace.8 without warnings" ||
			notok "man -l formats oomtrace.8 without warnings" "$out"
	fi
	# every option of the usage text is in the page
	if [ -x "$BIN" ]; then
		missing=$("$BIN" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u |
			while read -r o; do grep -qE -- "^(\\*|\\*-., )$o\\b" doc/oomtrace.8.scd || echo "$o"; done | xargs)
		[ -z "$missing" ] && ok "man page documents every option of oomtrace --help" ||
			notok "man page documents every option of oomtrace --help" "missing: $missing"
	else
		skip "man page documents every option of oomtrace --help" "no $BIN"
	fi
fi

# --- bash completion ---
comp=deploy/oomtrace.bash-completion
check "bash -n $comp" bash -n "$comp"
# complete WORDS...: COMPREPLY, sorted, one line, for the last word
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMPREPLY=(); _oomtrace; printf "%s\n" "${COMPREPLY[@]}" | sort | xargs' _ "$comp" "$@"
}
expect_completion() {
	local want=$1 got
	shift
	got=$(complete_words "$@" 2>&1)
	[ "$got" = "$want" ] && ok "completion: '$*<TAB>' gives '$want'" ||
		notok "completion: '$*<TAB>' gives '$want'" "got: '$got'"
}
expect_completion "--json" oomtrace stats --
expect_completion "auto fentry kprobe tracepoint" oomtrace --mode ""
expect_completion "auto fentry kprobe tracepoint" oomtrace serve -m ""
expect_completion "probe report serve stats trace" oomtrace ""
expect_completion "--btf --json --verbose" oomtrace probe --
expect_completion "--json-log" oomtrace --btf x serve --js
expect_completion "--episode --svg" oomtrace report --
# the completion's options per subcommand are those oomtrace accepts
# (oomtrace checks them after parsing and before anything runs, so without
# capabilities nothing loads: its "does not take" is what is looked for)
nocaps=()
[ "$(id -u)" -ne 0 ] || nocaps=(setpriv --inh-caps=-all --bounding-set=-all --)
if [ -x "$BIN" ] && { [ "$(id -u)" -ne 0 ] || have setpriv; }; then
	bad=
	for c in trace probe stats serve report; do
		for o in $(complete_words oomtrace "$c" --); do
			out=$("${nocaps[@]}" "$BIN" "$c" "$o" 1 2>&1 </dev/null)
			[[ $out != *"does not take"* ]] || bad+="$c $o; "
		done
	done
	# the check itself sees a refusal
	out=$("${nocaps[@]}" "$BIN" probe --listen 1 2>&1 </dev/null)
	[[ $out == *"does not take"* ]] || bad+="'probe --listen' was not refused; "
	[ -z "$bad" ] && ok "completion offers only options each subcommand takes" ||
		notok "completion offers only options each subcommand takes" "$bad"
else
	skip "completion offers only options each subcommand takes" "no $BIN or no setpriv"
fi

# --- DaemonSet ---
if python3 -c 'import yaml' 2>/dev/null; then
	check "deploy/daemonset.yaml: YAML, apps/v1 DaemonSet, selector, caps, mounts, probe" \
		python3 - deploy/daemonset.yaml <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert len(docs) == 1, "one document"
d = docs[0]
assert d["apiVersion"] == "apps/v1" and d["kind"] == "DaemonSet", "apps/v1 DaemonSet"
sel = d["spec"]["selector"]["matchLabels"]
tl = d["spec"]["template"]["metadata"]["labels"]
assert all(tl.get(k) == v for k, v in sel.items()), "selector matches the template's labels"
ps = d["spec"]["template"]["spec"]
assert ps.get("hostPID") is True, "hostPID"
assert len(ps["containers"]) == 1
c = ps["containers"][0]
sc = c["securityContext"]
assert not sc.get("privileged"), "not privileged"
assert sc["capabilities"]["drop"] == ["ALL"]
assert set(sc["capabilities"]["add"]) == {"BPF", "PERFMON", "SYSLOG", "IPC_LOCK"}, sc["capabilities"]["add"]
assert "IMAGE-PLACEHOLDER" in c["image"], "image placeholder marked"
assert "--listen=0.0.0.0:19100" in c["args"], "listens beyond the pod's loopback"
port = c["ports"][0]
assert port["containerPort"] == 19100
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
assert c["livenessProbe"]["httpGet"]["port"] in (port["name"], port["containerPort"])
assert c["resources"]["requests"] and c["resources"]["limits"]
vols = {v["name"]: v for v in ps["volumes"]}
for m in c["volumeMounts"]:
    assert m.get("readOnly") is True, m["name"] + " read-only"
    assert "hostPath" in vols[m["name"]], m["name"] + " is a hostPath"
paths = {vols[m["name"]]["hostPath"]["path"] for m in c["volumeMounts"]}
assert {"/sys/kernel/btf", "/sys/fs/cgroup"} <= paths, paths
PY
else
	skip "deploy/daemonset.yaml structure" "no python3-yaml (scripts/deps.sh kit)"
fi

# --- dashboard ---
exprs=$tmp/exprs.txt
check "scripts/dashboard-exprs.py deploy/dashboard.json" \
	scripts/dashboard-exprs.py deploy/dashboard.json -o "$exprs"
check "dashboard: schemaVersion, \${DS_PROMETHEUS} datasource, panels" python3 - deploy/dashboard.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schemaVersion"] >= 36
assert any(i["name"] == "DS_PROMETHEUS" for i in d["__inputs"])
def panels(ps):
    for p in ps or []:
        yield p
        yield from panels(p.get("panels"))
ps = list(panels(d["panels"]))
assert len({p["id"] for p in ps}) == len(ps), "unique panel ids"
for p in ps:
    for t in p.get("targets", []):
        assert t["datasource"]["uid"] == "${DS_PROMETHEUS}", p["title"]
text = json.dumps(d)
for m in ["oomtrace_oom_kills_total", "kube_pod_info", "oomtrace_victim_rss_bytes_bucket",
          "oomtrace_oom_duration_seconds_bucket", "oomtrace_records_lost_total",
          "oomtrace_kernel_oom_kills_total", "oomtrace_build_info"]:
    assert m in text, m
PY

# --- the dashboard's expressions against a real Prometheus ---
live="dashboard expressions succeed on a real Prometheus scraping oomtrace serve"
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
if [ "$(id -u)" -ne 0 ]; then
	skip "$live" "needs root for BPF"
elif ! have prometheus || ! have curl; then
	skip "$live" "no prometheus or curl (scripts/deps.sh kit)"
elif [ ! -x "$BIN" ] || [ ! -s "$exprs" ]; then
	skip "$live" "no $BIN or no expressions"
else
	oport=$(free_port) pport=$(free_port)
	cat > "$tmp/prometheus.yml" <<-YML
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	rule_files: ["$PWD/deploy/alerts.yml"]
	scrape_configs:
	  - job_name: oomtrace
	    static_configs:
	      - targets: ["127.0.0.1:$oport"]
	YML
	"$BIN" serve --listen "127.0.0.1:$oport" -d 60 \
		2>"$tmp/serve.err" &
	pids+=($!)
	prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$tmp/prom.log" 2>&1 &
	pids+=($!)
	api=http://127.0.0.1:$pport/api/v1
	# two scrapes of a healthy target
	n=0
	for _ in $(seq 60); do
		n=$(curl -s "$api/query" --data-urlencode 'query=count_over_time(up{job="oomtrace"}[1m])' |
			python3 -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(int(float(r[0]["value"][1])) if r else 0)' 2>/dev/null || echo 0)
		[ "${n:-0}" -ge 2 ] && break
		sleep 0.5
	done
	up=$(curl -s "$api/query" --data-urlencode 'query=up{job="oomtrace"}')
	if [ "${n:-0}" -lt 2 ] || ! grep -q '"value":\[[0-9.]*,"1"\]' <<<"$up"; then
		notok "$live" "no two successful scrapes: $up
$(cat "$tmp/serve.err")
$(tail -5 "$tmp/prom.log")"
	else
		errs= count=0
		while IFS= read -r q; do
			count=$((count + 1))
			r=$(curl -s "$api/query" --data-urlencode "query=$q")
			grep -q '"status":"success"' <<<"$r" || errs+="$q => $r"$'\n'
		done < "$exprs"
		# and the alert rules loaded and evaluated
		r=$(curl -s "$api/rules")
		grep -q '"health":"err"' <<<"$r" && errs+="a rule evaluates with an error: $r"$'\n'
		[ -z "$errs" ] && ok "$live ($count expressions)" || notok "$live" "$errs"
	fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
