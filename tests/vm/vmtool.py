#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks and helpers the VM scenarios run inside the guest.

  vmtool.py check-frames GSLOG STATS [--attach N] [--min-share F] [--max-unstamped F]
      What the viewer reported (STATS, --stats JSON lines) against what
      guestsim drew (GSLOG): every frame shown is one that was drawn, in
      order, none twice, and the last one shown is the last one drawn.
      With --attach N only frames after the N-th attach count.
  vmtool.py check-modes STATS MODE...
      The display went through MODE... in this order (WxH, or "off").
  vmtool.py fds-closed VIEWER_PID KILL_PID WITHIN_S
      SIGKILLs KILL_PID (the VMM) and measures how long the viewer keeps
      VFIO and dmabuf fds open afterwards; fails beyond WITHIN_S.
  vmtool.py wl-stats STATS [--path NAME] [--min-frames N] [--all-presented yes]
                          [--min-interval-ms MS] [--guest-clock own]
      A presenter's records: every frame went by path NAME, at least N
      frames, and the compositor reported presenting them (wp_presentation;
      KMS: the page-flip event), all of them with --all-presented, and no
      two flips closer than MS (KMS: one commit a refresh); prints
      flip->commit and flip->presented, unless the guest stamped its frames
      with a clock of its own (--guest-clock own: a real guest, whose
      CLOCK_MONOTONIC is not the viewer's).
  vmtool.py gone-after-kill PID KILL_PID WITHIN_S
      SIGKILLs KILL_PID (the compositor) and measures how long PID (the
      viewer, a child of the calling shell) takes to exit; fails beyond
      WITHIN_S.
  vmtool.py notify-check SECONDS CMD...
      Runs CMD (the viewer) with NOTIFY_SOCKET and WATCHDOG_USEC=1000000
      as systemd would, for SECONDS after its READY=1, then SIGHUP, then
      SIGTERM; checks
      READY=1, a STATUS showing the mode and the display IRQ, WATCHDOG=1
      twice a second, RELOADING=1 then READY=1 again, STOPPING=1, exit 0,
      and that the capability sets are empty after attaching.
  vmtool.py notify-wait SECONDS CMD...
      The same for a viewer waiting for an mdev that is not there (--wait),
      for SECONDS after its first "waiting for" STATUS: no READY=1, and
      EXTEND_TIMEOUT_USEC.
  vmtool.py ttff STATS [--presented] CMD...
      Time to first frame: runs CMD (the viewer, writing --stats STATS),
      waits for its first frame record (with --presented: one the
      compositor or the page flip reported on screen), prints the time from
      just before exec to that frame's commit and, with --presented, to its
      presentation, in ms; then SIGTERM, and the exit status must be 0.
  vmtool.py mouse-set SOCKET NAME
      On the QMP socket SOCKET: makes the mouse whose name has NAME in it
      QEMU's current one (HMP's mouse_set, as a user would switch), checks
      with query-mice that it is, and prints the mice.
  vmtool.py cpus SOCKET SYSTEM_MAP
      where a VM's CPUs are, asked through its QMP SOCKET (HMP's "info
      registers -a"): a line "CPU at RIP ADDR: WHERE" each, WHERE named from
      the kernel's SYSTEM_MAP (or "user space"), the kernel text addresses
      on each CPU's kernel stack (HMP's "x"), then the registers whole
  vmtool.py fake-qmp SOCKET LOG [--relative]
      A VMM's QMP socket for input only, where there is no VMM (guestsim
      plays the guest): answers qmp_capabilities, query-mice (a current,
      absolute tablet; with --relative a mouse) and input-send-event, whose
      events it appends to LOG as JSON lines; one client at a time, until
      killed.
  vmtool.py recv-exec SOCKET CMD...
      A launcher: receives a device fd over SOCKET and execs CMD with every
      "{fd}" in it replaced by the (inherited) fd number.
