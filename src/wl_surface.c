// SPDX-License-Identifier: MIT
/*
 * The Wayland presenter's window (wlout_); see wl_surface.h for the paths.
 * The connection and its globals are wl_conn.c's, the keyboard wl_seat.c's,
 * the shm buffers wl_shm.c's, the path choice wl_path.c's.  Pacing: every
 * frame is committed with a frame callback, and the viewer hears that the
 * frame is done (and unmasks the display IRQ) only when the callback fires:
 * at most one guest frame per compositor refresh, the newest one winning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wayland-client.h>

#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define LOG_MODULE "wayland"
#include "egl_import.h"
#include "frame_stamp.h"
#include "input.h"
#include "log.h"
#include "placard.h"
#include "presenter.h"
#include "stats.h"
#include "wl_conn.h"
#include "wl_cursor.h"
#include "wl_path.h"
#include "wl_seat.h"
#include "wl_shm.h"
#include "wl_surface.h"

#define CONTENT_BUFFERS 3
#define WAITING_TEXT "WAITING FOR GUEST DISPLAY"
#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 400

/* What the Wayland presenter hangs on a cached dmabuf (plane_buf.user). */
struct wlbuf {
	struct wl_buffer *buffer;	/* zero-copy */
	struct egl_import_image *image;	/* egl */
	bool buffer_failed, image_failed;
};

/* A commit waiting for wp_presentation's word. */
struct feedback {
	struct wlout *w;
	struct wp_presentation_feedback *fb;
	struct stats_frame sf;
};

struct wlout {
	struct presenter base;
	struct presenter_options opts;
	struct stats *stats;
	struct wlout_conn conn;

	/* The window: a background surface, the frame and the cursor above it. */
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct zxdg_toplevel_decoration_v1 *decoration;
	struct wp_fractional_scale_v1 *fractional;
	struct wp_viewport *viewport;
	struct wl_surface *content;
	struct wl_subsurface *content_sub;
	struct wp_viewport *content_viewport;
	struct wlout_cursor cursor;
	struct zwp_idle_inhibitor_v1 *inhibitor;

	bool configured, closed;
	int32_t conf_width, conf_height;	/* the compositor's size; 0: ours to choose */
	bool conf_fullscreen;
	int32_t width, height;			/* logical */
	uint32_t scale120;

	/* What is shown. */
	bool showing;
	uint32_t frame_width, frame_height;
	struct geom_layout layout;
	enum presenter_path path;
	char path_why[128];
	struct wl_callback *frame_cb;
	struct presenter_last shown;
	bool stamp_warned, zero_copy_logged;

	struct wlout_shm content_bufs[CONTENT_BUFFERS];
	struct wlout_shm background, placard;

	struct egl_import *egl;
	bool egl_failed;

	struct input *input;		/* keys and pointer for the guest (viewer.c's) */
	bool grab_warned;		/* the compositor cannot grab the pointer: said once */
	bool pointer_over;		/* the pointer is over the window */
	bool on_pointer;		/* ... and the cursor plane is its picture */
	int cursor_logged;		/* what the debug log said of the cursor */
};

static void set_fullscreen(struct wlout *w, bool on)
{
	if (on)
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	else
		xdg_toplevel_unset_fullscreen(w->toplevel);
}

static void relayout(struct wlout *w);
static void cursor_look(struct wlout *w, const struct presenter_frame *f);

/* ---- layout ---- */

static uint32_t px(struct wlout *w, int32_t logical)
{
	return geom_to_pixels((uint32_t)logical, w->scale120);
}

static int32_t logical(struct wlout *w, int32_t pixels)
{
	return (int32_t)geom_to_logical((uint32_t)pixels, w->scale120);
}

