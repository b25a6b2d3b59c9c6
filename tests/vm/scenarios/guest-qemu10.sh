#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1200
# vm-needs: guest qemu10
#
# The real guest under Debian 13's QEMU (10.0, tests/vm/fetch-bpo, beside
# the installed 7.2), both ways it can hold an mdev, at the same time on two
# mdevs (one guest boot's time, not two: a guest boots in minutes here):
#   - the group (-device vfio-pci,sysfsdev=): /dev/vfio/N;
#   - iommufd (-object iommufd + iommufd=): the device's cdev
#     /dev/vfio/devices/vfioN and /dev/iommu, no group at all.
# A viewer on each attaches with --pid --wait, borrows what its QEMU holds
# (which, its -v log says) and shows that guest's own frames in order; when
# its QEMU is killed it lets go and exits 7.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"

guest_check_qemu10

vm_modprobe mbochs
mdev_group=$(vm_uuid)
mdev_iommufd=$(vm_uuid)
vm_mdev_create mbochs medium "$mdev_group"
vm_mdev_create mbochs medium "$mdev_iommufd"
g=$(vm_mdev_group "$mdev_group")
c=$(ls "/sys/bus/mdev/devices/$mdev_iommufd/vfio-dev")
q10_cleanup() {
	cp "$TMPDIR"/viewer-*.log "$TMPDIR"/qemu-*.log "$TMPDIR"/v-*.jsonl "$VGPU_OUT/" 2>/dev/null
	vm_cleanup
}
trap q10_cleanup EXIT

# start_guest group|iommufd: its QEMU on its mdev, and a viewer on that QEMU.
# Sets qemu_WAY, viewer_WAY, t0_WAY.
start_guest() {
	GUEST_IOMMUFD=0
	[ "$1" = iommufd ] && GUEST_IOMMUFD=1
	GUEST_QEMU_OUT=$TMPDIR/qemu-$1.log
	eval "guest_qemu_start \"\$mdev_$1\" \"\$TMPDIR/guest-$1.log\" 10 1"
	"$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$QEMU_PID" --wait \
		--stats "$TMPDIR/v-$1.jsonl" >"$TMPDIR/viewer-$1.log" 2>&1 &
	eval "qemu_$1=$QEMU_PID viewer_$1=$! t0_$1=$GUEST_T0"
}

# check_guest group|iommufd: what its QEMU holds, what its viewer took, the
# guest's frames, and the viewer's exit when the QEMU goes.
check_guest() {
	eval "_q=\$qemu_$1 _v=\$viewer_$1 _m=\$mdev_$1 _t0=\$t0_$1"
	_log=$TMPDIR/viewer-$1.log
	vm_wait_for 1200 grep -q "attached to mdev $_m of the VMM" "$_log" ||
		{ cat "$TMPDIR/qemu-$1.log" "$_log"; fail "$1: the viewer did not attach to QEMU $GUEST_QEMU_VERSION"; }
	note "$1: attached within $(guest_ms_since_start "$_t0") ms of QEMU's start"
	ls -l "/proc/$_q/fd" >"$VGPU_OUT/qemu-fds-$1.txt"
	if [ "$1" = iommufd ]; then
		grep -q "/dev/vfio/devices/$c\$" "$VGPU_OUT/qemu-fds-$1.txt" ||
			fail "iommufd: QEMU does not hold the cdev /dev/vfio/devices/$c"
		grep -q "/dev/iommu\$" "$VGPU_OUT/qemu-fds-$1.txt" || fail "iommufd: QEMU holds no /dev/iommu"
		grep -q "/dev/vfio/[0-9][0-9]*\$" "$VGPU_OUT/qemu-fds-$1.txt" && fail "iommufd: QEMU holds a group too"
		grep -q "from pid $_q's vfio cdev" "$_log" || fail "iommufd: the viewer did not take the cdev"
	else
		grep -q "/dev/vfio/$g\$" "$VGPU_OUT/qemu-fds-$1.txt" || fail "group: QEMU does not hold /dev/vfio/$g"
		grep -q "from pid $_q's group $g" "$_log" ||
			fail "group: the viewer did not take the device from the group"
	fi
	vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$TMPDIR/v-$1.jsonl" 10 ||
		{ tail -n 20 "$TMPDIR/guest-$1.log"; fail "$1: fewer than 10 of the guest's frames shown"; }
	_frames=$(guest_check_frames "$TMPDIR/v-$1.jsonl") || fail "$1: frames not shown as drawn"
	note "$1: $_frames, $(guest_ms_since_start "$_t0") ms after QEMU's start"
	kill -KILL "$_q"
	wait "$_v"
	_rc=$?
	[ "$_rc" = 7 ] || { cat "$_log"; fail "$1: viewer exit $_rc after QEMU exited, want 7"; }
	wait "$_q" 2>/dev/null
}

note "QEMU $GUEST_QEMU_VERSION ($GUEST_QEMU)"
start_guest group
start_guest iommufd
check_guest group
check_guest iommufd
vm_mdev_remove "$mdev_group"
vm_mdev_remove "$mdev_iommufd"
