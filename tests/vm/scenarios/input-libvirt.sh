#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
# vm-needs: guest
# vm-timeout: 1500
#
# Keyboard and pointer to a libvirt VM, through the VNC server its QEMU
# already runs: nothing about the VM is changed for it, and libvirt does
# not mark it tainted (no monitor command goes through libvirt).  The test
# guest with a virtio keyboard and tablet and <graphics type='vnc'>, under
# the system libvirt; the viewer on vkms (KMS presenter) finds the VNC
# server on QEMU's command line:
#   - keys of every kind arrive in the guest as typed (QEMU's extended key
#     events carry QEMU's key numbers; input-kms types the whole table);
#   - the tablet's positions land where the guest is drawn under them, to
#     the precision the VNC console's pixels allow;
#   - a button and the wheel;
#   - libvirt's log of the domain says no "tainted: custom-monitor";
#   - then the guest's virtio mouse is made QEMU's current pointer (HMP's
#     mouse_set, through libvirt: now the test taints the domain): QEMU's
#     VNC server says the pointer is relative (pseudo-encoding -257), and
#     the uinput mouse's motion reaches the guest's mouse unaccelerated,
#     unit for unit.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"
. "$VGPU_TOP/tests/vm/lib-input.sh"

vm=inguest
GUEST_INPUT=both GUEST_HZ=0 sd_guest_setup "$vm"
# However it ends: what the guest reported, and libvirt's log of its QEMU.
trap 'sd_guest_keep_log; cp "/var/log/libvirt/qemu/$vm.log" "$VGPU_OUT/" 2>/dev/null; vm_cleanup' EXIT
sd_virsh start "$vm"
kms_start
in_start "$SD_GUEST_LOG"

_lib_backend=kms viewer_start "$vm" --wait --mode 1280x1024 --stats "$TMPDIR/v.jsonl"
vm_wait_log "$TMPDIR/viewer.log" "input: keys and pointer to the guest through its VNC server at 127.0.0.1:59" 1200
vnc=$(sed -n 's/.*VNC server at .*: console \([0-9]*\)x[0-9]*.*/\1/p' "$TMPDIR/viewer.log" | tail -n 1)
[ -n "$vnc" ] || { cat "$TMPDIR/viewer.log"; fail "the VNC handshake did not finish"; }
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$TMPDIR/v.jsonl" 1 ||
	{ sd_guest_keep_log; fail "no frame of the guest's own"; }
vm_wait_log "$SD_GUEST_LOG" "input device event[0-9]* QEMU Virtio Tablet" 600
note "libvirt's guest is on screen; input through its VNC server, whose console is $vnc pixels wide"

# The whole table is input-kms's; here the way there is what is new.
in_keys "$IN_SOME_KEYS"

# Positions: VNC carries them in its console's pixels, which QEMU scales to
# the tablet's range: half a console pixel more than one guest pixel.
tol=$(python3 -c "print(1 + 0.5 * 1024 / $vnc)")
for p in 32768,32768 3000,40000 60000,9000 0,0 65535,65535; do
	in_point fit "${p%,*}" "${p#*,}" "$tol"
done
note "5 tablet positions within $tol guest pixels"

m=$(in_mark)
in_do "btn tablet 272 1"
in_do "btn tablet 272 0"
in_gi --wait 600 "$m" seen 272:0 || fail "the left button did not arrive"
in_do "wheel 1 0"
in_gi --wait 600 "$m" rel 8 1 >/dev/null || fail "one detent up: the guest's wheel says $(in_gi "$m" rel 8), want 1"
note "a button and the wheel arrived"

# What virsh qemu-monitor-command would have cost: "tainted: custom-monitor".
grep -q "custom-monitor" /var/log/libvirt/qemu/"$vm".log && {
	grep -i taint /var/log/libvirt/qemu/"$vm".log
	fail "libvirt marked the domain tainted by a monitor command"
}

vm_wait_log "$TMPDIR/viewer.log" "VNC: the guest's pointer is absolute" 10
sd_mouse_current "$vm"
vm_wait_log "$TMPDIR/viewer.log" "VNC: the guest's pointer is relative" 600
in_moves_exactly
note "QEMU's VNC server said the pointer became relative; the mouse's 40 right and 30 up arrived as such"
sd_guest_keep_log
viewer_stop
in_stop
sd_virsh destroy "$vm"
