#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the real test guest received from its input devices, read from its
serial log (tests/vm/guest/init.c writes one line per evdev event):

  vgpuguest: input device event2 QEMU Virtio Keyboard
  vgpuguest: input event2 key 30 1 12.345678

guestinput.py LOG FROM keys [CODE:VALUE ...]
    the keys (codes below 0x100) and their presses and releases after line
    FROM are exactly these, in order (autorepeat, value 2, is left out):
    exit 0, or 1 and what differs.  With --allkeys, the expected list is
    every key of src/keymap_table.h tapped in order, less --skip CODE,...
guestinput.py LOG FROM count N
    exit 0 when N key events or more came after line FROM (a wait condition)
guestinput.py LOG FROM seen CODE:VALUE
    exit 0 when that event came after line FROM (a wait condition)
guestinput.py LOG FROM abs X Y WIDTH HEIGHT [TOLERANCE]
    exit 0 when the tablet's latest position (its whole history counts, as
    evdev sends only what changed), scaled from QEMU's 0..0x7fff to a
    WIDTH x HEIGHT frame, is within TOLERANCE (default one) pixel of (X, Y)
    (floats, frame pixels); exit 1 saying where it is
guestinput.py LOG FROM rel CODE [SUM]
    the sum of relative events CODE (8: REL_WHEEL) after line FROM; with
    SUM, exit 0 when it is that (a wait condition)

--wait TENTHS: a check (count, seen, abs, rel with SUM) is made again as the
log grows, until it holds or TENTHS tenths of a second have gone by; what the
last one said is printed.  One process instead of one a poll: under TCG with KASAN a
Python start costs the test VM a second or more.
"""
import contextlib
import io
import re
import sys
import time

EV = re.compile(r"vgpuguest: input (event\d+) (key|abs|rel) (\d+) (-?\d+) ")
DROP = re.compile(r"vgpuguest: input (event\d+) DROPPED")
DEV = re.compile(r"vgpuguest: input device (event\d+) (.*)")


def events(log, start):
    devices = {}
    out = []
    with open(log, errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = DEV.search(line)
            if m:
                devices[m[1]] = m[2].strip()
                continue
            m = DROP.search(line)
            if m:
                out.append((n > start, devices.get(m[1], m[1]), "dropped", 0, 0))
                continue
            m = EV.search(line)
            if m:
                out.append((n > start, devices.get(m[1], m[1]), m[2], int(m[3]), int(m[4])))
    return out


def keymap_codes():
    src = __file__.rsplit("/tests/", 1)[0] + "/src/keymap_table.h"
    return [int(m[1]) for m in re.finditer(r"^\t\[(\d+)\] = ", open(src).read(), re.M)]


def main():
    args = sys.argv[1:]
    wait = 0
    if "--wait" in args:
        i = args.index("--wait")
        wait = int(args[i + 1])
        del args[i:i + 2]
    deadline = time.monotonic() + wait / 10
    while True:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = check(args)
        if rc == 0 or time.monotonic() >= deadline:
            print(out.getvalue(), end="")
            return rc
        time.sleep(0.1)


def check(args):
    allkeys = "--allkeys" in args
    skip = set()
    if "--skip" in args:
        i = args.index("--skip")
        skip = {int(c) for c in args[i + 1].split(",") if c}
        del args[i:i + 2]
    args = [a for a in args if a != "--allkeys"]
    log, start, what = args[0], int(args[1]), args[2]
    evs = events(log, start)
    after = [e for e in evs if e[0]]
    if what == "keys":
        want = []
        if allkeys:
            for c in keymap_codes():
                if c not in skip:
                    want += [(c, 1), (c, 0)]
        want += [tuple(int(x) for x in a.split(":")) for a in args[3:]]
        got = [(e[3], e[4]) for e in after if e[2] == "key" and e[3] < 0x100 and e[4] != 2]
        if got == want:
            print(f"{len(got)} key events as typed")
            return 0
        missing = [w for w in want if w not in got]
        extra = [g for g in got if g not in want]
        first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                     min(len(got), len(want)))
        dropped = sorted({e[1] for e in after if e[2] == "dropped"})
        if dropped:
            print(f"the guest's evdev dropped events on {', '.join(dropped)} (its reader fell behind)")
        print(f"keys differ: got {len(got)}, want {len(want)}; first difference at {first}: "
              f"got {got[first:first + 4]}, want {want[first:first + 4]}; "
              f"missing {missing[:20]}; unexpected {extra[:20]}")
        return 1
    if what == "count":
        n = sum(1 for e in after if e[2] == "key" and e[3] < 0x100 and e[4] != 2)
        return 0 if n >= int(args[3]) else 1
    if what == "seen":
        c, v = (int(x) for x in args[3].split(":"))
        return 0 if any(e[2] == "key" and (e[3], e[4]) == (c, v) for e in after) else 1
    if what == "abs":
        x, y, w, h = (float(a) for a in args[3:7])
        tol = float(args[7]) if len(args) > 7 else 1.0
        pos = {}
        for e in evs:
            if e[2] == "abs" and e[3] in (0, 1):
                pos[e[3]] = e[4]
        if 0 not in pos or 1 not in pos:
            print("the tablet has not reported a position")
            return 1
        gx, gy = pos[0] * w / 0x7FFF, pos[1] * h / 0x7FFF
        ok = abs(gx - x) <= tol and abs(gy - y) <= tol
        print(f"the guest's pointer at {gx:.2f},{gy:.2f} (abs {pos[0]},{pos[1]}), "
              f"want {x:.2f},{y:.2f}")
        return 0 if ok else 1
    if what == "rel":
        code = int(args[3])
        total = sum(e[4] for e in after if e[2] == "rel" and e[3] == code)
        print(total)
        return 0 if len(args) < 5 or total == int(args[4]) else 1
    sys.exit(f"guestinput.py: no check '{what}'")


sys.exit(main())
