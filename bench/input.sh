#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1500
# vm-needs: guest
#
# Input's cost (scripts/bench input; not a test scenario), one guest, one
# boot:
#   - key latency, from writing a uinput key press to seeing it in the
#     guest's evdev report, through the viewer (uinput -> libinput -> the
#     KMS viewer -> QMP -> QEMU; then the same with --vnc, QEMU's VNC
#     server instead of QMP) and through QEMU's own input-linux object
#     reading a second uinput keyboard (the lowest-latency path QEMU has),
#     $BENCH_TAPS (default 40) presses each way, alternating with
#     input-linux in rounds of 10 so that the guest's state weighs on both
#     alike.  Both are measured on
#     the same clock (this VM's) by the same reader of the guest's serial
#     report, so what the serial line and the reader cost is in both.
#   - a 1000 Hz mouse for $BENCH_SECONDS (default 5) s, the guest drawing
#     at $BENCH_HZ (default 10) frames/s, its pointer a virtio mouse: the
#     mouse's reports against the motion events the viewer sent QEMU,
#     whether every unit of motion arrived (the guest's REL_X sum), how long
#     after the mouse stopped the last of it did (a queue would show here),
#     and the frames the viewer showed per second before and while the
#     mouse moved; then the same through QEMU's input-linux reading a
#     second uinput mouse, the viewer showing frames with its input off:
#     the baseline, and what 1000 reports a second cost without the viewer.
# Writes keys.txt (one latency per line: "qmp US", "vnc US", or
# "input-linux-qmp US" and "input-linux-vnc US" for the rounds between),
# parts.txt (the viewer's own share of a key's way and QEMU's answer to
# input-send-event, as the viewer says at exit), mouse.txt, and table.md,
# which it also prints.
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-input.sh"
LOG=$TMPDIR/guest.log
taps=${BENCH_TAPS:-40}
secs=${BENCH_SECONDS:-5}
hz=${BENCH_HZ:-10}

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
in_start "$LOG"

