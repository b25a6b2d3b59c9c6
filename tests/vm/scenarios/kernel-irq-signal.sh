#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 240
#
# kernel/ conformance: mbochs signals the display IRQ through the real
# register path (pwrite to the MMIO BAR, as a VMM forwards a guest write):
# one signal per page flip over 1,000 flips with the right dmabuf on the
# first query, AUTOMASKED latching, mode set and reset, the display_irq_hz
# rate bound, close disarming; and the consumer slots: four consumers at
# different paces on one device, all-or-nothing arming, per-slot disarm and
# loopback, a slot outliving the close of one of two device fds, and a slot
# freed when its eventfd is closed everywhere or its consumer is killed.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
"$VGPU_BUILD/tests/display-irq-test" \
	flips "$a" latch "$a" modeset-reset "$a" mbochs-rate "$a" close-disarms "$a" \
	slots "$a" last-close "$a" gone-eventfd "$a" ||
	fail "conformance checks failed"
vm_mdev_remove "$a"