/* The window's size when the compositor leaves it to us. */
static void natural_size(struct wlout *w, int32_t *ret_w, int32_t *ret_h)
{
	if (w->conf_width > 0 && w->conf_height > 0) {
		*ret_w = w->conf_width;
		*ret_h = w->conf_height;
	} else if (w->showing) {
		*ret_w = logical(w, (int32_t)w->frame_width);
		*ret_h = logical(w, (int32_t)w->frame_height);
	} else if (w->width > 0) {
		*ret_w = w->width;
		*ret_h = w->height;
	} else {
		*ret_w = DEFAULT_WIDTH;
		*ret_h = DEFAULT_HEIGHT;
	}
}

/*
 * Sizes the window, lays the frame out in it and attaches the background
 * (black behind a frame, the waiting placard without one), uncommitted.
 */
static void layout_window(struct wlout *w)
{
	struct wlout_shm *bg;
	uint32_t ow, oh;

	natural_size(w, &w->width, &w->height);
	ow = px(w, w->width);
	oh = px(w, w->height);
	/* Without wp_viewporter the compositor cannot scale: 1:1 it is. */
	if (w->showing)
		geom_layout(w->conn.viewporter ? w->opts.scale : GEOM_SCALE_NONE, w->frame_width,
			    w->frame_height, ow, oh, &w->layout);

	if (w->showing) {
		bg = &w->background;
		if (!bg->buffer && wlout_shm_init(bg, w->conn.shm, 1, 1, WL_SHM_FORMAT_XRGB8888, 4) == 0)
			*(uint32_t *)bg->data = 0xff000000u;
	} else {
		bg = &w->placard;
		if ((bg->width != ow || bg->height != oh) &&
		    wlout_shm_init(bg, w->conn.shm, ow, oh, WL_SHM_FORMAT_XRGB8888, 4) == 0)
			placard_draw(bg->data, ow, oh, bg->stride, WAITING_TEXT);
	}
	if (!bg->buffer)
		return;
	wl_surface_attach(w->surface, bg->buffer, 0, 0);
	wl_surface_damage_buffer(w->surface, 0, 0, INT32_MAX, INT32_MAX);
	if (w->viewport)
		wp_viewport_set_destination(w->viewport, w->width, w->height);
	if (w->showing)
		wl_subsurface_set_position(w->content_sub, logical(w, w->layout.dst.x),
					   logical(w, w->layout.dst.y));
}

static void set_content_viewport(struct wlout *w, bool crop);

/*
 * The window's size or scale changed: lay out again.  The frame's new
 * place and size must reach the compositor in one go, or for a moment the
 * frame sticks out of a fullscreen window (weston kills a client for that):
 * the frame's surface is made synchronized, so that the parent's commit
 * applies both.
 */
static void relayout(struct wlout *w)
{
	layout_window(w);
	cursor_look(w, NULL);
	if (w->showing && w->shown.valid) {
		wl_subsurface_set_sync(w->content_sub);
		set_content_viewport(w, w->path != PRESENTER_PATH_EGL);
		wl_surface_commit(w->content);
		wl_surface_commit(w->surface);
		wl_subsurface_set_desync(w->content_sub);
	} else {
		wl_surface_commit(w->surface);
	}
}

/* ---- xdg-shell ---- */

static void handle_xdg_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct wlout *w = data;

	xdg_surface_ack_configure(xs, serial);
	w->configured = true;
	relayout(w);
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = handle_xdg_configure,
};

static void handle_toplevel_configure(void *data, struct xdg_toplevel *t, int32_t width,
				      int32_t height, struct wl_array *states)
{
	struct wlout *w = data;
	const uint32_t *s;

	w->conf_width = width;
	w->conf_height = height;
	w->conf_fullscreen = false;
	wl_array_for_each(s, states) {
		if (*s == XDG_TOPLEVEL_STATE_FULLSCREEN)
			w->conf_fullscreen = true;
	}
}

static void handle_toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct wlout *w = data;

	LOG_INFO("the window was closed");
	w->closed = true;
}

static void handle_toplevel_configure_bounds(void *data, struct xdg_toplevel *t, int32_t width,
					     int32_t height)
{
}

