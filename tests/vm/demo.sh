#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 180
#
# The guest side of scripts/demo: loads the sample mdev drivers, creates one
# mbochs and one mdpy mdev and reports what a viewer would attach to; then a
# simulated guest (guestsim) flips 300 stamped frames at 60 Hz on the mbochs
# mdev while vgpu-viewer attaches to it like to a running VM and records
# what it shows (headless: the Wayland and KMS presenters are not built yet),
# and a latency summary.
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
echo "simulated guest: 300 frames at 60 Hz on $mbochs_uuid; the viewer attaches with --pid"
show_guest "$mbochs_uuid" 300 "$VGPU_OUT/guest-frames.log" "$VGPU_OUT/viewer-stats.jsonl"
echo
vmtool check-frames "$VGPU_OUT/guest-frames.log" "$VGPU_OUT/viewer-stats.jsonl" ||
	fail "the viewer did not show the guest's frames"
