#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 300
#
# The KMS presenter's errors, each one line on stderr and an exit status of
# its own, and the state it found put back:
#   - another process is DRM master of the card: exit 11;
#   - no connected output (the connector forced off through sysfs): exit 9;
#   - --output naming no connector: exit 9, the connected ones listed;
#   - --mode the output does not have: exit 10, its modes listed;
#   - a mode set by another process (a pattern at 800x600, master dropped):
#     the viewer takes the output over, and at exit the CRTC, connector and
#     planes are as they were, and the pattern is scanned out again (vkms's
#     CRC of the pattern, read back).
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
conn=/sys/class/drm/card0-Virtual-1/status
[ -e "$conn" ] || fail "no $conn"

# hold_start [drop]: kmstool shows its pattern at 800x600 and keeps it.
hold_start() {
	rm -f "$TMPDIR/hold.ctl"
	mkfifo "$TMPDIR/hold.ctl"
	"$KMSTOOL" hold 800x600 "$@" <"$TMPDIR/hold.ctl" >"$TMPDIR/hold.out" 2>&1 &
	HOLD_PID=$!
	KMS_PIDS="$KMS_PIDS $HOLD_PID"
	exec 7>"$TMPDIR/hold.ctl"
	vm_wait_log "$TMPDIR/hold.out" "^held" 300
}

hold_stop() {
	exec 7>&-
	wait "$HOLD_PID"
}

# expect_error STATUS PATTERN ARGS...: the viewer exits STATUS with one line
# on stderr matching PATTERN.
expect_error() {
	_want=$1 _pat=$2
	shift 2
	"$VGPU_BUILD/vgpu-viewer" --backend kms --mdev "$a" "$@" >"$TMPDIR/out" 2>"$TMPDIR/err"
	_rc=$?
	echo "-- vgpu-viewer $*: exit $_rc: $(cat "$TMPDIR/err")"
	[ "$_rc" = "$_want" ] || fail "exit status $_rc, want $_want"
	[ "$(wc -l <"$TMPDIR/err")" = 1 ] || fail "not one line on stderr"
	grep -q "$_pat" "$TMPDIR/err" || fail "no '$_pat' in the error"
}

hold_start
expect_error 11 "/dev/dri/card0 is in use: another process is its DRM master"
hold_stop

echo off >"$conn" || fail "cannot force $conn off"
expect_error 9 "no connected output"
echo detect >"$conn"
vm_wait_for 50 grep -qx connected "$conn" || fail "Virtual-1 did not come back"

expect_error 9 "no output named HDMI-A-1 (connected: Virtual-1)" --output HDMI-A-1
expect_error 10 "Virtual-1 has no mode 1234x567 (it has [0-9]*x[0-9]*@[0-9]*" --mode 1234x567
expect_error 10 "Virtual-1 has no mode 1024x768@75" --mode 1024x768@75

hold_start drop
"$KMSTOOL" state >"$VGPU_OUT/state-held.txt" || fail "kmstool state"
kms_grab held >/dev/null
gs_start "$a" --rate 30
_lib_backend=kms viewer_start --pid "$GS_PID" --mode 1024x768@60 --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "path zero-copy" 900
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump taken)
screen_expect kms taken 300 exact "$frame" 0 0 || fail "the viewer did not take the output over"
viewer_stop
grep -q "the previous state is back" "$TMPDIR/viewer.log" || fail "no restore logged"
"$KMSTOOL" state >"$VGPU_OUT/state-after.txt" || fail "kmstool state"
diff -u "$VGPU_OUT/state-held.txt" "$VGPU_OUT/state-after.txt" ||
	fail "the KMS state after the viewer is not the one before"
shot=$(kms_grab restored)
cmp "$VGPU_OUT/held-scanout.ppm" "$shot" || fail "the pattern is not scanned out again"
# guestsim holds kmstool's fifo open too (it was started later): first.
gs_stop
hold_stop
kms_stop
vm_mdev_remove "$a"
