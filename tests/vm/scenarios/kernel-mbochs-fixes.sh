#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 180
#
# kernel/ conformance, the sample bugs kernel/patches/sample-fixes fixes:
# in mbochs, the first plane query after a new mode or offset, dmabuf
# reference counting (two fds for one id, both close orders, re-export
# after release, a dmabuf used and closed after its mdev is gone, with
# mbochs's debug messages on), close-on-exec dmabuf fds, mmap and write
# access to the dmabuf, and VRAM access through the device fd; in mtty, IRQ
# calls without an earlier GET_INFO.  KASAN and lockdep watch.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs mtty
a=$(vm_uuid) b=$(vm_uuid) t=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
vm_mdev_create mbochs medium "$b"
vm_mdev_create mtty 2 "$t"
"$VGPU_BUILD/tests/display-irq-test" \
	first-query "$a" dmabuf "$a" vram-access "$a" dmabuf-outlives-mdev "$b" \
	mtty-no-get-info "$t" ||
	fail "conformance checks failed"
vm_wait_gone "/sys/bus/mdev/devices/$b" || fail "mdev $b still there"
vm_mdev_remove "$a"
vm_mdev_remove "$t"
