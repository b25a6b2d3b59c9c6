#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 600
#
# keyboard-shortcuts-inhibit, which weston lacks, on sway (wlroots; DRM
# backend on vkms, pixman renderer, the uinput devices as its seat): sway
# binds Super+X to a command that leaves a file.
#   - before the grab, Super+X is sway's: the file appears;
#   - a click on the viewer's fullscreen window grabs the pointer of a
#     guest whose pointer is relative, and the viewer asks sway to inhibit
#     its shortcuts; sway grants it;
#   - Super+X then goes to the guest (QMP hears Meta and X, pressed and
#     released), and sway runs nothing;
#   - release-cursor (ctrl+alt) ends the grab and the inhibitor: Super+X is
#     sway's again.
# guestsim plays the guest and is no VMM: the viewer's input goes to a
# stand-in QMP socket (vmtool.py fake-qmp --relative) that says the guest's
# pointer is a mouse and records what it is sent.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-input.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
in_start "$TMPDIR/no-guest.log"
fake_qmp_start --relative
gs_start "$a" --rate 10
gs_pause

# sway refuses to run as root: it runs as nobody, with a runtime
# directory of its own, the test VM's DRM and input devices open to it,
# and libseat's builtin backend not bound to a VT (there is no logind).
run=$TMPDIR/sway-run
chmod 0711 "$TMPDIR"
mkdir -p "$run"
chown nobody "$run"
chmod 0700 "$run"
chmod 0666 /dev/dri/card0 /dev/input/event*
bound=$run/bound
# sway names its socket itself: it says which through a command it runs.
printf '%s\n' 'output Virtual-1 mode 1024x768' \
	"exec echo \$WAYLAND_DISPLAY >$run/socket" \
	"bindsym Mod4+x exec touch $bound" >"$run/sway.conf"
setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$run" XDG_RUNTIME_DIR="$run" \
	WLR_BACKENDS=drm,libinput WLR_RENDERER=pixman LIBSEAT_BACKEND=builtin SEATD_VTBOUND=0 \
	sway -c "$run/sway.conf" >"$TMPDIR/sway.log" 2>&1 &
WESTON_PID=$!	# the compositor's, whichever: vm_cleanup ends it
trap 'cp "$TMPDIR/sway.log" "$VGPU_OUT/" 2>/dev/null; vm_cleanup' EXIT
vm_wait_for 900 test -s "$run/socket" || { cat "$TMPDIR/sway.log"; fail "sway did not start"; }
WAYLAND_DISPLAY=$run/$(cat "$run/socket")
export WAYLAND_DISPLAY

wl_viewer_start --pid "$GS_PID" --qmp "$TMPDIR/qmp.sock" --fullscreen --debug
vm_wait_log "$TMPDIR/viewer.log" "compositor: .*pointer grab yes, shortcuts-inhibit yes" 900
vm_wait_log "$TMPDIR/viewer.log" "guest.s pointer is relative" 900
vm_wait_log "$TMPDIR/viewer.log" "focus in" 900

super_x() { in_do "key 125 1"; in_do "key 45 1"; in_do "key 45 0"; in_do "key 125 0"; }
super_x
vm_wait_for 300 test -e "$bound" || fail "Super+X before the grab: sway's binding did not run"
rm -f "$bound"
note "before the grab, Super+X is sway's"

in_do "abs 32768 32768"
in_do "btn mouse 272 1"
in_do "btn mouse 272 0"
vm_wait_log "$TMPDIR/viewer.log" "pointer grabbed" 300
vm_wait_log "$TMPDIR/viewer.log" "the compositor's shortcuts go to the guest" 300
: >"$TMPDIR/qmp-events.log"
super_x
# Meta is QEMU's key number 0xdb (219), X 0x2d (45).
keys_heard() {
	python3 -c 'import json, sys
keys = [(e["data"]["key"]["data"], e["data"]["down"]) for line in open(sys.argv[1])
        for e in json.loads(line) if e["type"] == "key"]
sys.exit(0 if keys == [(219, True), (45, True), (45, False), (219, False)] else 1)' \
		"$TMPDIR/qmp-events.log"
}
vm_wait_for 300 keys_heard || { cat "$TMPDIR/qmp-events.log"; fail "Super+X did not go to the guest"; }
[ -e "$bound" ] && fail "Super+X under the grab: sway ran its binding too"
note "grabbed: sway inhibited its shortcuts, Super+X went to the guest and nothing else"

in_do "chord ctrl+alt"
vm_wait_log "$TMPDIR/viewer.log" "pointer released: release-cursor" 300
super_x
vm_wait_for 300 test -e "$bound" || fail "Super+X after the release: sway's binding did not run"
note "released: Super+X is sway's again"

viewer_stop
kill "$WESTON_PID"
wait "$WESTON_PID" 2>/dev/null
cp "$TMPDIR/sway.log" "$VGPU_OUT/"
fake_qmp_stop
gs_stop
in_stop
kms_stop
vm_mdev_remove "$a"
