#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 400
#
# The KMS presenter on vkms, no compositor.  What vkms scans out is read
# back by kmstool (the planes' framebuffers composed as vkms does, checked
# against vkms's own CRC of its output) and compared with guestsim's frame:
#   - placard before the guest shows anything;
#   - 1024x768 guest on the 1024x768 output: the zero-copy path (the mbochs
#     dmabuf on the primary plane), pixel-exact;
#   - mode change to 800x600, --scale fit: vkms cannot scale, so the
#     composed path (GBM + EGL; llvmpipe on kms_swrast, so the texture is
#     uploaded from the dmabuf's mapping: "shm"), scaled to 1024x768 within
#     tolerance;
#   - display off: the waiting placard;
#   - SIGTERM: exit 0, and the CRTC, connector and planes as before.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
"$KMSTOOL" state >"$VGPU_OUT/state-before.txt" || fail "kmstool state"

gs_start "$a" --rate 30
gs_cmd disable
_lib_backend=kms viewer_start --pid "$GS_PID" --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "path placard" 900
screen_expect kms placard 300 waiting 0 0 1024 768 ||
	fail "no waiting placard before the guest shows"

# Each look waits for the frame guestsim stopped on to be flipped (the
# page-flip event), then for vkms to scan it out.
gs_cmd enable
vm_wait_log "$TMPDIR/viewer.log" "path zero-copy" 600
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump zc-1024x768)
screen_expect kms zc-1024x768 300 exact "$frame" 0 0 || fail "the 1:1 frame is not the guest's"

gs_cmd resume
gs_cmd "mode 800 600"
vm_wait_log "$TMPDIR/viewer.log" "path shm" 600
gs_pause
vm_wait_frame "$TMPDIR/v.jsonl" "$GS_SEQ" presented
frame=$(gs_dump composed-800x600)
screen_expect kms composed-800x600 300 scaled "$frame" 0 0 1024 768 2 ||
	fail "the composed, scaled frame is wrong"

gs_cmd disable
screen_expect kms off 300 waiting 0 0 1024 768 || fail "no waiting placard with the display off"

kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
"$KMSTOOL" state >"$VGPU_OUT/state-after.txt" || fail "kmstool state"
diff -u "$VGPU_OUT/state-before.txt" "$VGPU_OUT/state-after.txt" ||
	fail "the KMS state after the viewer is not the one before"
gs_stop
kms_stop
# Every frame handed to KMS was flipped (its page-flip event came), at most
# one a refresh (vkms: 60 Hz).
vmtool wl-stats "$TMPDIR/v.jsonl" --min-frames 20 --all-presented yes \
	--min-interval-ms 15 || fail "stats"
vm_mdev_remove "$a"
