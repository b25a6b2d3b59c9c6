#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd-bpo
# vm-needs: guest
# vm-timeout: 1200
#
# The cdev path under the installed unit's sandbox: QEMU 10 holds the mdev
# through iommufd (-object iommufd: /dev/vfio/devices/vfioN and /dev/iommu,
# no group), and vgpu-viewer@cdevguest.service, the display service, has
# its attacher borrow the cdev's fd and shows the real guest, with the
# unit's user, capabilities, seccomp filter and device policy.  libvirt
# 11.3 cannot start such a QEMU (its domain schema has no iommufd), so QEMU
# is started here and the unit is told its pid in a drop-in that replaces
# ExecStart= only.  The service keeps no capability at all.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"

guest_check 10.
sd_install
vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
c=$(ls "/sys/bus/mdev/devices/$a/vfio-dev")
g=$(vm_mdev_group "$a")
unit=vgpu-viewer@cdevguest.service

GUEST_IOMMUFD=1
guest_qemu_start "$a" "$TMPDIR/guest.log" 10 1
holds_cdev() { ls -l "/proc/$QEMU_PID/fd" 2>/dev/null | grep -q "/dev/vfio/devices/$c\$"; }
vm_wait_for 1200 holds_cdev || { cat "$TMPDIR/qemu.log"; fail "QEMU $GUEST_QEMU_VERSION never held /dev/vfio/devices/$c"; }
ls -l "/proc/$QEMU_PID/fd" >"$VGPU_OUT/qemu-fds.txt"
grep -q "/dev/iommu\$" "$VGPU_OUT/qemu-fds.txt" || fail "QEMU holds no /dev/iommu"
grep -q "/dev/vfio/$g\$" "$VGPU_OUT/qemu-fds.txt" && fail "QEMU holds the group too"
note "QEMU $GUEST_QEMU_VERSION (pid $QEMU_PID) holds /dev/vfio/devices/$c and /dev/iommu, no group"

# Without --vm the viewer knows no instance name, so reads no NAME.conf:
# --stats on its command line (its private /tmp).
mkdir -p "/run/systemd/system/$unit.d"
cat >"/run/systemd/system/$unit.d/vmm.conf" <<EOF
[Service]
ExecStart=
ExecStart=$SD_BIN --pid $QEMU_PID --serve --wait -v --stats /tmp/frames.jsonl
EOF
systemctl daemon-reload
sd_cdev_stop() {
	systemctl stop "$unit"
	rm -rf "/run/systemd/system/$unit.d"
	systemctl daemon-reload
}
trap 'sd_cdev_stop; vm_cleanup' EXIT

systemctl start "$unit" || { sd_unit_log "$unit"; fail "systemctl start $unit failed"; }
pid=$(sd_prop "$unit" MainPID)
sd_unit_log "$unit" 50 >"$VGPU_OUT/unit.log"
grep -q "from pid $QEMU_PID's vfio cdev" "$VGPU_OUT/unit.log" ||
	{ cat "$VGPU_OUT/unit.log"; fail "the unit did not take QEMU's cdev"; }
ls -l "/proc/$pid/fd" >"$VGPU_OUT/viewer-fds.txt"
grep -q "/dev/vfio/devices/$c\$" "$VGPU_OUT/viewer-fds.txt" || fail "the service holds no fd of the cdev"
grep -q "/dev/iommu\$" "$VGPU_OUT/viewer-fds.txt" && fail "the service holds an iommufd it does not need"
note "the unit took the cdev from QEMU ($(grep -o "the device from pid.*" "$VGPU_OUT/unit.log" | head -n 1))"

stats=$(sd_private_tmp "$unit")/frames.jsonl || fail "the unit has no private /tmp"
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$stats" 10 ||
	{ cp "$TMPDIR/qemu.log" "$VGPU_OUT/"; sd_unit_log "$unit"; fail "no frames of the guest's own in $stats"; }
shown=$(guest_check_frames "$stats") || fail "the guest's frames were not shown as drawn: $shown"
note "$shown"
vm_wait_for 300 sd_status_matches "$unit" '^1024x768 [A-Z0-9]{4}, [0-9.]+ flips/s, display IRQ, 0 viewers$' ||
	fail "STATUS= does not give the guest's mode and rate ($(sd_prop "$unit" StatusText))"
note "STATUS=$(sd_prop "$unit" StatusText)"

sd_caps "$pid" | tee "$VGPU_OUT/proc-status.txt"
grep -q '^CapEff:	0000000000000000$' "$VGPU_OUT/proc-status.txt" || fail "capabilities kept after attaching"
grep -q '^CapBnd:	0000000000000000$' "$VGPU_OUT/proc-status.txt" || fail "a bounding set left after attaching"
grep -q '^Seccomp:	2$' "$VGPU_OUT/proc-status.txt" || fail "no seccomp filter"
note "CapEff = CapBnd = 0 on the cdev, seccomp filter mode"

# QEMU goes away: the service lets go of the cdev at once and, without
# --reconnect, exits with the VMM's status (7).
kill -KILL "$QEMU_PID"
wait "$QEMU_PID" 2>/dev/null
gone() { ! kill -0 "$pid" 2>/dev/null; }
vm_wait_for 300 gone || fail "the service did not end when QEMU did"
journalctl -b _PID="$pid" -o cat >"$VGPU_OUT/viewer-end.log"
grep -q 'the VMM exited; device closed in' "$VGPU_OUT/viewer-end.log" ||
	{ cat "$VGPU_OUT/viewer-end.log"; fail "the viewer did not say the VMM exited"; }
journalctl -b -u "$unit" -o cat | grep -q 'status=7/' ||
	{ sd_unit_log "$unit"; fail "the viewer did not exit 7 (the VMM exited)"; }
note "after QEMU: $(grep -o 'the VMM exited.*' "$VGPU_OUT/viewer-end.log"), exit 7"
vm_mdev_remove "$a"
