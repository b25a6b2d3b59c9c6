#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 300
#
# The guest side of scripts/demo: loads the sample mdev drivers, creates one
# mbochs and one mdpy mdev and reports what a viewer would attach to; then a
# simulated guest (guestsim) flips 300 stamped frames at 60 Hz on the mbochs
# mdev while vgpu-viewer, attached to it like to a running VM, shows it in a
# window on a headless weston (GL renderer: the guest's dmabuf goes to the
# compositor zero-copy).  It writes a screenshot of that window, the guest's
# last frame beside it (checked pixel for pixel), what the viewer showed and a
# latency summary.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs mdpy
echo "kernel: $(uname -r)"
for pt in mbochs:medium mdpy:xga; do
	parent=${pt%%:*} type=${pt#*:}
	t=$(vm_mdev_type "$parent" "$type")
	uuid=$(vm_uuid)
	vm_mdev_create "$parent" "$type" "$uuid"
	group=$(vm_mdev_group "$uuid")
	cdev=$(ls "/sys/bus/mdev/devices/$uuid/vfio-dev" 2>/dev/null)
	echo "$parent-$type: mdev $uuid"
	echo "    name:        $(cat "$t/name" 2>/dev/null)"
	echo "    description: $(tr '\n' ' ' <"$t/description" 2>/dev/null)"
	echo "    device_api:  $(cat "$t/device_api")"
	echo "    group:       /dev/vfio/$group $( [ -c "/dev/vfio/$group" ] && echo '(present)' || echo '(MISSING)')"
	echo "    cdev:        /dev/vfio/devices/$cdev"
	echo "    instances:   $(cat "$t/available_instances") more available"
	[ -c "/dev/vfio/$group" ] || fail "no group node for $uuid"
	[ "$parent" = mbochs ] && mbochs_uuid=$uuid
done

echo
echo "starting weston (headless, GL renderer; 15-30 s under TCG)"
weston_start gl 1024 768 >/dev/null
echo "simulated guest: 300 frames at 60 Hz on $mbochs_uuid; the viewer attaches with --pid"
gs_start "$mbochs_uuid" --hold --rate 60 --count 300 --log "$VGPU_OUT/guest-frames.log"
# The guest holds still (--hold) until weston has shown the first frame:
# under TCG that takes seconds (llvmpipe compiles weston's shaders), and the
# viewer, paced by frame callbacks, would show only the newest frame meanwhile.
wl_viewer_start --pid "$GS_PID" --fullscreen --stats "$VGPU_OUT/viewer-stats.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "shows the zero-copy frames" 900
gs_cmd resume
vm_wait_lines "$VGPU_OUT/guest-frames.log" 300 1200
# The last frame on screen: weston reported presenting it, and the
# screenshot shows it.
vm_wait_frame "$VGPU_OUT/viewer-stats.jsonl" 300 presented
frame=$(gs_dump guest-last-frame)
screen_expect wl screenshot 300 exact "$frame" 0 0 ||
	fail "the window does not show the guest's last frame"
viewer_stop >"$TMPDIR/viewer.out"
grep -E "presenting by|shows the" "$TMPDIR/viewer.out"
gs_stop
weston_stop
echo
echo "screenshot of the window: $VGPU_OUT/screenshot.png"
echo "the guest's last frame:   $frame (the same, pixel for pixel)"
vmtool check-frames "$VGPU_OUT/guest-frames.log" "$VGPU_OUT/viewer-stats.jsonl" \
	--min-share 0.2 || fail "the viewer did not show the guest's frames"
vmtool wl-stats "$VGPU_OUT/viewer-stats.jsonl" || fail "no presentation feedback"
