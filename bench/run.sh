#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 2100
#
# The benchmark's guest side (scripts/bench boots the test VM with it; it is
# not a test scenario).  For each presenter (headless; weston headless with
# its GL renderer, zero-copy; KMS on vkms, zero-copy scanout, paced by
# vkms's 60 Hz page flips; vkms is loaded only after weston is done, see
# TESTBED.md) and each wake-up mode (the display IRQ; --poll
# at 30 ms, QEMU's default; --poll at 16 ms, QEMU under GTK), guestsim flips
# stamped frames at 1, 30, 60, 144 and 240 per second for $BENCH_SECONDS
# (default 10) while the viewer records every frame (--stats); then the
# guest holds still for as long and the viewer's idle wake-ups and CPU time
# are recorded.  Before that, per presenter, the time from exec to the first
# frame, $BENCH_STARTS (default 5) times.  Everything lands in $VGPU_OUT as
# RUN.gs (guestsim's log), RUN.jsonl (the viewer's) and ttff-PRESENTER.txt;
# bench/analyze.py reads them on the host.
. "$VGPU_TOP/tests/vm/lib.sh"

secs=${BENCH_SECONDS:-10}
starts=${BENCH_STARTS:-5}
rates=${BENCH_RATES:-1 30 60 144 240}
modes=${BENCH_MODES:-irq poll30 poll16}
backends=${BENCH_BACKENDS:-headless wayland kms}

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

mode_args() {
	case $1 in
	irq) ;;
	poll30) echo --poll=30 ;;
	poll16) echo --poll=16 ;;
	esac
}

# run BACKEND MODE RATE: one measurement.
run() {
	_b=$1 _m=$2 _r=$3
	_name=$_b-$_m-$_r
	rm -f "$TMPDIR/viewer.log"
	_rate=$_r
	[ "$_r" = idle ] && _rate=60	# never resumed
	gs_start "$a" --rate "$_rate" --log "$VGPU_OUT/$_name.gs"
	gs_cmd pause
	if [ "$_b" = wayland ]; then
		wl_viewer_start --pid "$GS_PID" --fullscreen --stats "$VGPU_OUT/$_name.jsonl" \
			$(mode_args "$_m")
		vm_wait_log "$TMPDIR/viewer.log" "shows the zero-copy frames" 600
	elif [ "$_b" = kms ]; then
		_lib_backend=kms viewer_start --pid "$GS_PID" --stats "$VGPU_OUT/$_name.jsonl" \
			$(mode_args "$_m")
		vm_wait_log "$TMPDIR/viewer.log" "path zero-copy" 300
	else
		viewer_start --pid "$GS_PID" --stats "$VGPU_OUT/$_name.jsonl" $(mode_args "$_m")
		vm_wait_log "$TMPDIR/viewer.log" "guest display on" 100
	fi
	sleep 1
	# The measured stretch lies between two marks (SIGUSR1): what came
	# before is the warm-up.
	kill -USR1 "$VW_PID"
	if [ "$_r" = idle ]; then
		sleep "$secs"
	else
		gs_cmd resume
		sleep "$secs"
		gs_cmd pause
		sleep 1
	fi
	kill -USR1 "$VW_PID"
	sleep 0.2
	viewer_stop >/dev/null
	gs_stop
	cp "$TMPDIR/viewer.log" "$VGPU_OUT/$_name.log"
	echo "$_name: $(wc -l <"$VGPU_OUT/$_name.gs") frames drawn, $(grep -c '"frame"' "$VGPU_OUT/$_name.jsonl") shown"
}

# ttff BACKEND: time to first frame, $starts times: from just before exec
# to the first frame committed and (Wayland, KMS) presented, with the guest
# flipping at 60/s.  A line per start in $VGPU_OUT/ttff-BACKEND.txt.
ttff() {
	gs_start "$a" --rate 60
	for _i in $(seq "$starts"); do
		case $1 in
		wayland) vmtool ttff "$TMPDIR/ttff.jsonl" --presented "$VGPU_BUILD/vgpu-viewer" \
				--backend wayland --fullscreen --pid "$GS_PID" --stats "$TMPDIR/ttff.jsonl" ;;
		kms) vmtool ttff "$TMPDIR/ttff.jsonl" --presented "$VGPU_BUILD/vgpu-viewer" \
				--backend kms --pid "$GS_PID" --stats "$TMPDIR/ttff.jsonl" ;;
		*) vmtool ttff "$TMPDIR/ttff.jsonl" "$VGPU_BUILD/vgpu-viewer" \
				--backend headless --pid "$GS_PID" --stats "$TMPDIR/ttff.jsonl" ;;
		esac
	done >"$VGPU_OUT/ttff-$1.txt"
	gs_stop
	echo "ttff-$1: $(tr '\n' ';' <"$VGPU_OUT/ttff-$1.txt")"
}

for b in $backends; do
	[ "$b" = wayland ] && weston_start gl 1024 768
	[ "$b" = kms ] && kms_start
	ttff "$b"
	for m in $modes; do
		for r in idle $rates; do
			run "$b" "$m" "$r"
		done
	done
	[ "$b" = wayland ] && weston_stop
	[ "$b" = kms ] && kms_stop
done
vm_mdev_remove "$a"
