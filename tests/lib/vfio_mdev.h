/* SPDX-License-Identifier: MIT */
/*
 * Test support: open an mdev the way a VMM (QEMU) does, and drive the
 * bochs dispi registers through the device fd, the path a trapped guest
 * register write takes.  Used by the kernel conformance tests and the
 * guest simulator; not part of the daemon.
 */
#ifndef VGPU_TESTS_VFIO_MDEV_H
#define VGPU_TESTS_VFIO_MDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

/* bochs dispi register indexes (samples/vfio-mdev/mbochs.c, bochs-drm) */
enum dispi_index {
	DISPI_ID = 0x0,
	DISPI_XRES = 0x1,
	DISPI_YRES = 0x2,
	DISPI_BPP = 0x3,
	DISPI_ENABLE = 0x4,
	DISPI_BANK = 0x5,
	DISPI_VIRT_WIDTH = 0x6,
	DISPI_VIRT_HEIGHT = 0x7,
	DISPI_X_OFFSET = 0x8,
	DISPI_Y_OFFSET = 0x9,
};
#define DISPI_ENABLED 0x01
#define DISPI_LFB_ENABLED 0x40
#define DISPI_MMIO_BASE 0x500

struct vfio_mdev {
	int container;		/* -1 when not owned */
	int group;
	int iommufd;		/* cdev: /dev/iommu, -1 otherwise */
	int device;
	struct vfio_device_info info;
	struct vfio_region_info bar0;	/* VRAM (mbochs) / framebuffer (mdpy) */
	struct vfio_region_info bar2;	/* mbochs: MMIO with the dispi registers */
	void *vram;			/* mmap of bar0, or NULL */
};

/*
 * Opens the mdev @uuid through its group as a VMM does: container, TYPE1
 * IOMMU, group, device fd.  Makes no device ioctl.  Returns 0 or -errno,
 * with a message on stderr.
 */
int vfio_mdev_attach(struct vfio_mdev *m, const char *uuid);

/*
 * Opens the mdev @uuid as QEMU >= 8.2 does with -object iommufd: its vfio
 * cdev (/dev/vfio/devices/vfioN) bound to an iommufd, attached to an IOAS.
 * No group, no container.  0 or -errno, with a message on stderr.
 */
int vfio_mdev_attach_cdev(struct vfio_mdev *m, const char *uuid);

/*
 * vfio_mdev_attach() (or, with @cdev, vfio_mdev_attach_cdev()), then
 * device and BAR info, and an mmap of BAR0 where it can be mapped.
 */
int vfio_mdev_open(struct vfio_mdev *m, const char *uuid, bool cdev);

/* Closes what vfio_mdev_open() opened; safe on a zeroed or closed struct. */
void vfio_mdev_close(struct vfio_mdev *m);

/* The IOMMU group number of the mdev @uuid, or -errno. */
int vfio_mdev_group(const char *uuid);

/* One 16-bit dispi register write/read through the MMIO BAR; 0 or -errno. */
int vfio_mdev_dispi_write(struct vfio_mdev *m, enum dispi_index idx, uint16_t val);
int vfio_mdev_dispi_read(struct vfio_mdev *m, enum dispi_index idx, uint16_t *ret_val);

/*
 * mbochs's cursor plane (kernel/patches 0014): three 32-bit registers of
 * the sample's own in the MMIO BAR; the image is 64x64 ARGB8888 at a
 * page-aligned VRAM offset.
 */
#define MBOCHS_CURSOR_BASE 0x700	/* VRAM offset | MBOCHS_CURSOR_ENABLE */
#define MBOCHS_CURSOR_POS 0x704		/* x | y << 16: the image's top left */
#define MBOCHS_CURSOR_HOT 0x708		/* x | y << 16: the hotspot in the image */
#define MBOCHS_CURSOR_ENABLE 1u
#define MBOCHS_CURSOR_DIM 64

/* One 32-bit register write at @off in the MMIO BAR; 0 or -errno. */
int vfio_mdev_mmio_write32(struct vfio_mdev *m, uint32_t off, uint32_t val);

/* A bochs-drm mode set (bochs_hw_setmode()), 32 bpp, ending with the ENABLE write. */
int vfio_mdev_set_mode(struct vfio_mdev *m, uint16_t width, uint16_t height, uint16_t virt_height);

/*
 * A bochs-drm page flip to the framebuffer at VRAM byte @offset, as
 * bochs_hw_setbase() programs it: VIRT_WIDTH, then X_OFFSET and Y_OFFSET
 * (the offset split into lines of @width pixels and pixels), Y_OFFSET last.
 */
int vfio_mdev_flip(struct vfio_mdev *m, uint16_t width, uint32_t offset);

/* Queries @plane_type (DRM_PLANE_TYPE_PRIMARY 1, CURSOR 2) with @flags; 0 or -errno. */
int vfio_mdev_query_plane(struct vfio_mdev *m, uint32_t flags, uint32_t plane_type,
			  struct vfio_device_gfx_plane_info *ret_plane);

#endif
