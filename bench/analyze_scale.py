#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads bench/scale.sh's output and writes results.json and table.md (also
printed): the display IRQ's wake-up latency beside the eventfd floor, and
wake-ups and CPU per second for N guests with a viewer each, IRQ against
polling every 30 ms, idle and at 60 flips/s.

  bench/analyze_scale.py RESULTS_DIR
"""
import glob
import json
import os
import re
import sys


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))] if s else None


def floor(path):
    line = open(path).read()
    return {k: float(v) for k, v in re.findall(r"(\w+)_us=([\d.]+)", line)}


def records(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def window(recs):
    marks = [r for r in recs if r["event"] == "mark"]
    if len(marks) < 2:
        raise SystemExit("no two marks in a run")
    return marks[0], marks[-1]


def flip_wake_us(path):
    recs = records(path)
    m0, m1 = window(recs)
    return [(r["wake_ns"] - r["flip_ns"]) / 1e3 for r in recs
            if r["event"] == "frame" and "flip_ns" in r and "wake_ns" in r
            and m0["t_ns"] <= r["flip_ns"] <= m1["t_ns"] and r["wake_ns"] >= r["flip_ns"]]


def run_totals(paths):
    wake = cpu = frames = 0.0
    for p in paths:
        m0, m1 = window(records(p))
        secs = (m1["t_ns"] - m0["t_ns"]) / 1e9
        wake += (m1["wakeups"] - m0["wakeups"]) / secs
        cpu += (m1["cpu_ns"] - m0["cpu_ns"]) / 1e6 / secs
        frames += (m1["frames"] - m0["frames"]) / secs
    return {"viewers": len(paths), "wakeups_per_s": wake, "cpu_ms_per_s": cpu,
            "frames_per_s": frames}


def ratio(a, b):
    if a is None or b is None:
        return "-"
    if a == 0:
        return "inf" if b > 0 else "-"
    return "%.1fx" % (b / a)


def per_frame(run):
    return "%.2f" % (run["cpu_ms_per_s"] / run["frames_per_s"]) if run["frames_per_s"] else "-"


def main():
    d = sys.argv[1]
    res = {"floor": {}, "scale": {}}
    for when in ("before", "after"):
        res["floor"][when] = floor(os.path.join(d, "floor-%s.txt" % when))
    lat = flip_wake_us(os.path.join(d, "lat.jsonl"))
    res["irq_flip_wake_us"] = {"p50": pct(lat, 50), "p90": pct(lat, 90), "p99": pct(lat, 99),
                               "n": len(lat)}
    runs = {}
    for p in glob.glob(os.path.join(d, "scale-*-*-*-*.jsonl")):
        mode, load, n, _ = os.path.basename(p)[len("scale-"):-len(".jsonl")].split("-")
        runs.setdefault((mode, load, int(n)), []).append(p)
    for (mode, load, n), paths in runs.items():
        res["scale"]["%s-%s-%d" % (mode, load, n)] = run_totals(paths)
    json.dump(res, open(os.path.join(d, "results.json"), "w"), indent=1)

    fb, fa, irq = res["floor"]["before"], res["floor"]["after"], res["irq_flip_wake_us"]
    out = ["## The IRQ's wake-up against the floor (us)", "",
           "| | p50 | p90 | p99 |", "| --- | --- | --- | --- |",
           "| floor: eventfd between two processes, before | %.1f | %.1f | %.1f |"
           % (fb["p50"], fb["p90"], fb["p99"]),
           "| floor, after | %.1f | %.1f | %.1f |" % (fa["p50"], fa["p90"], fa["p99"]),
           "| display IRQ: guest flip -> viewer awake (1 guest, 60/s, %d frames) | %.1f | %.1f | %.1f |"
           % (irq["n"], irq["p50"], irq["p90"], irq["p99"])]
    for k in ("p50", "p99"):
        lo, hi = min(fb[k], fa[k]), max(fb[k], fa[k])
        out.append("| IRQ / floor, %s | %.1f-%.1fx | | |" % (k, irq[k] / hi, irq[k] / lo))
    out += ["", "## N guests, a viewer each: all viewers together, per second", ""]
    ns = sorted({n for (_, _, n) in runs})
    for load, title in (("idle", "guests idle"), ("60", "each guest at 60 flips/s")):
        out += ["%s:" % title, "",
                "| N | wake-ups, IRQ | poll 30 ms | poll/IRQ | CPU ms, IRQ | poll 30 ms | poll/IRQ "
                "| per VM, IRQ: wake-ups, CPU ms | frames shown, IRQ | poll 30 ms "
                "| CPU ms per frame shown, IRQ | poll 30 ms |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for n in ns:
            i = res["scale"].get("irq-%s-%d" % (load, n))
            p = res["scale"].get("poll30-%s-%d" % (load, n))
            if not i or not p:
                continue
            out.append("| %d | %.1f | %.1f | %s | %.1f | %.1f | %s | %.1f, %.1f | %.1f | %.1f | %s | %s |" % (
                n, i["wakeups_per_s"], p["wakeups_per_s"],
                ratio(i["wakeups_per_s"], p["wakeups_per_s"]),
                i["cpu_ms_per_s"], p["cpu_ms_per_s"], ratio(i["cpu_ms_per_s"], p["cpu_ms_per_s"]),
                i["wakeups_per_s"] / n, i["cpu_ms_per_s"] / n, i["frames_per_s"],
                p["frames_per_s"], per_frame(i), per_frame(p)))
        out.append("")
    text = "\n".join(out)
    open(os.path.join(d, "table.md"), "w").write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
