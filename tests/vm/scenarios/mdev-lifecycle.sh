#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 300
#
# The three sample mdev parents load, and an mbochs, an mdpy and an mtty mdev
# can be created by UUID, get an IOMMU group with a /dev/vfio/N node (and a
# vfio cdev), refuse a second create with the same UUID, and go away cleanly
# on remove; then the modules unload.  check-series boots every prefix of
# the kernel series with this scenario: prefixes whose kernel image is the
# same (those that end in a sample driver, the selftest or MAINTAINERS
# share an earlier prefix's image) share one boot, and VGPU_SERIES_KERNELS
# names their kernel directories, whose modules are loaded here in turn.
. "$VGPU_TOP/tests/vm/lib.sh"

check_type() { # PARENT TYPE
	t=$(vm_mdev_type "$1" "$2")
	uuid=$(vm_uuid)
	before=$(cat "$t/available_instances") || fail "no available_instances for $1-$2"
	[ "$before" -gt 0 ] || fail "$1-$2 has no available instances"

	vm_mdev_create "$1" "$2" "$uuid"
	[ -d "/sys/bus/mdev/devices/$uuid" ] || fail "mdev $uuid not in /sys/bus/mdev/devices"
	[ "$(basename "$(readlink "/sys/bus/mdev/devices/$uuid/mdev_type")")" = "$1-$2" ] ||
		fail "mdev $uuid has the wrong type"
	group=$(vm_mdev_group "$uuid")
	[ -c "/dev/vfio/$group" ] || fail "no /dev/vfio/$group for $1-$2 mdev $uuid"
	cdev=$(ls "/sys/bus/mdev/devices/$uuid/vfio-dev" 2>/dev/null)
	[ -n "$cdev" ] && [ -c "/dev/vfio/devices/$cdev" ] || fail "no vfio cdev for $uuid"
	after=$(cat "$t/available_instances")
	[ "$after" -lt "$before" ] || fail "$1-$2 available_instances $before -> $after after create"
	note "$1-$2 $uuid: /dev/vfio/$group, /dev/vfio/devices/$cdev, instances $before -> $after"

	if echo "$uuid" >"$t/create" 2>/dev/null; then
		fail "a second create of $uuid succeeded"
	fi
	note "second create of $uuid refused"

	vm_mdev_remove "$uuid"
	vm_wait_gone "/sys/bus/mdev/devices/$uuid" || fail "mdev $uuid still present after remove"
	vm_wait_gone "/dev/vfio/$group" || fail "/dev/vfio/$group still present after remove"
	[ "$(cat "$t/available_instances")" = "$before" ] || fail "$1-$2 instances not given back"
	note "$1-$2 $uuid removed"
}

# Earlier scenarios of the boot may have loaded some: this one loads them.
for m in mbochs mdpy mtty; do
	[ ! -d "/sys/module/$m" ] || rmmod "$m" || fail "$m, loaded before, does not unload"
done
for VGPU_KERNEL in ${VGPU_SERIES_KERNELS:-$VGPU_KERNEL}; do
	note "the sample drivers of $VGPU_KERNEL"
	vm_modprobe mbochs mdpy mtty
	for parent in mbochs mdpy mtty; do
		[ -d "/sys/class/mdev_bus/$parent" ] || fail "no mdev parent $parent after modprobe"
	done
	check_type mbochs medium
	check_type mdpy xga
	check_type mtty 2
	modprobe -r -d "$VGPU_KERNEL/modules" -S "$VGPU_KVER" mbochs mdpy mtty ||
		fail "the sample drivers of $VGPU_KERNEL do not unload"
	# The next kernel directory's modules must be the ones loaded.
	for m in mbochs mdpy mtty mdev; do
		[ ! -d "/sys/module/$m" ] || fail "$m is still loaded after unloading it"
	done
done
echo "PASS"
