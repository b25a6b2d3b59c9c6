/* SPDX-License-Identifier: MIT */
/*
 * Finding a libvirt VM's QEMU and mdev (libvirt_): what `--vm NAME` reads
 * from libvirt's runtime directory, without talking to libvirtd.  A running
 * domain has NAME.pid (QEMU's pid) and NAME.xml (its live XML, <domstatus>
 * around <domain>) there.
 */
#ifndef VGPU_VIEWER_LIBVIRT_H
#define VGPU_VIEWER_LIBVIRT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mdev_uuid.h"

/*
 * From a libvirt domain XML: the UUID of its first <hostdev type='mdev'>.
 * Returns 0 and the UUID in @ret (MDEV_UUID_LEN + 1 bytes), or -ENOENT.
 */
int libvirt_mdev_uuid(const char *xml, char *ret);

/* Where a libvirt daemon keeps a running VM's files, and the VMs it has. */
struct libvirt_dirs {
	const char *uri;		/* "qemu:///system", "qemu:///session" */
	char run[PATH_MAX];		/* NAME.pid, NAME.xml of running VMs */
	char conf[PATH_MAX];		/* NAME.xml of every defined VM; "": unknown */
};

/*
 * The directories of @uri (qemu:///system or qemu:///session), or with
 * @uri NULL the session's when @session, the system's otherwise.  Returns
 * 0, -EINVAL for another URI, or -ENOENT when the session's cannot be known
 * ($XDG_RUNTIME_DIR or $HOME unset).
 */
int libvirt_dirs(const char *uri, bool session, struct libvirt_dirs *ret);

/*
 * VM @name's QEMU pid and first mdev UUID, from @d.  Returns 0; -ESRCH
 * when the VM is defined but not running (or, without @d->conf, not
 * running); -ENOENT when there is no such VM; -ENODEV when it has no mdev;
 * or -errno (-EACCES: a file only root may read).  @why says which, with
 * the path.
 */
int libvirt_resolve_in(const struct libvirt_dirs *d, const char *name, pid_t *ret_pid,
		       char *ret_uuid, char *why, size_t len);

/*
 * The same, looked up as virsh would: in @dir alone (--libvirt-dir), or
 * for @uri (--connect; NULL: $LIBVIRT_DEFAULT_URI), or else in the system
 * daemon's directories for root and in the user's session then the
 * system's for anyone else.  As libvirt_resolve_in(), but no such VM is
 * -ENODEV; -EINVAL for a URI that is no local QEMU.
 */
int libvirt_resolve(const char *uri, const char *dir, const char *name, pid_t *ret_pid,
		    char *ret_uuid, char *why, size_t len);

#endif
