#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 240
#
# Two viewers of one guest, each on its own consumer slot of the display IRQ
# (slot 0 is the VMM's by convention): they take slots 1 and 2; with the
# second one stopped (SIGSTOP), the first goes on showing every new frame;
# continued, the second shows the newest frame at once; when the first
# exits, its slot is free for the next viewer, and the second keeps its IRQ
# and shows what comes next; and a viewer killed with SIGKILL, which cannot
# disarm, leaves its slot free for the next one too (the kernel frees a slot
# whose eventfd is gone).  Before the slots, the second viewer's SET_IRQS
# took the IRQ over, the first slept on an eventfd nobody signalled, and the
# first's exit disarmed the second's.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

gs_start "$a" --rate 30 --log "$TMPDIR/gs.log"
gs_pause
viewer_start --pid "$GS_PID" --stats "$TMPDIR/a.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "display IRQ at index 5, consumer slot 1 of 4" 600
"$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$GS_PID" --stats "$TMPDIR/b.jsonl" \
	>"$TMPDIR/b.log" 2>&1 &
b_pid=$!
vm_wait_log "$TMPDIR/b.log" "display IRQ at index 5, consumer slot 2 of 4" 600
vm_wait_frame "$TMPDIR/a.jsonl" "$GS_SEQ"
vm_wait_frame "$TMPDIR/b.jsonl" "$GS_SEQ"

note "the second viewer stopped: the first goes on"
kill -STOP "$b_pid"
b_lines=$(wc -l <"$TMPDIR/b.jsonl")
gs_cmd resume
vm_wait_lines "$TMPDIR/a.jsonl" $(($(wc -l <"$TMPDIR/a.jsonl") + 20))
gs_pause
vm_wait_frame "$TMPDIR/a.jsonl" "$GS_SEQ"
[ "$(wc -l <"$TMPDIR/b.jsonl")" = "$b_lines" ] || fail "the stopped viewer recorded frames"

note "continued, the second shows the newest frame"
kill -CONT "$b_pid"
vm_wait_frame "$TMPDIR/b.jsonl" "$GS_SEQ"

note "the first exits; the second keeps its IRQ, and slot 1 is free again"
viewer_stop >/dev/null
grep -q "polling" "$TMPDIR/viewer.log" && fail "the first viewer polled"
: >"$TMPDIR/viewer.log"
viewer_start --pid "$GS_PID"
vm_wait_log "$TMPDIR/viewer.log" "display IRQ at index 5, consumer slot 1 of 4" 600

note "killed with SIGKILL, a viewer cannot disarm: its slot is free once it is reaped"
kill -KILL "$VW_PID"
wait "$VW_PID" || :
VW_PID=
: >"$TMPDIR/viewer.log"
viewer_start --pid "$GS_PID"
vm_wait_log "$TMPDIR/viewer.log" "display IRQ at index 5, consumer slot" 600
grep -q "consumer slot 1 of 4" "$TMPDIR/viewer.log" ||
	fail "after a viewer was killed, the next took $(grep -o 'consumer slot [0-9]*' \
"$TMPDIR/viewer.log"), not its slot 1"
viewer_stop >/dev/null
gs_cmd resume
vm_wait_lines "$TMPDIR/b.jsonl" $(($(wc -l <"$TMPDIR/b.jsonl") + 10))
gs_pause
vm_wait_frame "$TMPDIR/b.jsonl" "$GS_SEQ"
grep -q "polling" "$TMPDIR/b.log" && fail "the second viewer polled"
kill -TERM "$b_pid"
wait "$b_pid" || fail "the second viewer exited $? on SIGTERM"
# In order, none twice, the last drawn shown last (frames missed while stopped are fine).
vmtool check-frames "$TMPDIR/gs.log" "$TMPDIR/b.jsonl" --min-share 0 || fail "second viewer: frames"
gs_stop
vm_mdev_remove "$a"
