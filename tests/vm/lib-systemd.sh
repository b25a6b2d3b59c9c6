# SPDX-License-Identifier: MIT
# Helpers for the scenarios of the systemd boot ('# vm-boot: systemd';
# tests/vm/init-systemd), sourced after lib.sh: systemd is PID 1 with
# journald, udevd, dbus, logind and libvirtd; the root is writable (an
# overlay), so the viewer is installed as a user installs it.  Helpers are
# prefixed sd_; their own variables _sd_*.

case ${VGPU_BOOT:-} in systemd | systemd-bpo) ;; *) false ;; esac && [ "$(cat /proc/1/comm)" = systemd ] ||
	fail "not the systemd boot (the scenario needs '# vm-boot: systemd')"

# sd_install: "meson install" of this build into the root, once a boot,
# then what a package's scripts do: sysusers, tmpfiles, daemon-reload.  Sets
# SD_BIN (the installed binary) and SD_CONFDIR (the directory it reads).
sd_install() {
	if [ ! -f /run/vgpu-test-installed ]; then
		meson install -C "$VGPU_BUILD" --no-rebuild --quiet >"$TMPDIR/install.log" 2>&1 ||
			{ cat "$TMPDIR/install.log"; fail "meson install failed"; }
		systemd-sysusers || fail "systemd-sysusers failed"
		systemd-tmpfiles --create || note "systemd-tmpfiles reported errors (not ours?)"
		systemctl daemon-reload || fail "systemctl daemon-reload failed"
		touch /run/vgpu-test-installed
	fi
	SD_BIN=$(systemctl cat vgpu-viewer@x.service | sed -n 's/^ExecStart=\([^ ]*\).*/\1/p')
	[ -x "$SD_BIN" ] || fail "the installed unit's ExecStart ($SD_BIN) is not there"
	SD_CONFDIR=$("$SD_BIN" --help | sed -n 's|^Configuration: \(/.*\)/viewer.conf,.*|\1|p')
	[ -d "$SD_CONFDIR" ] || fail "no configuration directory ($SD_CONFDIR)"
}

# sd_prop UNIT PROPERTY: one property's value (systemctl show).
sd_prop() {
	systemctl show -P "$2" "$1"
}

# sd_wait_prop TENTHS UNIT PROPERTY VALUE: until the property has the value.
sd_wait_prop() {
	vm_wait_for "$1" sd_prop_is "$2" "$3" "$4"
}

sd_prop_is() { # UNIT PROPERTY VALUE
	[ "$(sd_prop "$1" "$2")" = "$3" ]
}

# sd_status_matches UNIT ERE: the unit's STATUS= text matches.
sd_status_matches() {
	sd_prop "$1" StatusText | grep -Eq "$2"
}

# sd_private_tmp UNIT: the unit's /tmp (PrivateTmp=yes) as seen from outside.
sd_private_tmp() {
	for _sd_d in /tmp/systemd-private-*-"$1"-*/tmp; do
		[ -d "$_sd_d" ] && { echo "$_sd_d"; return 0; }
	done
	return 1
}

# sd_unit_log UNIT: the unit's journal since boot, short, for a failure.
sd_unit_log() {
	journalctl -b --no-pager -o short-monotonic -u "$1" | tail -n "${2:-60}"
}

# sd_libvirt_up: libvirtd answers (socket-activated, as installed).
sd_libvirt_up() {
	vm_wait_for 1200 virsh -c qemu:///system version >/dev/null 2>&1 ||
		{ systemctl status --no-pager libvirtd >&2; fail "libvirtd does not answer"; }
	SD_LIBVIRT_VERSION=$(virsh -c qemu:///system version |
		sed -n 's/.*libvirt \([0-9.]*\)$/\1/p' | head -n 1)
}

