#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1200
#
# The display service's cost (scripts/bench svc; not a test scenario):
# guestsim flips stamped frames at $BENCH_SVC_RATE (default 60) per second
# for $BENCH_SECONDS (default 10) on an mbochs mdev, and the frames are
# recorded (headless, --stats) by: the viewer attached directly (direct);
# the service alone (svc0); the service and 1, 2 and 4 clients
# (svc1, svc2, svc4: "vgpu-viewer --service", headless).  SIGUSR1 marks
# bracket the measured stretch in every process.  RUN.gs is guestsim's
# log, RUN-svc.jsonl the service's record, RUN-cN.jsonl each client's;
# bench/analyze_svc.py reads them on the host.
. "$VGPU_TOP/tests/vm/lib.sh"

secs=${BENCH_SECONDS:-10}
rate=${BENCH_SVC_RATE:-60}
sock=$TMPDIR/svc.sock

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

# measure NAME CLIENTS: CLIENTS -1 is the direct viewer.
measure() {
	_name=$1 _n=$2 _pids=
	: >"$TMPDIR/viewer.log"
	gs_start "$a" --rate "$rate" --log "$VGPU_OUT/$_name.gs"
	gs_cmd pause
	if [ "$_n" -lt 0 ]; then
		viewer_start --pid "$GS_PID" --stats "$VGPU_OUT/$_name.jsonl"
	else
		viewer_start --pid "$GS_PID" --serve="$sock" --viewers root \
			--stats "$VGPU_OUT/$_name-svc.jsonl"
		vm_wait_log "$TMPDIR/viewer.log" "serving the display" 300
		for _i in $(seq "$_n"); do
			"$VGPU_BUILD/vgpu-viewer" --service="$sock" --backend headless -v \
				--stats "$VGPU_OUT/$_name-c$_i.jsonl" >"$TMPDIR/c$_i.log" 2>&1 &
			_pids="$_pids $!"
			vm_wait_log "$TMPDIR/c$_i.log" "through the display service" 300
		done
	fi
	vm_wait_log "$TMPDIR/viewer.log" "guest display on" 300
	sleep 1
	# shellcheck disable=SC2086 # a list of pids
	kill -USR1 "$VW_PID" $_pids
	gs_cmd resume
	sleep "$secs"
	gs_cmd pause
	sleep 1
	# shellcheck disable=SC2086
	kill -USR1 "$VW_PID" $_pids
	sleep 0.2
	for _p in $_pids; do
		kill "$_p"
		wait "$_p"
	done
	viewer_stop >/dev/null
	gs_stop
	echo "$_name: $(wc -l <"$VGPU_OUT/$_name.gs") frames drawn"
}

measure direct -1
for n in 0 1 2 4; do
	measure "svc$n" "$n"
done
vm_mdev_remove "$a"
