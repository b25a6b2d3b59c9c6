// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "frame_stamp.h"

#define MAGIC 0x76677075u	/* "vgpu" */

/* FNV-1a, over the payload before the checksum. */
static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void frame_stamp_write(void *pixels, size_t stride, const struct frame_stamp *s)
{
	uint8_t b[FRAME_STAMP_BYTES];

	put32(b, MAGIC);
	put32(b + 4, s->seq);
	put32(b + 8, (uint32_t)s->flip_ns);
	put32(b + 12, (uint32_t)(s->flip_ns >> 32));
	put32(b + 16, (uint32_t)s->width | (uint32_t)s->height << 16);
	put32(b + 20, checksum(b, 20));

	for (unsigned int row = 0; row < FRAME_STAMP_ROWS; row++) {
		uint32_t *px = (uint32_t *)((uint8_t *)pixels + row * stride);

		for (int i = 0; i < FRAME_STAMP_BYTES; i++)
			px[i] = 0xff000000u | (uint32_t)b[i] * 0x010101u;
	}
}

int frame_stamp_read(const void *pixels, size_t stride, uint32_t width, unsigned int row,
		     struct frame_stamp *ret)
{
	const uint8_t *line = (const uint8_t *)pixels + row * stride;
	uint8_t b[FRAME_STAMP_BYTES];

	if (width < FRAME_STAMP_BYTES || row >= FRAME_STAMP_ROWS)
		return -EINVAL;
	for (int i = 0; i < FRAME_STAMP_BYTES; i++) {
		uint32_t px;

		memcpy(&px, line + 4 * i, 4);
		/* The green channel sits in the same byte in XRGB and XBGR. */
		b[i] = (uint8_t)(px >> 8);
	}
	if (get32(b) != MAGIC || get32(b + 20) != checksum(b, 20))
		return -EINVAL;

	ret->seq = get32(b + 4);
	ret->flip_ns = (uint64_t)get32(b + 8) | (uint64_t)get32(b + 12) << 32;
	ret->width = (uint16_t)get32(b + 16);
	ret->height = (uint16_t)(get32(b + 16) >> 16);
	return 0;
}
