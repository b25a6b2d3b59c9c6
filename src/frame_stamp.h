/* SPDX-License-Identifier: MIT */
/*
 * A frame's identity, written into its pixels by whoever draws it (the
 * guest simulator) and read back by whoever shows it (the headless
 * presenter, the tests): a sequence number and the guest's flip time.
 *
 * The stamp is a band at the top left of an XRGB8888 frame: one byte of
 * payload per pixel, written to R, G and B alike, so it survives a
 * swapped channel order and a lost alpha channel.  It repeats on
 * FRAME_STAMP_ROWS rows.  A checksum tells a stamp from an image.
 */
#ifndef VGPU_VIEWER_FRAME_STAMP_H
#define VGPU_VIEWER_FRAME_STAMP_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_STAMP_BYTES 24
#define FRAME_STAMP_ROWS 4

struct frame_stamp {
	uint32_t seq;		/* frame number, from 1 */
	uint64_t flip_ns;	/* CLOCK_MONOTONIC at the guest's page flip */
	uint16_t width;		/* the frame's mode, as the guest drew it */
	uint16_t height;
};

/*
 * Writes @s into the XRGB8888 frame at @pixels (@stride bytes a row).  The
 * frame must be at least FRAME_STAMP_BYTES pixels wide and FRAME_STAMP_ROWS
 * rows high.
 */
void frame_stamp_write(void *pixels, size_t stride, const struct frame_stamp *s);

/*
 * Reads the stamp from row @row (0 to FRAME_STAMP_ROWS - 1) of the frame
 * at @pixels, @width pixels wide.  Returns 0, or -EINVAL when the row holds
 * no valid stamp (too narrow, wrong magic or checksum).
 */
int frame_stamp_read(const void *pixels, size_t stride, uint32_t width, unsigned int row,
		     struct frame_stamp *ret);

#endif
