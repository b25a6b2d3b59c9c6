#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 120
#
# kernel/ conformance for mdpy: GET_IRQ_INFO answers before any GET_INFO,
# the display IRQ's virtual vblank runs at the configured rate (within 10%
# over 2 s) and stops while masked or disarmed, and framebuffer access
# through the device fd lands at the offset asked for.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mdpy
d=$(vm_uuid)
vm_mdev_create mdpy xga "$d"
"$VGPU_BUILD/tests/display-irq-test" \
	mdpy-irq-info-first "$d" mdpy-rate "$d" mdpy-fb-access "$d" ||
	fail "conformance checks failed"
vm_mdev_remove "$d"
