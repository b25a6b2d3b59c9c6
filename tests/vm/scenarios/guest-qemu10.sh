#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1200
# vm-needs: guest qemu10
#
# The real guest under Debian 13's QEMU (10.0, tests/vm/fetch-bpo, beside
# the installed 7.2), both ways it can hold an mdev:
#   - the group (-device vfio-pci,sysfsdev=): /dev/vfio/N;
#   - iommufd (-object iommufd + iommufd=): the device's cdev
#     /dev/vfio/devices/vfioN and /dev/iommu, no group at all.
# Each time the viewer attaches with --pid --wait, borrows what QEMU holds
# (which, its -v log says) and shows the guest's own frames in order; when
# QEMU is killed it lets go and exits 7.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"

[ -x "${VGPU_QEMU10:-}/qemu-system-x86_64" ] ||
	fail "no QEMU 10 (run-vm fetches it for '# vm-needs: qemu10')"
GUEST_QEMU=$VGPU_QEMU10/qemu-system-x86_64
guest_check 10.

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
g=$(vm_mdev_group "$a")
c=$(ls "/sys/bus/mdev/devices/$a/vfio-dev")

# run_guest group|iommufd: one QEMU, the viewer on it, its frames, its end.
run_guest() {
	GUEST_IOMMUFD=0
	[ "$1" = iommufd ] && GUEST_IOMMUFD=1
	: >"$TMPDIR/viewer.log"
	rm -f "$TMPDIR/v.jsonl"
	guest_qemu_start "$a" "$VGPU_OUT/guest-$1.log" 10 1
	viewer_start --pid "$QEMU_PID" --wait --stats "$TMPDIR/v.jsonl"
	vm_wait_for 1200 grep -q "attached to mdev $a of the VMM" "$TMPDIR/viewer.log" ||
		{ cat "$TMPDIR/qemu.log"; fail "$1: the viewer did not attach to QEMU $GUEST_QEMU_VERSION"; }
	note "$1: attached $(guest_ms_since_start) ms after QEMU started"
	ls -l "/proc/$QEMU_PID/fd" >"$VGPU_OUT/qemu-fds-$1.txt"
	if [ "$1" = iommufd ]; then
		grep -q "/dev/vfio/devices/$c\$" "$VGPU_OUT/qemu-fds-$1.txt" ||
			fail "iommufd: QEMU does not hold the cdev /dev/vfio/devices/$c"
		grep -q "/dev/iommu\$" "$VGPU_OUT/qemu-fds-$1.txt" || fail "iommufd: QEMU holds no /dev/iommu"
		grep -q "/dev/vfio/$g\$" "$VGPU_OUT/qemu-fds-$1.txt" && fail "iommufd: QEMU holds the group too"
		grep -q "from pid $QEMU_PID's vfio cdev" "$TMPDIR/viewer.log" ||
			fail "iommufd: the viewer did not take the cdev"
	else
		grep -q "/dev/vfio/$g\$" "$VGPU_OUT/qemu-fds-$1.txt" || fail "group: QEMU does not hold /dev/vfio/$g"
		grep -q "from pid $QEMU_PID's group $g" "$TMPDIR/viewer.log" ||
			fail "group: the viewer did not take the device from the group"
	fi
	vm_wait_for 3000 guest_stamped "$TMPDIR/v.jsonl" 10 ||
		{ tail -n 20 "$VGPU_OUT/guest-$1.log"; fail "$1: fewer than 10 of the guest's frames shown"; }
	note "$1: $(guest_check_frames "$TMPDIR/v.jsonl")" || fail "$1: frames not shown as drawn"
	guest_check_frames "$TMPDIR/v.jsonl" >/dev/null || fail "$1: frames not shown as drawn"
	kill -KILL "$QEMU_PID"
	wait "$VW_PID"
	_rc=$?
	VW_PID=
	[ "$_rc" = 7 ] || { cat "$TMPDIR/viewer.log"; fail "$1: viewer exit $_rc after QEMU exited, want 7"; }
	wait "$QEMU_PID" 2>/dev/null
	cp "$TMPDIR/viewer.log" "$VGPU_OUT/viewer-$1.log"
}

note "QEMU $GUEST_QEMU_VERSION ($GUEST_QEMU)"
run_guest group
run_guest iommufd
vm_mdev_remove "$a"
