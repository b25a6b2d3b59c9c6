#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
# vm-timeout: 900
#
# The kiosk unit as installed, on vkms: vgpu-viewer-kiosk@tty7 runs as its
# own user (sysusers.d) in a logind session on tty7 (PAMName=login), takes
# the card from logind (TakeControl, TakeDevice) and shows the guest on the
# bare output, under the unit's seccomp filter and device policy: the guest
# dmabuf on the primary plane (zero-copy), then a smaller mode composed with
# GBM + EGL (Mesa).  Then chvt to another VT: logind pauses the session, the
# viewer lets go of the display and another program can become DRM master;
# back on tty7 the viewer shows the newest frame, one the guest drew while
# it was away.
# The VMM is guestsim (exact control of what the guest shows and when),
# named with --pid in a drop-in that replaces ExecStart= only; the unit's
# sandbox, user, session and devices are the installed ones.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"

sd_install
getent passwd vgpu-kiosk >/dev/null || fail "systemd-sysusers made no vgpu-kiosk user"
unit=vgpu-viewer-kiosk@tty7.service
vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
kms_start
udevadm info /dev/dri/card0 | grep -q 'TAGS=.*:seat:' || fail "udev did not tag the card for a seat"

gs_start "$a" --rate 30
printf '%s\n' '[viewer]' 'stats = /tmp/frames.jsonl' >"$SD_CONFDIR/viewer.conf"
mkdir -p "/run/systemd/system/$unit.d"
# TimeoutStartSec=, WatchdogSec=: under TCG Mesa's EGL with llvmpipe takes
# 7 s to come up (16 s on a loaded machine), in one call that blocks the
# loop; the watchdog itself is sd-service's to test.
cat >"/run/systemd/system/$unit.d/vmm.conf" <<EOF
[Service]
ExecStart=
ExecStart=$SD_BIN --backend kms --kiosk --wait --pid $GS_PID -v
TimeoutStartSec=300s
WatchdogSec=60s
EOF
systemctl daemon-reload
sd_kiosk_stop() {
	systemctl stop "$unit"
	rm -rf "/run/systemd/system/$unit.d" "$SD_CONFDIR/viewer.conf"
	systemctl daemon-reload
}
trap 'sd_kiosk_stop; vm_cleanup' EXIT

systemctl start "$unit" || { sd_unit_log "$unit"; fail "systemctl start $unit failed"; }
sd_prop_is "$unit" ActiveState active || fail "$unit is not active"
pid=$(sd_prop "$unit" MainPID)
session=$(loginctl show-user -P Sessions vgpu-kiosk 2>/dev/null)
note "$unit: pid $pid, user $(stat -c %U "/proc/$pid"), logind session $session"
loginctl show-session "$session" -p Type -p VTNr -p Seat -p Active -p State >"$VGPU_OUT/session.txt" ||
	fail "the kiosk has no logind session"
cat "$VGPU_OUT/session.txt"
grep -qx 'VTNr=7' "$VGPU_OUT/session.txt" || fail "the session is not on VT 7"
grep -qx 'Seat=seat0' "$VGPU_OUT/session.txt" || fail "the session is not on seat0"
# The session's leader (the viewer) is in the session's scope now, not in
# the service's cgroup: its journal is found by its pid.
journalctl -b -o json -n 1 _PID="$pid" | python3 -c 'import json, sys
e = json.load(sys.stdin)
print("-- the viewer logs as", e.get("_SYSTEMD_UNIT"), "in", e.get("_SYSTEMD_CGROUP"))'
journalctl -b _PID="$pid" | grep -q "devices from logind, session" ||
	{ journalctl -b _PID="$pid" | tail -n 20; fail "the viewer did not take its devices from logind"; }
vm_wait_for 300 sh -c "loginctl show-session -P Active $session | grep -qx yes" ||
	fail "the kiosk's session did not become the active one"
stats=$(sd_private_tmp "$unit")/frames.jsonl
# viewer_logged PATTERN: the viewer's journal has a line matching PATTERN.
viewer_logged() {
	journalctl -b -q _PID="$pid" --grep "$1" >/dev/null 2>&1
}

