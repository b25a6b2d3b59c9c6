#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 1200
# vm-needs: guest
# vm-not-in-all: one run in three of the clean-clone suite, the guest under libvirt showed no frame in
#   13 minutes (passed in 150-160 s otherwise); run it by name until that is understood (issue 16).
#
# A real guest under libvirt: libvirtd (Debian's, run in the test VM with
# the shell as PID 1) defines and starts the test guest with
#   <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
# on an mbochs mdev.  "vgpu-viewer --vm NAME --wait --reconnect" finds it
# from libvirt's own files (the <domstatus> it writes under
# /run/libvirt/qemu), shows the guest's frames, follows "virsh destroy" and
# "virsh start" to the new QEMU, and shows the new boot.
. "$VGPU_TOP/tests/vm/lib.sh"

# libvirt's writable places on the read-only root, in a mount namespace of
# this scenario's own (the next scenario sees the root as it was).
if [ -z "${GL_NS:-}" ]; then
	export GL_NS=1
	exec unshare --mount --propagation private "$0"
fi

[ -n "${VGPU_GUEST:-}" ] && [ -f "$VGPU_GUEST/bzImage" ] ||
	fail "no test guest (run-vm builds it for '# vm-needs: guest')"
for t in libvirtd virsh qemu-system-x86_64; do
	command -v "$t" >/dev/null || fail "$t not found (scripts/install-deps installs libvirt)"
done
getent passwd libvirt-qemu >/dev/null || fail "no libvirt-qemu user (libvirt-daemon-system)"

for d in /var/lib/libvirt /var/log/libvirt /var/cache/libvirt; do
	[ -d "$d" ] || fail "$d missing on the root (libvirt-daemon-system)"
	mount -t tmpfs tmpfs "$d" || fail "cannot mount a tmpfs on $d"
done
mkdir -p /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu
cp -a /etc/libvirt "$TMPDIR/etc-libvirt" && mount --bind "$TMPDIR/etc-libvirt" /etc/libvirt ||
	fail "cannot make /etc/libvirt writable"
# No cgroups, namespaces, labels or log daemon in the test VM; root runs QEMU.
cat >>/etc/libvirt/qemu.conf <<'EOF'
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
EOF
mkdir -p /run/libvirt
libvirtd >"$TMPDIR/libvirtd.log" 2>&1 &
LV_PID=$!
vm_wait_for 1200 virsh -c qemu:///system version >/dev/null 2>&1 ||
	{ cat "$TMPDIR/libvirtd.log"; fail "libvirtd did not come up"; }
libvirt_version=$(virsh -c qemu:///system version | sed -n 's/.*libvirt \([0-9.]*\)/\1/p' | head -n 1)
note "libvirtd $libvirt_version up"

# What QEMU and the guest said, with the failure.
gl_fail() {
	echo "-- the guest's console:"; tail -n 30 "$VGPU_OUT/guest.log" 2>/dev/null
	echo "-- libvirt's QEMU log:"; tail -n 30 /var/log/libvirt/qemu/vgpuguest.log 2>/dev/null
	fail "$@"
}

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
cat >"$TMPDIR/guest.xml" <<EOF
<domain type='qemu'>
  <name>vgpuguest</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$VGPU_GUEST/bzImage</kernel>
    <initrd>$VGPU_GUEST/initramfs.cpio.gz</initrd>
    <cmdline>console=tty0 console=ttyS0 vgpuguest.hz=5 vgpuguest.text=3 vgpuguest.mode=1024x768</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <serial type='file'><source path='$VGPU_OUT/guest.log'/><target port='0'/></serial>
    <video><model type='none'/></video>
    <memballoon model='none'/>
    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>
      <source><address uuid='$a'/></source>
    </hostdev>
  </devices>
</domain>
EOF
virsh -c qemu:///system define "$TMPDIR/guest.xml" >/dev/null || fail "virsh define failed"
# libvirt puts QEMU in a session of its own: it outlives the scenario's group.
gl_stop() {
	virsh -c qemu:///system destroy vgpuguest >/dev/null 2>&1
	[ -f /run/libvirt/qemu/vgpuguest.pid ] && kill -KILL "$(cat /run/libvirt/qemu/vgpuguest.pid)" 2>/dev/null
}
trap gl_stop EXIT
trap 'gl_stop; exit 1' TERM INT
virsh -c qemu:///system start vgpuguest >"$TMPDIR/virsh.log" 2>&1 ||
	{ cat "$TMPDIR/virsh.log" /var/log/libvirt/qemu/vgpuguest.log 2>/dev/null; fail "virsh start failed"; }
grep -q '<domstatus' /run/libvirt/qemu/vgpuguest.xml || fail "libvirt wrote no <domstatus>"
note "virsh start: QEMU $(cat /run/libvirt/qemu/vgpuguest.pid)"

# The viewer from libvirt's files alone (root: qemu:///system).
viewer_start --vm vgpuguest --wait --reconnect --stats "$TMPDIR/v.jsonl"
vm_wait_for 1200 grep -q "attached to mdev $a of the VMM" "$TMPDIR/viewer.log" ||
	gl_fail "the viewer did not attach to libvirt's QEMU"
vm_wait_for 1800 grep -q 'vgpuguest: the vgpu-viewer test guest' "$VGPU_OUT/guest.log" ||
	gl_fail "the guest did not get to its /init"
guest_frames() { [ "$(grep -c '"seq":' "$TMPDIR/v.jsonl" 2>/dev/null)" -ge "$1" ]; }
vm_wait_for 3000 guest_frames 5 ||
	gl_fail "no frames of the guest's own"
note "the guest's frames shown (--vm, libvirt's status file)"

# virsh destroy, then start: the service-style viewer follows to the new QEMU.
old=$(cat /run/libvirt/qemu/vgpuguest.pid)
virsh -c qemu:///system destroy vgpuguest >/dev/null || fail "virsh destroy failed"
vm_wait_for 300 grep -q "the VMM exited; device closed in" "$TMPDIR/viewer.log" ||
	fail "the viewer did not see QEMU go"
note "$(grep -o 'the VMM exited; device closed in [0-9.]* ms' "$TMPDIR/viewer.log" | tail -n 1)"
mv "$VGPU_OUT/guest.log" "$VGPU_OUT/guest-boot1.log"
n=$(grep -c '"seq":' "$TMPDIR/v.jsonl")
virsh -c qemu:///system start vgpuguest >/dev/null || fail "virsh start (again) failed"
new=$(cat /run/libvirt/qemu/vgpuguest.pid)
[ "$new" != "$old" ] || fail "the same QEMU pid after a restart"
vm_wait_for 1200 sh -c "grep -c 'attached to mdev $a of the VMM' '$TMPDIR/viewer.log' |
	awk '{ exit !(\$1 >= 2) }'" || fail "the viewer did not follow to the new QEMU ($new)"
# The new boot starts again at frame 1.
new_boot() { tail -n +$((n + 1)) "$TMPDIR/v.jsonl" | grep -q '"seq":1,'; }
vm_wait_for 3000 new_boot || fail "the new boot's first frame was not shown"
note "virsh destroy + start: the viewer re-attached to QEMU $new and showed the new boot"

virsh -c qemu:///system destroy vgpuguest >/dev/null
viewer_stop
kill "$LV_PID" 2>/dev/null
wait "$LV_PID" 2>/dev/null
vm_mdev_remove "$a"
