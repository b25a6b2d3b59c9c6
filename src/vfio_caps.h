/* SPDX-License-Identifier: MIT */
#ifndef VGPU_VIEWER_VFIO_CAPS_H
#define VGPU_VIEWER_VFIO_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* Chains longer than this are treated as malformed. */
#define VFIO_CAPS_MAX 64

/*
 * Finds the capability @id in a VFIO info reply: @buf holds @len valid
 * bytes (the reply's argsz, capped at what was allocated), the info
 * structure of @info_size bytes at its start, and the chain's first
 * header at @first (0: no chain).  Every offset is checked before it is
 * used: a header must start at or after @info_size, lie wholly inside
 * @len together with @min_size bytes of the capability, be 4-byte
 * aligned, and each next must point forward (so no loop), at most
 * VFIO_CAPS_MAX headers.
 *
 * Returns 0 and the capability's offset in *@ret_off, -ENOENT when the
 * chain is valid and has no @id, or -EINVAL when it is malformed.
 */
int vfio_caps_find(const void *buf, size_t len, size_t info_size, uint32_t first, uint16_t id,
		   size_t min_size, uint32_t *ret_off);

/*
 * For a VFIO_DEVICE_GET_IRQ_INFO reply (struct vfio_irq_info_ext at the
 * start of @buf): the type and subtype of its VFIO_IRQ_INFO_CAP_TYPE
 * capability.  Returns 0, -ENOENT (no caps flag, no chain or no TYPE cap)
 * or -EINVAL (malformed chain, or a TYPE cap of version 0).
 */
int vfio_caps_irq_type(const void *buf, size_t len, uint32_t *ret_type, uint32_t *ret_subtype);

/*
 * For the same reply: the flags of its VFIO_IRQ_INFO_CAP_GFX_DISPLAY
 * capability (VFIO_IRQ_GFX_DISPLAY_*, what the display IRQ does not
 * cover).  Returns 0, -ENOENT (no such capability: the IRQ covers every
 * update) or -EINVAL (malformed chain, or version 0).
 */
int vfio_caps_irq_display_flags(const void *buf, size_t len, uint32_t *ret_flags);

#endif
