#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The timing and arithmetic half of `make bench` (scripts/bench.sh does the rest).

  bench.py start MATCH -- CMD...   exec CMD on a pty; print "MS RSS HWM LCK": ms from
                                   just before exec to the first output holding
                                   MATCH, then VmRSS/VmHWM and smaps' Locked (kB) after 2 s idle
  bench.py latency OUT             read JSON-line records on stdin; for each
                                   oom_kill record, write arrival (CLOCK_REALTIME)
                                   minus its `time`, in ms, one a line, to OUT
  bench.py progs                   print "id name run_time_ns run_cnt" per BPF program
  bench.py report DIR              print the table and the raw figures from DIR's
                                   files; write DIR/results.json
"""
import calendar
import json
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import time


def cmd_start(argv):
    match = argv[0].encode()
    cmd = argv[argv.index("--") + 1:]
    master, slave = pty.openpty()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                         close_fds=True)
    os.close(slave)
    buf = b""
    # bcc compiles its program at start: minutes in a TCG guest
    deadline = t0 + 300
    try:
        while match not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or p.poll() is not None and not select.select([master], [], [], 0)[0]:
                sys.exit(f"bench: {cmd[0]} never printed '{argv[0]}': {buf[-300:]!r}")
            if select.select([master], [], [], left)[0]:
                try:
                    buf += os.read(master, 4096)
                except OSError:
                    pass
        t1 = time.monotonic()
        time.sleep(2)
        status = {}
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    status[k] = int(v.split()[0])
        # VmLck counts whole locked mappings, also the parts that
        # MCL_ONFAULT never faulted in: smaps' Locked is what is resident
        with open(f"/proc/{p.pid}/smaps_rollup") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "Locked":
                    status[k] = int(v.split()[0])
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        os.close(master)
    print(f"{(t1 - t0) * 1e3:.3f} {status['VmRSS']} {status['VmHWM']} {status['Locked']}")


def rfc3339_ns(s):
    # "2026-11-23T22:41:00.123456Z"
    whole, _, frac = s.rstrip("Z").partition(".")
    secs = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return secs * 10**9 + int((frac or "0").ljust(9, "0")[:9])


def cmd_latency(argv):
    out = []
    inp = sys.stdin.buffer
    # the kills wait for this: a line that waited in the pipe for the
    # interpreter to start would count its start-up as latency
    open(argv[0] + ".ready", "w").close()
    while True:
        line = inp.readline()
        if not line:
            break
        now = time.time_ns()
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("type") == "oom_kill":
            out.append((now - rfc3339_ns(r["time"])) / 1e6)
    with open(argv[0], "w") as f:
        f.writelines(f"{v:.3f}\n" for v in out)


def cmd_progs(argv):
    progs = json.loads(subprocess.run(["bpftool", "prog", "show", "--json"],
                                      check=True, capture_output=True).stdout)
    for p in progs:
        print(p["id"], p.get("name", "-"), p.get("run_time_ns", 0), p.get("run_cnt", 0))


def nums(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return [float(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def lines(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return [l for l in f.read().splitlines() if l.strip()]
    except FileNotFoundError:
        return []


# memory over many kills: the most VmRSS may grow after the first 1000
MEM_BOUND_KB = 1024


def pct(v, q):
    # nearest rank: with 30 samples, p99 is the largest
    s = sorted(v)
    return s[max(0, min(len(s) - 1, -(-len(s) * q // 100) - 1))]


def cmd_report(argv):
    d = argv[0]
    with open(os.path.join(d, "machine.json")) as f:
        machine = json.load(f)
    raw, rows = {}, []

    def summary(name, unit):
        v = nums(d, name)
        if v:
            raw[name] = {"unit": unit, "n": len(v), "min": min(v),
                         "median": statistics.median(v), "max": max(v), "samples": v}
        return raw.get(name)

    def row(metric, ours, peer, unit, goal, ok, ratio=None, peer_name=None):
        if ours is None and peer is None:
            return  # not measured in this run: a SKIP line says why
        if ratio is None and ours is not None and peer:
            ratio = ours / peer
        rows.append({"metric": metric, "oomtrace": ours, "peer": peer, "peer_name": peer_name,
                     "unit": unit, "ratio": ratio, "goal": goal,
                     "met": None if ok is None or ours is None else bool(ok(ours, peer, ratio))})

    def med(name):
        s = raw.get(name)
        return s["median"] if s else None

    tools = [t for t in ("oomtrace", "bpftrace", "oomkill.bt", "oomkill-bpfcc")
             if nums(d, f"start_ms.{t}")]
    modes = [m for m in ("fentry", "kprobe", "tracepoint") if nums(d, f"bpf_ns.oomtrace.{m}")]
    for tool in tools:
        summary(f"start_ms.{tool}", "ms")
        summary(f"rss_kb.{tool}", "kB")
        summary(f"hwm_kb.{tool}", "kB")
        summary(f"lck_kb.{tool}", "kB")
    for m in modes:
        summary(f"bpf_ns.oomtrace.{m}", "ns/victim")
        summary(f"bpf_ns.bpftrace.{m}", "ns/victim")
        summary(f"bpf_all_ns.oomtrace.{m}", "ns/kill")
        summary(f"bpf_all_runs.oomtrace.{m}", "runs/kill")
        summary(f"oom_us.{m}", "us/kill")
    summary("storm.with", "kills/s")
    summary("storm.without", "kills/s")
    summary("churn.with", "MiB/s")
    summary("churn.without", "MiB/s")
    for kind in ("idle", "storm"):
        v = nums(d, f"lat.{kind}")
        if v:
            raw[f"lat_ms.{kind}"] = {"unit": "ms", "n": len(v), "min": min(v),
                                     "p50": pct(v, 50), "median": statistics.median(v),
                                     "p99": pct(v, 99), "max": max(v), "samples": v}

    mb = lambda x: None if x is None else x / 1024
    # the goals are against the bpftrace one-liner; the other peers are figures
    for peer in tools[1:]:
        one = peer == "bpftrace"
        row("start-to-attached (median)", med("start_ms.oomtrace"), med(f"start_ms.{peer}"),
            "ms", "<= 0.4x bpftrace" if one else "-",
            (lambda o, p, r: r is not None and r <= 0.4) if one else None, peer_name=peer)
        row("idle RSS, VmRSS after 2 s (median)", mb(med("rss_kb.oomtrace")),
            mb(med(f"rss_kb.{peer}")), "MiB", "<= 8 MB" if one else "-",
            (lambda o, p, r: o is not None and o * 1024 * 1024 <= 8e6) if one else None,
            peer_name=peer)
        row("peak RSS, VmHWM (median)", mb(med("hwm_kb.oomtrace")), mb(med(f"hwm_kb.{peer}")),
            "MiB", "<= 20 MB" if one else "-",
            (lambda o, p, r: o is not None and o * 1024 * 1024 <= 20e6) if one else None,
            peer_name=peer)
        row("locked, resident (median)", mb(med("lck_kb.oomtrace")),
            mb(med(f"lck_kb.{peer}")), "MiB", "-", None, peer_name=peer)
    for m in modes:
        row(f"BPF run time per victim, {m} mode (bpf_stats)", med(f"bpf_ns.oomtrace.{m}"),
            med(f"bpf_ns.bpftrace.{m}"), "ns", "<= 1.5x trivial handler",
            lambda o, p, r: r is not None and r <= 1.5, peer_name="bpftrace handler")
        row(f"BPF run time per kill, all programs, {m} mode", med(f"bpf_all_ns.oomtrace.{m}"),
            None, "ns", "-", None)
        oom_us = med(f"oom_us.{m}")
        if oom_us is not None:
            row(f"the same against out_of_memory()'s duration, {m} mode",
                med(f"bpf_all_ns.oomtrace.{m}"), oom_us * 1000, "ns", "-", None,
                peer_name="out_of_memory()")
    row("storm throughput (median of blocks)", med("storm.with"), med("storm.without"),
        "kills/s", ">= 0.98x without", lambda o, p, r: r is not None and r >= 0.98,
        peer_name="no tracer")
    row("page-cache churn with --reclaim (median of blocks)", med("churn.with"),
        med("churn.without"), "MiB/s", ">= 0.98x without",
        lambda o, p, r: r is not None and r >= 0.98, peer_name="no tracer")
    for kind, goal in (("idle", 50), ("storm", 250)):
        s = raw.get(f"lat_ms.{kind}")
        row(f"kill-to-record p50, {kind}", s and s["p50"], None, "ms", "-", None)
        row(f"kill-to-record p99, {kind}", s and s["p99"], None, "ms", f"<= {goal} ms",
            lambda o, p, r, g=goal: o is not None and o <= g)

    # memory over many kills: "KILLS RSS_KB" at the start, after 1000, at the end
    mem = [tuple(int(x) for x in l.split()) for l in lines(d, "mem_rss")]
    memory = None
    if len(mem) == 3:
        growth = mem[2][1] - mem[1][1]
        recs = [int(x) for x in " ".join(lines(d, "mem_records")).split()]
        rate = nums(d, "mem_rate")
        memory = {"rss_kb": [{"kills": k, "rss_kb": r} for k, r in mem],
                  "growth_kb": growth, "growth_from_start_kb": mem[2][1] - mem[0][1],
                  "bound_kb": MEM_BOUND_KB, "pass": growth <= MEM_BOUND_KB,
                  "records": recs[0] if len(recs) == 2 else None,
                  "lost": recs[1] if len(recs) == 2 else None,
                  "kills_per_s": rate[0] if rate else None}
        row(f"VmRSS growth, kill {mem[1][0]} to {mem[2][0]}", growth / 1024, None, "MiB",
            f"<= {MEM_BOUND_KB // 1024} MiB", lambda o, p, r: growth <= MEM_BOUND_KB)
    fmt = lambda x: "-" if x is None else (f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}")
    print(f"bench: {machine['hostname']} ({machine['machine_id'][:12]}), kernel "
          f"{machine['kernel']}, {machine['cpu_model']}, {machine['cores']} cores, "
          f"{machine['mem_total_kb'] // 1024} MiB, {machine['date']}")
    print()
    print("| metric | oomtrace | peer | ratio | goal | met? |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        p = f"{fmt(r['peer'])} ({r['peer_name']})" if r["peer"] is not None else "-"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        met = {None: "-", True: "yes", False: "NO"}[r["met"]]
        print(f"| {r['metric']} | {fmt(r['oomtrace'])} {r['unit']} | {p} | {ratio} | "
              f"{r['goal']} | {met} |")
    print()
    print("raw figures (min / median / max, n):")
    for k, s in raw.items():
        extra = f", p50 {s['p50']:.2f}, p99 {s['p99']:.2f}" if "p99" in s else ""
        print(f"  {k:<20} {s['min']:.6g} / {s['median']:.6g} / {s['max']:.6g} {s['unit']}"
              f" (n={s['n']}{extra})")
    if memory:
        (k0, r0), (k1, r1), (k2, r2) = mem
        print(f"memory over {k2} kills (oomtrace --json -o /dev/null, "
              f"{memory['kills_per_s'] or 0:.0f} kills/s): VmRSS {r0} kB at the start, "
              f"{r1} kB after {k1} kills, {r2} kB after {k2}; growth {memory['growth_kb']} kB "
              f"after the first {k1} ({memory['growth_from_start_kb']} kB from the start); "
              f"{memory['records']} records, {memory['lost']} lost")
        print(f"{'PASS' if memory['pass'] else 'FAIL'} memory flat: growth from kill {k1} to "
              f"{k2} is {memory['growth_kb']} kB, bound {MEM_BOUND_KB} kB")
    skips = []
    if os.path.exists(os.path.join(d, "skips")):
        with open(os.path.join(d, "skips")) as f:
            skips = [l.rstrip("\n") for l in f if l.strip()]
    for s in skips:
        print(f"SKIP {s}")
    extras = {}
    if os.path.exists(os.path.join(d, "extras.json")):
        with open(os.path.join(d, "extras.json")) as f:
            extras = json.load(f)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"machine": machine, "table": rows, "raw": raw, "memory_over_kills": memory,
                   "skipped": skips, "extras": extras}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    cmds = {"start": cmd_start, "latency": cmd_latency, "progs": cmd_progs,
            "report": cmd_report}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])