static void handle_toplevel_wm_capabilities(void *data, struct xdg_toplevel *t,
					    struct wl_array *caps)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = handle_toplevel_configure,
	.close = handle_toplevel_close,
	.configure_bounds = handle_toplevel_configure_bounds,
	.wm_capabilities = handle_toplevel_wm_capabilities,
};

static void handle_preferred_scale(void *data, struct wp_fractional_scale_v1 *fs, uint32_t scale)
{
	struct wlout *w = data;

	if (scale == w->scale120 || !scale)
		return;
	LOG_INFO("output scale %.3f", scale / 120.0);
	w->scale120 = scale;
	if (w->configured)
		relayout(w);
}

static const struct wp_fractional_scale_v1_listener fractional_listener = {
	.preferred_scale = handle_preferred_scale,
};

/* ---- frames ---- */

static void handle_frame_done(void *data, struct wl_callback *cb, uint32_t time)
{
	struct wlout *w = data;

	wl_callback_destroy(cb);
	w->frame_cb = NULL;
	if (w->base.frame_done)
		w->base.frame_done(w->base.data);
}

static const struct wl_callback_listener frame_listener = {
	.done = handle_frame_done,
};

static void handle_fb_sync_output(void *data, struct wp_presentation_feedback *fb,
				  struct wl_output *output)
{
}

static void feedback_done(struct feedback *f)
{
	stats_frame(f->w->stats, &f->sf);
	wp_presentation_feedback_destroy(f->fb);
	free(f);
}

static void handle_fb_presented(void *data, struct wp_presentation_feedback *fb,
				uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec, uint32_t refresh,
				uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
	struct feedback *f = data;
	struct wlout *w = f->w;
	bool zc = flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY;

	f->sf.presented_ns = wlout_conn_to_monotonic(&w->conn,
						   ((uint64_t)sec_hi << 32 | sec_lo) * 1000000000u +
						   nsec);
	f->sf.zero_copy = zc;
	if (!w->zero_copy_logged && f->sf.path) {
		LOG_INFO("the compositor shows the %s frames %s", f->sf.path,
			 zc ? "zero-copy (scanned out directly)" : "composited (copied once)");
		w->zero_copy_logged = true;
	}
	feedback_done(f);
}

static void handle_fb_discarded(void *data, struct wp_presentation_feedback *fb)
{
	struct feedback *f = data;

	f->sf.discarded = true;
	feedback_done(f);
}

static const struct wp_presentation_feedback_listener fb_listener = {
	.sync_output = handle_fb_sync_output,
	.presented = handle_fb_presented,
	.discarded = handle_fb_discarded,
};

/*
 * Before the content commit: the frame callback that paces the viewer, and
 * wp_presentation feedback that records when the frame reached the screen.
 */
static void before_commit(struct wlout *w, const struct stats_frame *sf)
{
	struct feedback *f;

	w->frame_cb = wl_surface_frame(w->content);
	wl_callback_add_listener(w->frame_cb, &frame_listener, w);

	f = w->conn.presentation ? calloc(1, sizeof(*f)) : NULL;
	if (!f) {
		stats_frame(w->stats, sf);
		return;
	}
	f->w = w;
	f->sf = *sf;
	f->fb = wp_presentation_feedback(w->conn.presentation, w->content);
	wp_presentation_feedback_add_listener(f->fb, &fb_listener, f);
}

static void set_content_viewport(struct wlout *w, bool crop)
{
	const struct geom_layout *l = &w->layout;

	if (!w->content_viewport)
		return;
	if (crop)
		wp_viewport_set_source(w->content_viewport, wl_fixed_from_int(l->src.x),
				       wl_fixed_from_int(l->src.y), wl_fixed_from_int(l->src.w),
				       wl_fixed_from_int(l->src.h));
	else
		wp_viewport_set_source(w->content_viewport, wl_fixed_from_int(-1),
				       wl_fixed_from_int(-1), wl_fixed_from_int(-1),
				       wl_fixed_from_int(-1));
	wp_viewport_set_destination(w->content_viewport, logical(w, l->dst.w),
				    logical(w, l->dst.h));
}

