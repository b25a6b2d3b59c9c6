#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 240
#
# The daemon core against a running guest: guestsim holds an mbochs mdev
# like a VMM and flips 300 frames at 60 Hz; vgpu-viewer --pid attaches and
# records what it shows (headless).  Every frame shown is one guestsim drew,
# in order, none twice as new, and the last one shown is the last drawn --
# woken by the display IRQ, then again with --poll.  The cursor plane is
# queried too (guestsim shows none here: cursor-plane.sh shows one).
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

for mode in irq poll; do
	note "$mode"
	: >"$TMPDIR/viewer.log"
	if [ "$mode" = poll ]; then
		show_guest "$a" 300 "$TMPDIR/gs-$mode.log" "$TMPDIR/v-$mode.jsonl" --poll
	else
		show_guest "$a" 300 "$TMPDIR/gs-$mode.log" "$TMPDIR/v-$mode.jsonl"
	fi
	grep -q "display IRQ at index 5" "$TMPDIR/viewer.log" || [ "$mode" = poll ] ||
		fail "the viewer did not use the display IRQ"
	grep -q "polling every 16 ms (--poll)" "$TMPDIR/viewer.log" || [ "$mode" = irq ] ||
		fail "the viewer did not poll"
	# No cursor shown: the query answers "disabled", logged once.
	[ "$(grep -c "cursor plane: off" "$TMPDIR/viewer.log")" = 1 ] ||
		fail "the cursor plane was not queried, or its state logged more than once"
	vmtool check-frames "$TMPDIR/gs-$mode.log" "$TMPDIR/v-$mode.jsonl" --min-share 0.5 ||
		fail "$mode: frames"
	cp "$TMPDIR/v-$mode.jsonl" "$VGPU_OUT/"
done
vm_mdev_remove "$a"
