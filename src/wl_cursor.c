// SPDX-License-Identifier: MIT
/* The guest's cursor plane in the Wayland window; see wl_cursor.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <wayland-client.h>

#include "viewporter-client-protocol.h"

#include "wl_conn.h"
#include "wl_cursor.h"

void wlout_cursor_init(struct wlout_cursor *c, struct wlout_conn *conn, struct wl_surface *parent,
		       struct wl_surface *below)
{
	*c = (struct wlout_cursor){ 0 };
	c->surface = wl_compositor_create_surface(conn->compositor);
	c->sub = wl_subcompositor_get_subsurface(conn->subcompositor, c->surface, parent);
	wl_subsurface_set_desync(c->sub);
	wl_subsurface_place_above(c->sub, below);
	wlout_conn_no_input(conn, c->surface);
	c->image = wl_compositor_create_surface(conn->compositor);
	if (conn->viewporter) {
		c->viewport = wp_viewporter_get_viewport(conn->viewporter, c->surface);
		c->image_viewport = wp_viewporter_get_viewport(conn->viewporter, c->image);
	}
	c->shm = conn->shm;
}

void wlout_cursor_finish(struct wlout_cursor *c)
{
	wlout_shm_finish(&c->buf);
	wlout_shm_finish(&c->image_buf);
	if (c->viewport)
		wp_viewport_destroy(c->viewport);
	if (c->image_viewport)
		wp_viewport_destroy(c->image_viewport);
	if (c->sub)
		wl_subsurface_destroy(c->sub);
	if (c->surface)
		wl_surface_destroy(c->surface);
	if (c->image)
		wl_surface_destroy(c->image);
	free(c->pixels);
	*c = (struct wlout_cursor){ 0 };
}

static void hide_sub(struct wlout_cursor *c)
{
	if (!c->shown)
		return;
	wl_surface_attach(c->surface, NULL, 0, 0);
	wl_surface_commit(c->surface);
	c->shown = false;
}

/* Our copy of the picture into @b, attached to @s: 0 or -errno. */
static int attach_copy(struct wlout_cursor *c, struct wlout_shm *b, struct wl_surface *s)
{
	const struct plane *p = &c->plane;

	if (wlout_shm_init(b, c->shm, p->width, p->height, plane_format_wl_shm(p->fourcc), 4))
		return -ENOMEM;
	plane_copy_rows(b->data, b->stride, c->pixels, p->width * 4, (size_t)p->width * 4,
			p->height);
	wl_surface_attach(s, b->buffer, 0, 0);
	wl_surface_damage_buffer(s, 0, 0, INT32_MAX, INT32_MAX);
	return 0;
}

bool wlout_cursor_update(struct wlout_cursor *c, const struct geom_layout *l, uint32_t scale120,
			 bool on_pointer)
{
	const struct plane *p = &c->plane;
	struct geom_rect r;
	int32_t w, h;

	c->have_image = false;
	if (!c->valid || !l->src.w || !l->src.h) {
		hide_sub(c);
		return false;
	}
	if (on_pointer) {
		hide_sub(c);
		/* Scaled as the frame is, where the compositor can scale it. */
		w = (int32_t)p->width;
		h = (int32_t)p->height;
		if (c->image_viewport) {
			w = (int32_t)geom_to_logical((uint32_t)((uint64_t)p->width * l->dst.w /
								 l->src.w), scale120);
			h = (int32_t)geom_to_logical((uint32_t)((uint64_t)p->height * l->dst.h /
								 l->src.h), scale120);
			w = w ? w : 1;
			h = h ? h : 1;
		}
		if (c->image_stale || w != c->w || h != c->h) {
			if (attach_copy(c, &c->image_buf, c->image))
				return false;
			if (c->image_viewport)
				wp_viewport_set_destination(c->image_viewport, w, h);
			wl_surface_commit(c->image);
			c->image_stale = false;
			c->w = w;
			c->h = h;
		}
		/* The hotspot; unknown (UINT32_MAX) is the top left. */
		c->hot_x = p->hot_x < p->width ? (int32_t)((int64_t)p->hot_x * w / p->width) : 0;
		c->hot_y = p->hot_y < p->height ? (int32_t)((int64_t)p->hot_y * h / p->height) : 0;
		c->have_image = true;
		return false;
	}
	if (!geom_cursor(l, (int32_t)p->x, (int32_t)p->y, p->width, p->height, &r)) {
		hide_sub(c);
		return false;
	}
	/* Shown there already, as it is (a repeated frame, a poll): nothing to commit. */
	if (c->shown && !c->sub_stale && scale120 == c->placed_scale && r.x == c->placed.x &&
	    r.y == c->placed.y && r.w == c->placed.w && r.h == c->placed.h)
		return false;
	if ((!c->shown || c->sub_stale) && attach_copy(c, &c->buf, c->surface))
		return false;
	c->sub_stale = false;
	c->placed = r;
	c->placed_scale = scale120;
	if (c->viewport)
		wp_viewport_set_destination(c->viewport,
					    (int32_t)geom_to_logical((uint32_t)r.w, scale120),
					    (int32_t)geom_to_logical((uint32_t)r.h, scale120));
	wl_subsurface_set_position(c->sub, (int32_t)geom_to_logical((uint32_t)r.x, scale120),
				   (int32_t)geom_to_logical((uint32_t)r.y, scale120));
	wl_surface_commit(c->surface);
	c->shown = true;
	return true;
}

bool wlout_cursor_show(struct wlout_cursor *c, const struct plane *p, struct plane_buf *buf,
		       const struct geom_layout *l, uint32_t scale120, bool on_pointer)
{
	size_t row, len;
	const uint8_t *src;
	uint32_t *pixels;

	if (!p || !buf || p->modifier != 0 || plane_format_cpp(p->fourcc) != 4 ||
	    !p->width || !p->height || p->width > PLANE_CURSOR_MAX || p->height > PLANE_CURSOR_MAX ||
	    !(src = plane_buf_map(buf))) {
		c->valid = false;
		return wlout_cursor_update(c, l, scale120, on_pointer);
	}
	/*
	 * The guest may draw a new picture into the same buffer: the pixels,
	 * not the dmabuf id, say whether it changed.  A cursor is small.
	 */
	row = (size_t)p->width * 4;
	len = row * p->height;
	if (!c->valid || p->width != c->plane.width || p->height != c->plane.height ||
	    p->fourcc != c->plane.fourcc) {
		pixels = realloc(c->pixels, len);
		if (!pixels) {
			c->valid = false;
			return wlout_cursor_update(c, l, scale120, on_pointer);
		}
		c->pixels = pixels;
		c->sub_stale = c->image_stale = true;
		memset(c->pixels, 0, len);
	}
	plane_buf_sync_read(buf, true);
	for (uint32_t y = 0; y < p->height; y++) {
		const uint8_t *s = src + (size_t)y * p->stride;
		uint8_t *d = (uint8_t *)c->pixels + y * row;

		if (memcmp(d, s, row)) {
			memcpy(d, s, row);
			c->sub_stale = c->image_stale = true;
		}
	}
	plane_buf_sync_read(buf, false);
	c->plane = *p;
	c->valid = true;
	return wlout_cursor_update(c, l, scale120, on_pointer);
}

void wlout_cursor_hide(struct wlout_cursor *c)
{
	c->valid = false;
	c->have_image = false;
	hide_sub(c);
}
