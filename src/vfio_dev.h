/* SPDX-License-Identifier: MIT */
/*
 * The mdev the viewer shows: getting a device fd for it while a VMM owns
 * it, and the device calls the viewer makes (plane queries, dmabufs, the
 * region of a region-type plane).
 */
#ifndef VGPU_VIEWER_VFIO_DEV_H
#define VGPU_VIEWER_VFIO_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vfio.h>

#include "mdev_uuid.h"
#include "plane.h"

/* Where the device comes from; see vfio_dev_attach(). */
struct vfio_dev_target {
	pid_t pid;		/* > 0: borrow from this VMM */
	const char *uuid;	/* the mdev; NULL: the only one the VMM holds */
	int device_fd;		/* >= 0: an inherited device fd (of mdev @uuid, when given) */
	int vmm_pidfd;		/* with @device_fd: the VMM's pidfd (taken over), or -1 */
	const char *fd_socket;	/* a unix socket that passes a device fd */
	bool waiting;		/* the caller retries: a VMM without the mdev yet is no error */
};

struct vfio_dev;

/*
 * Gets a device fd per @t, in this order of precedence:
 *   - device_fd: the fd itself (taken over);
 *   - fd_socket: connect and receive one fd with SCM_RIGHTS;
 *   - pid: copy the VMM's fd for the mdev's /dev/vfio/N with pidfd_getfd()
 *     and ask it for the device, or copy the VMM's vfio device fd where it
 *     holds no group (iommufd/cdev VMMs); the VMM's pidfd is kept so that
 *     its exit can be noticed;
 *   - uuid alone: own the device (container, TYPE1 IOMMU, group, device),
 *     which needs the group to be free.
 * Then checks that the device has a display (a plane type it can probe).
 *
 * Returns the device, or NULL with *@ret_err set and one line logged:
 *   -ENODEV   no such mdev, or the VMM holds none
 *   -EBUSY    the group is held by another process (and no pid was given)
 *   -EPERM    no ptrace rights over the VMM (CAP_SYS_PTRACE missing)
 *   -ESRCH    the VMM is gone
 *   -ENOTSUP  the device has no display
 *   -EINVAL   ambiguous (the VMM holds several mdevs and none was named)
 *   -EAGAIN   the VMM's group cannot give the device yet (no container)
 *   other     what a system call failed with
 */
struct vfio_dev *vfio_dev_attach(const struct vfio_dev_target *t, int *ret_err);

/* Closes every fd and mapping of the device; NULL is a no-op. */
void vfio_dev_destroy(struct vfio_dev *dev);

int vfio_dev_fd(const struct vfio_dev *dev);

/* The VMM's pidfd (readable when it exits), or -1 when there is no VMM. */
int vfio_dev_vmm_pidfd(const struct vfio_dev *dev);
/* The VMM's pid, as its pidfd says (it may have come from another process); -1 when none. */
pid_t vfio_dev_vmm_pid(const struct vfio_dev *dev);

/* The mdev UUID, or "" when unknown (an inherited fd). */
const char *vfio_dev_uuid(const struct vfio_dev *dev);

enum plane_kind vfio_dev_plane_kind(const struct vfio_dev *dev);

/* The number of IRQ indexes (VFIO_DEVICE_GET_INFO). */
uint32_t vfio_dev_num_irqs(const struct vfio_dev *dev);

/*
 * Queries @drm_plane_type (1 primary, 2 cursor) and checks the reply
 * (plane_from_query()).  Returns 0 with the plane to show in *@ret;
 * -ENODATA when the guest has it off; -EINVAL for a reply that makes no
 * sense; or the query's -errno.  @why says which, with the values, for the
 * log.  A -ENOMEM is retried once (unpatched mbochs fails the first query
 * of a new mode).
 */
int vfio_dev_query_plane(struct vfio_dev *dev, uint32_t drm_plane_type, struct plane *ret,
			 char *why, size_t len);

/* A new dmabuf fd for @dmabuf_id (close-on-exec), or -errno. */
int vfio_dev_get_dmabuf(struct vfio_dev *dev, uint32_t dmabuf_id);

/*
 * A read-only mapping of region @index, at least @size bytes, made once and
 * kept with the device.  0 or -errno.
 */
int vfio_dev_map_region(struct vfio_dev *dev, uint32_t index, uint32_t size,
			const void **ret_map);

/* The IOMMU group number of mdev @uuid, or -errno (-ENODEV: no such mdev). */
int vfio_dev_mdev_group(const char *uuid);

/*
 * The pid of a process other than us holding mdev @uuid open, through its
 * group (/dev/vfio/N) or its cdev (/dev/vfio/devices/vfioN); -ENOENT when
 * none does, -ENODEV when there is no such mdev.
 */
pid_t vfio_dev_find_holder(const char *uuid);

#endif
