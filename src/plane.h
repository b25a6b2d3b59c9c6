/* SPDX-License-Identifier: MIT */
/*
 * Guest planes: what VFIO_DEVICE_QUERY_GFX_PLANE reports, checked before
 * anything trusts it, and a bounded cache of the dmabufs exported for them.
 */
#ifndef VGPU_VIEWER_PLANE_H
#define VGPU_VIEWER_PLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#define PLANE_MAX_DIM 16384
#define PLANE_MAX_SIZE (1u << 30)
#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* The largest cursor plane taken, each way (GVT-g's are 256 at most). */
#define PLANE_CURSOR_MAX 512

enum plane_kind {
	PLANE_DMABUF = VFIO_GFX_PLANE_TYPE_DMABUF,
	PLANE_REGION = VFIO_GFX_PLANE_TYPE_REGION,
};

struct plane {
	enum plane_kind kind;
	uint32_t fourcc;
	uint64_t modifier;
	uint32_t width, height, stride, size;
	uint32_t x, y;		/* cursor position */
	uint32_t hot_x, hot_y;	/* cursor hotspot, UINT32_MAX: unknown */
	uint32_t id;		/* dmabuf_id or region_index */
};

/* Bytes per pixel of a format this viewer knows, 0 for any other. */
unsigned int plane_format_cpp(uint32_t fourcc);

/*
 * The same layout with the alpha bits marked unused (ARGB8888 ->
 * XRGB8888); 0 for an unknown format.  Primary planes are shown opaque.
 */
uint32_t plane_format_opaque(uint32_t fourcc);

/*
 * The pixman format code of a DRM fourcc (QEMU's D-Bus display speaks
 * pixman), and back; 0 for a format this viewer does not show.
 */
uint32_t plane_format_pixman(uint32_t fourcc);
uint32_t plane_format_from_pixman(uint32_t pixman);

/* The wl_shm format code of a DRM fourcc (wl_shm.format). */
uint32_t plane_format_wl_shm(uint32_t fourcc);

/*
 * Cursor plane @p's pixels (@src, @p->stride apart) as packed 32-bit words
 * 0xAARRGGBB in the host's byte order, what QEMU's cursors are (and
 * DRM_FORMAT_ARGB8888 on a little-endian host), into @dst (width * height
 * words).  Formats without alpha become opaque.  Returns whether any word
 * of @dst changed; -EINVAL for a format that is not 32-bit RGB.
 */
int plane_cursor_to_argb(const struct plane *p, const void *src, uint32_t *dst);

/*
 * Cursor plane @p's hotspot within its picture; an unknown one (or one
 * outside the picture) is the top left.
 */
void plane_cursor_hot(const struct plane *p, int32_t *ret_x, int32_t *ret_y);

/* The fourcc as text ("XR24"); unprintable bytes become '?'. */
const char *plane_format_name(uint32_t fourcc, char buf[5]);

/*
 * Checks a QUERY_GFX_PLANE reply made with @kind.  Returns 0 and fills @ret
 * for a plane to show; -ENODATA when the plane is off (the kernel reports a
 * disabled plane as format 0 or size 0); -EINVAL for a reply that makes no
 * sense, with a reason in *@ret_why: an unknown format, a zero or huge
 * dimension, a stride too small for the width, a frame larger than size.
 */
int plane_from_query(const struct vfio_device_gfx_plane_info *q, enum plane_kind kind,
		     struct plane *ret, const char **ret_why);

/* The same buffer with the same layout: nothing to re-import. */
bool plane_same_buffer(const struct plane *a, const struct plane *b);

/*
 * A dmabuf exported for a plane.  The fd belongs to the cache entry;
 * presenters may hang their own import (an EGLImage, a wl_buffer, a KMS
 * framebuffer) on @user with a destructor, and it goes with the entry.
 */
struct plane_buf {
	uint32_t dmabuf_id;
	int fd;
	struct plane plane;
	void *map;		/* plane_buf_map(), or NULL */
	void *user;
	void (*user_destroy)(void *user);
	uint64_t last_used;
};

struct plane_cache;

/* A cache of at most @capacity dmabufs (at least 2). */
struct plane_cache *plane_cache_create(unsigned int capacity);

/* Closes every fd and destroys every import; NULL is a no-op. */
void plane_cache_destroy(struct plane_cache *cache);

/* The entry for @dmabuf_id, now the most recently used; NULL if none. */
struct plane_buf *plane_cache_lookup(struct plane_cache *cache, uint32_t dmabuf_id);

/*
 * Adds @fd (taken over, also on failure) for @p; a full cache first evicts
 * its least recently used entry, closing its fd.  Returns the entry or NULL.
 */
struct plane_buf *plane_cache_insert(struct plane_cache *cache, const struct plane *p, int fd);

/* Drops every entry (a device reset, a detach). */
void plane_cache_clear(struct plane_cache *cache);

/* Number of entries, and of evictions so far. */
unsigned int plane_cache_count(const struct plane_cache *cache);
unsigned int plane_cache_evictions(const struct plane_cache *cache);

/*
 * Maps the dmabuf for CPU reads (PROT_READ, MAP_SHARED), once; the mapping
 * goes with the entry.  Returns the mapping or NULL with errno set.
 */
const void *plane_buf_map(struct plane_buf *buf);

/*
 * Brackets CPU reads of the mapping (DMA_BUF_IOCTL_SYNC, START or END of a
 * read); NULL (a region plane) or a buffer without an fd (memory of ours)
 * is a no-op.
 */
void plane_buf_sync_read(struct plane_buf *buf, bool start);

/* Copies @rows rows of @row_bytes between buffers of different strides. */
void plane_copy_rows(void *dst, size_t dst_stride, const void *src, size_t src_stride,
		     size_t row_bytes, uint32_t rows);

#endif
