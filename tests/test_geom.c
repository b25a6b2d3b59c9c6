// SPDX-License-Identifier: MIT
/* Scaling modes, filters, fractional scales and the cursor's place. */
#include <stdlib.h>

#include "geom.h"
#include "test.h"

#define CHECK_RECT(r, X, Y, W, H)              \
	do {                                   \
		CHECK_INT_EQ((r).x, X);        \
		CHECK_INT_EQ((r).y, Y);        \
		CHECK_INT_EQ((r).w, W);        \
		CHECK_INT_EQ((r).h, H);        \
	} while (0)

static void test_fit_letterbox(void)
{
	struct geom_layout l;

	/* 4:3 on 16:9: bars left and right. */
	CHECK(geom_layout(GEOM_SCALE_FIT, 1024, 768, 1920, 1080, &l));
	CHECK_RECT(l.src, 0, 0, 1024, 768);
	CHECK_RECT(l.dst, 240, 0, 1440, 1080);
	/* 16:10 on 4:3: bars top and bottom. */
	CHECK(geom_layout(GEOM_SCALE_FIT, 1280, 800, 1024, 768, &l));
	CHECK_RECT(l.dst, 0, 64, 1024, 640);
	/* Same aspect: the whole output, no bars. */
	CHECK(geom_layout(GEOM_SCALE_FIT, 800, 600, 1600, 1200, &l));
	CHECK_RECT(l.dst, 0, 0, 1600, 1200);
	/* Downscaling keeps the aspect too. */
	CHECK(geom_layout(GEOM_SCALE_FIT, 1920, 1080, 640, 480, &l));
	CHECK_RECT(l.dst, 0, 60, 640, 360);
}

static void test_fill_crops(void)
{
	struct geom_layout l;

	CHECK(geom_layout(GEOM_SCALE_FILL, 1024, 768, 1920, 1080, &l));
	CHECK_RECT(l.dst, 0, 0, 1920, 1080);
	/* 1024 wide at 1.875x: 1080 / 1.875 = 576 rows of 768 shown, centred. */
	CHECK_RECT(l.src, 0, 96, 1024, 576);
	CHECK(geom_layout(GEOM_SCALE_FILL, 1280, 800, 1024, 1024, &l));
	CHECK_RECT(l.src, 240, 0, 800, 800);
}

static void test_integer(void)
{
	struct geom_layout l;

	CHECK(geom_layout(GEOM_SCALE_INTEGER, 640, 480, 1920, 1080, &l));
	CHECK_RECT(l.dst, 320, 60, 1280, 960);	/* 2x; 3x would not fit 1080 */
	CHECK(geom_layout(GEOM_SCALE_INTEGER, 1024, 768, 1920, 1080, &l));
	CHECK_RECT(l.dst, 448, 156, 1024, 768);	/* 1x */
	/* Larger than the output: 1:1, centred, cropped. */
	CHECK(geom_layout(GEOM_SCALE_INTEGER, 1920, 1080, 1280, 720, &l));
	CHECK_RECT(l.src, 320, 180, 1280, 720);
	CHECK_RECT(l.dst, 0, 0, 1280, 720);
}

static void test_none(void)
{
	struct geom_layout l;

	CHECK(geom_layout(GEOM_SCALE_NONE, 1024, 768, 1024, 768, &l));
	CHECK_RECT(l.src, 0, 0, 1024, 768);
	CHECK_RECT(l.dst, 0, 0, 1024, 768);
	CHECK(geom_layout(GEOM_SCALE_NONE, 1024, 768, 1280, 800, &l));
	CHECK_RECT(l.dst, 128, 16, 1024, 768);
	CHECK(geom_layout(GEOM_SCALE_NONE, 1280, 800, 1024, 768, &l));
	CHECK_RECT(l.src, 128, 16, 1024, 768);
	CHECK_RECT(l.dst, 0, 0, 1024, 768);
}

static void test_degenerate(void)
{
	struct geom_layout l;

	CHECK(!geom_layout(GEOM_SCALE_FIT, 0, 768, 1024, 768, &l));
	CHECK_INT_EQ(l.dst.w, 0);
	CHECK(!geom_layout(GEOM_SCALE_FIT, 1024, 768, 1024, 0, &l));
	/* A 1-pixel-high output still shows something. */
	CHECK(geom_layout(GEOM_SCALE_FIT, 16384, 1, 1, 1, &l));
	CHECK(l.dst.w >= 1 && l.dst.h >= 1);
	CHECK(geom_layout(GEOM_SCALE_FILL, 1, 16384, 16384, 1, &l));
	CHECK(l.src.w >= 1 && l.src.h >= 1);
}