static void wlbuf_destroy(void *data)
{
	struct wlbuf *b = data;

	if (b->buffer)
		wl_buffer_destroy(b->buffer);
	egl_import_image_destroy(b->image);
	free(b);
}

static struct wlbuf *wlbuf_of(struct plane_buf *pb)
{
	if (!pb->user) {
		pb->user = calloc(1, sizeof(struct wlbuf));
		if (pb->user)
			pb->user_destroy = wlbuf_destroy;
	}
	return pb->user;
}

/* The dmabuf as a wl_buffer of its own, asked for once. */
static struct wl_buffer *dmabuf_buffer(struct wlout *w, struct plane_buf *pb)
{
	struct wlbuf *b = wlbuf_of(pb);

	if (!b || b->buffer || b->buffer_failed)
		return b ? b->buffer : NULL;
	b->buffer = wlout_conn_import_dmabuf(&w->conn, &pb->plane, pb->fd);
	b->buffer_failed = !b->buffer;
	return b->buffer;
}

/* Logs which path frames take, and why, whenever that changes. */
static void use_path(struct wlout *w, enum presenter_path path, const char *why)
{
	if (path == w->path && !strcmp(why, w->path_why))
		return;
	LOG_INFO("presenting by the %s path: %s", presenter_path_name(path), why);
	w->path = path;
	snprintf(w->path_why, sizeof(w->path_why), "%s", why);
	w->zero_copy_logged = false;
}

static int present_zero_copy(struct wlout *w, const struct presenter_frame *f,
			     const struct stats_frame *sf)
{
	struct wl_buffer *buffer = dmabuf_buffer(w, f->buf);

	if (!buffer)
		return -ENOTSUP;
	wl_surface_attach(w->content, buffer, 0, 0);
	wl_surface_damage_buffer(w->content, 0, 0, INT32_MAX, INT32_MAX);
	set_content_viewport(w, true);
	before_commit(w, sf);
	wl_surface_commit(w->content);
	return 0;
}

static int present_egl(struct wlout *w, const struct presenter_frame *f,
		       const struct stats_frame *sf)
{
	struct wlbuf *b = wlbuf_of(f->buf);
	int ret;

	if (!w->egl && !w->egl_failed) {
		uint64_t t0 = stats_now_ns();

		w->egl = egl_import_create(EGL_IMPORT_WAYLAND, w->conn.display);
		w->egl_failed = !w->egl;
		LOG_INFO("EGL set up in %.0f ms%s", (double)(stats_now_ns() - t0) / 1e6,
			 w->egl ? "" : " (unusable)");
	}
	if (!w->egl || !b || b->image_failed)
		return -ENOTSUP;
	if (!b->image) {
		b->image = egl_import_image_create(w->egl, &f->buf->plane, f->buf->fd, &ret);
		if (!b->image) {
			b->image_failed = true;
			return ret;
		}
	}
	set_content_viewport(w, false);
	before_commit(w, sf);
	ret = egl_import_draw(w->egl, w->content, b->image, &w->layout,
			      geom_nearest(w->opts.filter, &w->layout));
	if (ret && w->frame_cb) {	/* nothing was committed: no callback will come */
		wl_callback_destroy(w->frame_cb);
		w->frame_cb = NULL;
	}
	return ret;
}

