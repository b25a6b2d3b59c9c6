#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 900
#
# The guest's cursor plane, on both presenters.  mbochs has one (kernel
# patch 0014: registers of the sample's own, as no test device here has a
# cursor; GVT-g's needs Intel hardware), and guestsim, playing the guest,
# shows a 64x64 picture there whose top left 24x24 are opaque magenta,
# hotspot (4, 4).  What vkms scans out is read back by kmstool (every plane
# composed as vkms does, checked against vkms's CRC), and the magenta
# pixels must be exactly the box where the cursor belongs:
#   - KMS: where the guest has it, before the pointer moves; where the
#     kiosk's pointer is (less the hotspot) once it points for the guest,
#     whatever the guest says; where the guest has it again with
#     --input=off;
#   - Wayland, weston's DRM backend on vkms with a uinput tablet: the
#     cursor plane becomes the pointer's own picture while the pointer is
#     over the window (weston draws it at the pointer, less the hotspot),
#     and with --input=off it is a subsurface where the guest has it;
#     it goes when the guest turns its cursor off.
# No guest here moves a cursor of its own with a tablet (the guests'
# bochs-drm knows no cursor registers), and guestsim is no VMM: the
# viewer's input goes to a stand-in QMP socket (vmtool.py fake-qmp) that
# says the guest has a tablet and records the positions sent, which are
# checked too.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-input.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
in_start "$TMPDIR/no-guest.log"
fake_qmp_start

# The frame holds still (a look at the screen compares two reads of it).
gs_start "$a" --rate 10
gs_pause
gs_cmd "cursor 100 200"
grep -q "^cursor 100 200: ok" "$TMPDIR/gs.out" || { cat "$TMPDIR/gs.out"; fail "no cursor plane"; }

# KMS: 1024x768 on vkms's 1024x768 output, so guest pixels are output pixels.
_lib_backend=kms viewer_start --pid "$GS_PID" --qmp "$TMPDIR/qmp.sock"
vm_wait_log "$TMPDIR/viewer.log" "cursor plane: 64x64 AR24" 900
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through QMP" 300
screen_expect kms kms-guest 300 box 100 200 24 24 ff00ff ||
	fail "KMS: the cursor is not where the guest has it"
note "KMS: the cursor plane where the guest has it"
in_do "abs 32768 32768"
screen_expect kms kms-pointer 300 box 508 380 24 24 ff00ff ||
	fail "KMS: the cursor is not where the pointer is"
gs_cmd "cursor 300 400"
in_do "abs 16384 16384"
screen_expect kms kms-pointer2 300 box 252 188 24 24 ff00ff ||
	fail "KMS: the cursor did not follow the pointer"
# The VMM heard the same place: pixel (256, 192)'s centre in QEMU's
# 0..32767 is (8207, 8213).
last_abs() {
	python3 -c 'import json, sys
pos = {}
for line in open(sys.argv[1]):
    for e in json.loads(line):
        if e["type"] == "abs":
            pos[e["data"]["axis"]] = e["data"]["value"]
print(pos.get("x", -1), pos.get("y", -1))' "$TMPDIR/qmp-events.log"
}
set -- $(last_abs)
[ "$1" -ge 8191 ] && [ "$1" -le 8223 ] && [ "$2" -ge 8197 ] && [ "$2" -le 8229 ] ||
	fail "KMS: QMP was told $1, $2 for pixel (256, 192), not about (8207, 8213)"
note "KMS: the pointer carries the guest's cursor picture, and the guest hears where"
viewer_stop
: >"$TMPDIR/viewer.log"
_lib_backend=kms viewer_start --pid "$GS_PID" --input=off
vm_wait_log "$TMPDIR/viewer.log" "kms: path zero-copy" 900
in_do "abs 32768 32768"
screen_expect kms kms-input-off 300 box 300 400 24 24 ff00ff ||
	fail "KMS, --input=off: the cursor is not where the guest has it"
viewer_stop
note "KMS, --input=off: where the guest has it"

# Wayland: weston on vkms with the uinput devices, the viewer fullscreen.
weston_drm_start wayland-cursor 1024x768
wl_viewer_start --pid "$GS_PID" --qmp "$TMPDIR/qmp.sock" --fullscreen --debug
vm_wait_log "$TMPDIR/viewer.log" "cursor plane: 64x64 AR24" 900
gs_cmd "cursor 100 200"
# Not where the tablet was: evdev drops a position that does not change.
in_do "abs 49152 49152"
screen_expect kms wl-pointer 600 box 764 572 24 24 ff00ff ||
	fail "Wayland: the pointer's picture is not the guest's cursor, at the pointer"
in_do "abs 16384 16384"
screen_expect kms wl-pointer2 300 box 252 188 24 24 ff00ff ||
	fail "Wayland: the pointer's picture did not move with the pointer"
note "Wayland: the guest's cursor is the pointer's picture over the window"
viewer_stop
: >"$TMPDIR/viewer.log"
wl_viewer_start --pid "$GS_PID" --input=off --fullscreen
vm_wait_log "$TMPDIR/viewer.log" "cursor plane: 64x64 AR24" 900
in_do "abs 32768 32768"
screen_expect kms wl-input-off 600 box 100 200 24 24 ff00ff ||
	fail "Wayland, --input=off: the cursor is not where the guest has it"
note "Wayland, --input=off: a subsurface where the guest has it"
gs_cmd "cursor off"
screen_expect kms wl-cursor-off 300 box 0 0 0 0 ff00ff ||
	fail "Wayland: the guest's cursor is still shown after the guest turned it off"
note "Wayland: gone when the guest turns it off"
viewer_stop

kill "$WESTON_PID"
wait "$WESTON_PID" 2>/dev/null
cp "$TMPDIR/weston-drm.log" "$VGPU_OUT/"
fake_qmp_stop
gs_stop
in_stop
kms_stop
vm_mdev_remove "$a"
