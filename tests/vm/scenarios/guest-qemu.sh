#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 900
# vm-needs: guest
#
# A real guest under a real QEMU: Debian's qemu-system-x86_64, inside the
# test VM (TCG in TCG), boots the test guest (tests/vm/build-guest: Linux on
# bochs-drm) on an mbochs mdev with -device vfio-pci,sysfsdev=.  The viewer,
# waiting for QEMU's pid to hold the device, attaches by --pid and shows
# what a user sees: first the guest's console (fbcon, unstamped frames),
# then its page flips, every frame the guest's own (its stamp), in order.
# When QEMU is killed the viewer lets go of every fd at once and exits 7.
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
guest_check

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

guest_qemu_start "$a" "$TMPDIR/guest.log"
note "QEMU $GUEST_QEMU_VERSION started (pid $QEMU_PID)"

# --wait: QEMU opens the device some seconds after it starts.
viewer_start --pid "$QEMU_PID" --wait --stats "$TMPDIR/v.jsonl"
vm_wait_for 1200 grep -q "attached to mdev $a of the VMM" "$TMPDIR/viewer.log" ||
	{ cat "$TMPDIR/qemu.log" "$TMPDIR/viewer.log"; fail "the viewer did not attach to QEMU"; }
note "attached $(guest_ms_since_start) ms after QEMU started"

# The console first: bochs-drm's fbcon, frames without a stamp.
unstamped() { grep '"event":"frame"' "$TMPDIR/v.jsonl" 2>/dev/null | grep -qv '"seq"'; }
vm_wait_for "$GUEST_BOOT_TENTHS" unstamped ||
	{ tail -n 20 "$TMPDIR/guest.log"; fail "no console frame from the guest"; }
note "the guest's console on screen $(guest_ms_since_start) ms after QEMU started"

# Then its own frames: stamped, in order.
vm_wait_for "$GUEST_BOOT_TENTHS" grep -q 'vgpuguest: flip 20' "$TMPDIR/guest.log" ||
	{ tail -n 20 "$TMPDIR/guest.log"; fail "the guest did not page-flip"; }
grep -q 'vgpuguest: modeset 1024x768' "$TMPDIR/guest.log" || fail "the guest set no 1024x768 mode"
vm_wait_for 600 guest_stamped "$TMPDIR/v.jsonl" 10 ||
	fail "fewer than 10 of the guest's own frames shown"
guest_check_frames "$TMPDIR/v.jsonl" || fail "the guest's frames were not shown as drawn"
note "the guest's page flips shown in order"

# QEMU goes: the viewer closes the device and exits 7 (no --reconnect).
t1=$(date +%s%N)
kill -KILL "$QEMU_PID"
wait "$VW_PID"
rc=$?
VW_PID=
[ "$rc" = 7 ] || { cat "$TMPDIR/viewer.log"; fail "viewer exit $rc after QEMU exited, want 7"; }
note "QEMU killed: the viewer exited 7 in $(( ($(date +%s%N) - t1) / 1000000 )) ms"
vm_mdev_remove "$a"