/* Every mode, many sizes: dst inside the output, src inside the frame. */
static void test_bounds_sweep(void)
{
	struct geom_layout l;

	srand(7);
	for (int i = 0; i < 100000; i++) {
		uint32_t fw = 1 + (uint32_t)rand() % 4096, fh = 1 + (uint32_t)rand() % 4096;
		uint32_t ow = 1 + (uint32_t)rand() % 4096, oh = 1 + (uint32_t)rand() % 4096;
		enum geom_scale m = (enum geom_scale)(i % 4);

		CHECK(geom_layout(m, fw, fh, ow, oh, &l));
		CHECK(l.dst.x >= 0 && l.dst.y >= 0 && l.dst.w >= 1 && l.dst.h >= 1);
		CHECK((uint32_t)(l.dst.x + l.dst.w) <= ow && (uint32_t)(l.dst.y + l.dst.h) <= oh);
		CHECK(l.src.x >= 0 && l.src.y >= 0 && l.src.w >= 1 && l.src.h >= 1);
		CHECK((uint32_t)(l.src.x + l.src.w) <= fw && (uint32_t)(l.src.y + l.src.h) <= fh);
		/* fit and fill touch the output's edges in one direction at least */
		if (m == GEOM_SCALE_FIT)
			CHECK((uint32_t)l.dst.w == ow || (uint32_t)l.dst.h == oh);
		if (m == GEOM_SCALE_FILL)
			CHECK((uint32_t)l.src.w == fw || (uint32_t)l.src.h == fh);
	}
}

static void test_filter(void)
{
	struct geom_layout l;

	geom_layout(GEOM_SCALE_NONE, 1024, 768, 1024, 768, &l);
	CHECK(geom_nearest(GEOM_FILTER_AUTO, &l));
	CHECK(!geom_nearest(GEOM_FILTER_LINEAR, &l));
	geom_layout(GEOM_SCALE_INTEGER, 640, 480, 1920, 1080, &l);
	CHECK(geom_nearest(GEOM_FILTER_AUTO, &l));	/* 2x */
	geom_layout(GEOM_SCALE_FIT, 1024, 768, 1920, 1080, &l);
	CHECK(!geom_nearest(GEOM_FILTER_AUTO, &l));	/* 1.40625x */
	CHECK(geom_nearest(GEOM_FILTER_NEAREST, &l));
	/* A whole ratio one way only is not a whole ratio. */
	l = (struct geom_layout){ { 0, 0, 100, 100 }, { 0, 0, 200, 300 } };
	CHECK(!geom_nearest(GEOM_FILTER_AUTO, &l));
}

static void test_fractional_scale(void)
{
	CHECK_INT_EQ(geom_to_pixels(800, 120), 800);
	CHECK_INT_EQ(geom_to_pixels(800, 180), 1200);	/* 1.5 */
	CHECK_INT_EQ(geom_to_pixels(683, 180), 1025);	/* 1024.5 rounds up */
	CHECK_INT_EQ(geom_to_pixels(101, 150), 126);	/* 1.25: 126.25 */
	CHECK_INT_EQ(geom_to_logical(1024, 180), 683);	/* 682.67 */
	CHECK_INT_EQ(geom_to_logical(1200, 180), 800);
	CHECK_INT_EQ(geom_to_logical(1024, 0), 1024);
	/* Round trips at whole scales are exact. */
	for (uint32_t n = 1; n < 5000; n++)
		CHECK_INT_EQ(geom_to_logical(geom_to_pixels(n, 240), 240), n);
}

static void test_cursor(void)
{
	struct geom_layout l;
	struct geom_rect r;

	/* 1:1, letterboxed by 128 px: the cursor moves with the frame. */
	geom_layout(GEOM_SCALE_NONE, 1024, 768, 1280, 768, &l);
	CHECK(geom_cursor(&l, 100, 200, 64, 64, &r));
	CHECK_RECT(r, 228, 200, 64, 64);
	/* 2x: position and size double. */
	geom_layout(GEOM_SCALE_INTEGER, 640, 480, 1280, 960, &l);
	CHECK(geom_cursor(&l, 320, 240, 32, 32, &r));
	CHECK_RECT(r, 640, 480, 64, 64);
	/* fit at 1.5x into a letterbox. */
	geom_layout(GEOM_SCALE_FIT, 800, 600, 1600, 900, &l);
	CHECK_RECT(l.dst, 200, 0, 1200, 900);
	CHECK(geom_cursor(&l, 0, 0, 64, 64, &r));
	CHECK_RECT(r, 200, 0, 96, 96);
	/* Hanging off the left edge: still placed, partly visible. */
	geom_layout(GEOM_SCALE_NONE, 1024, 768, 1024, 768, &l);
	CHECK(geom_cursor(&l, -10, 5, 64, 64, &r));
	CHECK_RECT(r, -10, 5, 64, 64);
	/* Entirely outside the frame, or in a part fill cropped away: hidden. */
	CHECK(!geom_cursor(&l, 2000, 5, 64, 64, &r));
	geom_layout(GEOM_SCALE_FILL, 1024, 768, 1920, 1080, &l);	/* rows 96..671 shown */
	CHECK(!geom_cursor(&l, 10, 10, 32, 32, &r));
	CHECK(geom_cursor(&l, 10, 96, 32, 32, &r));
	CHECK_INT_EQ(r.y, 0);
	CHECK(!geom_cursor(&l, 10, 10, 0, 32, &r));
}