"""
import bisect
import contextlib
import json
import os
import re
import signal
import socket
import sys
import time


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def load_stats(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def check_frames(args):
    gslog, stats_path = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    attach_n = int(opts.get("--attach", "1"))
    min_share = float(opts.get("--min-share", "0.5"))
    max_unstamped = float(opts.get("--max-unstamped", "0"))

    drawn = {}
    order = []
    with open(gslog) as f:
        for line in f:
            seq, flip_ns, w, h = (int(x) for x in line.split())
            drawn[seq] = (flip_ns, w, h)
            order.append(seq)
    if not order:
        fail("guestsim drew nothing")

    records = load_stats(stats_path)
    attaches = 0
    frames = []
    for r in records:
        if r["event"] == "attach":
            attaches += 1
        elif r["event"] == "frame" and attaches == attach_n:
            frames.append(r)
    if attaches < attach_n:
        fail("the viewer attached %d times, not %d" % (attaches, attach_n))
    if not frames:
        fail("the viewer showed no frame after attach %d" % attach_n)

    stamped = [r for r in frames if "seq" in r]
    unstamped = len(frames) - len(stamped)
    if unstamped > max_unstamped * len(frames):
        fail("%d of %d frames had no readable stamp" % (unstamped, len(frames)))
    seqs = [r["seq"] for r in stamped]
    foreign = [s for s in seqs if s not in drawn]
    if foreign:
        fail("frames guestsim never drew: %s" % foreign[:10])
    bad_order = [(a, b) for a, b in zip(seqs, seqs[1:]) if b <= a]
    if bad_order:
        fail("out of order or shown twice as new: %s" % bad_order[:10])
    for r in stamped:
        flip_ns, w, h = drawn[r["seq"]]
        if (r["width"], r["height"]) != (w, h):
            fail("frame %d shown as %dx%d, drawn %dx%d" % (r["seq"], r["width"], r["height"], w, h))
    if seqs[-1] != order[-1]:
        fail("the last frame shown is %d, the last drawn %d" % (seqs[-1], order[-1]))

    first = seqs[0]
    expected = len([s for s in order if s >= first])
    share = len(seqs) / expected
    wake = [(r["wake_ns"] - r["flip_ns"]) / 1e6 for r in stamped if r["wake_ns"] >= r["flip_ns"]]
    ready = [(r["ready_ns"] - r["flip_ns"]) / 1e6 for r in stamped if r["ready_ns"] >= r["flip_ns"]]
    summary = [r for r in records if r["event"] == "summary"]
    wakeups = summary[-1]["wakeups"] if summary else -1
    print("frames: %d shown of %d drawn since the first shown (%.0f%%), last %d = last drawn; "
          "%d unstamped; %d wake-ups" % (len(seqs), expected, 100 * share, seqs[-1], unstamped, wakeups))
    print("flip->wake ms p50 %.2f p90 %.2f p99 %.2f max %.2f; flip->ready ms p50 %.2f p99 %.2f"
          % (pct(wake, 50), pct(wake, 90), pct(wake, 99), max(wake or [float("nan")]),
             pct(ready, 50), pct(ready, 99)))
    if share < min_share:
        fail("only %.0f%% of the frames were shown (want >= %.0f%%)" % (100 * share, 100 * min_share))


def check_modes(args):
    records = load_stats(args[0])
    want = args[1:]
    seen = []
    for r in records:
        if r["event"] == "frame":
            m = "%dx%d" % (r["width"], r["height"])
        elif r["event"] == "off":
            m = "off"
        else:
            continue
        if not seen or seen[-1] != m:
            seen.append(m)
    print("display went through: " + " ".join(seen))
    it = iter(seen)
    if not all(m in it for m in want):
        fail("expected the display to go through %s" % " ".join(want))


def vfio_fds(pid):
    out = []
    d = "/proc/%d/fd" % pid
    for fd in os.listdir(d):
        try:
            link = os.readlink(os.path.join(d, fd))
        except OSError:
            continue
        if link.startswith("/dev/vfio/") or "vfio-device" in link or "dmabuf" in link:
            out.append(link)
    return out


def fds_closed(args):
    viewer, vmm, within = int(args[0]), int(args[1]), float(args[2])
    before = vfio_fds(viewer)
    if not before:
        fail("the viewer holds no VFIO fd before the VMM exits")
    t0 = time.monotonic()
    os.kill(vmm, signal.SIGKILL)
    while True:
        left = vfio_fds(viewer)
        t = time.monotonic() - t0
        if not left:
            break
        if t > 5:
            fail("the viewer still holds %s 5 s after the VMM died" % left)
        time.sleep(0.002)
    try:
        os.kill(viewer, 0)
    except OSError:
        fail("the viewer exited")
    print("VMM killed: the viewer closed %d VFIO/dmabuf fds (%s) in %.1f ms"
          % (len(before), ", ".join(sorted(set(before))), t * 1000))
    if t > within:
        fail("that is more than %.0f ms" % (within * 1000))


def wl_stats(args):
    opts = dict(zip(args[1::2], args[2::2]))
    path = opts.get("--path")
    min_frames = int(opts.get("--min-frames", "1"))
    frames = [r for r in load_stats(args[0]) if r["event"] == "frame"]
    if len(frames) < min_frames:
        fail("%d frames shown, want >= %d" % (len(frames), min_frames))
    paths = sorted(set(r.get("path", "none") for r in frames))
    if path and paths != [path]:
        fail("frames went by %s, not only %s" % (paths, path))
    presented = [r for r in frames if "presented_ns" in r]
    discarded = [r for r in frames if r.get("discarded")]
    stamped = [r for r in presented if "flip_ns" in r]
    commit = [(r["present_ns"] - r["flip_ns"]) / 1e6 for r in stamped]
    shown = [(r["presented_ns"] - r["flip_ns"]) / 1e6 for r in stamped]
    zc = len([r for r in presented if r.get("zero_copy")])
    line = "%d frames by %s: %d presented (%d zero-copy scanout), %d discarded" % (
        len(frames), ",".join(paths), len(presented), zc, len(discarded))
    if opts.get("--guest-clock") == "own":
        print(line + " (latency not measured: the guest's clock is its own)")
    else:
        print(line + "; flip->commit ms p50 %.2f p99 %.2f; flip->presented ms p50 %.2f p99 %.2f"
              % (pct(commit, 50), pct(commit, 99), pct(shown, 50), pct(shown, 99)))
    if not presented:
        fail("the compositor reported no frame presented")
    if "--all-presented" in opts and opts["--all-presented"] == "yes" and \
            len(presented) != len(frames):
        fail("%d of %d frames have no presentation time" % (len(frames) - len(presented),
                                                             len(frames)))
    if "--min-interval-ms" in opts:
        # KMS: one commit per vblank at most, so page flips are a refresh apart.
        t = sorted(r["presented_ns"] for r in presented)
        gaps = [(b - a) / 1e6 for a, b in zip(t, t[1:])]
        want = float(opts["--min-interval-ms"])
        print("page flips: %d, smallest gap %.2f ms" % (len(t), min(gaps) if gaps else 0))
        if gaps and min(gaps) < want:
            fail("two frames %.2f ms apart: more than one per refresh" % min(gaps))


def gone_after_kill(args):
    pid, victim, within = int(args[0]), int(args[1]), float(args[2])

    def alive():
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    if not alive():
        fail("process %d is not running before the kill" % pid)
    t0 = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while alive():
        if time.monotonic() - t0 > 10:
            fail("process %d still runs 10 s after the kill" % pid)
        time.sleep(0.005)
    t = time.monotonic() - t0
    print("killed %d: process %d exited after %.0f ms" % (victim, pid, t * 1000))
    if t > within:
        fail("that is more than %.0f ms" % (within * 1000))


def notify_run(seconds, cmd, hup=False, first="READY=1"):
    """Runs cmd as systemd would and collects its sd_notify messages.

    Waits (120 s at most: start-up under TCG) for the message `first`, then
    collects for `seconds`; with hup, sends SIGHUP and waits for the READY=1
    after its RELOADING=1; then SIGTERM, and collects until the process is
    gone.  Every wait is for a message or an exit, with a deadline."""
    import subprocess
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.05)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
    p = subprocess.Popen(cmd, env=env)
    msgs = []
    caps = None

    def collect(until, done=lambda: False):
        while time.monotonic() < until and not done():
            try:
                data = sock.recv(4096).decode()
            except socket.timeout:
                continue
            for line in data.split("\n"):
                msgs.append((time.monotonic(), line))
        return done()

    def seen(prefix, after=0):
        return lambda: any(m.startswith(prefix) for _, m in msgs[after:])

    t0 = time.monotonic()
    if not collect(t0 + 120, lambda: seen(first)() or p.poll() is not None):
        print("  no %s in 120 s" % first)
    ready = time.monotonic()
    collect(ready + seconds, lambda: p.poll() is not None)
    try:
        with open("/proc/%d/status" % p.pid) as f:
            caps = {k: int(v, 16) for k, v in
                    (l.split(":") for l in f if l.startswith(("CapEff", "CapPrm", "CapBnd", "CapAmb")))}
    except OSError:
        pass
    if hup and p.poll() is None:
        n = len(msgs)
        p.send_signal(signal.SIGHUP)
        collect(time.monotonic() + 60, seen("READY=1", n))
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
        print("  still running 60 s after SIGTERM: killed")
    collect(time.monotonic() + 0.2)
    for t, m in msgs:
        print("  %6.2f s %s" % (t - t0, m))
    print("  %s after %.2f s; collected for %.1f s after it" % (first, ready - t0, seconds))
    return msgs, caps, rc


def notify_check(args):
    msgs, caps, rc = notify_run(float(args[0]), args[1:], hup=True)
    lines = [m for _, m in msgs]
    if "READY=1" not in lines:
        fail("no READY=1")
    status = [m for m in lines if m.startswith("STATUS=")]
    if not any("XR24" in m and "flips/s, display IRQ" in m for m in status):
        fail("no STATUS with the mode and the display IRQ: %s" % status)
    t_ready = next(t for t, m in msgs if m == "READY=1")
    wd = [t for t, m in msgs if m == "WATCHDOG=1" and t >= t_ready]
    if len(wd) < 2 * float(args[0]) - 2:
        fail("%d WATCHDOG=1 in %s s, want two a second" % (len(wd), args[0]))
    gaps = [b - a for a, b in zip(wd, wd[1:])]
    if gaps and max(gaps) > 1.0:
        fail("a watchdog gap of %.2f s (WATCHDOG_USEC is 1 s)" % max(gaps))
    if "RELOADING=1" not in lines or "READY=1" not in lines[lines.index("RELOADING=1"):]:
        fail("no RELOADING=1 followed by READY=1 on SIGHUP")
    if "STOPPING=1" not in lines:
        fail("no STOPPING=1")
    if rc != 0:
        fail("exit status %d" % rc)
    if caps is None:
        fail("could not read the viewer's capabilities")
    print("capabilities after attaching: %s" % ", ".join("%s %x" % kv for kv in sorted(caps.items())))
    if any(caps.values()):
        fail("capabilities left after attaching")
    print("notify: READY, %d STATUS, %d WATCHDOG (largest gap %.2f s), RELOADING+READY, STOPPING"
          % (len(status), len(wd), max(gaps) if gaps else 0))


def notify_wait(args):
    msgs, caps, rc = notify_run(float(args[0]), args[1:], first="STATUS=waiting")
    lines = [m for _, m in msgs]
    if "READY=1" in lines:
        fail("READY=1 while waiting for the device")
    if not any(m.startswith("EXTEND_TIMEOUT_USEC=") for m in lines):
        fail("no EXTEND_TIMEOUT_USEC while waiting")
    if not any(m.startswith("STATUS=waiting for mdev") for m in lines):
        fail("no 'waiting for' STATUS")
    if rc != 0:
        fail("exit status %d" % rc)


def ttff(args):
    import subprocess
    stats = args[0]
    presented = args[1] == "--presented"
    cmd = args[2:] if presented else args[1:]
    if os.path.exists(stats):
        os.unlink(stats)
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while first is None and time.monotonic_ns() - t0 < 300e9 and p.poll() is None:
        try:
            with open(stats) as f:
                for line in f:
                    r = json.loads(line)
                    if r["event"] == "frame" and (not presented or "presented_ns" in r):
                        first = r
                        break
        except (OSError, ValueError):
            pass
        if first is None:
            time.sleep(0.005)
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=60)
    if first is None:
        fail("no frame within 300 s (exit %s)" % rc)
    if rc != 0:
        fail("exit status %d on SIGTERM" % rc)
    out = "ttff commit_ms %.1f" % ((first["present_ns"] - t0) / 1e6)
    if presented:
        out += " presented_ms %.1f" % ((first["presented_ns"] - t0) / 1e6)
    print(out)


def recv_exec(args):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(args[0])
    _, fds, _, _ = socket.recv_fds(s, 1, 1)
    s.close()
    if len(fds) != 1:
        fail("no fd received")
    os.set_inheritable(fds[0], True)
    cmd = [a.replace("{fd}", str(fds[0])) for a in args[1:]]
    os.execv(cmd[0], cmd)


def qmp_session(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    # Apart: a text file's write drops what it had read ahead.
    r, f = s.makefile("r"), s.makefile("w")

    def call(cmd, **args):
        f.write(json.dumps({"execute": cmd, "arguments": args} if args else
                           {"execute": cmd}) + "\n")
        f.flush()
        while True:
            m = json.loads(r.readline())
            if "return" in m:
                return m["return"]
            if "error" in m:
                fail(f"QMP {cmd}: {m['error']}")
    json.loads(r.readline())        # the greeting
    call("qmp_capabilities")
    return call


def mouse_set(args):
    call = qmp_session(args[0])
    mice = [m for m in call("query-mice") if args[1] in m["name"]]
    if len(mice) != 1:
        fail(f"not one mouse called {args[1]}: {call('query-mice')}")
    call("human-monitor-command", **{"command-line": f"mouse_set {mice[0]['index']}"})
    now = call("query-mice")
    print(json.dumps(now))
    if not any(m["current"] and m["index"] == mice[0]["index"] for m in now):
        fail(f"{mice[0]['name']} is not the current mouse after mouse_set")


def cpus(args):
    call = qmp_session(args[0])
    regs = call("human-monitor-command", **{"command-line": "info registers -a"})
    syms = []
    with contextlib.suppress(OSError), open(args[1]) as f:
        syms = sorted((int(a, 16), n) for a, _, n in (line.split() for line in f))
    for m in re.finditer(r"RIP=([0-9a-f]+)", regs):
        rip = int(m[1], 16)
        i = bisect.bisect_right(syms, (rip, "~")) - 1
        if rip < 0x800000000000:
            where = "user space"
        elif i >= 0:
            where = f"{syms[i][1]}+{rip - syms[i][0]:#x}"
        else:
            where = "the kernel (no System.map: a kernel built before run-vm kept one)"
        print(f"CPU at RIP {rip:#x}: {where}")
    # What each CPU's kernel stack holds that points into the kernel's text:
    # not an unwound backtrace, but it names the callers (a deadlock's two
    # sides, say) without a debugger.
    text = [a for a, n in syms if n in ("_stext", "_etext")]
    for cpu, rsp in enumerate(re.findall(r"RSP=([0-9a-f]+)", regs)):
        if len(text) != 2 or int(rsp, 16) < 0x800000000000:
            continue
        call("human-monitor-command", **{"command-line": f"cpu {cpu}"})
        words = call("human-monitor-command", **{"command-line": f"x /256gx 0x{rsp}"})
        print(f"CPU#{cpu} stack, kernel text addresses from RSP up:")
        for w in re.findall(r"\b0x([0-9a-f]{16})\b", words):
            v = int(w, 16)
            if text[0] <= v < text[1]:
                i = bisect.bisect_right(syms, (v, "~")) - 1
                print(f"    {syms[i][1]}+{v - syms[i][0]:#x}")
    print(regs)


def fake_qmp(args):
    try:
        os.unlink(args[0])
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args[0])
    srv.listen(1)
    relative = "--relative" in args[2:]
    mice = [{"name": "fake " + ("mouse" if relative else "tablet"), "index": 2,
             "current": True, "absolute": not relative}]
    with open(args[1], "a", buffering=1) as log:
        while True:
            conn, _ = srv.accept()
            # Apart: a text file's write drops what it had read ahead.
            r, f = conn.makefile("r"), conn.makefile("w")
            f.write(json.dumps({"QMP": {"version": {}, "capabilities": []}}) + "\n")
            f.flush()
            for line in r:
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                cmd = m.get("execute")
                ret = mice if cmd == "query-mice" else {}
                if cmd == "input-send-event":
                    log.write(json.dumps(m["arguments"]["events"]) + "\n")
                reply = {"return": ret}
                if "id" in m:
                    reply["id"] = m["id"]
                f.write(json.dumps(reply) + "\n")
                f.flush()
            conn.close()


def main():
    tools = {"check-frames": check_frames, "check-modes": check_modes,
             "fds-closed": fds_closed, "recv-exec": recv_exec, "wl-stats": wl_stats,
             "gone-after-kill": gone_after_kill, "notify-check": notify_check,
             "notify-wait": notify_wait, "ttff": ttff, "mouse-set": mouse_set,
             "fake-qmp": fake_qmp, "cpus": cpus}
    if len(sys.argv) < 2 or sys.argv[1] not in tools:
        print(__doc__)
        sys.exit(2)
    tools[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
