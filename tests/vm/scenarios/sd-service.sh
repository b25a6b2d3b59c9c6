#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
# vm-needs: guest
# vm-timeout: 1200
#
# vgpu-viewer@GUEST.service as installed ("meson install", sysusers,
# tmpfiles), started by systemd for a guest that libvirtd defines and starts
# with <hostdev type='mdev'> on an mbochs mdev:
#   - started before the VM, it waits without READY=1, and says so in STATUS=;
#     once libvirt starts the guest it attaches to libvirt's QEMU and is
#     READY; STATUS= gives the guest's mode and flip rate;
#   - it shows the guest's own frames (its --stats record, in its private
#     /tmp), and the journal has its entries with VM= and MDEV= fields;
#   - the sandbox, live: /proc says what the processes kept: the service,
#     user vgpu-viewer, no capability at all; its attacher CAP_SYS_PTRACE and
#     CAP_DAC_READ_SEARCH alone, and no VFIO fd once it handed it over;
#     no-new-privs and a seccomp filter for both; a process put in the
#     unit's cgroup may open the VFIO nodes and not /dev/kmsg
#     (DevicePolicy=closed); systemd-analyze security's exposure;
#   - the watchdog: a viewer stopped with SIGSTOP is killed and restarted by
#     systemd within WatchdogSec= (+ RestartSec=), and shows frames again.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"

unit=vgpu-viewer@vgpuguest.service
sd_guest_setup vgpuguest
a=$SD_UUID

# Before the VM: activating, waiting, saying so.
systemctl start --no-block "$unit"
sd_wait_prop 600 "$unit" ActiveState activating || fail "$unit is not activating"
vm_wait_for 600 sd_status_matches "$unit" '^waiting for VM vgpuguest' ||
	{ sd_unit_log "$unit"; fail "STATUS= does not say it waits for the VM ($(sd_prop "$unit" StatusText))"; }
note "before the VM: ActiveState=activating, STATUS=$(sd_prop "$unit" StatusText)"

sd_virsh start vgpuguest
t0=$(date +%s%N)
qemu=$(sd_qemu_pid vgpuguest)
note "virsh start: QEMU $qemu"
sd_wait_prop 1200 "$unit" ActiveState active ||
	{ sd_unit_log "$unit"; fail "$unit did not become active (READY=1) once the VM ran"; }
note "READY=1 $(( ($(date +%s%N) - t0) / 1000000 )) ms after virsh start returned"
pid=$(sd_prop "$unit" MainPID)
# What --vm read: libvirt's status file for the running domain.
cp /run/libvirt/qemu/vgpuguest.xml "$VGPU_OUT/domstatus.xml" || fail "libvirt wrote no status file"
note "libvirt $SD_LIBVIRT_VERSION's status file: $(grep -m 1 -o '<domstatus [^>]*>' "$VGPU_OUT/domstatus.xml")"

# The guest's frames, as the service recorded them.
stats=$(sd_private_tmp "$unit")/frames.jsonl || fail "the unit has no private /tmp"
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$stats" 10 ||
	{ sd_guest_keep_log; sd_unit_log "$unit"; fail "no frames of the guest's own in $stats"; }
guest_check_frames "$stats" || fail "the guest's frames were not shown as drawn"
vm_wait_for 300 sd_status_matches "$unit" '^1024x768 [A-Z0-9]{4}, [0-9.]+ flips/s, display IRQ, 0 viewers$' ||
	fail "STATUS= does not give the guest's mode and rate ($(sd_prop "$unit" StatusText))"
note "STATUS=$(sd_prop "$unit" StatusText)"
systemctl status --no-pager "$unit" | sed -n '1,/Status:/p' | tail -n 1

# The journal: entries of this unit that carry the VM and the mdev.
journalctl -b -o json -u "$unit" >"$VGPU_OUT/journal.json"
python3 - "$VGPU_OUT/journal.json" vgpuguest "$a" <<'EOF' || fail "journal fields"
import json, sys
path, vm, mdev = sys.argv[1:]
entries = [json.loads(l) for l in open(path)]
ours = [e for e in entries if e.get("_COMM") == "vgpu-viewer"]
both = [e for e in ours if e.get("VM") == vm and e.get("MDEV") == mdev]
if not both:
    sys.exit(f"none of the viewer's {len(ours)} entries has VM={vm} and MDEV={mdev}")
print(f"{len(both)} of the viewer's {len(ours)} journal entries carry VM={vm} MDEV={mdev}, "
      f"e.g. \"{both[0]['MESSAGE']}\"")
EOF

# The sandbox as /proc shows it, after attaching: the service reads its
# clients with no capability and not as root; its attacher keeps what
# attaching needs and holds nothing of the device.
sd_caps "$pid" | tee "$VGPU_OUT/proc-status.txt"
svc_uid=$(id -u vgpu-viewer) || fail "no user vgpu-viewer (sysusers)"
grep -Eq "^Uid:	$svc_uid	$svc_uid	$svc_uid	$svc_uid\$" "$VGPU_OUT/proc-status.txt" ||
	fail "the service does not run as vgpu-viewer ($svc_uid)"
for set in Inh Prm Eff Bnd Amb; do
	grep -q "^Cap$set:	0000000000000000\$" "$VGPU_OUT/proc-status.txt" ||
		fail "the service kept capabilities (Cap$set)"
