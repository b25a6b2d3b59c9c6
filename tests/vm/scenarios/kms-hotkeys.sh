#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 400
#
# Hotkeys on the KMS presenter, typed on a uinput keyboard that udev tags
# and libinput finds (the default chords, Ctrl+Alt+key):
#   - an 800x600 guest on the 1024x768 vkms output, --scale fit: composed
#     and scaled (GBM + EGL, uploaded: llvmpipe on kms_swrast);
#   - Ctrl+Alt+S twice (fit -> fill -> integer): the guest dmabuf itself on
#     the primary plane, placed at 112,84 by the plane (zero-copy), every
#     pixel exact and the border black;
#   - Ctrl+Alt+I: the statistics overlay on the overlay plane (placard
#     colours and text in its 720x36 corner, over the black border);
#   - Ctrl+Alt+Q: the viewer exits 0, and the KMS state is what it was.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
"$KMSTOOL" state >"$VGPU_OUT/state-before.txt" || fail "kmstool state"

rm -f "$TMPDIR/keys.ctl"
mkfifo "$TMPDIR/keys.ctl"
"$KMSTOOL" keys <"$TMPDIR/keys.ctl" >"$TMPDIR/keys.out" 2>&1 &
KEYS_PID=$!
KMS_PIDS="$KMS_PIDS $KEYS_PID"
exec 8>"$TMPDIR/keys.ctl"
vm_wait_log "$TMPDIR/keys.out" "^ready" 300
vm_wait_for 600 sh -c "udevadm info /dev/input/event* 2>/dev/null | grep -q ID_INPUT_KEYBOARD=1" ||
	fail "udev did not tag the uinput keyboard"

# type CHORD: one chord on the uinput keyboard.
type_chord() {
	echo "$1" >&8
	vm_wait_log "$TMPDIR/keys.out" "^typed $1" 300
}

gs_start "$a" --rate 30
gs_cmd "mode 800 600"
_lib_backend=kms viewer_start --pid "$GS_PID" --scale fit --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "keyboard added: vgpu-viewer test keyboard" 900
vm_wait_log "$TMPDIR/viewer.log" "path shm" 600
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump fit)
screen_expect kms fit 300 scaled "$frame" 0 0 1024 768 2 || fail "fit: the scaled frame is wrong"

type_chord ctrl+alt+s
vm_wait_log "$TMPDIR/viewer.log" "scale: fill" 100
type_chord ctrl+alt+s
vm_wait_log "$TMPDIR/viewer.log" "scale: integer" 100
vm_wait_log "$TMPDIR/viewer.log" "path zero-copy" 300
screen_expect kms integer 300 scaled "$frame" 112 84 800 600 0 ||
	fail "integer: not the frame 1:1 at 112,84 on black"

type_chord ctrl+alt+i
vm_wait_log "$TMPDIR/viewer.log" "statistics overlay on" 100
screen_expect kms overlay 300 waiting 0 0 720 36 || fail "the overlay has no statistics text"
grep -q '^plane 1: 720x36 XR24' "$TMPDIR/grab.out" || fail "no overlay plane scanned out"
# The same scanout is no longer the bare frame on black: the overlay covers
# part of the border (1: a mismatch; 2 would be bad input, not an answer).
imgcheck scaled "$VGPU_OUT/overlay-scanout.ppm" "$frame" 112 84 800 600 0 >/dev/null 2>&1
rc=$?
[ "$rc" = 1 ] || fail "the overlay is not on screen (imgcheck exit $rc, want 1)"

type_chord ctrl+alt+q
vm_wait_exit "$VW_PID" 300 || fail "ctrl+alt+q did not end the viewer"
wait "$VW_PID"
rc=$?
VW_PID=
cat "$TMPDIR/viewer.log"
[ "$rc" = 0 ] || fail "the viewer exited $rc on its quit hotkey"
grep -q "hotkey: quit" "$TMPDIR/viewer.log" || fail "no quit hotkey logged"
"$KMSTOOL" state >"$VGPU_OUT/state-after.txt" || fail "kmstool state"
diff -u "$VGPU_OUT/state-before.txt" "$VGPU_OUT/state-after.txt" ||
	fail "the KMS state after the viewer is not the one before"

# guestsim holds the keyboard's fifo open too (it was started later): first.
gs_stop
exec 8>&-
wait "$KEYS_PID"
kms_stop
vm_mdev_remove "$a"