/* One copy of the frame into a wl_shm buffer (VFIO says nothing of damage). */
static int present_shm(struct wlout *w, const struct presenter_frame *f,
		       const struct stats_frame *sf)
{
	const struct plane *p = f->plane;
	uint32_t cpp = plane_format_cpp(p->fourcc);
	uint32_t format = plane_format_wl_shm(plane_format_opaque(p->fourcc));
	const uint8_t *src;
	struct wlout_shm *b;

	if (p->modifier != 0)
		return -ENOTSUP;	/* tiled: the CPU cannot read it as is */
	if (!wlout_conn_has_shm_format(&w->conn, format))
		return -ENOTSUP;
	src = f->buf ? plane_buf_map(f->buf) : f->pixels;
	if (!src)
		return -errno;
	b = wlout_shm_pick(w->content_bufs, CONTENT_BUFFERS, w->conn.shm, p->width, p->height,
			   format, cpp);
	if (!b)
		return -EBUSY;
	plane_buf_sync_read(f->buf, true);
	plane_copy_rows(b->data, b->stride, src, p->stride, (size_t)p->width * cpp, p->height);
	plane_buf_sync_read(f->buf, false);
	stats_copy(w->stats, (uint64_t)p->width * p->height * cpp);
	b->busy = true;
	wl_surface_attach(w->content, b->buffer, 0, 0);
	wl_surface_damage_buffer(w->content, 0, 0, INT32_MAX, INT32_MAX);
	set_content_viewport(w, true);
	before_commit(w, sf);
	wl_surface_commit(w->content);
	return 0;
}

static void show_waiting(struct wlout *w)
{
	if (w->frame_cb) {
		wl_callback_destroy(w->frame_cb);
		w->frame_cb = NULL;
	}
	wl_surface_attach(w->content, NULL, 0, 0);
	wl_surface_commit(w->content);
	wlout_cursor_hide(&w->cursor);
	wlout_seat_set_look(w->conn.seat, &w->conn, WLOUT_LOOK_ARROW, NULL, 0, 0);
	if (w->inhibitor) {
		zwp_idle_inhibitor_v1_destroy(w->inhibitor);
		w->inhibitor = NULL;
	}
	w->showing = false;
	presenter_last_set(&w->shown, NULL, false, 0);
	relayout(w);
}

static enum presenter_path choose_path(struct wlout *w, const struct presenter_frame *f,
				       char *why, size_t len)
{
	struct wlbuf *b = f->buf ? wlbuf_of(f->buf) : NULL;
	struct wlout_path_input in = {
		.plane = f->plane,
		.want = w->opts.path,
		.filter = w->opts.filter,
		.layout = &w->layout,
		.dmabuf_formats = w->conn.dmabuf ? &w->conn.dmabuf_formats : NULL,
		.buffer_failed = !b || b->buffer_failed,
		.image_failed = !b || b->image_failed,
		.egl_failed = w->egl_failed,
	};

	return wlout_path_choose(&in, why, len);
}

