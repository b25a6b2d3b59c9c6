/* SPDX-License-Identifier: MIT */
/*
 * The display IRQ ABI of kernel/ (its semantics are in the header that
 * kernel/patches/display-irq/0003 changes), for building against the stock
 * <linux/vfio.h> of kernels without the series.  Where the installed header
 * already has it, these are the header's own definitions.
 *
 * struct vfio_irq_info grew cap_offset and pad after count.  The stock
 * header's struct is 16 bytes, so userspace here always uses struct
 * vfio_irq_info_ext, which has the new layout under either header.
 */
#ifndef VGPU_VIEWER_VFIO_UAPI_H
#define VGPU_VIEWER_VFIO_UAPI_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_IRQ_INFO_FLAG_CAPS
#define VFIO_IRQ_INFO_FLAG_CAPS (1 << 4)

#define VFIO_IRQ_INFO_CAP_TYPE 1
struct vfio_irq_info_cap_type {
	struct vfio_info_cap_header header;
	__u32 type;
	__u32 subtype;
};

#define VFIO_IRQ_TYPE_GFX 1
#define VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ 1
#endif

#ifndef VFIO_IRQ_INFO_CAP_GFX_DISPLAY
#define VFIO_IRQ_INFO_CAP_GFX_DISPLAY 2
struct vfio_irq_info_cap_gfx_display {
	struct vfio_info_cap_header header;
	__u32 flags;
	__u32 pad;
};

#define VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN (1 << 0)
#endif
#ifndef VFIO_IRQ_GFX_DISPLAY_CURSOR_UNSEEN
#define VFIO_IRQ_GFX_DISPLAY_CURSOR_UNSEEN (1 << 1)
#endif

struct vfio_irq_info_ext {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__u32 count;	/* for the display IRQ: its consumer slots */
	__u32 cap_offset;
	__u32 pad;
};

_Static_assert(offsetof(struct vfio_irq_info_ext, count) == offsetof(struct vfio_irq_info, count),
	       "vfio_irq_info layout");
/* The chain starts at sizeof(struct vfio_irq_info): 8-byte aligned. */
_Static_assert(sizeof(struct vfio_irq_info_ext) == 24, "vfio_irq_info size");

/* vfio-pci's IRQ indexes below this are fixed; device specific ones follow. */
#define VFIO_UAPI_FIRST_DEVICE_IRQ 5

#endif
