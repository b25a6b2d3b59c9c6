#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 300
#
# The Wayland presenter's zero-copy path on a real compositor: weston with
# the GL renderer (Mesa's software EGL device, the only one in the VM)
# takes the mbochs dmabuf itself as a wl_buffer.  Screenshots of weston's
# output are compared with the frame guestsim shows:
#   - 1024x768 on a 1024x768 output, fit (1:1): pixel-exact, and it is the
#     frame guestsim stopped on;
#   - a mode change to 1280x800: letterboxed (1024x640 at y=64), each
#     pixel within 2 of its neighbourhood in the guest frame (weston scales
#     with a linear filter), the bars black;
#   - display disabled: the waiting placard; enabled again: the frame.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
weston_start gl 1024 768

gs_start "$a" --rate 30
wl_viewer_start --pid "$GS_PID" --fullscreen --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "presenting by the zero-copy path" 600
sleep 2
GS_SETTLE=1.5
gs_cmd pause
shot=$(wl_shot zc-1024x768)
frame=$(gs_dump zc-1024x768)
imgcheck exact "$shot" "$frame" 0 0 || fail "the 1:1 frame is not the guest's"

gs_cmd resume
gs_cmd "mode 1280 800"
gs_cmd pause
shot=$(wl_shot zc-1280x800-fit)
frame=$(gs_dump zc-1280x800)
imgcheck scaled "$shot" "$frame" 0 64 1024 640 2 || fail "the scaled frame is wrong"

gs_cmd disable
shot=$(wl_shot zc-waiting)
imgcheck waiting "$shot" 0 0 1024 768 || fail "no waiting placard with the display off"

gs_cmd "mode 1024 768"
gs_cmd resume
gs_cmd pause
shot=$(wl_shot zc-back)
frame=$(gs_dump zc-back)
imgcheck exact "$shot" "$frame" 0 0 || fail "the frame did not come back"

kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
gs_stop
weston_stop
grep -q "compositor: linux-dmabuf v3" "$TMPDIR/viewer.log" || fail "no linux-dmabuf seen"
# Every frame went by the zero-copy path; weston reported presenting them.
vmtool wl-stats "$TMPDIR/v.jsonl" --path zero-copy --min-frames 20 || fail "stats"
vm_mdev_remove "$a"