static int wlout_present(struct presenter *base, const struct presenter_frame *f)
{
	struct wlout *w = (struct wlout *)base;
	struct stats_frame sf = { .wake_ns = f->wake_ns, .ready_ns = f->ready_ns };
	enum presenter_path path;
	struct frame_stamp st = { 0 };
	bool resized;
	char why[128];
	int ret;

	if (w->conn.error)
		return w->conn.error;
	if (!f->plane) {
		if (w->showing)
			show_waiting(w);
		return 1;
	}

	if (stats_enabled(w->stats))
		sf.stamped = presenter_read_stamp(f, &st, &w->stamp_warned);
	/*
	 * The same guest frame again (a poll, a spurious wake-up): nothing to
	 * draw.  Without a stamp it is drawn again: the guest may have drawn
	 * into it.
	 */
	if (presenter_is_repeat(&w->shown, f->plane, sf.stamped, st.seq, false)) {
		stats_repeat(w->stats);
		cursor_look(w, f);	/* the guest's cursor changes without a new frame */
		return 1;
	}

	/*
	 * A new frame size: the new buffer, its viewport and its place go to the
	 * compositor together (see relayout()), at the parent's commit below.
	 */
	resized = !w->showing || f->plane->width != w->frame_width ||
		  f->plane->height != w->frame_height;
	if (resized) {
		w->showing = true;
		w->frame_width = f->plane->width;
		w->frame_height = f->plane->height;
		wl_subsurface_set_sync(w->content_sub);
		layout_window(w);
		if (w->conn.idle_manager && !w->inhibitor)
			w->inhibitor = zwp_idle_inhibit_manager_v1_create_inhibitor(w->conn.idle_manager,
										   w->surface);
	}

	presenter_stats_init(f, &st, sf.stamped, &sf);

	for (;;) {
		path = choose_path(w, f, why, sizeof(why));
		sf.path = presenter_path_name(path);
		sf.present_ns = stats_now_ns();
		if (path == PRESENTER_PATH_ZERO_COPY)
			ret = present_zero_copy(w, f, &sf);
		else if (path == PRESENTER_PATH_EGL)
			ret = present_egl(w, f, &sf);
		else
			ret = present_shm(w, f, &sf);
		if (w->conn.error)
			return w->conn.error;
		/* A path that turned out not to work is marked failed: try the next. */
		if (ret != -ENOTSUP || path == PRESENTER_PATH_SHM)
			break;
	}
	if (resized) {
		wl_surface_commit(w->surface);
		wl_subsurface_set_desync(w->content_sub);
	}
	if (ret == -ENOTSUP) {
		char fourcc[5];

		snprintf(why, sizeof(why), "no path can show %s modifier 0x%llx",
			 plane_format_name(f->plane->fourcc, fourcc),
			 (unsigned long long)f->plane->modifier);
		use_path(w, path, why);
		return 1;
	}
	if (ret == -EBUSY)	/* every shm buffer is still with the compositor */
		return 1;
	if (ret)
		return ret;
	use_path(w, path, why);
	cursor_look(w, f);
	presenter_last_set(&w->shown, f->plane, sf.stamped, sf.seq);
	return 0;
}

static int wlout_get_fd(struct presenter *base)
{
	return wl_display_get_fd(((struct wlout *)base)->conn.display);
}

static int wlout_prepare(struct presenter *base)
{
	return wlout_conn_prepare(&((struct wlout *)base)->conn);
}

static int wlout_dispatch(struct presenter *base, uint32_t events)
{
	struct wlout *w = (struct wlout *)base;
	int ret = wlout_conn_dispatch(&w->conn, events);

	if (ret)
		return ret;
	return w->closed ? PRESENTER_CLOSED : 0;
}

static void wlout_destroy(struct presenter *base)
{
	struct wlout *w = (struct wlout *)base;

	if (!w)
		return;
	egl_import_destroy(w->egl);
	for (int i = 0; i < CONTENT_BUFFERS; i++)
		wlout_shm_finish(&w->content_bufs[i]);
	wlout_shm_finish(&w->background);
	wlout_shm_finish(&w->placard);
	if (w->frame_cb)
		wl_callback_destroy(w->frame_cb);
	if (w->inhibitor)
		zwp_idle_inhibitor_v1_destroy(w->inhibitor);
	wlout_cursor_finish(&w->cursor);
	if (w->content_viewport)
		wp_viewport_destroy(w->content_viewport);
	if (w->content_sub)
		wl_subsurface_destroy(w->content_sub);
	if (w->content)
		wl_surface_destroy(w->content);
	if (w->viewport)
		wp_viewport_destroy(w->viewport);
	if (w->fractional)
		wp_fractional_scale_v1_destroy(w->fractional);
	if (w->decoration)
		zxdg_toplevel_decoration_v1_destroy(w->decoration);
	if (w->toplevel)
		xdg_toplevel_destroy(w->toplevel);
	if (w->xdg_surface)
		xdg_surface_destroy(w->xdg_surface);
	if (w->surface)
		wl_surface_destroy(w->surface);
	wlout_conn_close(&w->conn);
	free(w);
}

/* Scale and filter may change at run time; the title, app id and path stay. */
static void wlout_set_options(struct presenter *base, const struct presenter_options *opts)
{
	struct wlout *w = (struct wlout *)base;

	w->opts.scale = opts->scale;
	w->opts.filter = opts->filter;
	if (w->configured)
		relayout(w);
}

