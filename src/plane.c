// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "plane.h"


/* pixman's format codes (pixman.h's PIXMAN_FORMAT), which QEMU's D-Bus display uses. */
#define PIXMAN(bpp, type, a, r, g, b) \
	((uint32_t)(bpp) << 24 | (uint32_t)(type) << 16 | (a) << 12 | (r) << 8 | (g) << 4 | (b))
#define PM_ARGB 2
#define PM_ABGR 3
#define PM_BGRA 8
#define PM_RGBA 9

/*
 * The formats this viewer shows.  @opaque is the same layout without alpha:
 * a scanout plane's alpha bits mean nothing (the display ignores them), so
 * they must not reach a compositor that would blend with them.  @pixman is
 * the same layout in pixman's words (both name the bits of a native-endian
 * pixel, high to low).
 */
static const struct {
	uint32_t fourcc;
	unsigned int cpp;
	uint32_t opaque;
	uint32_t pixman;
} formats[] = {
	/* DRM_FORMAT_XRGB8888, PIXMAN_x8r8g8b8 */
	{ FOURCC('X', 'R', '2', '4'), 4, FOURCC('X', 'R', '2', '4'), PIXMAN(32, PM_ARGB, 0, 8, 8, 8) },
	/* ARGB8888, a8r8g8b8 */
	{ FOURCC('A', 'R', '2', '4'), 4, FOURCC('X', 'R', '2', '4'), PIXMAN(32, PM_ARGB, 8, 8, 8, 8) },
	/* XBGR8888, x8b8g8r8 */
	{ FOURCC('X', 'B', '2', '4'), 4, FOURCC('X', 'B', '2', '4'), PIXMAN(32, PM_ABGR, 0, 8, 8, 8) },
	/* ABGR8888, a8b8g8r8 */
	{ FOURCC('A', 'B', '2', '4'), 4, FOURCC('X', 'B', '2', '4'), PIXMAN(32, PM_ABGR, 8, 8, 8, 8) },
	/* RGBX8888, r8g8b8x8 */
	{ FOURCC('R', 'X', '2', '4'), 4, FOURCC('R', 'X', '2', '4'), PIXMAN(32, PM_RGBA, 0, 8, 8, 8) },
	/* BGRX8888, b8g8r8x8 */
	{ FOURCC('B', 'X', '2', '4'), 4, FOURCC('B', 'X', '2', '4'), PIXMAN(32, PM_BGRA, 0, 8, 8, 8) },
	/* XRGB2101010, x2r10g10b10 */
	{ FOURCC('X', 'R', '3', '0'), 4, FOURCC('X', 'R', '3', '0'),
	  PIXMAN(32, PM_ARGB, 0, 10, 10, 10) },
	/* ARGB2101010, a2r10g10b10 */
	{ FOURCC('A', 'R', '3', '0'), 4, FOURCC('X', 'R', '3', '0'),
	  PIXMAN(32, PM_ARGB, 2, 10, 10, 10) },
	/* XBGR2101010, x2b10g10r10 */
	{ FOURCC('X', 'B', '3', '0'), 4, FOURCC('X', 'B', '3', '0'),
	  PIXMAN(32, PM_ABGR, 0, 10, 10, 10) },
	/* ABGR2101010, a2b10g10r10 */
	{ FOURCC('A', 'B', '3', '0'), 4, FOURCC('X', 'B', '3', '0'),
	  PIXMAN(32, PM_ABGR, 2, 10, 10, 10) },
	/* RGB565, r5g6b5 */
	{ FOURCC('R', 'G', '1', '6'), 2, FOURCC('R', 'G', '1', '6'), PIXMAN(16, PM_ARGB, 0, 5, 6, 5) },
};

unsigned int plane_format_cpp(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == fourcc)
			return formats[i].cpp;
	return 0;
}

uint32_t plane_format_opaque(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == fourcc)
			return formats[i].opaque;
	return 0;
}

