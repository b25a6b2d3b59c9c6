/* SPDX-License-Identifier: MIT */
/*
 * Where a guest frame goes on the screen: the scaling modes, the filter
 * choice, fractional scales and the cursor's place.  Pure arithmetic, shared
 * by every presenter and unit-tested on its own.
 */
#ifndef VGPU_VIEWER_GEOM_H
#define VGPU_VIEWER_GEOM_H

#include <stdbool.h>
#include <stdint.h>

enum geom_scale {
	GEOM_SCALE_FIT,		/* as large as fits, aspect kept, letterboxed */
	GEOM_SCALE_FILL,	/* covers the output, aspect kept, edges cropped */
	GEOM_SCALE_INTEGER,	/* the largest whole multiple that fits */
	GEOM_SCALE_NONE,	/* one guest pixel per output pixel */
};

enum geom_filter {
	GEOM_FILTER_AUTO,	/* nearest at whole ratios, linear otherwise */
	GEOM_FILTER_NEAREST,
	GEOM_FILTER_LINEAR,
};

struct geom_rect {
	int32_t x, y;
	int32_t w, h;
};

/*
 * A frame's placement: @src is the part of the frame shown (frame pixels),
 * @dst where it goes (output pixels, inside the output).  Both are empty
 * when there is nothing to show.
 */
struct geom_layout {
	struct geom_rect src;
	struct geom_rect dst;
};

/*
 * Lays a @fw x @fh frame out on an @ow x @oh output.  Returns false (and an
 * empty layout) when a size is zero.  "none" and "integer" centre the frame
 * and crop it to the output when it is larger.
 */
bool geom_layout(enum geom_scale mode, uint32_t fw, uint32_t fh, uint32_t ow, uint32_t oh,
		 struct geom_layout *ret);

/* "fit", "fill", "integer", "none"; and the next in that order (a hotkey cycles). */
const char *geom_scale_name(enum geom_scale mode);
enum geom_scale geom_scale_next(enum geom_scale mode);

/* Whether @l should be sampled with the nearest filter under @f. */
bool geom_nearest(enum geom_filter f, const struct geom_layout *l);

/*
 * Fractional scales are in 120ths (wp_fractional_scale_v1): a logical
 * length in pixels, and a pixel length in logical units, both rounded half
 * away from zero as the protocol asks.
 */
uint32_t geom_to_pixels(uint32_t logical, uint32_t scale120);
uint32_t geom_to_logical(uint32_t pixels, uint32_t scale120);

/*
 * The cursor plane's image, its top-left corner at (@x, @y) in frame pixels,
 * mapped through @l into output pixels: position and size.  Returns false
 * when no part of it is on the output (off the frame, or in a cropped
 * border).
 */
bool geom_cursor(const struct geom_layout *l, int32_t x, int32_t y, uint32_t cw, uint32_t ch,
		 struct geom_rect *ret);

/*
 * Where output point (@ox, @oy) (output pixels, fractions allowed) is in
 * the frame laid out by @l: frame pixels in *@fx, *@fy, the point first
 * clamped to @l's destination (a pointer over the letterbox is at the
 * frame's edge).  Returns false when @l is empty.
 */
bool geom_to_frame(const struct geom_layout *l, double ox, double oy, double *fx, double *fy);

#endif
