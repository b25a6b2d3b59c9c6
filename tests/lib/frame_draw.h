/* SPDX-License-Identifier: MIT */
/*
 * The picture the test guests draw (frame_draw_): a gradient background, a
 * box that moves with the frame number and the number itself, over which
 * the frame's stamp goes (src/frame_stamp.h).  guestsim and the real test
 * guest (tests/vm/guest) draw the same pixels for the same frame number
 * and mode, so a screen can be checked against a frame rendered here.
 * XRGB8888, a row @width pixels long.
 */
#ifndef VGPU_TESTS_FRAME_DRAW_H
#define VGPU_TESTS_FRAME_DRAW_H

#include <stdint.h>

/* The background of every frame: once per buffer and mode. */
void frame_draw_background(uint32_t *fb, uint32_t width, uint32_t height);

/*
 * What changes from frame to frame, over a buffer that holds the
 * background and any earlier frame of the same mode: the box's band and
 * the frame number.
 */
void frame_draw(uint32_t *fb, uint32_t width, uint32_t height, uint32_t seq);

#endif
