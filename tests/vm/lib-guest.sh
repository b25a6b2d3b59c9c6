# SPDX-License-Identifier: MIT
# The real test guest (tests/vm/build-guest) under a real VMM, for VM
# scenarios that say '# vm-needs: guest' (sourced after lib.sh).  Helpers are
# prefixed guest_; their own variables _gu_*.

# guest_check [VERSION]: the guest was built for this run and QEMU is there
# (its version, when given, starts with VERSION); sets GUEST_QEMU_VERSION.
guest_check() {
	[ -n "${VGPU_GUEST:-}" ] && [ -f "$VGPU_GUEST/bzImage" ] ||
		fail "no test guest (run-vm builds it for '# vm-needs: guest')"
	command -v "${GUEST_QEMU:-qemu-system-x86_64}" >/dev/null ||
		fail "${GUEST_QEMU:-qemu-system-x86_64} not found"
	GUEST_QEMU_VERSION=$("${GUEST_QEMU:-qemu-system-x86_64}" --version |
		sed -n '1s/.*version \([0-9.]*\).*/\1/p')
	case $GUEST_QEMU_VERSION in
	"${1:-}"*) ;;
	*) fail "${GUEST_QEMU:-qemu-system-x86_64} is version $GUEST_QEMU_VERSION, not ${1:-}" ;;
	esac
}

# guest_check_qemu10: the guest is to run under Debian 13's QEMU 10, which
# run-vm fetched for '# vm-needs: qemu10' (GUEST_QEMU is set to it).
guest_check_qemu10() {
	[ -x "${VGPU_QEMU10:-}/qemu-system-x86_64" ] ||
		fail "no QEMU 10 (run-vm fetches it for '# vm-needs: qemu10')"
	GUEST_QEMU=$VGPU_QEMU10/qemu-system-x86_64
	guest_check 10.
}

# guest_cmdline [HZ [TEXT]]: the guest kernel's command line.  HZ: page
# flips per second (0: one frame, held); TEXT: seconds of console text
# before the first modeset.  1024x768, the size the scenarios check.
# Under TCG inside TCG every console line and clock check costs: "quiet",
# no clocksource watchdog, no timer check and one serial port bring the
# first modeset from 82 s to 51 s (measured in the test VM, QEMU 7.2); the
# console text the guest's init writes still shows.
# GUEST_INPUT=1 adds "noapic": with the virtio keyboard and tablet on the PCI
# bus, the guest sometimes took a level-triggered interrupt while it was
# still setting up the I/O APIC and panicked at 0.2-0.4 s (io_apic_modify_irq,
# a NULL chip; 2 boots in about 12); the legacy PIC has no such window.
guest_cmdline() {
	_gc_apic=
	[ "${GUEST_INPUT:-0}" != 0 ] && _gc_apic=" noapic"
	echo "console=tty0 console=ttyS0 quiet tsc=reliable no_timer_check 8250.nr_uarts=1$_gc_apic" \
		"vgpuguest.hz=${1:-5} vgpuguest.text=${2:-3} vgpuguest.mode=1024x768"
}

# guest_qemu_start UUID SERIAL_LOG [HZ [TEXT]]: the guest under QEMU on mdev
# UUID, its serial console in SERIAL_LOG; QEMU's own output in
# $GUEST_QEMU_OUT (default $TMPDIR/qemu.log).  Sets QEMU_PID and GUEST_T0
# (date +%s%N at the start).
# GUEST_QEMU: another QEMU binary; GUEST_IOMMUFD=1: the device through
# iommufd and its cdev (-object iommufd, QEMU >= 8.2) instead of its group;
# GUEST_INPUT=1: a virtio keyboard and tablet in the guest, and a QMP
# socket at $TMPDIR/qmp.sock on QEMU's command line (where the viewer
# finds it); GUEST_INPUT=mouse: a virtio mouse instead of the tablet (a
# guest whose pointer is relative); GUEST_INPUT=both: a virtio mouse and,
# after it on the bus, the tablet, whose driver starts last: the tablet is
# QEMU's current pointer until something (vmtool.py mouse-set) makes the
# mouse it; GUEST_QEMU_EXTRA: more of QEMU's options (words).
guest_qemu_start() {
	_gu_dev="vfio-pci,sysfsdev=/sys/bus/mdev/devices/$1,display=off"
	_gu_obj=
	if [ "${GUEST_IOMMUFD:-0}" = 1 ]; then
		_gu_dev="$_gu_dev,iommufd=iommufd0"
		_gu_obj="-object iommufd,id=iommufd0"
	fi
	if [ "${GUEST_INPUT:-0}" != 0 ]; then
		_gu_obj="$_gu_obj -qmp unix:$TMPDIR/qmp.sock,server=on,wait=off"
		_gu_obj="$_gu_obj -device virtio-keyboard-pci"
		case $GUEST_INPUT in
		mouse) _gu_obj="$_gu_obj -device virtio-mouse-pci" ;;
		both) _gu_obj="$_gu_obj -device virtio-mouse-pci -device virtio-tablet-pci" ;;
		*) _gu_obj="$_gu_obj -device virtio-tablet-pci" ;;
		esac
	fi
	GUEST_T0=$(date +%s%N)
	# shellcheck disable=SC2086 # _gu_obj is words or none
	"${GUEST_QEMU:-qemu-system-x86_64}" -accel tcg -m 256M -nographic -nodefaults \
		-no-user-config -vga none -serial "file:$2" -kernel "$VGPU_GUEST/bzImage" \
		-initrd "$VGPU_GUEST/initramfs.cpio.gz" -append "$(guest_cmdline "${3:-5}" "${4:-3}")" \
		$_gu_obj ${GUEST_QEMU_EXTRA:-} -device "$_gu_dev" >"${GUEST_QEMU_OUT:-$TMPDIR/qemu.log}" 2>&1 &
	QEMU_PID=$!
}

