// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "vfio_caps.h"
#include "vfio_uapi.h"

int vfio_caps_find(const void *buf, size_t len, size_t info_size, uint32_t first, uint16_t id,
		   size_t min_size, uint32_t *ret_off)
{
	const unsigned char *p = buf;
	uint32_t off = first;

	if (min_size < sizeof(struct vfio_info_cap_header))
		min_size = sizeof(struct vfio_info_cap_header);

	for (unsigned int n = 0; off; n++) {
		struct vfio_info_cap_header hdr;

		if (n >= VFIO_CAPS_MAX || off < info_size || off % 4 || off > len ||
		    len - off < sizeof(hdr))
			return -EINVAL;
		memcpy(&hdr, p + off, sizeof(hdr));
		if (hdr.id == id) {
			if (len - off < min_size)
				return -EINVAL;
			*ret_off = off;
			return 0;
		}
		/* The kernel appends capabilities at increasing offsets. */
		if (hdr.next && hdr.next <= off)
			return -EINVAL;
		off = hdr.next;
	}
	return -ENOENT;
}

/*
 * Copies capability @id, whose first @size bytes must lie in the reply, of a
 * GET_IRQ_INFO reply into @cap.
 */
static int irq_cap(const void *buf, size_t len, uint16_t id, void *cap, size_t size)
{
	struct vfio_irq_info_ext info;
	struct vfio_info_cap_header hdr;
	uint32_t off;
	int ret;

	if (len < sizeof(info))
		return -ENOENT;
	memcpy(&info, buf, sizeof(info));
	if (!(info.flags & VFIO_IRQ_INFO_FLAG_CAPS) || !info.cap_offset)
		return -ENOENT;

	ret = vfio_caps_find(buf, len, sizeof(info), info.cap_offset, id, size, &off);
	if (ret < 0)
		return ret;
	memcpy(&hdr, (const unsigned char *)buf + off, sizeof(hdr));
	/* Later versions may only append fields. */
	if (hdr.version < 1)
		return -EINVAL;
	memcpy(cap, (const unsigned char *)buf + off, size);
	return 0;
}

int vfio_caps_irq_type(const void *buf, size_t len, uint32_t *ret_type, uint32_t *ret_subtype)
{
	struct vfio_irq_info_cap_type cap;
	int ret = irq_cap(buf, len, VFIO_IRQ_INFO_CAP_TYPE, &cap, sizeof(cap));

	if (ret < 0)
		return ret;
	*ret_type = cap.type;
	*ret_subtype = cap.subtype;
	return 0;
}

int vfio_caps_irq_display_flags(const void *buf, size_t len, uint32_t *ret_flags)
{
	struct vfio_irq_info_cap_gfx_display cap;
	int ret = irq_cap(buf, len, VFIO_IRQ_INFO_CAP_GFX_DISPLAY, &cap, sizeof(cap));

	if (ret < 0)
		return ret;
	*ret_flags = cap.flags;
	return 0;
}