# sd_guest_define NAME UUID: the test guest as libvirt domain NAME on mdev
# UUID, its kernel where libvirt's QEMU user can read it, its serial console
# in SD_GUEST_LOG (libvirt's log directory; copied to the results by
# sd_guest_keep_log).
sd_guest_define() {
	sd_libvirt_up
	mkdir -p /var/lib/libvirt/boot/vgpuguest
	cp "$VGPU_GUEST/bzImage" "$VGPU_GUEST/initramfs.cpio.gz" /var/lib/libvirt/boot/vgpuguest/ ||
		fail "cannot copy the guest's kernel"
	SD_GUEST_LOG=/var/log/libvirt/qemu/$1-serial.log
	guest_domain "$1" "$2" /var/lib/libvirt/boot/vgpuguest "$SD_GUEST_LOG" >"$TMPDIR/$1.xml"
	virsh -c qemu:///system define "$TMPDIR/$1.xml" >/dev/null || fail "virsh define $1 failed"
}

# sd_guest_setup NAME: the installed viewer, an mbochs mdev (SD_UUID), the
# test guest defined on it as libvirt domain NAME, and NAME.conf telling
# vgpu-viewer@NAME.service to record its frames in its private /tmp.
sd_guest_setup() {
	guest_check
	sd_install
	vm_modprobe mbochs
	SD_UUID=$(vm_uuid)
	vm_mdev_create mbochs medium "$SD_UUID"
	sd_guest_define "$1" "$SD_UUID"
	printf '%s\n' '[viewer]' 'stats = /tmp/frames.jsonl' >"$SD_CONFDIR/$1.conf"
	note "libvirt $SD_LIBVIRT_VERSION, QEMU $GUEST_QEMU_VERSION, systemd $(systemctl --version |
		sed -n '1s/^systemd \([0-9]*\).*/\1/p')"
	# The stack this boot is for: Debian 12's, or Debian 13's VMM from
	# bookworm-backports ('# vm-boot: systemd-bpo').
	if [ "$VGPU_BOOT" = systemd-bpo ]; then
		case $SD_LIBVIRT_VERSION/$GUEST_QEMU_VERSION in
		11.*/10.*) ;;
		*) fail "the systemd-bpo boot runs libvirt $SD_LIBVIRT_VERSION and QEMU $GUEST_QEMU_VERSION, not 11 and 10" ;;
		esac
	fi
}

sd_guest_keep_log() { # [SUFFIX]
	cp "$SD_GUEST_LOG" "$VGPU_OUT/guest${1:-}.log" 2>/dev/null
	return 0
}

# sd_virsh ARGS...: virsh on the system libvirt; fails the scenario with
# libvirt's QEMU log when it fails.
sd_virsh() {
	virsh -c qemu:///system "$@" >"$TMPDIR/virsh.out" 2>&1 || {
		cat "$TMPDIR/virsh.out"
		tail -n 20 /var/log/libvirt/qemu/*.log 2>/dev/null
		fail "virsh $* failed"
	}
}

# sd_mouse_current NAME: makes domain NAME's virtio mouse (GUEST_INPUT=both)
# QEMU's current pointer, with HMP's mouse_set as a user would, through
# libvirt: libvirt marks the domain tainted (custom-monitor) from here on.
sd_mouse_current() {
	sd_virsh qemu-monitor-command "$1" '{"execute":"query-mice"}'
	_sd_idx=$(python3 -c 'import json, sys
print(*[m["index"] for m in json.load(open(sys.argv[1]))["return"] if "Virtio Mouse" in m["name"]])' \
		"$TMPDIR/virsh.out")
	[ -n "$_sd_idx" ] || { cat "$TMPDIR/virsh.out"; fail "QEMU lists no virtio mouse"; }
	sd_virsh qemu-monitor-command --hmp "$1" "mouse_set $_sd_idx"
}

# sd_qemu_pid NAME: the pid of the domain's QEMU (libvirt's pid file).
sd_qemu_pid() {
	cat "/run/libvirt/qemu/$1.pid" 2>/dev/null
}

# sd_caps PID: its capability sets and sandbox state as /proc shows them,
# one "Name: value" line each.
sd_caps() {
	grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters|Uid|Gid):' \
		"/proc/$1/status"
}
