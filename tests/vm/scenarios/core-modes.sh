#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 300
#
# The guest changes its display under the viewer: a mode change mid-stream,
# the display disabled, bogus modes (8 bpp, zero width, more than VRAM), a
# reset -- each one its own "off" event without a crash (a valid mode comes
# between two bogus ones, so that each is seen), and the frames come back
# with the next valid mode.  Each step waits for the viewer's display event
# (--stats) that answers it.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
stats=$TMPDIR/v.jsonl
gs_start "$a" --rate 30
viewer_start --pid "$GS_PID" --stats "$stats"
viewer_wait_attached

# event N WHAT: the N-th on/off event of the viewer, once it is there.
event() {
	vm_wait_for 600 sh -c "[ \$(grep -c '\"event\":\"o[nf]f*\"' '$stats') -ge $1 ]" ||
		fail "no display event $1 after '$2'"
	grep '"event":"o[nf]f*"' "$stats" | sed -n "${1}p"
}
events=0

# expect_on CMD MODE / expect_off CMD REASON: guestsim's CMD (or nothing:
# "-") turns the display on with MODE, or off with REASON.  A mode set is
# several register writes (ENABLE cleared first, then the sizes, then
# ENABLE), each of which signals: the viewer may look in between and see
# the display disabled, or a plane whose buffer the device will not export
# yet.  On the way to "on", such offs may come first; they are listed.
expect_on() {
	[ "$1" = - ] || gs_cmd "$1"
	while :; do
		events=$((events + 1))
		e=$(event "$events" "$1")
		echo "$e" | grep -q '"event":"off"' || break
		note "$1: on the way: $e"
	done
	echo "$e" | grep -q "\"event\":\"on\".*\"mode\":\"$2\"" || fail "'$1': $e, want on $2"
	note "$1: on $2"
}
expect_off() {
	gs_cmd "$1"
	events=$((events + 1))
	e=$(event "$events" "$1")
	echo "$e" | grep -q "\"event\":\"off\".*\"reason\":\"$2\"" || fail "'$1': $e, want off: $2"
	note "$1: off: $2"
}

expect_on - "1024x768 XR24"
expect_on "mode 1280 800" "1280x800 XR24"
expect_off disable "disabled by the guest"
expect_on "mode 800 600" "800x600 XR24"
expect_off "bogus bpp8" "disabled by the guest"
expect_on "mode 800 600" "800x600 XR24"
expect_off "bogus zero" "disabled by the guest"
expect_on "mode 800 600" "800x600 XR24"
expect_off "bogus toobig" "disabled by the guest"
expect_on "mode 1024 768" "1024x768 XR24"
expect_off reset "disabled by the guest"
expect_on "mode 640 480" "640x480 XR24"
kill -0 "$VW_PID" || fail "the viewer died"
viewer_stop
gs_stop
cat "$TMPDIR/gs.out"
# Frames of each mode were shown, in this order.
vmtool check-modes "$stats" 1024x768 1280x800 off 800x600 off 800x600 off 800x600 off \
	1024x768 off 640x480 || fail "modes"
grep -q "guest display off: disabled by the guest" "$TMPDIR/viewer.log" || fail "no off message"
grep -q "guest display on: 1280x800 XR24" "$TMPDIR/viewer.log" || fail "mode change not logged"
vm_mdev_remove "$a"
