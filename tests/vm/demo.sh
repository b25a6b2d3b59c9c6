#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 900
# vm-needs: guest
#
# The guest side of scripts/demo: loads the sample mdev drivers, creates one
# mbochs and one mdpy mdev and reports what a viewer would attach to; then a
# real guest (tests/vm/build-guest: Linux on bochs-drm) boots under QEMU on
# the mbochs mdev while vgpu-viewer, attached to QEMU with --pid, shows it in
# a window on a headless weston (GL renderer: the guest's dmabuf goes to the
# compositor zero-copy): first the guest's console, then its page flips.  It
# writes a screenshot of each (the frame one checked pixel for pixel against
# the picture the guest draws), what the viewer showed and a latency summary.
. "$VGPU_TOP/tests/vm/lib.sh"

. "$VGPU_TOP/tests/vm/lib-guest.sh"
guest_check
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
echo "a real guest: Linux on bochs-drm under $(qemu-system-x86_64 --version | head -n 1),"
echo "    on mbochs mdev $mbochs_uuid (about 45 s to its console under TCG in TCG)"
guest_qemu_start "$mbochs_uuid" "$TMPDIR/guest-console.log" 10 10
wl_viewer_start --pid "$QEMU_PID" --wait --fullscreen --stats "$VGPU_OUT/viewer-stats.jsonl"

# The guest's console: its frames carry no stamp.  It counts down for 10 s.
console() { grep '"event":"frame"' "$VGPU_OUT/viewer-stats.jsonl" 2>/dev/null |
	grep -v '"seq"' | grep -q '"presented_ns"'; }
vm_wait_for 3000 console || { tail -n 20 "$TMPDIR/guest-console.log"; fail "no console shown"; }
shot=$(wl_shot console)
echo "the guest's console, in the window: $shot"

# Then its page flips: the screenshot is the frame its stamp names, pixel for pixel.
vm_wait_for 1200 grep -q 'vgpuguest: flip 50' "$TMPDIR/guest-console.log" ||
	fail "the guest did not page-flip"
screen_expect wl screenshot 300 guestframe 0 0 1024 768 0 ||
	fail "the window does not show the guest's frame"
viewer_stop >"$TMPDIR/viewer.out"
grep -E "presenting by|shows the" "$TMPDIR/viewer.out"
kill "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
weston_stop
echo
echo "screenshot of the window: $VGPU_OUT/screenshot.png (the guest's frame, pixel for pixel)"
vmtool wl-stats "$VGPU_OUT/viewer-stats.jsonl" --guest-clock own || fail "no presentation feedback"
