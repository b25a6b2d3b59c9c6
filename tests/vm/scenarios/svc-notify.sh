#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 120
#
# The viewer as a systemd service sees it: sd_notify messages on a socket
# the test reads (vmtool notify-check), with the watchdog asked for every
# second, a SIGHUP and a SIGTERM; and the capability sets of the process
# after it borrowed the mdev from guestsim with --pid: all empty.  Then a
# viewer waiting (--wait) for an mdev that is not there: no READY=1, but
# EXTEND_TIMEOUT_USEC and a status that says what it waits for.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
gs_start "$a" --rate 30
vmtool notify-check 4 "$VGPU_BUILD/vgpu-viewer" --backend headless -v --pid "$GS_PID" ||
	fail "service protocol"
gs_stop
vmtool notify-wait 3 "$VGPU_BUILD/vgpu-viewer" --backend headless --wait --mdev "$(vm_uuid)" ||
	fail "service protocol while waiting"
vm_mdev_remove "$a"