# The guest on the bare output, zero-copy, as the sandboxed kiosk shows it.
vm_wait_for 600 viewer_logged 'path zero-copy' ||
	{ journalctl -b _PID="$pid" | tail -n 30; fail "no zero-copy path"; }
# It looked at the card through logind before it took it for good: that
# must not read as a pause (logind's "gone" for a card given back).
viewer_logged 'lost the display' && fail "the kiosk paused before any VT switch"
gs_pause
vm_wait_frame "$stats" "$GS_SEQ" presented
frame=$(gs_dump kiosk-zc)
screen_expect kms kiosk-zc 300 exact "$frame" 0 0 || fail "the kiosk does not show the guest's frame"
note "zero-copy: frame $GS_SEQ on vkms, pixel for pixel"

# A smaller mode, fitted: composed with GBM + EGL under the seccomp filter.
gs_cmd resume
gs_cmd "mode 800 600"
vm_wait_for 600 viewer_logged 'path (egl|shm)' ||
	{ journalctl -b _PID="$pid" | tail -n 30; fail "no composed (EGL) path"; }
gs_pause
vm_wait_frame "$stats" "$GS_SEQ" presented
frame=$(gs_dump kiosk-composed)
screen_expect kms kiosk-composed 300 scaled "$frame" 0 0 1024 768 2 ||
	fail "the composed frame is not the guest's"
note "composed with EGL: frame $GS_SEQ fitted to 1024x768"
sd_caps "$pid" >"$VGPU_OUT/proc-status.txt"
grep -q '^Seccomp:	2$' "$VGPU_OUT/proc-status.txt" || fail "the kiosk runs without its seccomp filter"
grep -q '^CapEff:	0000000000000000$' "$VGPU_OUT/proc-status.txt" ||
	{ cat "$VGPU_OUT/proc-status.txt"; fail "the kiosk kept capabilities after attaching"; }

# vt_stuck WHAT: what the viewer and logind are doing, then fail.
vt_stuck() {
	journalctl -b _PID="$pid" | tail -n 30
	echo "-- active VT: $(cat /sys/class/tty/tty0/active)"
	top -b -n 1 | head -n 15
	vm_stacks "$pid" "$(pidof systemd-logind)" | tee "$VGPU_OUT/stacks.txt"
	fail "$1"
}

# Away: another VT.  logind pauses the session; the card is free for others.
timeout 120 busybox chvt 2 || vt_stuck "chvt 2 failed or did not return"
vm_wait_for 1200 viewer_logged 'lost the display' || vt_stuck "the viewer was not told it lost the display"
loginctl show-session -P Active "$session" | grep -qx no || fail "the kiosk session is still active"
rm -f "$TMPDIR/hold.ctl"
mkfifo "$TMPDIR/hold.ctl"
"$KMSTOOL" hold 1024x768 drop <"$TMPDIR/hold.ctl" >"$TMPDIR/hold.out" 2>&1 &
HOLD_PID=$!
exec 7>"$TMPDIR/hold.ctl"
vm_wait_for 300 grep -q '^held' "$TMPDIR/hold.out" ||
	{ cat "$TMPDIR/hold.out"; fail "another program could not become DRM master while the kiosk was away"; }
note "on VT 2: the kiosk paused, kmstool became DRM master ($(cat "$TMPDIR/hold.out"))"
exec 7>&-
wait "$HOLD_PID"

# The guest goes on meanwhile; back on tty7, its newest frame is shown.
gs_cmd resume
gs_cmd "mode 1024 768"
gs_pause
timeout 120 busybox chvt 7 || vt_stuck "chvt 7 failed or did not return"
vm_wait_for 1200 viewer_logged 'has the display again' || vt_stuck "the viewer did not resume"
vm_wait_frame "$stats" "$GS_SEQ" presented
frame=$(gs_dump kiosk-back)
screen_expect kms kiosk-back 300 exact "$frame" 0 0 ||
	fail "back on VT 7 the kiosk does not show the newest frame"
note "back on VT 7: frame $GS_SEQ, drawn while away, on the output"

systemctl stop "$unit" || fail "systemctl stop failed"
sd_prop_is "$unit" Result success || fail "the kiosk did not stop cleanly ($(sd_prop "$unit" Result))"
gs_stop
vm_mdev_remove "$a"
