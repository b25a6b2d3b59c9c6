/* SPDX-License-Identifier: MIT */
/*
 * The picture shown while there is no guest frame: a dark background with
 * one line of text ("WAITING FOR GUEST DISPLAY") in a built-in 5x7 font,
 * scaled to the size, so that "no frame" never looks like a black guest.
 * The same font writes the KMS statistics overlay.
 */
#ifndef VGPU_VIEWER_PLACARD_H
#define VGPU_VIEWER_PLACARD_H

#include <stdint.h>

#define PLACARD_BACKGROUND 0xff202428u
#define PLACARD_INK 0xffc8ccd0u

/*
 * Draws @text (upper-case letters and spaces; others are drawn as spaces)
 * centred on a @w x @h XRGB8888 image with @stride bytes a row.
 */
void placard_draw(void *pixels, uint32_t w, uint32_t h, uint32_t stride, const char *text);

/*
 * One line of @text (upper-case letters, digits, ". : - / %" and spaces)
 * from the left of a @w x @h XRGB8888 image, as tall as fits; what does
 * not fit is cut.  The KMS presenter's statistics overlay.
 */
void placard_text(void *pixels, uint32_t w, uint32_t h, uint32_t stride, const char *text);

#endif
