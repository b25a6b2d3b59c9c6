# SPDX-License-Identifier: MIT
# Helpers for VM scenarios (sourced; runs inside the guest, see tests/vm/init).

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

note() {
	echo "-- $*"
}

# vm_modprobe MODULE...: loads test-bed kernel modules with their dependencies.
vm_modprobe() {
	for m in "$@"; do
		modprobe -d "$VGPU_KERNEL/modules" -S "$VGPU_KVER" "$m" ||
			fail "modprobe $m failed"
	done
}

vm_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# vm_mdev_type PARENT TYPE: the sysfs directory of an mdev type.
vm_mdev_type() {
	echo "/sys/class/mdev_bus/$1/mdev_supported_types/$1-$2"
}

# vm_mdev_create PARENT TYPE UUID: creates an mdev and waits for its group node.
vm_mdev_create() {
	t=$(vm_mdev_type "$1" "$2")
	[ -d "$t" ] || fail "mdev type $1-$2 not offered ($t missing)"
	echo "$3" >"$t/create" || fail "creating $1-$2 mdev $3 failed"
}

# vm_mdev_group UUID: the IOMMU group number of an mdev.
vm_mdev_group() {
	g=$(readlink "/sys/bus/mdev/devices/$1/iommu_group") || fail "mdev $1 has no iommu_group"
	basename "$g"
}

vm_mdev_remove() {
	echo 1 >"/sys/bus/mdev/devices/$1/remove" || fail "removing mdev $1 failed"
}

# vm_wait_gone PATH [TENTHS]: waits for PATH to disappear (default 2 s).
vm_wait_gone() {
	i=0
	while [ -e "$1" ]; do
		i=$((i + 1))
		[ "$i" -le "${2:-20}" ] || return 1
		sleep 0.1
	done
}