# guest_ms_since_start [T0]: milliseconds since guest_qemu_start (or T0,
# a GUEST_T0 kept from an earlier one).
guest_ms_since_start() {
	echo $(( ($(date +%s%N) - ${1:-$GUEST_T0}) / 1000000 ))
}

# How long a wait for the guest's boot (its console, its first or tenth
# frame) may take, in tenths: it reached its modeset in 48-110 s here
# (TCG inside TCG), and a machine of this kind has been three times as
# slow; the scenario's own limit bounds the whole.
GUEST_BOOT_TENTHS=6000

# guest_domain NAME UUID KERNEL_DIR SERIAL_LOG: the libvirt domain XML of
# the guest on mdev UUID (<hostdev type='mdev'>), on stdout.  KERNEL_DIR
# holds bzImage and initramfs.cpio.gz where libvirt's QEMU can read them.
# GUEST_INPUT=1: a virtio keyboard and tablet, and a VNC server on
# 127.0.0.1 (the way the viewer sends them input) with a graphical console
# of its own (QEMU gives a text console keys to itself, not to the guest):
# a virtio VGA, which the guest has no driver for; GUEST_INPUT=both: a
# virtio mouse too, before the tablet (see guest_qemu_start); GUEST_HZ:
# its flip rate.
guest_domain() {
	_gd_input='' _gd_video=none
	if [ "${GUEST_INPUT:-0}" = 1 ] || [ "${GUEST_INPUT:-0}" = both ]; then
		[ "$GUEST_INPUT" = both ] && _gd_input="<input type='mouse' bus='virtio'/>
    "
		_gd_input="$_gd_input<input type='keyboard' bus='virtio'/>
    <input type='tablet' bus='virtio'/>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>"
		_gd_video=virtio
	fi

	cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$3/bzImage</kernel>
    <initrd>$3/initramfs.cpio.gz</initrd>
    <cmdline>$(guest_cmdline "${GUEST_HZ:-5}")</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <serial type='file'><source path='$4'/><target port='0'/></serial>
    <video><model type='$_gd_video'/></video>
    <memballoon model='none'/>
    $_gd_input
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='$2'/></source>
    </hostdev>
  </devices>
</domain>
EOF
}

# guest_stamped STATS N: the viewer's --stats record N or more frames of
# the guest's own (stamped: past its console).
guest_stamped() {
	_gs_n=$(grep -c '"seq":' "$1" 2>/dev/null)
	[ "${_gs_n:-0}" -ge "$2" ]
}

# guest_check_frames STATS: every stamped frame 1024x768 and in order;
# prints how many.
guest_check_frames() {
	python3 - "$1" <<'EOF'
import json, sys
seqs = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event") != "frame" or "seq" not in r:
        continue
    if (r["width"], r["height"]) != (1024, 768):
        sys.exit(f"frame {r['seq']}: {r['width']}x{r['height']}")
    seqs.append(r["seq"])
if not seqs:
    sys.exit("no frame of the guest's own")
if any(b <= a for a, b in zip(seqs, seqs[1:])):
    sys.exit(f"out of order: {seqs}")
print(f"{len(seqs)} guest frames shown, seq {seqs[0]}..{seqs[-1]}")
EOF
}
