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
vm_wait_log "$TMPDIR/viewer.log" "presenting by the zero-copy path" 900
# Each look at the screen waits for the frame guestsim stopped on to be
# presented (wp_presentation), then for the screenshot to show it.
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump zc-1024x768)
screen_expect wl zc-1024x768 300 exact "$frame" 0 0 || fail "the 1:1 frame is not the guest's"

gs_cmd "mode 1280 800"
gs_cmd resume
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump zc-1280x800)
screen_expect wl zc-1280x800-fit 300 scaled "$frame" 0 64 1024 640 2 ||
	fail "the scaled frame is wrong"

gs_cmd disable
vm_wait_log "$TMPDIR/viewer.log" "guest display off: disabled by the guest"
screen_expect wl zc-waiting 300 waiting 0 0 1024 768 || fail "no waiting placard with the display off"

gs_cmd "mode 1024 768"
gs_cmd resume
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump zc-back)
screen_expect wl zc-back 300 exact "$frame" 0 0 || fail "the frame did not come back"

kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
gs_stop
weston_stop
grep -q "compositor: linux-dmabuf v3" "$TMPDIR/viewer.log" || fail "no linux-dmabuf seen"
# Every frame went by the zero-copy path; weston reported presenting them.
vmtool wl-stats "$TMPDIR/v.jsonl" --path zero-copy --min-frames 20 || fail "stats"
vm_mdev_remove "$a"