# il_tool KIND NAME FD: an inputtool making a KIND (keyboard or mouse)
# called NAME alone, its commands on fd FD, its output in
# $TMPDIR/il-KIND.out; sets IL_DEV to its event device, adds its pid to
# IL_PIDS.  QEMU's input-linux reads it, grabbed: libinput (the viewer)
# never sees its events, and QEMU never sees the viewer's devices.
IL_PIDS=
il_tool() {
	rm -f "$TMPDIR/il-$1.ctl"
	mkfifo "$TMPDIR/il-$1.ctl"
	"$VGPU_BUILD/tests/inputtool" "--$1" "$2" <"$TMPDIR/il-$1.ctl" >"$TMPDIR/il-$1.out" 2>&1 &
	IL_PIDS="$IL_PIDS $!"
	eval "exec $3>\"\$TMPDIR/il-$1.ctl\""
	vm_wait_log "$TMPDIR/il-$1.out" "^ready" 300
	IL_DEV=
	for d in /sys/class/input/event*; do
		[ "$(cat "$d/device/name")" = "$2" ] && IL_DEV=/dev/input/${d##*/}
	done
	[ -n "$IL_DEV" ] || fail "the input-linux $1 has no event device"
}
il_tool keyboard "vgpu-viewer bench keyboard" 9
ildev=$IL_DEV
il_do() { in_tool_do 9 "$TMPDIR/il-keyboard.out" "$1" "${2:-3000}"; }
# And a mouse, for the 1000 Hz baseline.
il_tool mouse "vgpu-viewer bench mouse" 7
ilmdev=$IL_DEV

# A VNC server too, for the viewer's other way (--vnc): QEMU gives a VNC
# key to the guest only when the server shows a graphical console, and
# cirrus-vga (which the guest has no driver for) is one.
GUEST_INPUT=mouse GUEST_QEMU_EXTRA="-object input-linux,id=il0,evdev=$ildev -object input-linux,id=il1,evdev=$ilmdev -vnc unix:$TMPDIR/vnc.sock -device cirrus-vga" \
	guest_qemu_start "$a" "$LOG" "$hz" 1
_lib_backend=kms viewer_start --pid "$QEMU_PID" --wait --stats "$VGPU_OUT/frames.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through QMP" 1200
vm_wait_log "$TMPDIR/viewer.log" "keyboard added: vgpu-viewer test keyboard" 600
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Keyboard" "$GUEST_BOOT_TENTHS"
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Mouse" 600
echo "guest up, $(guest_ms_since_start) ms after QEMU started"

# Keys: rounds of 10 presses of a, the viewer's (as WAY) then input-linux's
# (as "input-linux-WAY").
key_rounds() {
	round=0
	while [ $((round * 10)) -lt "$taps" ]; do
		o=$(wc -l <"$TMPDIR/input.out")
		in_do "lat $LOG 30 10" 3000
		tail -n +"$((o + 1))" "$TMPDIR/input.out" | sed -n "s/^lat /$1 /p" >>"$VGPU_OUT/keys.txt"
		o=$(wc -l <"$TMPDIR/il-keyboard.out")
		il_do "lat $LOG 30 10"
		tail -n +"$((o + 1))" "$TMPDIR/il-keyboard.out" |
			sed -n "s/^lat /input-linux-$1 /p" >>"$VGPU_OUT/keys.txt"
		round=$((round + 1))
	done
	grep -h '^lost' "$TMPDIR/input.out" "$TMPDIR/il-keyboard.out" && fail "keys were lost"
}
: >"$VGPU_OUT/keys.txt"
key_rounds qmp

# input-linux grabs its keyboard (EVIOCGRAB): libinput lists it, and the
# viewer must have sent QEMU its own presses and releases, none of those.
viewer_stop >/dev/null
cp "$TMPDIR/viewer.log" "$VGPU_OUT/viewer-keys.log"
# Where the viewer's time goes, as it says at exit: its own share (the
# kernel's timestamp of each press to its handling) and QEMU's answer to
# input-send-event (by then QEMU has injected the key).
{
	sed -n 's/.*from the kernel.s timestamp to the viewer \([0-9.]*\) ms (p50), \([0-9.]*\) (p90), \([0-9.]*\) (max).*/own \1 \2 \3/p' \
		"$TMPDIR/viewer.log"
	sed -n 's/.*QEMU answered input-send-event in \([0-9.]*\) ms (p50), \([0-9.]*\) (p90), \([0-9.]*\) (max).*/qmp \1 \2 \3/p' \
		"$TMPDIR/viewer.log"
} >"$VGPU_OUT/parts.txt"
[ "$(wc -l <"$VGPU_OUT/parts.txt")" = 2 ] || fail "the viewer did not say where its time went"
sent=$(sed -n 's/.*input: \([0-9]*\) events in .*/\1/p' "$TMPDIR/viewer.log")
[ "$sent" = $((2 * $(grep -c '^qmp ' "$VGPU_OUT/keys.txt"))) ] ||
	fail "the viewer sent QEMU $sent key events for $(grep -c '^qmp ' "$VGPU_OUT/keys.txt") presses"

# The same through QEMU's VNC server (--vnc), the same guest, a viewer of its own.
: >"$TMPDIR/viewer.log"
_lib_backend=kms viewer_start --pid "$QEMU_PID" --vnc "$TMPDIR/vnc.sock"
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through its VNC server" 600
vm_wait_log "$TMPDIR/viewer.log" "keyboard added: vgpu-viewer test keyboard" 600
key_rounds vnc
viewer_stop >/dev/null
cp "$TMPDIR/viewer.log" "$VGPU_OUT/viewer-vnc.log"

# A 1000 Hz mouse, with a viewer of its own (its counters are the mouse's).
# The guest's pointer is a mouse: its REL_X sums what arrived, all of it
# (coalescing adds motion up; it drops none).
: >"$TMPDIR/viewer.log"
_lib_backend=kms viewer_start --pid "$QEMU_PID" --stats "$VGPU_OUT/mouse-frames.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "pointer added: vgpu-viewer test mouse" 600
vm_wait_log "$TMPDIR/viewer.log" "the guest's pointer is relative" 600
vm_wait_for 600 guest_stamped "$VGPU_OUT/mouse-frames.jsonl" 5
sleep "$secs"
o=$(wc -l <"$TMPDIR/input.out")
in_do "mouse1k $LOG $((secs * 1000))" 3000
viewer_stop >/dev/null
res=$(tail -n +"$((o + 1))" "$TMPDIR/input.out")
mouse_res() {
	echo "$1" | sed -n "s/^sent \([0-9]*\) in \([0-9]*\) ms from \([0-9]*\)/$2mouse_reports \1\n$2send_ms \2\n$2t0_ns \3/p"
	echo "$1" | sed -n "s/^arrived \(-*[0-9]*\), \([0-9]*\) ms .*/$2guest_rel_x \1\n$2drain_ms \2/p"
}
{
	echo "seconds $secs"
	mouse_res "$res" ""
	echo "qmp_events_batches $(sed -n 's/.*input: \([0-9]*\) events in \([0-9]*\) batches to QMP.*/\1 \2/p' \
		"$TMPDIR/viewer.log")"
} >"$VGPU_OUT/mouse.txt"

# The same mouse through input-linux (grabbed: libinput sees nothing of
# it), the viewer showing frames with its input off: what the 1000 reports
# a second cost the test VM and the guest without the viewer's part.
: >"$TMPDIR/viewer.log"
_lib_backend=kms viewer_start --pid "$QEMU_PID" --input=off --stats "$VGPU_OUT/il-frames.jsonl"
vm_wait_for 600 guest_stamped "$VGPU_OUT/il-frames.jsonl" 5
sleep "$secs"
o=$(wc -l <"$TMPDIR/il-mouse.out")
in_tool_do 7 "$TMPDIR/il-mouse.out" "mouse1k $LOG $((secs * 1000))" 3000
viewer_stop >/dev/null
mouse_res "$(tail -n +"$((o + 1))" "$TMPDIR/il-mouse.out")" il_ >>"$VGPU_OUT/mouse.txt"

python3 - "$VGPU_OUT" <<'PY' | tee "$VGPU_OUT/table.md"
import sys, statistics
out = sys.argv[1]
lat = {}
for line in open(f"{out}/keys.txt"):
    who, us = line.split()
    lat.setdefault(who, []).append(int(us) / 1000)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print("| key press -> guest evdev (ms) | n | p50 | p90 | max |")
print("|---|---|---|---|---|")
for way, name in (("qmp", "QMP input-send-event (default)"), ("vnc", "QEMU's VNC server (--vnc)")):
    v, il = lat[way], lat["input-linux-" + way]
    for who, xs in ((f"viewer (libinput, KMS, {name})", v),
                    ("QEMU input-linux, in the rounds between", il)):
        print(f"| {who} | {len(xs)} | {pct(xs, .5):.1f} | {pct(xs, .9):.1f} | {max(xs):.1f} |")
    print(f"| **ratio viewer / input-linux, {way}** | | **{pct(v, .5) / pct(il, .5):.2f}x** | "
          f"{pct(v, .9) / pct(il, .9):.2f}x | |")
parts = {l.split()[0]: l.split()[1:] for l in open(f"{out}/parts.txt")}
print()
print("| the viewer's way, in parts (ms) | p50 | p90 | max |")
print("|---|---|---|---|")
print("| the kernel's timestamp of a press -> the viewer (libinput) | %s | %s | %s |"
      % tuple(parts["own"]))
print("| QEMU answering input-send-event (QMP; the key is injected by then) | %s | %s | %s |"
      % tuple(parts["qmp"]))
m = dict(l.split(" ", 1) for l in open(f"{out}/mouse.txt").read().splitlines() if " " in l)
ev, batches = (int(x) for x in m["qmp_events_batches"].split())
s = int(m["seconds"])
print()
print("| a 1000 Hz mouse | viewer (libinput, KMS, QMP) | QEMU input-linux |")
print("|---|---|---|")
print(f"| mouse reports in {s} s | {m['mouse_reports']} | {m['il_mouse_reports']} |")
print(f"| motion sent to QEMU | {ev} events in {batches} batches "
      f"({ev / s:.0f}/s; {int(m['mouse_reports']) / max(ev, 1):.1f} reports each) | "
      f"{m['il_mouse_reports']} (one a report) |")
print(f"| REL_X the guest got | {m['guest_rel_x']} | {m['il_guest_rel_x']} |")
print(f"| the last of it arrived after the mouse stopped | {m['drain_ms']} ms | "
      f"{m['il_drain_ms']} ms |")
import json
def rates(jsonl, t0):
    frames = [json.loads(l) for l in open(f"{out}/{jsonl}") if '"event":"frame"' in l]
    def window(a, b):
        fs = [f for f in frames if a <= f.get("present_ns", 0) < b]
        seqs = [f["seq"] for f in fs if "seq" in f]
        # What the guest drew: its stamps' sequence numbers advance per flip.
        return (max(seqs) - min(seqs) + 1) / s if seqs else 0, len(fs) / s
    return window(t0 - s * 10**9, t0), window(t0, t0 + s * 10**9)
(vb, vd), (ib, idur) = rates("mouse-frames.jsonl", int(m["t0_ns"])), \
    rates("il-frames.jsonl", int(m["il_t0_ns"]))
print(f"| frames/s the guest drew / the viewer showed, the {s} s before | "
      f"{vb[0]:.1f} / {vb[1]:.1f} | {ib[0]:.1f} / {ib[1]:.1f} |")
print(f"| ... while the mouse moved | {vd[0]:.1f} / {vd[1]:.1f} | {idur[0]:.1f} / {idur[1]:.1f} |")
PY

# QEMU first: it holds the second tool's fifo open too (started after it).
kill -KILL "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
exec 9>&- 7>&-
# shellcheck disable=SC2086 # pids
wait $IL_PIDS
in_stop
kms_stop
vm_mdev_remove "$a"
