#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 400
#
# The Wayland presenter's EGL and CPU paths, on weston's pixman renderer
# (no linux-dmabuf: the guest's dmabuf cannot be handed over):
#   - mbochs, auto path: EGL imports the dmabuf and draws it; 1:1 is
#     pixel-exact; 800x600 fit onto 1024x768 (x1.28, linear) is within 2
#     of the guest frame's neighbourhood;
#   - mbochs, --path shm: the CPU copies the dmabuf; pixel-exact;
#   - mdpy (a region plane): the shm path; pixel-exact;
#   - weston killed mid-stream: the viewer exits 8 at once, with one line
#     saying why, and the guest (VMM) runs on.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs mdpy
a=$(vm_uuid)
d=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
vm_mdev_create mdpy xga "$d"
weston_start pixman 1024 768
# EGL: the default when the compositor cannot take the dmabuf.
gs_start "$a" --rate 30
wl_viewer_start --pid "$GS_PID" --fullscreen --stats "$TMPDIR/egl.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "presenting by the egl path: the compositor has no linux-dmabuf" 900
gs_pause
vm_wait_frame "$TMPDIR/egl.jsonl" "$GS_SEQ" presented
screen_expect wl egl-1024x768 300 exact "$(gs_dump egl-1024x768)" 0 0 ||
	fail "EGL 1:1 frame is not the guest's"
gs_cmd "mode 800 600"
gs_cmd resume
gs_pause
vm_wait_frame "$TMPDIR/egl.jsonl" "$GS_SEQ" presented
screen_expect wl egl-800x600-fit 300 scaled "$(gs_dump egl-800x600)" 0 0 1024 768 2 ||
	fail "EGL scaled frame is wrong"
# Frames enough for the statistics, at the guest's pace.
gs_cmd resume
vm_wait_for 600 sh -c "[ \$(grep -c presented_ns '$TMPDIR/egl.jsonl') -ge 10 ]"
viewer_stop
vmtool wl-stats "$TMPDIR/egl.jsonl" --path egl --min-frames 10 || fail "egl stats"
gs_stop

# The CPU path for a dmabuf.
gs_start "$a" --rate 30
wl_viewer_start --pid "$GS_PID" --fullscreen --path shm --stats "$TMPDIR/shm.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "presenting by the shm path: --path shm" 900
vm_wait_for 600 sh -c "[ \$(grep -c presented_ns '$TMPDIR/shm.jsonl') -ge 10 ]"
gs_pause
vm_wait_frame "$TMPDIR/shm.jsonl" "$GS_SEQ" presented
screen_expect wl shm-dmabuf 300 exact "$(gs_dump shm-dmabuf)" 0 0 || fail "shm frame is wrong"
viewer_stop
vmtool wl-stats "$TMPDIR/shm.jsonl" --path shm --min-frames 10 || fail "shm stats"
gs_stop

# mdpy: a region plane, always the CPU path.
gs_start "$d" --rate 30
wl_viewer_start --pid "$GS_PID" --fullscreen --stats "$TMPDIR/mdpy.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "presenting by the shm path: the frame is in a device region" 900
gs_pause
vm_wait_frame "$TMPDIR/mdpy.jsonl" "$GS_SEQ" presented
screen_expect wl mdpy 300 exact "$(gs_dump mdpy)" 0 0 || fail "mdpy frame is wrong"
gs_cmd resume
viewer_stop

# The compositor dies mid-stream, once the viewer is presenting: a clear
# line, exit 8, the VMM unharmed.
"$VGPU_BUILD/vgpu-viewer" --pid "$GS_PID" --fullscreen --stats "$TMPDIR/kill.jsonl" \
	2>"$TMPDIR/kill.err" &
VW_PID=$!
vm_wait_for 900 grep -q presented_ns "$TMPDIR/kill.jsonl" 2>/dev/null ||
	fail "no frame presented before the kill"
# It notices at once (the connection's fd hangs up in its loop): 0.9 s
# here, 1.1 s with a CPU hog beside the VM.  The bound is a correctness one.
vmtool gone-after-kill "$VW_PID" "$WESTON_PID" 5.0 || fail "the viewer outlived weston"
wait "$VW_PID"
rc=$?
VW_PID=
cat "$TMPDIR/kill.err"
[ "$rc" = 8 ] || fail "exit status $rc after the compositor died, want 8"
# One line about it; besides it only the notices of a start (attached, the
# guest's mode, where input goes: guestsim takes none).
grep -v -e ': attached to ' -e ': guest display on: ' -e ': no input: ' -e ': input: ' \
	"$TMPDIR/kill.err" >"$TMPDIR/kill.rest"
[ "$(wc -l <"$TMPDIR/kill.rest")" = 1 ] && grep -q 'lost the connection to the compositor' \
	"$TMPDIR/kill.rest" || fail "want one line on stderr about the compositor"
grep -q "lost the connection to the compositor" "$TMPDIR/kill.err" || fail "unclear message"
kill -0 "$GS_PID" || fail "the VMM died with the viewer"
gs_stop
vm_mdev_remove "$a"
vm_mdev_remove "$d"
