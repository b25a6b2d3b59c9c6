#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-timeout: 180
#
# kernel/ conformance, the mbochs bugs the series fixes: the first plane
# query after a new mode or offset, dmabuf reference counting (two fds for
# one id, both close orders, re-export after release, a dmabuf outliving
# its mdev), close-on-exec dmabuf fds, mmap and write access to the dmabuf,
# and VRAM access through the device fd.  KASAN and lockdep watch.
. "$VGPU_TOP/tests/vm/lib.sh"

vm_modprobe mbochs
a=$(vm_uuid) b=$(vm_uuid)
vm_mdev_create mbochs medium "$a"
vm_mdev_create mbochs medium "$b"
"$VGPU_BUILD/tests/display-irq-test" \
	first-query "$a" dmabuf "$a" vram-access "$a" dmabuf-outlives-mdev "$b" ||
	fail "conformance checks failed"
vm_wait_gone "/sys/bus/mdev/devices/$b" || fail "mdev $b still there"
vm_mdev_remove "$a"
