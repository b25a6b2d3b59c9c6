#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 120
#
# The core on a region plane: guestsim draws into the mdpy framebuffer in
# place at 30 frames/s; the viewer, woken by mdpy's 60 Hz virtual vblank,
# reads the region mapping.  Frames in order, the last drawn shown.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mdpy
d=$(vm_uuid)
vm_mdev_create mdpy xga "$d"
GS_RATE=30 show_guest "$d" 120 "$TMPDIR/gs.log" "$TMPDIR/v.jsonl"
grep -q "display IRQ at index 5" "$TMPDIR/viewer.log" || fail "no display IRQ on mdpy"
# In-place drawing can be caught mid-stamp now and then.
vmtool check-frames "$TMPDIR/gs.log" "$TMPDIR/v.jsonl" --min-share 0.5 --max-unstamped 0.05 ||
	fail "frames"
vm_mdev_remove "$d"
