#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 900
# vm-needs: guest
#
# What a user sees of a real guest in a window: the test guest (Linux on
# bochs-drm) under the VM's own QEMU on an mbochs mdev, the viewer in a
# fullscreen window on weston (GL renderer).  The guest draws one frame and
# holds still (vgpuguest.hz=0); weston's screenshot must be that frame pixel
# for pixel: the picture rendered from its number (tests/lib/frame_draw.c),
# and the stamp the guest wrote, read back from the screen.
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
guest_check

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
weston_start gl 1024 768

guest_qemu_start "$a" "$TMPDIR/guest.log" 0 2

wl_viewer_start --pid "$QEMU_PID" --wait --fullscreen --stats "$TMPDIR/v.jsonl"
vm_wait_for 1200 grep -q "attached to mdev $a of the VMM" "$TMPDIR/viewer.log" ||
	{ cat "$TMPDIR/qemu.log"; fail "the viewer did not attach to QEMU"; }
vm_wait_for "$GUEST_BOOT_TENTHS" grep -q 'vgpuguest: modeset 1024x768' "$TMPDIR/guest.log" ||
	{ tail -n 20 "$TMPDIR/guest.log"; fail "the guest set no mode"; }
vm_wait_frame "$TMPDIR/v.jsonl" 1 presented
screen_expect wl guest-frame-1 300 guestframe 0 0 1024 768 1 ||
	fail "the window does not show the guest's frame"

kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
kill "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
weston_stop
vm_mdev_remove "$a"
