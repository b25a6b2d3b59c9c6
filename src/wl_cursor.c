// SPDX-License-Identifier: MIT
/* The guest's cursor plane in the Wayland window; see wl_cursor.h. */
#include <stdint.h>

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
	if (conn->viewporter)
		c->viewport = wp_viewporter_get_viewport(conn->viewporter, c->surface);
}

void wlout_cursor_finish(struct wlout_cursor *c)
{
	wlout_shm_finish(&c->buf);
	if (c->viewport)
		wp_viewport_destroy(c->viewport);
	if (c->sub)
		wl_subsurface_destroy(c->sub);
	if (c->surface)
		wl_surface_destroy(c->surface);
	*c = (struct wlout_cursor){ 0 };
}

void wlout_cursor_hide(struct wlout_cursor *c)
{
	if (!c->shown)
		return;
	wl_surface_attach(c->surface, NULL, 0, 0);
	wl_surface_commit(c->surface);
	c->shown = false;
}

bool wlout_cursor_show(struct wlout_cursor *c, struct wl_shm *shm, const struct plane *p,
		       struct plane_buf *buf, const struct geom_layout *l, uint32_t scale120)
{
	const uint8_t *src;
	struct geom_rect r;

	if (!p || !buf || p->modifier != 0 || plane_format_cpp(p->fourcc) != 4 ||
	    !geom_cursor(l, (int32_t)p->x, (int32_t)p->y, p->width, p->height, &r)) {
		wlout_cursor_hide(c);
		return false;
	}
	if (!c->shown || p->id != c->id) {
		src = plane_buf_map(buf);
		if (!src || wlout_shm_init(&c->buf, shm, p->width, p->height,
					   plane_format_wl_shm(p->fourcc), 4))
			return c->shown;
		plane_buf_sync_read(buf, true);
		plane_copy_rows(c->buf.data, c->buf.stride, src, p->stride, (size_t)p->width * 4,
				p->height);
		plane_buf_sync_read(buf, false);
		wl_surface_attach(c->surface, c->buf.buffer, 0, 0);
		wl_surface_damage_buffer(c->surface, 0, 0, INT32_MAX, INT32_MAX);
		c->id = p->id;
	}
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
