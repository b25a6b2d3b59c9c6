/* SPDX-License-Identifier: MIT */
/*
 * The guest's cursor plane in the Wayland window (wlout_cursor_), never
 * blended into the frame: either its own subsurface above the frame, moved
 * and scaled with the frame's layout (where the guest has it), or, while
 * the pointer is over the window and points for the guest, the pointer's
 * own picture (@image, for wl_pointer.set_cursor): the compositor draws it
 * where the pointer is, with no round trip through the guest.
 */
#ifndef VGPU_VIEWER_WL_CURSOR_H
#define VGPU_VIEWER_WL_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "geom.h"
#include "plane.h"
#include "wl_shm.h"

struct wl_surface;
struct wlout_conn;

struct wlout_cursor {
	struct wl_shm *shm;
	struct plane plane;		/* the cursor plane, when @valid */
	bool valid;
	uint32_t *pixels;		/* our copy of its picture, packed */

	struct wl_surface *surface;	/* the subsurface */
	struct wl_subsurface *sub;
	struct wp_viewport *viewport;
	struct wlout_shm buf;
	bool shown;			/* it has a picture, */
	bool sub_stale;			/* an old one */
	struct geom_rect placed;	/* where it was put, in buffer pixels, */
	uint32_t placed_scale;		/* at this scale */

	struct wl_surface *image;	/* the pointer's picture */
	struct wp_viewport *image_viewport;
	struct wlout_shm image_buf;
	bool image_stale;
	bool have_image;		/* @image is to be the pointer's, now, */
	int32_t w, h;			/* at this logical size, */
	int32_t hot_x, hot_y;		/* with this hotspot */
};

/* The subsurface of @parent, above @below, and the pointer's surface. */
void wlout_cursor_init(struct wlout_cursor *c, struct wlout_conn *conn, struct wl_surface *parent,
		       struct wl_surface *below);
void wlout_cursor_finish(struct wlout_cursor *c);

/*
 * Cursor plane @p (its pixels in @buf; NULL: none), shown at fractional
 * scale @scale120: with @on_pointer as the pointer's picture (have_image:
 * @image, with hot_x and hot_y, for the seat to set) and the subsurface
 * hidden; otherwise on the subsurface, where @l puts it.  Returns whether
 * the parent must be committed (a subsurface moves at its parent's commit).
 */
bool wlout_cursor_show(struct wlout_cursor *c, const struct plane *p, struct plane_buf *buf,
		       const struct geom_layout *l, uint32_t scale120, bool on_pointer);
/* The same for the last cursor plane, after the layout or @on_pointer changed. */
bool wlout_cursor_update(struct wlout_cursor *c, const struct geom_layout *l, uint32_t scale120,
			 bool on_pointer);
void wlout_cursor_hide(struct wlout_cursor *c);

#endif
