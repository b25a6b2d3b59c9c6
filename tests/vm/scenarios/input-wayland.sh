#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1500
# vm-needs: guest qemu10
#
# Keyboard and pointer to a real guest (QEMU 10) through a real compositor:
# uinput devices (tests/input/inputtool.c) -> udev -> libinput -> weston on
# its DRM backend (vkms, pixman renderer) -> wl_keyboard and wl_pointer ->
# the viewer's window, fullscreen -> QMP input-send-event -> QEMU -> the
# guest's evdev, which its init reports on its serial port.
#   - keys of every kind (e0 codes, modifiers left and right, Meta, function
#     keys) arrive as the same evdev code, pressed and released, in order;
#     shift+a as typed; ctrl+alt+s is the viewer's (the guest sees the
#     modifiers, never the s);
#   - a tablet's absolute positions on the 1280x1024 output, through
#     weston's pointer and the window's letterbox, land within one guest
#     pixel of where the 1024x768 guest is drawn, at fit and fill;
#   - buttons and the wheel (wl_pointer axis_value120);
#   - focus: shift and a held while another window takes the keyboard are
#     released in the guest; when the viewer has the keyboard again, the
#     guest holds shift again (a modifier still down), never the a; caps
#     lock, pressed in the other window, is pressed and released in the
#     guest once the viewer has the keyboard again (its lock follows the
#     seat's);
#   - the guest's mouse made QEMU's current pointer (mouse_set): the
#     viewer learns of it on a click, the next click grabs the pointer
#     (relative-pointer, pointer-constraints) and is not the guest's, the
#     mouse's motion reaches the guest as motion, and
#     release-cursor (ctrl+alt) lets it go.  weston has no
#     keyboard-shortcuts-inhibit: that part is not exercised here.
# weston runs as root with libseat's builtin backend (weston_drm_start).
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
guest_check_qemu10
. "$VGPU_TOP/tests/vm/lib-input.sh"
LOG=$TMPDIR/guest.log

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
GUEST_INPUT=both GUEST_QEMU_EXTRA="-qmp unix:$TMPDIR/qmp-test.sock,server=on,wait=off" \
	guest_qemu_start "$a" "$LOG" 0 1
kms_start
in_start "$LOG"

# weston on vkms's one output at 1280x1024: the 1024x768 guest, fullscreen
# at fit, is 1280x960 with a bar above and below.
weston_drm_start wayland-input 1280x1024
for dev in keyboard mouse tablet; do
	grep -q "vgpu-viewer test $dev" "$TMPDIR/weston-drm.log" ||
		{ cat "$TMPDIR/weston-drm.log"; fail "weston did not take the uinput $dev"; }
done
note "weston on vkms at 1280x1024 with the uinput keyboard, mouse and tablet"

_lib_backend=wayland viewer_start --pid "$QEMU_PID" --wait --fullscreen --debug \
	--stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through QMP at $TMPDIR/qmp.sock" 1200
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$TMPDIR/v.jsonl" 1 ||
	{ tail -n 20 "$LOG"; fail "no frame of the guest's own"; }
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Keyboard" 600
vm_wait_log "$LOG" "input device event[0-9]* QEMU Virtio Tablet" 600
# desktop-shell gives a new window the keyboard.
vm_wait_log "$TMPDIR/viewer.log" "focus in" 600
note "the guest is in a fullscreen window with the keyboard, $(guest_ms_since_start) ms after QEMU started"

in_keys "$IN_SOME_KEYS"

m=$(in_mark)
in_do "chord shift+a"
in_do "chord ctrl+alt+s"
vm_wait_log "$TMPDIR/viewer.log" "scale: fill" 100
in_gi --wait 600 "$m" count 8 || true
in_gi "$m" keys 42:1 30:1 30:0 42:0 29:1 56:1 56:0 29:0 ||
	fail "chords: not what the guest should get"
note "shift+a typed; ctrl+alt+s the viewer's"

# The pointer, through weston's: fill (ctrl+alt+s above), then fit.
points="32768,32768 3000,40000 60000,9000 0,0 65535,65535"
for scale in fill fit; do
	if [ "$scale" = fit ]; then
		in_do "chord ctrl+alt+s"
		vm_wait_log "$TMPDIR/viewer.log" "scale: integer" 100
		in_do "chord ctrl+alt+s"
		vm_wait_log "$TMPDIR/viewer.log" "scale: none" 100
		in_do "chord ctrl+alt+s"
		vm_wait_log "$TMPDIR/viewer.log" "scale: fit" 100
	fi
	for p in $points; do
		in_point "$scale" "${p%,*}" "${p#*,}" 1
	done
	note "$scale: $(echo "$points" | wc -w) tablet positions within one guest pixel"
done

in_buttons