done
grep -q '^NoNewPrivs:	1$' "$VGPU_OUT/proc-status.txt" || fail "no no-new-privs"
grep -q '^Seccomp:	2$' "$VGPU_OUT/proc-status.txt" || fail "no seccomp filter"
ls -l "/proc/$pid/fd" | grep -Eq "/dev/vfio/[0-9]+\$|vfio-device" ||
	fail "the service holds no VFIO fd"
read -r att _ <"/proc/$pid/task/$pid/children"
[ -n "$att" ] && [ "$(cat "/proc/$att/comm")" = vgpu-attacher ] ||
	fail "the service has no attacher (children: '$att')"
sd_caps "$att" | tee "$VGPU_OUT/proc-status-attacher.txt"
grep -q '^CapEff:	0000000000080004$' "$VGPU_OUT/proc-status-attacher.txt" ||
	fail "the attacher's CapEff is not CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH"
grep -q '^CapBnd:	0000000000080004$' "$VGPU_OUT/proc-status-attacher.txt" ||
	fail "the attacher's bounding set is more than it needs"
grep -q '^Seccomp:	2$' "$VGPU_OUT/proc-status-attacher.txt" || fail "the attacher has no seccomp filter"
ls -l "/proc/$att/fd" | grep -Eq "/dev/vfio|vfio-device|iommu" &&
	fail "the attacher kept a VFIO fd"
note "service: uid vgpu-viewer, no capability, holds the device; attacher (pid $att): CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH, no VFIO fd; no-new-privs, seccomp filter mode for both"

# DevicePolicy=closed + DeviceAllow=, live: from inside the unit's cgroup.
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
[ -d "$cg" ] || fail "no cgroup $cg"
sh -c "echo \$\$ >'$cg/cgroup.procs' || exit 13
	( : </dev/vfio/vfio ) || exit 11
	( : </dev/kmsg ) && exit 12
	exit 0" 2>"$TMPDIR/devices.err"
rc=$?
[ "$rc" = 11 ] && fail "the unit's device policy denies /dev/vfio/vfio"
[ "$rc" = 12 ] && fail "the unit's device policy lets /dev/kmsg be opened"
[ "$rc" = 0 ] || fail "could not test the device policy (exit $rc)"
grep -q 'Operation not permitted' "$TMPDIR/devices.err" ||
	{ cat "$TMPDIR/devices.err"; fail "/dev/kmsg was refused, but not by the device policy"; }
note "device policy: /dev/vfio/vfio opens, /dev/kmsg is refused (EPERM) in the unit's cgroup"

systemd-analyze security --no-pager "$unit" >"$VGPU_OUT/security.txt" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' "$VGPU_OUT/security.txt")
[ -n "$exposure" ] || { cat "$VGPU_OUT/security.txt"; fail "systemd-analyze security gave no level"; }
note "systemd-analyze security $unit: $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' || fail "exposure $exposure is above 2.5"

# The watchdog: a stopped viewer is killed and replaced.  When systemd
# killed it is in the journal ("Watchdog timeout"): at most WatchdogSec=
# after the SIGSTOP (the last ping came before it), plus what systemd's own
# loop takes to notice under TCG.
t1=$(date +%s%N)
kill -STOP "$pid"
restarted() { p=$(sd_prop "$unit" MainPID); [ "$p" != "$pid" ] && [ "$p" != 0 ]; }
vm_wait_for 600 restarted || fail "systemd did not restart the stopped viewer in 60 s"
ms=$(( ($(date +%s%N) - t1) / 1000000 ))
killed_us=$(journalctl -b -o json -u "$unit" | python3 -c 'import json, sys
t = [int(e["__REALTIME_TIMESTAMP"]) for e in map(json.loads, sys.stdin)
     if "Watchdog timeout" in str(e.get("MESSAGE"))]
print(t[-1] if t else "")')
[ -n "$killed_us" ] || { sd_unit_log "$unit" 20; fail "the journal does not say it was the watchdog"; }
kill_ms=$(( killed_us / 1000 - t1 / 1000000 ))
note "SIGSTOP: killed by the watchdog after $kill_ms ms, running again after $ms ms (WatchdogSec=$(sd_prop "$unit" WatchdogUSec), RestartSec=$(sd_prop "$unit" RestartUSec)); NRestarts=$(sd_prop "$unit" NRestarts)"
[ "$kill_ms" -le 11000 ] || fail "killed $kill_ms ms after the SIGSTOP (WatchdogSec 10 s)"
sd_wait_prop 1200 "$unit" ActiveState active || fail "the restarted viewer did not become ready"
# Its record: in the same private /tmp or a new one, appended or new.
stats2=$(sd_private_tmp "$unit")/frames.jsonl
old=$(grep -c '"seq":' "$stats2" 2>/dev/null)
new_frames() {
	c=$(grep -c '"seq":' "$stats2" 2>/dev/null)
	[ "${c:-0}" -ge $((${old:-0} + 3)) ] || { [ "${c:-0}" -lt "${old:-0}" ] && [ "$c" -ge 3 ]; }
}
vm_wait_for 1200 new_frames || fail "the restarted viewer shows no frames"
note "the restarted viewer shows the guest's frames again"

systemctl stop "$unit" || fail "systemctl stop failed"
sd_prop "$unit" Result | grep -qx success || fail "the unit did not stop cleanly ($(sd_prop "$unit" Result))"
sd_guest_keep_log
sd_virsh destroy vgpuguest
sd_virsh undefine vgpuguest
vm_mdev_remove "$a"