uint32_t plane_format_pixman(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == fourcc)
			return formats[i].pixman;
	return 0;
}

uint32_t plane_format_from_pixman(uint32_t pixman)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].pixman == pixman)
			return formats[i].fourcc;
	return 0;
}

uint32_t plane_format_wl_shm(uint32_t fourcc)
{
	/* wl_shm numbers its two mandatory formats 0 and 1, the rest by fourcc. */
	if (fourcc == FOURCC('A', 'R', '2', '4'))
		return 0;
	if (fourcc == FOURCC('X', 'R', '2', '4'))
		return 1;
	return fourcc;
}

int plane_cursor_to_argb(const struct plane *p, const void *src, uint32_t *dst)
{
	bool alpha, swap, changed = false;

	switch (p->fourcc) {
	case FOURCC('A', 'R', '2', '4'):
	case FOURCC('X', 'R', '2', '4'):
	case FOURCC('A', 'B', '2', '4'):
	case FOURCC('X', 'B', '2', '4'):
		break;
	default:
		return -EINVAL;
	}
	alpha = p->fourcc == FOURCC('A', 'R', '2', '4') || p->fourcc == FOURCC('A', 'B', '2', '4');
	swap = p->fourcc == FOURCC('A', 'B', '2', '4') || p->fourcc == FOURCC('X', 'B', '2', '4');
	for (uint32_t y = 0; y < p->height; y++) {
		const uint8_t *row = (const uint8_t *)src + (size_t)y * p->stride;

		for (uint32_t x = 0; x < p->width; x++) {
			/* DRM's formats are little-endian whatever the host. */
			const uint8_t *b = row + (size_t)x * 4;
			uint32_t r = swap ? b[0] : b[2], g = b[1], bl = swap ? b[2] : b[0];
			uint32_t v = (alpha ? (uint32_t)b[3] : 0xffu) << 24 | r << 16 | g << 8 | bl;
			uint32_t *d = &dst[(size_t)y * p->width + x];

			if (*d != v) {
				*d = v;
				changed = true;
			}
		}
	}
	return changed;
}

void plane_cursor_hot(const struct plane *p, int32_t *ret_x, int32_t *ret_y)
{
	*ret_x = p->hot_x < p->width ? (int32_t)p->hot_x : 0;
	*ret_y = p->hot_y < p->height ? (int32_t)p->hot_y : 0;
}

const char *plane_format_name(uint32_t fourcc, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(fourcc >> (8 * i));

		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = '\0';
	return buf;
}

int plane_from_query(const struct vfio_device_gfx_plane_info *q, enum plane_kind kind,
		     struct plane *ret, const char **ret_why)
{
	unsigned int cpp;

	*ret_why = NULL;
	if (!q->drm_format || !q->size)
		return -ENODATA;

	cpp = plane_format_cpp(q->drm_format);
	if (!cpp)
		*ret_why = "unknown format";
	else if (!q->width || !q->height || q->width > PLANE_MAX_DIM || q->height > PLANE_MAX_DIM)
		*ret_why = "width or height out of range";
	else if (q->drm_format_mod == 0 && q->stride < q->width * cpp)
		*ret_why = "stride smaller than a row";
	else if (!q->stride || q->size > PLANE_MAX_SIZE)
		*ret_why = "stride or size out of range";
	else if ((uint64_t)q->stride * q->height > q->size)
		*ret_why = "stride * height exceeds size";
	if (*ret_why)
		return -EINVAL;

	*ret = (struct plane){
		.kind = kind,
		.fourcc = q->drm_format,
		.modifier = q->drm_format_mod,
		.width = q->width,
		.height = q->height,
		.stride = q->stride,
		.size = q->size,
		.x = q->x_pos,
		.y = q->y_pos,
		.hot_x = q->x_hot,
		.hot_y = q->y_hot,
		.id = q->dmabuf_id,
	};
	return 0;
}

