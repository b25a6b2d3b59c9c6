#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads a run of bench/svc.sh and prints (and writes as svc-table.md and
svc-results.json) what the display service costs: per configuration, the
direct viewer's figures beside the service's and its clients', with the
ratio of each to the direct viewer's.

  bench/analyze_svc.py RESULTS_DIR
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import analyze_run, fmt, ratio  # noqa: E402


def run_of(d, name, proc):
    """analyze.py's figures for one process of run NAME (its .gs is NAME's)."""
    path = os.path.join(d, "%s%s.jsonl" % (name, proc))
    if not os.path.exists(path):
        return None
    link = os.path.join(d, "%s%s.gs" % (name, proc))
    if proc and not os.path.exists(link):
        os.symlink("%s.gs" % name, link)
    return analyze_run(path[:-6])


def lat(r, key, p):
    return (r.get(key) or {}).get(p) if r else None


def mean(vals):
    vals = [v for v in vals if v is not None]
    return sum(vals) / len(vals) if vals else None


def main():
    d = sys.argv[1]
    direct = run_of(d, "direct", "")
    if not direct:
        print("no direct run in %s" % d)
        return 1
    results = {"direct": direct}
    lines = ["Numbers measured under TCG inside a VM: compare the ratios to the direct "
             "viewer, measured in the same boot.", "",
             "| run | process | frames shown/drawn | flip->wake p50 ms | flip->commit p50 ms | "
             "flip->commit p99 ms | CPU ms/s | max RSS MiB | p50 vs direct | CPU vs direct |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]

    def row(run, proc, r):
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            run, proc, fmt(r["shown_share"]), fmt(lat(r, "flip_wake", "p50")),
            fmt(lat(r, "flip_commit", "p50")), fmt(lat(r, "flip_commit", "p99")),
            fmt(r["cpu_ms_per_s"], 1),
            fmt(r["maxrss_kb"] / 1024 if r["maxrss_kb"] else None, 1),
            ratio(lat(r, "flip_commit", "p50"), lat(direct, "flip_commit", "p50")),
            ratio(r["cpu_ms_per_s"], direct["cpu_ms_per_s"])))

    row("direct", "viewer", direct)
    for n in (0, 1, 2, 4):
        name = "svc%d" % n
        svc = run_of(d, name, "-svc")
        if not svc:
            continue
        results[name] = {"service": svc}
        row(name, "service", svc)
        clients = [run_of(d, name, "-c%d" % i) for i in range(1, n + 1)]
        clients = [c for c in clients if c]
        for i, c in enumerate(clients, 1):
            results[name]["client%d" % i] = c
            row(name, "client %d" % i, c)
        if clients:
            total = svc["cpu_ms_per_s"] + sum(c["cpu_ms_per_s"] for c in clients)
            lines.append("| %s | all processes | | | %s | | %s | | | %s |" % (
                name, fmt(mean([lat(c, "flip_commit", "p50") for c in clients])),
                fmt(total, 1), ratio(total, direct["cpu_ms_per_s"])))
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(d, "svc-table.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(d, "svc-results.json"), "w") as f:
        json.dump({k: ({x: {y: z for y, z in w.items() if not y.endswith("_all")}
                        for x, w in v.items()} if k != "direct" else
                       {y: z for y, z in v.items() if not y.endswith("_all")})
                   for k, v in results.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
