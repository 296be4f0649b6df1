#!/usr/bin/env python3
"""Print every PromQL expression of a Grafana dashboard, one per line.

    scripts/dashboard-exprs.py deploy/dashboard.json [-o FILE] [--raw]

Expressions are the panels' targets[].expr (rows' nested panels included);
template variable queries (label_values(...)) are Grafana's, not PromQL,
and are left out. Each expression's whitespace is collapsed to one line.
Unless --raw, Grafana's variables become concrete values, so that the lines
can be sent to Prometheus's /api/v1/query as they are:
    $__rate_interval, $__interval   1m
    $__range                        1h
    $__range_s                      3600
    $instance, ${instance}          .*  (the variable's "All" regex)
Any other $variable left is an error (exit 1).
"""
import argparse
import json
import re
import sys

SUBST = {
    "__rate_interval": "1m",
    "__interval": "1m",
    "__range_s": "3600",
    "__range": "1h",
    "instance": ".*",
}
# $name or ${name} or ${name:format}; not label_replace's "$1"
VAR = re.compile(r"\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))")


def panels(items):
    for p in items or []:
        yield p
        yield from panels(p.get("panels"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dashboard")
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    ap.add_argument("--raw", action="store_true", help="keep Grafana's variables")
    a = ap.parse_args()
    with open(a.dashboard) as f:
        d = json.load(f)
    out, bad = [], []
    for p in panels(d.get("panels")):
        for t in p.get("targets") or []:
            e = t.get("expr")
            if not e:
                continue
            e = " ".join(e.split())
            if not a.raw:
                def sub(m):
                    name = m.group(1) or m.group(2)
                    if name not in SUBST:
                        bad.append(f"panel {p.get('id')} {p.get('title')!r}: ${name}")
                        return m.group(0)
                    return SUBST[name]
                e = VAR.sub(sub, e)
            out.append(e)
    if bad:
        sys.stderr.write("dashboard-exprs: unknown variables:\n  " + "\n  ".join(bad) + "\n")
        return 1
    text = "".join(e + "\n" for e in out)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