static const struct presenter_ops wlout_ops = {
	.name = "wayland",
	.present = wlout_present,
	.destroy = wlout_destroy,
	.get_fd = wlout_get_fd,
	.prepare = wlout_prepare,
	.dispatch = wlout_dispatch,
	.set_options = wlout_set_options,
};

/* --hotkeys (wl_seat.c matches them). */
static void handle_action(void *data, enum hotkey_action a)
{
	struct wlout *w = data;

	switch (a) {
	case HOTKEY_TOGGLE_FULLSCREEN:
		set_fullscreen(w, !w->conf_fullscreen);
		break;
	case HOTKEY_QUIT:
		LOG_INFO("quit (hotkey)");
		w->closed = true;
		break;
	case HOTKEY_CYCLE_SCALE:
		w->opts.scale = geom_scale_next(w->opts.scale);
		LOG_INFO("scale: %s (hotkey)", geom_scale_name(w->opts.scale));
		if (w->configured)
			relayout(w);
		break;
	case HOTKEY_SECURE_ATTENTION:
		input_secure_attention(w->input);
		break;
	case HOTKEY_RELEASE_CURSOR:
		wlout_seat_ungrab(w->conn.seat, "release-cursor");
		break;
	default:
		break;
	}
}

/*
 * The guest's cursor plane (of frame @f, which may have none; NULL: the
 * last frame's again), and the pointer's picture.  While the pointer is over the window
 * and points for the guest (which has a tablet), the cursor plane is the
 * pointer's picture: the compositor draws it where the pointer is, with no
 * wait for the guest to move its own.  Otherwise the plane is shown where
 * the guest has it, and the pointer is hidden (the guest draws its own) or
 * an arrow (it does not point for the guest).
 */
static bool pointing(const struct wlout *w)
{
	return w->input && input_has_sink(w->input) && !input_pointer_relative(w->input);
}

static bool cursor_on_pointer(const struct wlout *w)
{
	return pointing(w) && w->pointer_over && !wlout_seat_grabbed(w->conn.seat);
}

static void cursor_look(struct wlout *w, const struct presenter_frame *f)
{
	static const char *const said[] = { "none", "where the guest has it",
					    "the pointer's picture", "where the guest has it (the "
					    "pointer's picture could not be made)" };
	bool on_pointer = cursor_on_pointer(w);
	bool commit;
	int state;

	w->on_pointer = on_pointer;
	if (f)
		commit = wlout_cursor_show(&w->cursor, f->cursor, f->cursor_buf, &w->layout,
					   w->scale120, on_pointer);
	else if (!w->showing)
		commit = false;
	else
		commit = wlout_cursor_update(&w->cursor, &w->layout, w->scale120, on_pointer);
	state = !w->cursor.valid ? 0 : w->cursor.have_image ? 2 : on_pointer ? 3 : 1;
	if (state != w->cursor_logged) {
		LOG_DBG("guest cursor: %s", said[state]);
		w->cursor_logged = state;
	}
	if (w->cursor.have_image)
		wlout_seat_set_look(w->conn.seat, &w->conn, WLOUT_LOOK_IMAGE, w->cursor.image,
				    w->cursor.hot_x, w->cursor.hot_y);
	else
		wlout_seat_set_look(w->conn.seat, &w->conn, pointing(w) ? WLOUT_LOOK_HIDDEN :
				    WLOUT_LOOK_ARROW, NULL, 0, 0);
	if (commit)
		wl_surface_commit(w->surface);	/* a subsurface moves at its parent's commit */
}

static void handle_over(void *data, struct wl_surface *surface)
{
	struct wlout *w = data;

	w->pointer_over = surface == w->surface;
	cursor_look(w, NULL);
}

/*
 * The pointer over the window (logical coordinates; the frame and cursor
 * surfaces take no input, so it is always the window's own surface): into
 * the guest's pixels through the scale and the letterbox.
 */
