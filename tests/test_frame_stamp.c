// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "frame_stamp.h"
#include "test.h"

#define FW 64
#define FH 8

static uint32_t frame[FH][FW];

static void fill_noise(void)
{
	for (int y = 0; y < FH; y++)
		for (int x = 0; x < FW; x++)
			frame[y][x] = (uint32_t)(x * 2654435761u ^ y * 40503u);
}

static const struct frame_stamp sample = {
	.seq = 123456,
	.flip_ns = 0x0123456789abcdefull,
	.width = 1920,
	.height = 1080,
};

static void test_round_trip_every_row(void)
{
	struct frame_stamp s;

	fill_noise();
	frame_stamp_write(frame, sizeof(frame[0]), &sample);
	for (unsigned int row = 0; row < FRAME_STAMP_ROWS; row++) {
		memset(&s, 0, sizeof(s));
		CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FW, row, &s), 0);
		CHECK_INT_EQ(s.seq, sample.seq);
		CHECK(s.flip_ns == sample.flip_ns);
		CHECK_INT_EQ(s.width, 1920);
		CHECK_INT_EQ(s.height, 1080);
	}
	/* The row below the band is untouched noise. */
	CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FW, FRAME_STAMP_ROWS, &s), -EINVAL);
}

static void test_survives_channel_swap_and_alpha(void)
{
	struct frame_stamp s;

	fill_noise();
	frame_stamp_write(frame, sizeof(frame[0]), &sample);
	for (int x = 0; x < FW; x++) {
		uint32_t p = frame[0][x];

		/* XRGB -> XBGR, alpha cleared: what a screenshot may give back. */
		frame[0][x] = (p & 0x00ff00u) | (p >> 16 & 0xffu) | (p & 0xffu) << 16;
	}
	CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FW, 0, &s), 0);
	CHECK_INT_EQ(s.seq, sample.seq);
}

static void test_corruption_detected(void)
{
	struct frame_stamp s;

	for (int i = 0; i < FRAME_STAMP_BYTES; i++) {
		fill_noise();
		frame_stamp_write(frame, sizeof(frame[0]), &sample);
		frame[1][i] ^= 0x00000100u;	/* one bit of one payload byte */
		if (frame_stamp_read(frame, sizeof(frame[0]), FW, 1, &s) != -EINVAL) {
			fprintf(stderr, "a flipped bit in byte %d went unnoticed\n", i);
			CHECK(0);
		}
	}
}

static void test_no_stamp(void)
{
	struct frame_stamp s;

	fill_noise();
	CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FW, 0, &s), -EINVAL);
	memset(frame, 0, sizeof(frame));
	CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FW, 0, &s), -EINVAL);
	frame_stamp_write(frame, sizeof(frame[0]), &sample);
	CHECK_INT_EQ(frame_stamp_read(frame, sizeof(frame[0]), FRAME_STAMP_BYTES - 1, 0, &s),
		     -EINVAL);
}

int main(void)
{
	RUN_TEST(test_round_trip_every_row);
	RUN_TEST(test_survives_channel_swap_and_alpha);
	RUN_TEST(test_corruption_detected);
	RUN_TEST(test_no_stamp);
	return TEST_EXIT_STATUS();
}
