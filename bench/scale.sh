#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1500
#
# The benchmark of the display IRQ at scale (scripts/bench scale boots the
# test VM with it; it is not a test scenario).
#
# First the floor: floortool signals an eventfd between two processes, 60
# times a second, and records the wake-up delay; the same, and a headless
# viewer's flip->wake with the IRQ (one guest at 60 flips/s), are what
# bench/analyze_scale.py sets side by side.  The floor runs before and after
# the viewer, to show how much it moves in one boot.
#
# Then N = $BENCH_SCALE (default 1 2 4 8) guests, each an mbochs mdev with
# guestsim at 640x480 and one headless viewer, idle (one frame, then
# nothing) and flipping at 60/s, with the display IRQ and with --poll=30
# (QEMU's default): every viewer's wake-ups and CPU time between two marks
# $BENCH_SECONDS (default 10) apart.  Files in $VGPU_OUT: floor-*.txt,
# lat.jsonl, scale-MODE-LOAD-N-I.jsonl.
. "$VGPU_TOP/tests/vm/lib.sh"

secs=${BENCH_SECONDS:-10}
scale=${BENCH_SCALE:-1 2 4 8}
most=0
for n in $scale; do [ "$n" -gt "$most" ] && most=$n; done

vm_modprobe mbochs
uuids=''
first=''
for _ in $(seq "$most"); do
	u=$(vm_uuid)
	vm_mdev_create mbochs medium "$u"
	uuids="$uuids $u"
	first=${first:-$u}
done

mode_args() {
	[ "$1" = poll30 ] && echo --poll=30
}

# start_guests N LOAD: N guestsims (PIDs in GS_PIDS), each ready.
start_guests() {
	GS_PIDS=
	_how="--rate 60"
	[ "$2" = idle ] && _how="--count 1"
	_i=0
	for _u in $uuids; do
		_i=$((_i + 1))
		[ "$_i" -le "$1" ] || break
		# shellcheck disable=SC2086 # _how is words
		"$VGPU_BUILD/tests/guestsim" --mdev "$_u" --mode 640x480 $_how \
			</dev/null >"$TMPDIR/gs-$_i.out" 2>&1 &
		GS_PIDS="$GS_PIDS $!"
	done
	_i=0
	for _p in $GS_PIDS; do
		_i=$((_i + 1))
		vm_wait_for 300 grep -q '^ready' "$TMPDIR/gs-$_i.out" ||
			fail "guestsim $_i did not start: $(cat "$TMPDIR/gs-$_i.out")"
	done
}

# start_viewers NAME MODE: a headless viewer per guest (VW_PIDS), each
# showing its guest.
start_viewers() {
	VW_PIDS=
	_i=0
	for _p in $GS_PIDS; do
		_i=$((_i + 1))
		# shellcheck disable=SC2046 # mode_args is words
		"$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$_p" \
			--stats "$VGPU_OUT/$1-$_i.jsonl" $(mode_args "$2") \
			>"$TMPDIR/vw-$_i.log" 2>&1 &
		VW_PIDS="$VW_PIDS $!"
	done
	_i=0
	for _p in $VW_PIDS; do
		_i=$((_i + 1))
		vm_wait_log "$TMPDIR/vw-$_i.log" "guest display on" 600
	done
}

stop_all() {
	for _p in $VW_PIDS; do kill -TERM "$_p"; done
	for _p in $VW_PIDS; do wait "$_p" || fail "a viewer exited $? on SIGTERM"; done
	for _p in $GS_PIDS; do kill "$_p"; done
	for _p in $GS_PIDS; do wait "$_p" 2>/dev/null; done
}

"$VGPU_BUILD/tests/floortool" >"$VGPU_OUT/floor-before.txt" || fail "floortool failed"
cat "$VGPU_OUT/floor-before.txt"

# The IRQ's flip->wake at 60 flips/s, one guest, one viewer.
"$VGPU_BUILD/tests/guestsim" --mdev "$first" --mode 640x480 --rate 60 </dev/null \
	>"$TMPDIR/gs-lat.out" 2>&1 &
GS_PIDS=$!
vm_wait_for 300 grep -q '^ready' "$TMPDIR/gs-lat.out" || fail "guestsim did not start"
"$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$GS_PIDS" --stats "$VGPU_OUT/lat.jsonl" \
	>"$TMPDIR/vw-lat.log" 2>&1 &
VW_PIDS=$!
vm_wait_log "$TMPDIR/vw-lat.log" "guest display on" 600
sleep 1
kill -USR1 "$VW_PIDS"
sleep "$secs"
kill -USR1 "$VW_PIDS"
sleep 0.2
stop_all

"$VGPU_BUILD/tests/floortool" >"$VGPU_OUT/floor-after.txt" || fail "floortool failed"
cat "$VGPU_OUT/floor-after.txt"

for mode in irq poll30; do
	for load in idle 60; do
		for n in $scale; do
			name=scale-$mode-$load-$n
			start_guests "$n" "$load"
			start_viewers "$name" "$mode"
			sleep 1
			for p in $VW_PIDS; do kill -USR1 "$p"; done
			sleep "$secs"
			for p in $VW_PIDS; do kill -USR1 "$p"; done
			sleep 0.2
			stop_all
			echo "$name: done"
		done
	done
done
for u in $uuids; do vm_mdev_remove "$u"; done
