/* SPDX-License-Identifier: MIT */
/*
 * Finding a libvirt VM's QEMU and mdev (libvirt_): what `--vm NAME` reads
 * from libvirt's runtime directory, without talking to libvirtd.  A running
 * domain has NAME.pid (QEMU's pid) and NAME.xml (its live XML, <domstatus>
 * around <domain>) there.
 */
#ifndef VGPU_VIEWER_LIBVIRT_H
#define VGPU_VIEWER_LIBVIRT_H

#include <sys/types.h>

#include "mdev_uuid.h"

/*
 * From a libvirt domain XML: the UUID of its first <hostdev type='mdev'>.
 * Returns 0 and the UUID in @ret (MDEV_UUID_LEN + 1 bytes), or -ENOENT.
 */
int libvirt_mdev_uuid(const char *xml, char *ret);

/*
 * VM @name's QEMU pid and first mdev UUID, from @dir/NAME.pid and
 * @dir/NAME.xml (libvirt's runtime directory, /run/libvirt/qemu).  Returns
 * 0, -ESRCH (the VM is not running) or -ENODEV (it has no mdev), logged.
 */
int libvirt_resolve(const char *dir, const char *name, pid_t *ret_pid, char *ret_uuid);

#endif
