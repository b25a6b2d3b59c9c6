#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 240
#
# kernel/ under racing threads, three seeds: SET_IRQS on random consumer
# slots (with eventfds closed while armed) against the guest's flips, mode
# sets, cursor, register and region accesses, random plane queries and
# dma-buf exports, and consumers unmasking; then the same with the mdev
# removed underneath, and a dma-buf read after.  Nothing is asserted of the
# results but that the calls ran: KASAN and lockdep watch, and the runner
# fails the run on any report in the kernel log.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid) b=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
vm_mdev_create mbochs medium "$b"
"$VGPU_BUILD/tests/display-irq-test" fuzz-race "$a" fuzz-remove "$b" ||
	fail "racing checks failed"
vm_wait_gone "/sys/bus/mdev/devices/$b" || fail "mdev $b still there"
vm_mdev_remove "$a"
