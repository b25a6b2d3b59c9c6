#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 240
#
# Every way of attaching, and every error a user hits, with its exit code
# and one clear line: --vm (libvirt's files), --fd-socket and --device-fd
# (a launcher passes the fd), --mdev alone on a free mdev, --pid on a VMM
# with a group or with a vfio cdev (iommufd); no such mdev (3),
# the group in use without --pid (4, naming the holder), no ptrace rights
# (5), not a display device (6), no such process (7), bad usage (2).
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs mtty
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
V=$VGPU_BUILD/vgpu-viewer

expect_exit() { # CODE TEXT CMD...
	code=$1 text=$2
	shift 2
	"$@" >"$TMPDIR/out" 2>"$TMPDIR/err"
	rc=$?
	cat "$TMPDIR/err"
	[ "$rc" = "$code" ] || fail "$*: exit $rc, want $code"
	[ "$(wc -l <"$TMPDIR/err")" = 1 ] || fail "$*: not one line on stderr"
	grep -q -- "$text" "$TMPDIR/err" || fail "$*: stderr lacks '$text'"
	note "exit $rc: $*"
}

# Attaches with ARGS, waits for a frame, stops the viewer: exit 0.
attach_ok() { # WHAT ARGS...
	what=$1
	shift
	rm -f "$TMPDIR/v.jsonl"
	: >"$TMPDIR/viewer.log"
	viewer_start --stats "$TMPDIR/v.jsonl" "$@"
	viewer_wait_attached
	vm_wait_for 600 grep -q '"frame"' "$TMPDIR/v.jsonl" 2>/dev/null ||
		{ cat "$TMPDIR/viewer.log"; fail "$what: no frame"; }
	viewer_stop
	note "$what: attached and showed frames"
}

# --mdev alone on a free mdev: the viewer owns it (nobody flips: one frame).
gs_start "$a" --rate 30 --count 1
gs_stop
attach_ok "--mdev alone" --mdev "$a"

gs_start "$a" --rate 30 --serve-fd "$TMPDIR/fd.sock"
attach_ok "--pid with --mdev" --pid "$GS_PID" --mdev "$a"
attach_ok "--pid without --mdev" --pid "$GS_PID"
attach_ok "--fd-socket" --fd-socket "$TMPDIR/fd.sock"
rm -f "$TMPDIR/v.jsonl"
: >"$TMPDIR/viewer.log"
# Not through the vmtool function: the background job must be the launcher
# itself, which becomes the viewer.
python3 "$VGPU_TOP/tests/vm/vmtool.py" recv-exec "$TMPDIR/fd.sock" "$V" --backend headless -v \
	--device-fd '{fd}' --stats "$TMPDIR/v.jsonl" >>"$TMPDIR/viewer.log" 2>&1 &
VW_PID=$!
viewer_wait_attached
vm_wait_for 600 grep -q '"frame"' "$TMPDIR/v.jsonl" 2>/dev/null || fail "--device-fd: no frame"
viewer_stop
note "--device-fd: attached and showed frames"

mkdir -p "$TMPDIR/libvirt"
echo "$GS_PID" >"$TMPDIR/libvirt/win10.pid"
cat >"$TMPDIR/libvirt/win10.xml" <<XML
<domain type='kvm'><name>win10</name><devices>
  <hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01'/></source></hostdev>
  <hostdev mode="subsystem" type="mdev" model="vfio-pci" display="on">
    <source><address uuid="$a"/></source>
  </hostdev>
</devices></domain>
XML
attach_ok "--vm" --vm win10 --libvirt-dir "$TMPDIR/libvirt"

expect_exit 4 "in use by pid $GS_PID" "$V" --mdev "$a"
gs_stop

# QEMU >= 8.2 with -object iommufd holds the mdev's vfio cdev
# (/dev/vfio/devices/vfioN) bound to an iommufd, and no group: guestsim
# --cdev does the same.  --pid finds the device by its node (sysfs says
# which mdev it is), with and without --mdev.
gs_start "$a" --rate 30 --cdev
ls -l "/proc/$GS_PID/fd" | grep -q '/dev/vfio/devices/vfio' || fail "guestsim --cdev holds no cdev"
attach_ok "--pid on a cdev VMM, with --mdev" --pid "$GS_PID" --mdev "$a"
attach_ok "--pid on a cdev VMM" --pid "$GS_PID"
gs_stop

gs_start "$a" --rate 30
expect_exit 3 "no mdev" "$V" --mdev 00000000-0000-0000-0000-000000000000
expect_exit 3 "holds no VFIO fd" "$V" --pid $$
expect_exit 7 "no process 999999" "$V" --pid 999999
expect_exit 7 "no VM nothere running in $TMPDIR/libvirt" "$V" --vm nothere --libvirt-dir "$TMPDIR/libvirt"
expect_exit 5 "CAP_SYS_PTRACE" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all --bounding-set=-all "$V" --pid "$GS_PID"
expect_exit 2 "unknown or ambiguous option" "$V" --frobnicate
gs_stop

tty=$(vm_uuid)
vm_mdev_create mtty 2 "$tty"
expect_exit 6 "not a display device" "$V" --mdev "$tty"
vm_mdev_remove "$tty"
vm_mdev_remove "$a"
