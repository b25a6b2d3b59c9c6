#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 120
#
# The selftest the display IRQ series adds (tools/testing/selftests/vfio,
# built with the kernel by build-kernel): the ABI checked as a reviewer
# would, without this repository's programs.  It creates its own mbochs
# mdevs; a skip (no mbochs) is a failure here.
. "$VGPU_TOP/tests/vm/lib.sh"

t=$VGPU_KERNEL/selftests/vfio_display_irq_test
[ -x "$t" ] || fail "$t was not built"
vm_modprobe mbochs
"$t"
rc=$?
[ "$rc" = 0 ] || fail "the selftest exited $rc (4: skipped)"
