#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 400
#
# The KMS presenter fed by the display service: "vgpu-viewer --serve" holds
# guestsim's mbochs mdev, and a kiosk-like client (--backend kms
# --service=PATH) shows it on vkms.  What vkms scans out (kmstool) must be
# what it is with a directly attached viewer (kms-scanout):
#   - 1024x768: the service's dmabuf on the primary plane (zero-copy),
#     pixel-exact to guestsim's frame;
#   - the guest's cursor plane (mbochs, patch 0014) through the service
#     (CursorDefine, MouseSet): on vkms's cursor plane where the guest has
#     it (the client has no pointer of its own), moved, a new picture, off;
#   - the guest changes mode to 800x600: the client gets the new buffer and
#     layout from the service and composes it, scaled, within tolerance;
#   - display off: the waiting placard.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
sock=$TMPDIR/svc.sock
kms_start

gs_start "$a" --rate 30
viewer_start --pid "$GS_PID" --serve="$sock" --viewers root
viewer_wait_attached
"$VGPU_BUILD/vgpu-viewer" --service="$sock" --backend kms -v --stats "$TMPDIR/k.jsonl" \
	>"$TMPDIR/kms-client.log" 2>&1 &
K=$!
vm_wait_log "$TMPDIR/kms-client.log" "showing the guest through the display service" 300
vm_wait_log "$TMPDIR/kms-client.log" "path zero-copy" 600
ls -l "/proc/$K/fd" | grep -Eq "/dev/vfio|vfio-device" && fail "the KMS client holds a VFIO fd"
gs_pause
vm_wait_frame "$TMPDIR/k.jsonl" "$GS_SEQ" presented
frame=$(gs_dump svc-zc-1024x768)
screen_expect kms svc-zc-1024x768 300 exact "$frame" 0 0 ||
	fail "the 1:1 frame from the service is not the guest's"

# guestsim's cursor: a BOX-pixel opaque magenta square at the picture's top left.
gs_cmd "cursor 100 200"
screen_expect kms svc-cursor 300 box 100 200 24 24 ff00ff ||
	fail "the guest's cursor from the service is not where the guest has it"
gs_cmd "cursor 300 400"
screen_expect kms svc-cursor-moved 300 box 300 400 24 24 ff00ff ||
	fail "the guest's cursor from the service did not move with the guest's"
gs_cmd "cursor 300 400 40"
screen_expect kms svc-cursor-picture 300 box 300 400 40 40 ff00ff ||
	fail "the guest's new cursor picture did not come through the service"
gs_cmd "cursor off"
screen_expect kms svc-cursor-off 300 box 0 0 0 0 ff00ff ||
	fail "the guest's cursor is still shown after the guest turned it off"
grep -q "cursor plane: 64x64 AR24" "$TMPDIR/viewer.log" ||
	fail "the service did not log the guest's cursor plane"

gs_cmd resume
gs_cmd "mode 800 600"
vm_wait_log "$TMPDIR/kms-client.log" "path shm" 600
gs_pause
vm_wait_frame "$TMPDIR/k.jsonl" "$GS_SEQ" presented
frame=$(gs_dump svc-composed-800x600)
screen_expect kms svc-composed-800x600 300 scaled "$frame" 0 0 1024 768 2 ||
	fail "the composed, scaled frame from the service is wrong"

gs_cmd disable
screen_expect kms svc-off 300 waiting 0 0 1024 768 ||
	fail "no waiting placard when the service says the display is off"

kill "$K"
wait "$K" || { cat "$TMPDIR/kms-client.log"; fail "the KMS client exited $? on SIGTERM"; }
cp "$TMPDIR/kms-client.log" "$VGPU_OUT/"
viewer_stop
gs_stop
kms_stop
vm_mdev_remove "$a"
