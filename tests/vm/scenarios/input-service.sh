#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
# vm-needs: guest
# vm-timeout: 1500
#
# Input without root, through the VM's display service, on the installed
# units: the kiosk (vgpu-viewer-kiosk@tty7, user vgpu-kiosk, a logind
# session on tty7, its keyboard and tablet from logind) shows a libvirt VM
# through vgpu-viewer@VM.service (user vgpu-viewer, no capability in the
# process that reads clients), which sends the kiosk's input on to the VM's
# VNC server:
#   - keys of every kind, typed on uinput, arrive in the guest (uinput ->
#     logind -> libinput -> the kiosk -> D-Bus Display1 Keyboard -> the
#     service -> VNC -> QEMU -> the guest's evdev);
#   - the tablet's position, through Display1's SetAbsPosition;
#   - carol, a viewer of the VM but not among its controllers
#     ("controllers = vgpu-kiosk"), is refused with the reason, and her key
#     does not reach the guest; the service logs the refusal;
#   - the guest's virtio mouse made QEMU's current pointer (mouse_set,
#     through libvirt): the service hears it from QEMU's VNC server, the
#     kiosk from the service (Mouse.IsAbsolute, PropertiesChanged), and the
#     uinput mouse's motion reaches the guest's mouse unit for unit
#     (RelMotion).
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"
. "$VGPU_TOP/tests/vm/lib-input.sh"

vm=svcin
svc=vgpu-viewer@$vm.service
kiosk=vgpu-viewer-kiosk@tty7.service
sock=/run/vgpu-viewer/$vm.sock
GUEST_INPUT=both GUEST_HZ=0 sd_guest_setup "$vm"
echo "controllers = vgpu-kiosk" >>"$SD_CONFDIR/$vm.conf"
printf '%s\n' '[viewer]' "vm = $vm" 'stats = /tmp/frames.jsonl' >"$SD_CONFDIR/viewer.conf"
id carol >/dev/null 2>&1 || useradd -m -G vgpu-viewer carol || fail "useradd carol"

systemctl start "vgpu-viewer@$vm.socket" || fail "the socket unit did not start"
sd_virsh start "$vm"
kms_start
in_start "$SD_GUEST_LOG"

mkdir -p "/run/systemd/system/$kiosk.d"
cat >"/run/systemd/system/$kiosk.d/test.conf" <<EOF
[Service]
ExecStart=
ExecStart=$SD_BIN --backend kms --kiosk --wait --reconnect --mode 1280x1024 -v
TimeoutStartSec=300s
WatchdogSec=60s
EOF
systemctl daemon-reload
stop_kiosk() {
	systemctl stop "$kiosk"
	rm -rf "/run/systemd/system/$kiosk.d" "$SD_CONFDIR/viewer.conf"
	systemctl daemon-reload
}
trap 'stop_kiosk; vm_cleanup' EXIT
systemctl start "$kiosk" || { sd_unit_log "$kiosk"; fail "systemctl start $kiosk failed"; }
pid=$(sd_prop "$kiosk" MainPID)
kiosk_logged() { journalctl -b -q _PID="$pid" --grep "$1" >/dev/null 2>&1; }
vm_wait_for 1200 kiosk_logged "showing VM $vm through its display service" ||
	{ journalctl -b _PID="$pid" | tail -n 30; fail "the kiosk does not use the display service"; }
vm_wait_for 600 kiosk_logged "input: keys and pointer to the guest through the display service" ||
	fail "the kiosk sends no input"
vm_wait_for 600 kiosk_logged "pointer added: vgpu-viewer test tablet" || fail "the kiosk has no tablet"
stats=$(sd_private_tmp "$kiosk")/frames.jsonl
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$stats" 1 ||
	{ sd_guest_keep_log; sd_unit_log "$svc"; fail "the kiosk shows no frame of the guest's own"; }
svc_logged() { journalctl -b -u "$svc" -o cat | grep -q "$1"; }
vm_wait_for 600 svc_logged "input: keys and pointer to the guest through its VNC server" ||
	{ sd_unit_log "$svc"; fail "the service has no way to the VM's input"; }
vm_wait_log "$SD_GUEST_LOG" "input device event[0-9]* QEMU Virtio Tablet" 600
note "the kiosk (pid $pid, $(stat -c %U "/proc/$pid")) shows $vm through the service, which sends input to its VNC server"

# --kiosk takes F11 away from the hotkeys: F11 (87) is the guest's.
in_keys "$IN_SOME_KEYS,87"
# VNC carries positions in its console's pixels (720 wide here; 640 the narrowest).
tol=$(python3 -c 'print(1 + 0.5 * 1024 / 640)')
in_point fit 32768 32768 "$tol"
in_point fit 6000 60000 "$tol"
note "the tablet's positions arrived through SetAbsPosition"

# carol: a viewer, not a controller.
m=$(in_mark)
carol_uid=$(id -u carol)
setpriv --reuid=carol --regid=carol --init-groups --reset-env \
	python3 "$VGPU_TOP/tests/vm/svcinput.py" "$sock" 0x2d >"$TMPDIR/carol.out" 2>&1
cat "$TMPDIR/carol.out"
grep -q "^Press error AccessDenied: uid $carol_uid (carol) pid [0-9]* may view VM $vm but not control it (controllers: vgpu-kiosk)" "$TMPDIR/carol.out" ||
	fail "carol's key was not refused with the reason"
vm_wait_for 100 svc_logged "client uid $carol_uid (carol) pid [0-9]*: input refused" ||
	fail "the service did not log carol's refusal"
# After carol's x, the kiosk types y: when y is in, x would have been before it.
in_do "tap 21"
in_gi --wait 600 "$m" seen 21:0 || fail "y did not arrive"
in_gi "$m" keys 21:1 21:0 || fail "carol's key reached the guest"
note "carol (view only) was refused, and her key did not reach the guest"

sd_mouse_current "$vm"
vm_wait_for 600 kiosk_logged "the display service says the guest's pointer is relative" ||
	{ sd_unit_log "$svc"; fail "the kiosk was not told that the guest's pointer is relative"; }
in_moves_exactly
note "the service told the kiosk the pointer became relative; the mouse's 40 right and 30 up arrived as such"

sd_guest_keep_log
stop_kiosk
trap vm_cleanup EXIT
in_stop
systemctl stop "$svc" "vgpu-viewer@$vm.socket"
sd_virsh destroy "$vm"
