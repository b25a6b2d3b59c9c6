#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 180
#
# The guest changes its display under the viewer: a mode change mid-stream,
# the display disabled, bogus modes (8 bpp, zero width, more than VRAM), a
# reset -- each logged as "off" without a crash, and the frames come back
# with the next valid mode.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
gs_start "$a" --rate 30
viewer_start --pid "$GS_PID" --stats "$TMPDIR/v.jsonl"
GS_SETTLE=1
# The first mode must be seen before it changes (start-up takes seconds under TCG).
vm_wait_log "$TMPDIR/viewer.log" "guest display on: 1024x768" 300
gs_cmd "mode 1280 800"
gs_cmd disable
gs_cmd "mode 800 600"
gs_cmd "bogus bpp8"
gs_cmd "mode 800 600"
gs_cmd "bogus zero"
gs_cmd "bogus toobig"
gs_cmd "mode 1024 768"
gs_cmd reset
gs_cmd "mode 640 480"
kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
gs_stop
cat "$TMPDIR/gs.out"
vmtool check-modes "$TMPDIR/v.jsonl" 1024x768 1280x800 off 800x600 off 800x600 off 1024x768 \
	off 640x480 || fail "modes"
grep -q "guest display off: disabled by the guest" "$TMPDIR/viewer.log" || fail "no off message"
grep -q "guest display on: 1280x800 XR24" "$TMPDIR/viewer.log" || fail "mode change not logged"
vm_mdev_remove "$a"
