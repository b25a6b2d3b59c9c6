// SPDX-License-Identifier: MIT
/* The test guests' picture; see frame_draw.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "frame_draw.h"
#include "frame_stamp.h"

/* 3x5 digits, one bit a pixel, rows top to bottom. */
static const uint16_t digits[10] = {
	0x7b6f, 0x2492, 0x73e7, 0x73cf, 0x5bc9, 0x79cf, 0x79ef, 0x7249, 0x7bef, 0x7bcf,
};

static void draw_number(uint32_t *fb, size_t pitch, uint32_t x0, uint32_t y0, uint32_t scale,
			uint32_t n, uint32_t color)
{
	char text[16];
	int len = snprintf(text, sizeof(text), "%u", n);

	for (int c = 0; c < len; c++) {
		uint16_t g = digits[text[c] - '0'];

		for (uint32_t y = 0; y < 5 * scale; y++)
			for (uint32_t x = 0; x < 3 * scale; x++) {
				bool on = g >> (14 - (y / scale) * 3 - x / scale) & 1;

				fb[(y0 + y) * pitch + x0 + (uint32_t)c * 4 * scale + x] =
					on ? color : 0xff202020u;
			}
	}
}

static uint32_t background(uint32_t x, uint32_t y, uint32_t width, uint32_t height)
{
	return 0xff000000u | (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x60;
}

void frame_draw_background(uint32_t *fb, uint32_t width, uint32_t height)
{
	for (uint32_t y = 0; y < height; y++)
		for (uint32_t x = 0; x < width; x++)
			fb[(size_t)y * width + x] = background(x, y, width, height);
}

/*
 * The box's band is cleared and the box drawn at its new place; the number
 * is drawn with its own background, and never has fewer digits than the
 * one before it in the buffer.
 */
void frame_draw(uint32_t *fb, uint32_t width, uint32_t height, uint32_t seq)
{
	uint32_t box = height / 6, scale = height / 48 ? height / 48 : 1;
	uint32_t span = width > box ? width - box : 1;
	uint32_t bx = (seq * 7) % span, by = height / 2;

	for (uint32_t y = by; y < by + box && y < height; y++) {
		for (uint32_t x = 0; x < width; x++)
			fb[(size_t)y * width + x] = background(x, y, width, height);
		for (uint32_t x = bx; x < bx + box && x < width; x++)
			fb[(size_t)y * width + x] = 0xffffffffu - (seq & 0xff) * 0x010000u;
	}
	if (width >= 40 * scale && height >= 16 * scale)
		draw_number(fb, width, 8, FRAME_STAMP_ROWS + 8 * scale, scale, seq, 0xffffd000u);
}
