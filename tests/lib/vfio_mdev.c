// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio_mdev.h"

int vfio_mdev_group(const char *uuid)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	char *end;
	long g;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	g = strtol(basename(target), &end, 10);
	if (*end || g < 0 || g > INT_MAX)
		return -EINVAL;
	return (int)g;
}

static int region_info(int device, uint32_t index, struct vfio_region_info *ret)
{
	*ret = (struct vfio_region_info){ .argsz = sizeof(*ret), .index = index };
	return ioctl(device, VFIO_DEVICE_GET_REGION_INFO, ret) ? -errno : 0;
}

int vfio_mdev_attach(struct vfio_mdev *m, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int group, ret;

	*m = (struct vfio_mdev){ .container = -1, .group = -1, .device = -1, .iommufd = -1 };

	group = vfio_mdev_group(uuid);
	if (group < 0) {
		fprintf(stderr, "mdev %s: no IOMMU group: %s\n", uuid, strerror(-group));
		return group;
	}

	m->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (m->container < 0)
		goto err_errno;
	if (ioctl(m->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(m->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		fprintf(stderr, "mdev %s: container lacks VFIO_TYPE1v2_IOMMU\n", uuid);
		ret = -ENOTSUP;
		goto err;
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	m->group = open(path, O_RDWR | O_CLOEXEC);
	if (m->group < 0)
		goto err_errno;
	if (ioctl(m->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "mdev %s: group %d is not viable\n", uuid, group);
		ret = -EBUSY;
		goto err;
	}
	if (ioctl(m->group, VFIO_GROUP_SET_CONTAINER, &m->container) ||
	    ioctl(m->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err_errno;

	m->device = ioctl(m->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (m->device < 0)
		goto err_errno;
	return 0;

err_errno:
	ret = -errno;
	fprintf(stderr, "mdev %s: opening like a VMM failed: %s\n", uuid, strerror(errno));
err:
	vfio_mdev_close(m);
	return ret;
}

/* Linux 6.6's cdev UAPI, for building against older headers (bookworm's are 6.1). */
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
#ifndef IOMMU_IOAS_ALLOC
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(';', 0x81)
#endif

int vfio_mdev_attach_cdev(struct vfio_mdev *m, const char *uuid)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[320], name[256] = "";
	struct dirent *de;
	DIR *d;
	int ret;

	*m = (struct vfio_mdev){ .container = -1, .group = -1, .device = -1, .iommufd = -1 };
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%s", de->d_name);
	if (d)
		closedir(d);
	if (!name[0]) {
		fprintf(stderr, "mdev %s: no vfio cdev in %s\n", uuid, path);
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	m->device = open(path, O_RDWR | O_CLOEXEC);
	if (m->device < 0)
		goto err_errno;
	m->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (m->iommufd < 0)
		goto err_errno;
	bind.iommufd = m->iommufd;
	if (ioctl(m->device, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    ioctl(m->iommufd, IOMMU_IOAS_ALLOC, &ioas))
		goto err_errno;
	attach.pt_id = ioas.out_ioas_id;
	if (ioctl(m->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		goto err_errno;
	return 0;

err_errno:
	ret = -errno;
	fprintf(stderr, "mdev %s: opening %s like QEMU with iommufd failed: %s\n", uuid, path,
		strerror(errno));
	vfio_mdev_close(m);
	return ret;
}

int vfio_mdev_open(struct vfio_mdev *m, const char *uuid, bool cdev)
{
	int ret;

	ret = cdev ? vfio_mdev_attach_cdev(m, uuid) : vfio_mdev_attach(m, uuid);
	if (ret)
		return ret;

	m->info = (struct vfio_device_info){ .argsz = sizeof(m->info) };
	if (ioctl(m->device, VFIO_DEVICE_GET_INFO, &m->info))
		goto err_errno;
	ret = region_info(m->device, VFIO_PCI_BAR0_REGION_INDEX, &m->bar0);
	if (ret)
		goto err;
	ret = region_info(m->device, VFIO_PCI_BAR2_REGION_INDEX, &m->bar2);
	if (ret)
		goto err;

	if (m->bar0.size && (m->bar0.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		m->vram = mmap(NULL, m->bar0.size, PROT_READ | PROT_WRITE, MAP_SHARED, m->device,
			       (off_t)m->bar0.offset);
		if (m->vram == MAP_FAILED) {
			m->vram = NULL;
			goto err_errno;
		}
	}
	return 0;

err_errno:
	ret = -errno;
	fprintf(stderr, "mdev %s: device info: %s\n", uuid, strerror(errno));
err:
	vfio_mdev_close(m);
	return ret;
}

void vfio_mdev_close(struct vfio_mdev *m)
{
	if (m->vram)
		munmap(m->vram, m->bar0.size);
	if (m->device >= 0)
		close(m->device);
	if (m->group >= 0)
		close(m->group);
	if (m->iommufd >= 0)
		close(m->iommufd);
	if (m->container >= 0)
		close(m->container);
	*m = (struct vfio_mdev){ .container = -1, .group = -1, .device = -1, .iommufd = -1 };
}

int vfio_mdev_dispi_write(struct vfio_mdev *m, enum dispi_index idx, uint16_t val)
{
	off_t off = (off_t)m->bar2.offset + DISPI_MMIO_BASE + idx * 2;

	if (pwrite(m->device, &val, sizeof(val), off) != sizeof(val))
		return errno ? -errno : -EIO;
	return 0;
}

int vfio_mdev_mmio_write32(struct vfio_mdev *m, uint32_t off, uint32_t val)
{
	if (pwrite(m->device, &val, sizeof(val), (off_t)m->bar2.offset + off) != sizeof(val))
		return errno ? -errno : -EIO;
	return 0;
}

int vfio_mdev_dispi_read(struct vfio_mdev *m, enum dispi_index idx, uint16_t *ret_val)
{
	off_t off = (off_t)m->bar2.offset + DISPI_MMIO_BASE + idx * 2;

	if (pread(m->device, ret_val, sizeof(*ret_val), off) != sizeof(*ret_val))
		return errno ? -errno : -EIO;
	return 0;
}

int vfio_mdev_set_mode(struct vfio_mdev *m, uint16_t width, uint16_t height, uint16_t virt_height)
{
	const struct {
		enum dispi_index idx;
		uint16_t val;
	} seq[] = {
		{ DISPI_ENABLE, 0 },
		{ DISPI_BPP, 32 },
		{ DISPI_XRES, width },
		{ DISPI_YRES, height },
		{ DISPI_BANK, 0 },
		{ DISPI_VIRT_WIDTH, width },
		{ DISPI_VIRT_HEIGHT, virt_height },
		{ DISPI_X_OFFSET, 0 },
		{ DISPI_Y_OFFSET, 0 },
		{ DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED },
	};

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		int ret = vfio_mdev_dispi_write(m, seq[i].idx, seq[i].val);

		if (ret)
			return ret;
	}
	return 0;
}

int vfio_mdev_flip(struct vfio_mdev *m, uint16_t width, uint32_t offset)
{
	uint32_t stride = (uint32_t)width * 4;
	int ret;

	ret = vfio_mdev_dispi_write(m, DISPI_VIRT_WIDTH, width);
	if (!ret)
		ret = vfio_mdev_dispi_write(m, DISPI_X_OFFSET, (uint16_t)(offset % stride / 4));
	if (!ret)
		ret = vfio_mdev_dispi_write(m, DISPI_Y_OFFSET, (uint16_t)(offset / stride));
	return ret;
}

int vfio_mdev_query_plane(struct vfio_mdev *m, uint32_t flags, uint32_t plane_type,
			  struct vfio_device_gfx_plane_info *ret_plane)
{
	*ret_plane = (struct vfio_device_gfx_plane_info){
		.argsz = sizeof(*ret_plane),
		.flags = flags,
		.drm_plane_type = plane_type,
	};
	return ioctl(m->device, VFIO_DEVICE_QUERY_GFX_PLANE, ret_plane) ? -errno : 0;
}
