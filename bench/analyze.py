#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads a benchmark run (bench/run.sh's output directory) and writes
results.json (every number), a table with the polling/IRQ ratios (stdout and
table.md) and latency.png (gnuplot: the flip->commit distribution per mode).

  bench/analyze.py RESULTS_DIR [--gnuplot]
"""
import glob
import json
import os
import subprocess
import sys

MODES = ["irq", "poll30", "poll16"]


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def summary(values):
    if not values:
        return None
    return {"p50": pct(values, 50), "p90": pct(values, 90), "p99": pct(values, 99),
            "max": max(values), "n": len(values)}


def load_gs(path):
    drawn = []
    with open(path) as f:
        for line in f:
            seq, flip_ns, _, _ = (int(x) for x in line.split())
            drawn.append((seq, flip_ns))
    return drawn


def analyze_run(base):
    recs = [json.loads(l) for l in open(base + ".jsonl") if l.strip()]
    marks = [r for r in recs if r["event"] == "mark"]
    summ = [r for r in recs if r["event"] == "summary"]
    if len(marks) < 2:
        return None
    m0, m1 = marks[0], marks[-1]
    t0, t1 = m0["t_ns"], m1["t_ns"]
    secs = (t1 - t0) / 1e9
    drawn = [(s, f) for s, f in load_gs(base + ".gs") if t0 <= f <= t1]
    frames = [r for r in recs if r["event"] == "frame" and "seq" in r and t0 <= r["flip_ns"] <= t1]
    lat = {}
    for name, key in (("flip_wake", "wake_ns"), ("flip_ready", "ready_ns"),
                      ("flip_commit", "present_ns"), ("flip_presented", "presented_ns")):
        vals = [(r[key] - r["flip_ns"]) / 1e6 for r in frames if key in r and r[key] >= r["flip_ns"]]
        lat[name] = summary(vals)
        lat[name + "_all"] = vals
    d_frames = m1["frames"] - m0["frames"]
    out = {
        "seconds": secs,
        "guest_flips": len(drawn),
        "guest_rate": len(drawn) / secs if secs else 0,
        "frames_shown": len(frames),
        "shown_share": len(frames) / len(drawn) if drawn else None,
        "last_drawn_shown": bool(drawn) and bool(frames) and frames[-1]["seq"] == drawn[-1][0],
        "wakeups_per_s": (m1["wakeups"] - m0["wakeups"]) / secs,
        "cpu_ms_per_s": (m1["cpu_ns"] - m0["cpu_ns"]) / 1e6 / secs,
        "copies_per_frame": (m1["copies"] - m0["copies"]) / d_frames if d_frames else 0.0,
        "maxrss_kb": summ[-1]["maxrss_kb"] if summ else None,
    }
    out.update(lat)
    return out


def fmt(v, digits=2):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return ("%." + str(digits) + "f") % v


def ratio(a, b):
    if a is None or b is None:
        return "-"
    if b == 0:
        return "inf" if a else "-"
    return "%.1fx" % (a / b)


def ttff_table(d, meta):
    """Time to first frame per presenter (vmtool ttff lines), as table rows."""
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "ttff-*.txt"))):
        name = os.path.basename(path)[5:-4]
        commit, shown = [], []
        for line in open(path):
            f = line.split()
            if len(f) >= 3 and f[0] == "ttff":
                commit.append(float(f[2]))
                if len(f) >= 5:
                    shown.append(float(f[4]))
        if not commit:
            continue
        s_c, s_p = summary(commit), summary(shown)
        meta.setdefault("ttff", {})[name] = {"commit_ms": commit, "presented_ms": shown}
        rows.append("| %s | %d | %.0f | %.0f | %.0f | %s |" % (
            name, len(commit), min(commit), s_c["p50"], s_c["max"],
            "%.0f" % s_p["p50"] if s_p else "-"))
    if not rows:
        return []
    return ["### time to first frame (exec to the first frame, ms)", "",
            "| presenter | starts | commit min | commit p50 | commit max | presented p50 |",
            "| --- | --- | --- | --- | --- | --- |"] + rows + [""]


def main():
    d = sys.argv[1]
    runs = {}
    for path in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        base = path[:-6]
        name = os.path.basename(base)
        r = analyze_run(base)
        if r:
            runs[name] = r
    if not runs:
        print("no runs in %s" % d)
        return 1
    meta = {"note": "TCG inside a VM (QEMU, no KVM), 2 host cores: absolute numbers are "
                    "inflated by emulation; compare the ratios, measured in the same boot.",
            "results": d}
    lines = ["Numbers measured under TCG inside a VM: compare the ratios (poll/IRQ), not the "
             "absolute values.", ""]
    backends = sorted(set(n.split("-")[0] for n in runs))
    rates = sorted(set(n.split("-", 2)[2] for n in runs), key=lambda r: (r != "idle", int(r) if r.isdigit() else 0))
    for b in backends:
        lines.append("### %s" % b)
        lines.append("")
        lines.append("| guest | figure | IRQ | poll 30 ms | poll 16 ms | poll30/IRQ | poll16/IRQ |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for rate in rates:
            rr = [runs.get("%s-%s-%s" % (b, m, rate)) for m in MODES]
            if not any(rr):
                continue
            label = "idle" if rate == "idle" else "%s/s" % rate
            rows = [("wake-ups/s", lambda r: r["wakeups_per_s"], 1),
                    ("CPU ms/s", lambda r: r["cpu_ms_per_s"], 1)]
            if rate != "idle":
                rows = [("flips/s achieved", lambda r: r["guest_rate"], 1)] + rows + [
                    ("flip->wake p50 ms", lambda r: (r["flip_wake"] or {}).get("p50"), 2),
                    ("flip->commit p50 ms", lambda r: (r["flip_commit"] or {}).get("p50"), 2),
                    ("flip->commit p99 ms", lambda r: (r["flip_commit"] or {}).get("p99"), 2),
                    ("flip->commit max ms", lambda r: (r["flip_commit"] or {}).get("max"), 2),
                    ("flip->presented p50 ms", lambda r: (r["flip_presented"] or {}).get("p50"), 2),
                    ("flip->presented p99 ms", lambda r: (r["flip_presented"] or {}).get("p99"), 2),
                    ("frames shown/drawn", lambda r: r["shown_share"], 2),
                    ("last drawn shown", lambda r: r["last_drawn_shown"], 0),
                    ("full-frame copies/frame", lambda r: r["copies_per_frame"], 2),
                    ("max RSS MiB", lambda r: r["maxrss_kb"] / 1024 if r["maxrss_kb"] else None, 1)]
            for title, get, digits in rows:
                vals = []
                for r in rr:
                    try:
                        vals.append(get(r) if r else None)
                    except (KeyError, TypeError):
                        vals.append(None)
                if all(v is None for v in vals):
                    continue
                rat = ["", ""] if isinstance(vals[0], bool) or title.startswith(("frames", "flips", "max RSS", "full")) \
                    else [ratio(vals[1], vals[0]), ratio(vals[2], vals[0])]
                lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                    label, title, fmt(vals[0], digits), fmt(vals[1], digits), fmt(vals[2], digits),
                    rat[0], rat[1]))
        lines.append("")
    lines += ttff_table(d, meta)
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(d, "table.md"), "w") as f:
        f.write(table + "\n")

    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"meta": meta, "runs": {k: {x: y for x, y in v.items() if not x.endswith("_all")}
                                           for k, v in runs.items()}}, f, indent=1)
    if "--gnuplot" in sys.argv:
        plot(d, runs, backends)
    return 0


def plot(d, runs, backends):
    """The flip->commit distribution (CDF) per mode at 60 flips/s, one panel a backend."""
    cmds = ["set terminal pngcairo size 1200,500 font ',10'",
            "set output '%s'" % os.path.join(d, "latency.png"),
            "set multiplot layout 1,%d title 'flip->commit latency at 60 flips/s (TCG VM; compare modes)'" % len(backends),
            "set logscale x", "set xlabel 'ms'", "set ylabel 'share of frames'", "set key bottom right",
            "set grid"]
    for b in backends:
        series = []
        for m in MODES:
            r = runs.get("%s-%s-60" % (b, m))
            if not r or not r["flip_commit_all"]:
                continue
            vals = sorted(max(v, 0.01) for v in r["flip_commit_all"])
            data = os.path.join(d, "cdf-%s-%s.dat" % (b, m))
            with open(data, "w") as f:
                for i, v in enumerate(vals):
                    f.write("%f %f\n" % (v, (i + 1) / len(vals)))
            series.append("'%s' using 1:2 with lines lw 2 title '%s'" % (data, m))
        cmds.append("set title '%s'" % b)
        if series:
            cmds.append("plot " + ", ".join(series))
    cmds.append("unset multiplot")
    subprocess.run(["gnuplot"], input="\n".join(cmds).encode(), check=True)


if __name__ == "__main__":
    sys.exit(main())
