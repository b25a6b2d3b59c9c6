/* SPDX-License-Identifier: MIT */
/*
 * The guest's cursor plane in the Wayland window (wlout_cursor_): its own
 * subsurface above the frame, moved and scaled with the frame's layout,
 * never blended into the frame.
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
	struct wl_surface *surface;
	struct wl_subsurface *sub;
	struct wp_viewport *viewport;
	struct wlout_shm buf;
	bool shown;
	uint32_t id;			/* the dmabuf id of the image in @buf */
};

/* The subsurface of @parent, above @below. */
void wlout_cursor_init(struct wlout_cursor *c, struct wlout_conn *conn, struct wl_surface *parent,
		       struct wl_surface *below);
void wlout_cursor_finish(struct wlout_cursor *c);

/*
 * Shows cursor plane @p (its pixels in @buf) where @l puts it, at fractional
 * scale @scale120; hides it when @p is NULL or cannot be shown.  The parent
 * must be committed for a move to take effect.  Whether it is shown.
 */
bool wlout_cursor_show(struct wlout_cursor *c, struct wl_shm *shm, const struct plane *p,
		       struct plane_buf *buf, const struct geom_layout *l, uint32_t scale120);
void wlout_cursor_hide(struct wlout_cursor *c);

#endif
