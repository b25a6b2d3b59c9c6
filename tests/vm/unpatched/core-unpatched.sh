#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 120
#
# Userspace without kernel/: run by tests/vm/check-series on the kernel with
# none of the patches (stock 6.12 mbochs).  The viewer finds no display IRQ,
# says so once and polls; the stock first query of a new mode fails with
# -ENOMEM and is retried; the stock dmabuf cannot be mapped (read-only
# export), so frames are counted, not read -- and the viewer keeps showing
# the guest until it is stopped.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
gs_start "$a" --rate 30
viewer_start --pid "$GS_PID" --stats "$TMPDIR/v.jsonl"
viewer_wait_attached
vm_wait_for 600 grep -q '"width":1024' "$TMPDIR/v.jsonl" || fail "no 1024x768 frame"
gs_cmd "mode 800 600"
# A frame of the new mode: the first query's -ENOMEM was retried.  (Stock
# mbochs then refuses some of its dmabufs, "no dmabuf for id N", so the
# display flaps; the series fixes that: kernel-mbochs-fixes.)
vm_wait_for 600 grep -q '"width":800' "$TMPDIR/v.jsonl" || fail "no frame after the mode change"
viewer_stop
gs_stop
grep -q "polling every 16 ms (the kernel has no display IRQ for this device)" \
	"$TMPDIR/viewer.log" || fail "no polling fallback message"
[ "$(grep -c "polling every" "$TMPDIR/viewer.log")" = 1 ] || fail "fallback logged more than once"
grep -q "cannot map the guest plane" "$TMPDIR/viewer.log" || fail "no warning about mapping"
vmtool check-modes "$TMPDIR/v.jsonl" 1024x768 800x600 || fail "modes"
n=$(grep -c '"event":"frame"' "$TMPDIR/v.jsonl")
note "$n frames recorded without the display IRQ"
[ "$n" -ge 2 ] || fail "too few frames"
vm_mdev_remove "$a"
