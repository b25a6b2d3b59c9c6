#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1200
# vm-needs: guest qemu10
#
# The real guest under Debian 13's QEMU (10.0, tests/vm/fetch-bpo, beside
# the installed 7.2), holding its mdev through iommufd (-object iommufd +
# iommufd=): the device's cdev /dev/vfio/devices/vfioN and /dev/iommu, no
# group at all.  A viewer attaches with --pid --wait, borrows the cdev, says
# so, and shows the guest's own frames in order; when QEMU is killed it
# lets go and exits 7.  QEMU 10 holding the group (/dev/vfio/N) is proven
# by input-kms, whose guest runs that way: two guests at once here took
# 254-413 s, one takes about a third of it.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"

guest_check_qemu10

vm_modprobe mbochs
mdev_iommufd=$(vm_uuid)
vm_mdev_create mbochs medium "$mdev_iommufd"
c=$(ls "/sys/bus/mdev/devices/$mdev_iommufd/vfio-dev")
q10_cleanup() {
	cp "$TMPDIR"/viewer-*.log "$TMPDIR"/qemu-*.log "$TMPDIR"/v-*.jsonl "$VGPU_OUT/" 2>/dev/null
	vm_cleanup
}
trap q10_cleanup EXIT

GUEST_IOMMUFD=1 GUEST_QEMU_OUT=$TMPDIR/qemu-iommufd.log \
	guest_qemu_start "$mdev_iommufd" "$TMPDIR/guest-iommufd.log" 10 1
"$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$QEMU_PID" --wait \
	--stats "$TMPDIR/v-iommufd.jsonl" >"$TMPDIR/viewer-iommufd.log" 2>&1 &
viewer=$!
note "QEMU $GUEST_QEMU_VERSION ($GUEST_QEMU)"

log=$TMPDIR/viewer-iommufd.log
vm_wait_for 1200 grep -q "attached to mdev $mdev_iommufd of the VMM" "$log" ||
	{ cat "$TMPDIR/qemu-iommufd.log" "$log"; fail "the viewer did not attach to QEMU $GUEST_QEMU_VERSION"; }
note "attached within $(guest_ms_since_start) ms of QEMU's start"
ls -l "/proc/$QEMU_PID/fd" >"$VGPU_OUT/qemu-fds-iommufd.txt"
grep -q "/dev/vfio/devices/$c\$" "$VGPU_OUT/qemu-fds-iommufd.txt" ||
	fail "QEMU does not hold the cdev /dev/vfio/devices/$c"
grep -q "/dev/iommu\$" "$VGPU_OUT/qemu-fds-iommufd.txt" || fail "QEMU holds no /dev/iommu"
grep -q "/dev/vfio/[0-9][0-9]*\$" "$VGPU_OUT/qemu-fds-iommufd.txt" && fail "QEMU holds a group too"
grep -q "from pid $QEMU_PID's vfio cdev" "$log" || fail "the viewer did not take the cdev"
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$TMPDIR/v-iommufd.jsonl" 10 ||
	{ tail -n 20 "$TMPDIR/guest-iommufd.log"; fail "fewer than 10 of the guest's frames shown"; }
frames=$(guest_check_frames "$TMPDIR/v-iommufd.jsonl") || fail "frames not shown as drawn"
note "$frames, $(guest_ms_since_start) ms after QEMU's start"
kill -KILL "$QEMU_PID"
wait "$viewer"
rc=$?
[ "$rc" = 7 ] || { cat "$log"; fail "viewer exit $rc after QEMU exited, want 7"; }
wait "$QEMU_PID" 2>/dev/null
vm_mdev_remove "$mdev_iommufd"