# Focus: shift and a held, another window takes the keyboard, then goes.
m=$(in_mark)
in_do "key 42 1"
in_do "key 30 1"
in_gi --wait 600 "$m" seen 30:1 || fail "the held a did not arrive"
# The other window reports its keys (stdout unbuffered, to be read as it goes).
stdbuf -oL weston-eventdemo --log-key >"$TMPDIR/other.log" 2>&1 &
OTHER=$!
vm_wait_log "$TMPDIR/viewer.log" "focus out" 600
in_gi --wait 600 "$m" seen 42:0 || fail "shift, held when the focus left, is still down in the guest"
in_gi "$m" keys 42:1 30:1 30:0 42:0 || fail "the focus left: not what the guest should get"
note "another window took the keyboard: the guest's shift and a were released, still held on the keyboard"
in_do "key 58 1"
in_do "key 58 0"
vm_wait_log "$TMPDIR/other.log" "key key: 58, .*state: released" 600
m=$(in_mark)
kill "$OTHER"
wait "$OTHER" 2>/dev/null
vm_wait_log "$TMPDIR/viewer.log" "focus in, 2 keys held" 600
in_gi --wait 600 "$m" seen 42:1 || fail "shift, held when the focus came back, is not down in the guest"
in_gi --wait 600 "$m" seen 58:0 || fail "caps lock, pressed in the other window, was not toggled in the guest"
in_do "key 30 0"
in_do "key 42 0"
in_gi --wait 600 "$m" seen 42:0 || fail "shift's release did not arrive"
in_gi "$m" keys 42:1 58:1 58:0 42:0 || fail "the focus came back: not what the guest should get"
# On or off: the keys of every kind above pressed caps lock once already.
grep -Eq "caps lock went o(n|ff) while the guest did not have the keyboard" "$TMPDIR/viewer.log" ||
	fail "the viewer did not say why it toggled caps lock"
note "the viewer had the keyboard again: the guest held shift again, not the a, and caps lock followed the seat's"

# The guest's pointer becomes relative: its mouse is made QEMU's current
# pointer, as with HMP's mouse_set (the test's own QMP socket; the viewer's
# is the first on QEMU's command line).  QEMU tells a QMP client nothing:
# the viewer asks on a click, which still goes to the guest.  Then a click
# grabs the pointer, the mouse's motion reaches the guest as motion, and
# release-cursor (ctrl+alt) lets it go.
v0=$(wc -l <"$TMPDIR/viewer.log")
vlog() { tail -n +"$((v0 + 1))" "$TMPDIR/viewer.log"; }
vwait() { vm_wait_for "${2:-600}" sh -c "tail -n +$((v0 + 1)) '$TMPDIR/viewer.log' | grep -q '$1'"; }
grep -q "compositor: .*pointer grab yes" "$TMPDIR/viewer.log" ||
	fail "the viewer did not find weston's relative-pointer and pointer-constraints"
python3 "$VGPU_TOP/tests/vm/vmtool.py" mouse-set "$TMPDIR/qmp-test.sock" "Virtio Mouse" ||
	fail "QEMU did not make the guest's mouse its current pointer"
m=$(in_mark)
in_do "btn mouse 272 1"
in_do "btn mouse 272 0"
vwait "guest.s pointer is relative" || { vlog; fail "the viewer does not know the guest's pointer is relative"; }
in_gi --wait 600 "$m" seen 272:0 || fail "the click before the viewer knew did not reach the guest"
m=$(in_mark)
in_do "btn mouse 272 1"
in_do "btn mouse 272 0"
vwait "pointer grabbed" || { vlog; fail "a click did not grab the pointer"; }
in_do "move 40 0"
in_do "move 0 -30"
vm_wait_for 600 sh -c "[ \$(python3 '$VGPU_TOP/tests/vm/guestinput.py' '$LOG' $m rel 1) -lt 0 ]" ||
	fail "the grabbed mouse's motion did not reach the guest (REL_X $(in_gi "$m" rel 0), REL_Y $(in_gi "$m" rel 1))"
rx=$(in_gi "$m" rel 0) ry=$(in_gi "$m" rel 1)
[ "$rx" -gt 0 ] || fail "right, then up: the guest's REL_X sums to $rx"
in_gi "$m" seen 272:1 && fail "the click that grabbed the pointer reached the guest"
note "a click grabbed the pointer (weston: relative-pointer, pointer-constraints); right then up moved the guest's mouse by $rx, $ry"
in_do "chord ctrl+alt"
vwait "pointer released: release-cursor" || { vlog; fail "ctrl+alt did not release the pointer"; }
m=$(in_mark)
in_do "move 40 0"
in_do "tap 30"
in_gi --wait 600 "$m" seen 30:0 || fail "a key after the release did not arrive"
[ "$(in_gi "$m" rel 0)" = 0 ] || fail "the released pointer's motion still reached the guest"
note "ctrl+alt released it: the mouse's motion no longer reaches the guest, keys do"

viewer_stop
kill "$WESTON_PID"
wait "$WESTON_PID" 2>/dev/null
cp "$TMPDIR/weston-drm.log" "$VGPU_OUT/"
kill -KILL "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
in_stop
kms_stop
vm_mdev_remove "$a"