static void handle_motion(void *data, struct wl_surface *surface, double x, double y)
{
	struct wlout *w = data;
	double fx, fy;

	if (surface != w->surface || !w->showing)
		return;
	/* The way to the guest, or its pointer, changed since the last look. */
	if (cursor_on_pointer(w) != w->on_pointer)
		cursor_look(w, NULL);
	if (geom_to_frame(&w->layout, x * w->scale120 / 120.0, y * w->scale120 / 120.0, &fx, &fy))
		input_pointer_abs(w->input, fx, fy, w->frame_width, w->frame_height);
}

/*
 * A click on the guest whose pointer is relative grabs the pointer (as in
 * virt-viewer): a position means nothing to such a guest.
 */
static bool handle_press(void *data, struct wl_surface *surface)
{
	struct wlout *w = data;
	int ret;

	if (surface != w->surface || !w->showing || !input_pointer_relative(w->input))
		return false;
	ret = wlout_seat_grab(w->conn.seat, &w->conn, w->surface);
	if (ret && !w->grab_warned) {
		w->grab_warned = true;
		LOG_WARN("the guest's pointer is relative, and the compositor cannot grab the "
			 "pointer (no relative-pointer or pointer-constraints): the pointer cannot "
			 "move the guest's");
	}
	return ret == 0;
}

static const struct wlout_seat_listener seat_listener = {
	.action = handle_action,
	.motion = handle_motion,
	.press = handle_press,
	.over = handle_over,
};

static void create_window(struct wlout *w)
{
	w->surface = wl_compositor_create_surface(w->conn.compositor);
	w->xdg_surface = xdg_wm_base_get_xdg_surface(w->conn.wm_base, w->surface);
	xdg_surface_add_listener(w->xdg_surface, &xdg_surface_listener, w);
	w->toplevel = xdg_surface_get_toplevel(w->xdg_surface);
	xdg_toplevel_add_listener(w->toplevel, &toplevel_listener, w);
	xdg_toplevel_set_title(w->toplevel, w->opts.title);
	xdg_toplevel_set_app_id(w->toplevel, w->opts.app_id);
	if (w->conn.decoration_manager) {
		w->decoration = zxdg_decoration_manager_v1_get_toplevel_decoration(
			w->conn.decoration_manager, w->toplevel);
		zxdg_toplevel_decoration_v1_set_mode(w->decoration,
						     ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	}
	if (w->conn.fractional_manager) {
		w->fractional = wp_fractional_scale_manager_v1_get_fractional_scale(
			w->conn.fractional_manager, w->surface);
		wp_fractional_scale_v1_add_listener(w->fractional, &fractional_listener, w);
	}

	w->content = wl_compositor_create_surface(w->conn.compositor);
	w->content_sub = wl_subcompositor_get_subsurface(w->conn.subcompositor, w->content, w->surface);
	wl_subsurface_set_desync(w->content_sub);
	wlout_conn_no_input(&w->conn, w->content);
	wlout_cursor_init(&w->cursor, &w->conn, w->surface, w->content);
	if (w->conn.viewporter) {
		w->viewport = wp_viewporter_get_viewport(w->conn.viewporter, w->surface);
		w->content_viewport = wp_viewporter_get_viewport(w->conn.viewporter, w->content);
	}
	if (w->opts.fullscreen)
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	wl_surface_commit(w->surface);
}

struct presenter *wlout_create(const struct presenter_options *opts, struct stats *stats,
			       struct input *input)
{
	struct wlout *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->base.ops = &wlout_ops;
	w->opts = *opts;
	w->stats = stats;
	w->input = input;
	w->scale120 = 120;
	w->path = PRESENTER_PATH_AUTO;

	if (wlout_conn_open(&w->conn))
		goto err;
	if (w->conn.seat)
		wlout_seat_set_listener(w->conn.seat, input, &seat_listener, w);
	create_window(w);
	while (!w->configured)
		if (wl_display_dispatch(w->conn.display) < 0) {
			wlout_conn_error(&w->conn);
			goto err;
		}
	return &w->base;

err:
	wlout_destroy(&w->base);
	return NULL;
}
