// SPDX-License-Identifier: MIT
/* The waiting placard: drawn, not blank; text centred; no write out of bounds. */
#include <stdint.h>
#include <stdlib.h>

#include "placard.h"
#include "test.h"

static unsigned int count_ink(const uint32_t *px, uint32_t w, uint32_t h, uint32_t stride_px,
			      uint32_t *ret_minx, uint32_t *ret_maxx)
{
	unsigned int n = 0;

	*ret_minx = UINT32_MAX;
	*ret_maxx = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if (px[y * stride_px + x] == PLACARD_INK) {
				n++;
				if (x < *ret_minx)
					*ret_minx = x;
				if (x > *ret_maxx)
					*ret_maxx = x;
			}
	return n;
}

static void test_text_drawn_centred(void)
{
	uint32_t w = 1024, h = 768, minx, maxx;
	uint32_t *px = calloc((size_t)w * h, 4);
	unsigned int ink;

	CHECK(px);
	placard_draw(px, w, h, w * 4, "WAITING FOR GUEST DISPLAY");
	ink = count_ink(px, w, h, w, &minx, &maxx);
	CHECK(ink > 1000);
	CHECK(px[0] == PLACARD_BACKGROUND && px[w * h - 1] == PLACARD_BACKGROUND);
	/* centred: the margins left and right differ by at most one font pixel */
	CHECK(abs((int)minx - (int)(w - 1 - maxx)) <= 8);
	free(px);
}

static void test_sizes(void)
{
	/* From tiny (no room for text: background only) to wide; a stride with padding. */
	static const uint32_t sizes[][2] = { { 1, 1 }, { 50, 20 }, { 640, 400 }, { 3840, 100 } };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t w = sizes[i][0], h = sizes[i][1], stride = w + 3, minx, maxx;
		uint32_t *px = malloc((size_t)stride * h * 4);

		CHECK(px);
		for (size_t j = 0; j < (size_t)stride * h; j++)
			px[j] = 0x12345678;
		placard_draw(px, w, h, stride * 4, "WAITING");
		/* every pixel drawn, the padding untouched */
		for (uint32_t y = 0; y < h; y++) {
			CHECK(px[y * stride + w] == 0x12345678);
			for (uint32_t x = 0; x < w; x++)
				CHECK(px[y * stride + x] == PLACARD_BACKGROUND ||
				      px[y * stride + x] == PLACARD_INK);
		}
		if (w >= 640)
			CHECK(count_ink(px, w, h, stride, &minx, &maxx) > 0);
		free(px);
	}
}

/* The statistics line: left-aligned, cut at the right edge, never out of bounds. */
static void test_text_line(void)
{
	static const uint32_t sizes[][2] = { { 1, 1 }, { 8, 8 }, { 100, 36 }, { 720, 36 } };
	static const char line[] = "1024X768 XR24 60.0 FPS ZERO-COPY 1.2 MS 100% 0123456789:/";

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint32_t w = sizes[i][0], h = sizes[i][1], stride = w + 2, minx, maxx, ink;
		uint32_t *px = malloc((size_t)stride * h * 4);

		CHECK(px);
		for (size_t j = 0; j < (size_t)stride * h; j++)
			px[j] = 0x12345678;
		placard_text(px, w, h, stride * 4, line);
		for (uint32_t y = 0; y < h; y++) {
			CHECK(px[y * stride + w] == 0x12345678);
			for (uint32_t x = 0; x < w; x++)
				CHECK(px[y * stride + x] == PLACARD_BACKGROUND ||
				      px[y * stride + x] == PLACARD_INK);
		}
		ink = count_ink(px, w, h, stride, &minx, &maxx);
		if (h >= 9) {
			/* Font pixels of h/9: the first glyph ("1") starts one font pixel in. */
			CHECK(ink > 0);
			CHECK_INT_EQ(minx, 2 * (h / 9));
			CHECK(maxx < w);
		} else {
			CHECK_INT_EQ(ink, 0);
		}
		free(px);
	}
}

/* Every character the overlay writes has a glyph. */
static void test_glyphs(void)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-/%";
	uint32_t px[9 * 6 * 2], minx, maxx;

	for (size_t i = 0; chars[i]; i++) {
		char one[2] = { chars[i], 0 };

		placard_text(px, 12, 9, 12 * 4, one);
		CHECK(count_ink(px, 12, 9, 12, &minx, &maxx) > 0);
	}
}

int main(void)
{
	RUN_TEST(test_text_drawn_centred);
	RUN_TEST(test_sizes);
	RUN_TEST(test_text_line);
	RUN_TEST(test_glyphs);
	return TEST_EXIT_STATUS();
}
