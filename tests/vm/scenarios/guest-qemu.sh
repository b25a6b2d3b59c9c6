#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 900
# vm-needs: guest
#
# A real guest under a real QEMU: Debian's qemu-system-x86_64, inside the
# test VM (TCG in TCG), boots the test guest (tests/vm/build-guest: Linux on
# bochs-drm) on an mbochs mdev with -device vfio-pci,sysfsdev=.  The viewer,
# waiting for QEMU's pid to hold the device, attaches by --pid and shows
# what a user sees: first the guest's console (fbcon, unstamped frames),
# then its page flips, every frame the guest's own (its stamp), in order.
# When QEMU is killed the viewer lets go of every fd at once and exits 7.
. "$VGPU_TOP/tests/vm/lib.sh"

[ -n "${VGPU_GUEST:-}" ] && [ -f "$VGPU_GUEST/bzImage" ] ||
	fail "no test guest (run-vm builds it for '# vm-needs: guest')"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 not found"
qemu_version=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"

t0=$(date +%s%N)
qemu-system-x86_64 -accel tcg -m 256M -nographic -nodefaults -no-user-config -vga none \
	-serial "file:$VGPU_OUT/guest.log" -kernel "$VGPU_GUEST/bzImage" \
	-initrd "$VGPU_GUEST/initramfs.cpio.gz" \
	-append "console=tty0 console=ttyS0 vgpuguest.hz=5 vgpuguest.text=3 vgpuguest.mode=1024x768" \
	-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$a,display=off" \
	>"$TMPDIR/qemu.log" 2>&1 &
QEMU_PID=$!
note "QEMU $qemu_version started (pid $QEMU_PID)"

# --wait: QEMU opens the device some seconds after it starts.
viewer_start --pid "$QEMU_PID" --wait --stats "$TMPDIR/v.jsonl"
vm_wait_for 1200 grep -q "attached to mdev $a of the VMM" "$TMPDIR/viewer.log" ||
	{ cat "$TMPDIR/qemu.log" "$TMPDIR/viewer.log"; fail "the viewer did not attach to QEMU"; }
note "attached $(( ($(date +%s%N) - t0) / 1000000 )) ms after QEMU started"

# The console first: bochs-drm's fbcon, frames without a stamp.
unstamped() { grep '"event":"frame"' "$TMPDIR/v.jsonl" 2>/dev/null | grep -qv '"seq"'; }
vm_wait_for 1800 unstamped ||
	{ tail -n 20 "$VGPU_OUT/guest.log"; fail "no console frame from the guest"; }
note "the guest's console on screen $(( ($(date +%s%N) - t0) / 1000000 )) ms after QEMU started"

# Then its own frames: stamped, in order.
vm_wait_for 3000 grep -q 'vgpuguest: flip 20' "$VGPU_OUT/guest.log" ||
	{ tail -n 20 "$VGPU_OUT/guest.log"; fail "the guest did not page-flip"; }
grep -q 'vgpuguest: modeset 1024x768' "$VGPU_OUT/guest.log" || fail "the guest set no 1024x768 mode"
stamped() { [ "$(grep -c '"seq":' "$TMPDIR/v.jsonl")" -ge 10 ]; }
vm_wait_for 600 stamped ||
	fail "fewer than 10 of the guest's own frames shown"
python3 - "$TMPDIR/v.jsonl" <<'EOF' || fail "the guest's frames were not shown as drawn"
import json, sys
seqs = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event") != "frame" or "seq" not in r:
        continue
    if (r["width"], r["height"]) != (1024, 768):
        sys.exit(f"frame {r['seq']}: {r['width']}x{r['height']}")
    seqs.append(r["seq"])
if any(b <= a for a, b in zip(seqs, seqs[1:])):
    sys.exit(f"out of order: {seqs}")
print(f"{len(seqs)} guest frames shown, seq {seqs[0]}..{seqs[-1]}")
EOF
note "the guest's page flips shown in order"

# QEMU goes: the viewer closes the device and exits 7 (no --reconnect).
t1=$(date +%s%N)
kill -KILL "$QEMU_PID"
wait "$VW_PID"
rc=$?
VW_PID=
[ "$rc" = 7 ] || { cat "$TMPDIR/viewer.log"; fail "viewer exit $rc after QEMU exited, want 7"; }
note "QEMU killed: the viewer exited 7 in $(( ($(date +%s%N) - t1) / 1000000 )) ms"
vm_mdev_remove "$a"