/* The cycle-scale hotkey: every mode once, back to the first. */
static void test_scale_cycle(void)
{
	enum geom_scale m = GEOM_SCALE_FIT;
	const char *names[4];

	for (int i = 0; i < 4; i++) {
		names[i] = geom_scale_name(m);
		m = geom_scale_next(m);
	}
	CHECK_INT_EQ(m, GEOM_SCALE_FIT);
	CHECK(!strcmp(names[0], "fit") && !strcmp(names[1], "fill") &&
	      !strcmp(names[2], "integer") && !strcmp(names[3], "none"));
	CHECK(!strcmp(geom_scale_name((enum geom_scale)7), "?"));
}

/*
 * The pointer's way back: for every mode, a frame pixel's centre drawn at
 * output point P maps back from P to that centre; over the letterbox it
 * lands on the frame's edge.
 */
static void test_to_frame(void)
{
	static const uint32_t sizes[][4] = {
		{ 1024, 768, 1920, 1080 }, { 800, 600, 1024, 768 }, { 1024, 768, 800, 600 },
		{ 640, 480, 641, 1000 }, { 1280, 720, 1280, 720 },
	};
	double fx, fy;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int m = GEOM_SCALE_FIT; m <= GEOM_SCALE_NONE; m++) {
			const uint32_t *z = sizes[i];
			struct geom_layout l;

			CHECK(geom_layout((enum geom_scale)m, z[0], z[1], z[2], z[3], &l));
			for (int32_t y = l.src.y; y < l.src.y + l.src.h; y += 7) {
				for (int32_t x = l.src.x; x < l.src.x + l.src.w; x += 5) {
					double ox = l.dst.x + (x + 0.5 - l.src.x) * l.dst.w / l.src.w;
					double oy = l.dst.y + (y + 0.5 - l.src.y) * l.dst.h / l.src.h;

					CHECK(geom_to_frame(&l, ox, oy, &fx, &fy));
					CHECK(fx > x + 0.499 && fx < x + 0.501);
					CHECK(fy > y + 0.499 && fy < y + 0.501);
				}
			}
			/* Left of and above the picture: its top-left corner. */
			CHECK(geom_to_frame(&l, l.dst.x - 10.0, l.dst.y - 10.0, &fx, &fy));
			CHECK(fx == l.src.x && fy == l.src.y);
			CHECK(geom_to_frame(&l, 1e9, 1e9, &fx, &fy));
			CHECK(fx == l.src.x + l.src.w && fy == l.src.y + l.src.h);
		}
	}
	/* fit 800x600 on 1024x768 leaves no border; on 1920x1080 it is 240 px each side. */
	{
		struct geom_layout l;

		CHECK(geom_layout(GEOM_SCALE_FIT, 800, 600, 1920, 1080, &l));
		CHECK(geom_to_frame(&l, 240 + 720, 540, &fx, &fy));
		CHECK(fx == 400 && fy == 300);
		CHECK(geom_to_frame(&l, 100, 540, &fx, &fy) && fx == 0);
		l = (struct geom_layout){ 0 };
		CHECK(!geom_to_frame(&l, 1, 1, &fx, &fy));
	}
}

int main(void)
{
	RUN_TEST(test_scale_cycle);
	RUN_TEST(test_fit_letterbox);
	RUN_TEST(test_fill_crops);
	RUN_TEST(test_integer);
	RUN_TEST(test_none);
	RUN_TEST(test_degenerate);
	RUN_TEST(test_bounds_sweep);
	RUN_TEST(test_filter);
	RUN_TEST(test_fractional_scale);
	RUN_TEST(test_cursor);
	RUN_TEST(test_to_frame);
	return TEST_EXIT_STATUS();
}
