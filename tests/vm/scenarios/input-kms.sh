#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1500
# vm-needs: guest qemu10
#
# Keyboard and pointer to a real guest (QEMU 10), on the KMS presenter: uinput
# devices (tests/input/inputtool.c) -> udev -> libinput -> the viewer on
# vkms -> QMP input-send-event -> QEMU -> the guest's virtio keyboard and
# tablet -> its evdev, which the guest's init reports on its serial port
# (tests/vm/guest/init.c).  The viewer finds QMP on QEMU's command line.
#   - every key keycodemapdb maps (159) arrives as the same evdev code,
#     pressed and released, in order; but F11, the default hotkey
#     toggle-fullscreen, which is the viewer's and does not reach the guest;
#   - chords: shift+a as typed; ctrl+alt+s the viewer's (the guest sees
#     the modifiers, never the s); ctrl+alt+end (secure-attention) gives the
#     guest Ctrl+Alt+Del;
#   - a tablet's absolute positions on a 1280x1024 output land within one
#     guest pixel of where the 1024x768 guest is drawn under them, at fit,
#     fill, integer and none (letterboxed, cropped, centred), and over the
#     letterbox at the guest's edge;
#   - buttons and the wheel; a mouse's relative motion moves the pointer;
#   - --input=off: nothing typed reaches the guest;
#   - --vnc: keys go through QEMU's VNC server instead of QMP (a unix
#     socket; cirrus-vga, which the guest has no driver for, is the
#     graphical console QEMU gives VNC keys to the guest for).
# Its QEMU holds the mdev through the group (/dev/vfio/N), the way
# guest-qemu10 no longer boots a guest for: the viewer borrows the device
# from that group and exits 7 when QEMU is killed.
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
guest_check_qemu10
. "$VGPU_TOP/tests/vm/lib-input.sh"
LOG=$TMPDIR/guest.log

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
# QEMU 10: 7.2 has no QKeyCode for F13 to F24 (QEMU 8.0 added them), and
# this is the test of the whole table.  One frame, then still: a guest
# drawing frames under TCG in TCG leaves its evdev reader too little time
# (and the pointer needs only the layout).
GUEST_INPUT=1 GUEST_QEMU_EXTRA="-vnc unix:$TMPDIR/vnc.sock -device cirrus-vga" \
	guest_qemu_start "$a" "$LOG" 0 1
kms_start
in_start "$LOG"

_lib_backend=kms viewer_start --pid "$QEMU_PID" --wait --mode 1280x1024 --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through QMP at $TMPDIR/qmp.sock" 1200
vm_wait_log "$TMPDIR/viewer.log" "pointer added: vgpu-viewer test tablet" 600
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$TMPDIR/v.jsonl" 1 ||
	{ tail -n 20 "$LOG"; fail "no frame of the guest's own"; }
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Keyboard" 600
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Tablet" 600
note "the guest is on screen with its keyboard and tablet, $(guest_ms_since_start) ms after QEMU started"
g=$(vm_mdev_group "$a")
ls -l "/proc/$QEMU_PID/fd" >"$VGPU_OUT/qemu-fds.txt"
grep -q "/dev/vfio/$g\$" "$VGPU_OUT/qemu-fds.txt" || fail "QEMU does not hold the group /dev/vfio/$g"
grep -q "from pid $QEMU_PID's group $g" "$TMPDIR/viewer.log" ||
	fail "the viewer did not take the device from QEMU's group"

# Every key (F11, the default toggle-fullscreen hotkey, is the viewer's), then chords.
in_allkeys 87
grep -q "hotkey: toggle-fullscreen" "$TMPDIR/viewer.log" || fail "F11 was not the viewer's hotkey"

m=$(in_mark)
in_do "chord shift+a"
in_do "chord ctrl+alt+end"
in_do "chord ctrl+alt+s"
vm_wait_log "$TMPDIR/viewer.log" "scale: fill" 100
in_gi --wait 600 "$m" count 14 || true
in_gi "$m" keys 42:1 30:1 30:0 42:0 29:1 56:1 111:1 111:0 56:0 29:0 29:1 56:1 56:0 29:0 ||
	fail "chords: not what the guest should get"
grep -q "secure attention" "$TMPDIR/viewer.log" || fail "no secure attention logged"
# Its init took Ctrl+Alt+Del from the kernel, as any init does: no reboot.
[ "$(grep -c 'the vgpu-viewer test guest, Linux' "$LOG")" = 1 ] || fail "the guest booted again"
note "shift+a typed; ctrl+alt+end was Ctrl+Alt+Del; ctrl+alt+s the viewer's"

# The pointer, at each scale (ctrl+alt+s made it fill; two more: integer, none; then fit).
points="32768,32768 3000,40000 60000,9000 0,0 65535,65535 20000,1000 1000,64000"
for scale in fill integer none fit; do
	if [ "$scale" != fill ]; then
		in_do "chord ctrl+alt+s"
		vm_wait_log "$TMPDIR/viewer.log" "scale: $scale" 100
	fi
	for p in $points; do
		in_point "$scale" "${p%,*}" "${p#*,}" 1
	done
	note "$scale: $(echo "$points" | wc -w) tablet positions within one guest pixel"
done

# Buttons and the wheel (the tablet's left button; the mouse's wheel, one detent down).
in_buttons

# A mouse moves the pointer: to the right, the guest's x grows.
pointer_x() { in_gi 0 abs 0 0 1024 768 | sed 's/.*at \([0-9]*\).*/\1/'; }
x_grew() { [ "$(pointer_x)" -gt "$before" ]; }
before=$(pointer_x)
in_do "move 40 0"
vm_wait_for 600 x_grew ||
	fail "the mouse moved right, the guest's pointer did not (was at x $before)"
note "a mouse's motion moved the guest's pointer right from x $before"

# View only: what is typed does not reach the guest.  A viewer with input
# on types y afterwards; when y has arrived, x would have before it.
viewer_stop
m=$(in_mark)
_lib_backend=kms viewer_start --pid "$QEMU_PID" --input=off --mode 1280x1024
vm_wait_log "$TMPDIR/viewer.log" "input off: the guest is shown, not controlled" 1200
vm_wait_log "$TMPDIR/viewer.log" "keyboard added: vgpu-viewer test keyboard" 600
in_do "tap 45"
viewer_stop
_lib_backend=kms viewer_start --pid "$QEMU_PID" --mode 1280x1024 --vnc "$TMPDIR/vnc.sock"
vm_wait_log "$TMPDIR/viewer.log" "keyboard added: vgpu-viewer test keyboard" 600
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through its VNC server at $TMPDIR/vnc.sock" 1200
in_do "tap 21"
in_gi --wait 600 "$m" seen 21:0 || fail "y, typed through --vnc, did not arrive"
in_gi "$m" keys 21:1 21:0 || fail "--input=off let a key through"
note "--input=off: x did not reach the guest; y, typed later through QEMU's VNC server (--vnc), did"

kill -KILL "$QEMU_PID"
wait "$VW_PID"
rc=$?
VW_PID=
[ "$rc" = 7 ] || fail "viewer exit $rc after QEMU was killed, want 7"
in_stop
kms_stop
vm_mdev_remove "$a"
