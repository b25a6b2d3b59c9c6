#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 180
#
# kernel/ conformance: GET_IRQ_INFO's capability chain and the old 16-byte
# ABI, SET_IRQS on the display IRQ (arm, disarm, mask, unmask, loopback),
# malformed SET_IRQS calls refused without side effects, and a seeded fuzz
# loop -- on mbochs and mdpy.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs mdpy
a=$(vm_uuid) d=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
vm_mdev_create mdpy xga "$d"
"$VGPU_BUILD/tests/display-irq-test" \
	old-abi "$a" caps "$a" set-irqs "$a" malformed "$a" fuzz "$a" \
	old-abi "$d" caps "$d" || fail "conformance checks failed"
vm_mdev_remove "$a"
vm_mdev_remove "$d"