bool plane_same_buffer(const struct plane *a, const struct plane *b)
{
	return a->kind == b->kind && a->id == b->id && a->fourcc == b->fourcc &&
	       a->modifier == b->modifier && a->width == b->width && a->height == b->height &&
	       a->stride == b->stride && a->size == b->size;
}

struct plane_cache {
	unsigned int capacity, count, evictions;
	uint64_t clock;
	struct plane_buf *bufs;	/* [capacity], fd -1 when free */
};

static void buf_release(struct plane_buf *b)
{
	if (b->user_destroy)
		b->user_destroy(b->user);
	if (b->map)
		munmap(b->map, b->plane.size);
	if (b->fd >= 0)
		close(b->fd);
	*b = (struct plane_buf){ .fd = -1 };
}

struct plane_cache *plane_cache_create(unsigned int capacity)
{
	struct plane_cache *c;

	if (capacity < 2)
		capacity = 2;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->bufs = calloc(capacity, sizeof(*c->bufs));
	if (!c->bufs) {
		free(c);
		return NULL;
	}
	c->capacity = capacity;
	for (unsigned int i = 0; i < capacity; i++)
		c->bufs[i].fd = -1;
	return c;
}

void plane_cache_clear(struct plane_cache *c)
{
	for (unsigned int i = 0; i < c->capacity; i++)
		if (c->bufs[i].fd >= 0)
			buf_release(&c->bufs[i]);
	c->count = 0;
}

void plane_cache_destroy(struct plane_cache *c)
{
	if (!c)
		return;
	plane_cache_clear(c);
	free(c->bufs);
	free(c);
}

struct plane_buf *plane_cache_lookup(struct plane_cache *c, uint32_t dmabuf_id)
{
	for (unsigned int i = 0; i < c->capacity; i++) {
		struct plane_buf *b = &c->bufs[i];

		if (b->fd >= 0 && b->dmabuf_id == dmabuf_id) {
			b->last_used = ++c->clock;
			return b;
		}
	}
	return NULL;
}

struct plane_buf *plane_cache_insert(struct plane_cache *c, const struct plane *p, int fd)
{
	struct plane_buf *slot = NULL;

	if (fd < 0)
		return NULL;
	for (unsigned int i = 0; i < c->capacity; i++) {
		struct plane_buf *b = &c->bufs[i];

		/* A stale entry for the same id goes first. */
		if (b->fd >= 0 && b->dmabuf_id == p->id) {
			buf_release(b);
			c->count--;
		}
		if (b->fd < 0) {
			if (!slot || slot->fd >= 0)
				slot = b;
		} else if (!slot || (slot->fd >= 0 && b->last_used < slot->last_used)) {
			slot = b;
		}
	}
	if (slot->fd >= 0) {
		buf_release(slot);
		c->count--;
		c->evictions++;
	}
	*slot = (struct plane_buf){
		.dmabuf_id = p->id,
		.fd = fd,
		.plane = *p,
		.last_used = ++c->clock,
	};
	c->count++;
	return slot;
}

unsigned int plane_cache_count(const struct plane_cache *c)
{
	return c->count;
}

unsigned int plane_cache_evictions(const struct plane_cache *c)
{
	return c->evictions;
}

const void *plane_buf_map(struct plane_buf *b)
{
	void *p;

	if (b->map)
		return b->map;
	p = mmap(NULL, b->plane.size, PROT_READ, MAP_SHARED, b->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	b->map = p;
	return p;
}

void plane_buf_sync_read(struct plane_buf *b, bool start)
{
	struct dma_buf_sync sync = {
		.flags = (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) | DMA_BUF_SYNC_READ,
	};

	if (b && b->fd >= 0)
		ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync);
}

void plane_copy_rows(void *dst, size_t dst_stride, const void *src, size_t src_stride,
		     size_t row_bytes, uint32_t rows)
{
	for (uint32_t y = 0; y < rows; y++)
		memcpy((uint8_t *)dst + (size_t)y * dst_stride,
		       (const uint8_t *)src + (size_t)y * src_stride, row_bytes);
}
