// SPDX-License-Identifier: MIT
/*
 * The Wayland presenter; see wl_surface.h for the paths.  Pacing: every
 * frame is committed with a frame callback, and the viewer hears that the
 * frame is done (and unmasks the display IRQ) only when the callback fires:
 * at most one guest frame per compositor refresh, the newest one winning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/input-event-codes.h>

#include <wayland-client.h>

#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "linux-dmabuf-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define LOG_MODULE "wayland"
#include "egl_import.h"
#include "fmtset.h"
#include "frame_stamp.h"
#include "log.h"
#include "placard.h"
#include "presenter.h"
#include "stats.h"
#include "wl_surface.h"

#define CONTENT_BUFFERS 3
#define WAITING_TEXT "WAITING FOR GUEST DISPLAY"
#define DEFAULT_WIDTH 640
#define DEFAULT_HEIGHT 400

struct shmbuf {
	struct wl_buffer *buffer;
	void *data;
	size_t size;
	uint32_t width, height, stride, format;
	bool busy;
};

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

	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;
	struct wp_presentation *presentation;
	uint32_t clock_id;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct zwp_linux_dmabuf_feedback_v1 *feedback;
	struct zxdg_decoration_manager_v1 *decoration_manager;
	struct wp_fractional_scale_manager_v1 *fractional_manager;
	struct zwp_idle_inhibit_manager_v1 *idle_manager;
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;

	/* linux-dmabuf: what the compositor takes (v4: the default feedback). */
	struct fmtset dmabuf_formats;
	const void *table;		/* v4 format table, mmapped */
	size_t table_size;
	uint32_t shm_formats[64];
	unsigned int n_shm_formats;

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
	struct wl_surface *cursor;
	struct wl_subsurface *cursor_sub;
	struct wp_viewport *cursor_viewport;
	struct zwp_idle_inhibitor_v1 *inhibitor;

	bool configured, fullscreen, closed;
	uint32_t held;				/* HOTKEY_MOD_* held down */
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
	bool have_last;
	struct plane last;
	uint32_t last_seq;
	bool stamp_warned, zero_copy_logged, cursor_shown;
	uint32_t cursor_id;

	struct shmbuf content_bufs[CONTENT_BUFFERS];
	struct shmbuf background, placard, cursor_buf;

	struct egl_import *egl;
	bool egl_failed;
	bool reading;
	int error;
};

static int connection_error(struct wlout *w);

/* ---- wl_shm buffers ---- */

static void handle_shm_release(void *data, struct wl_buffer *buffer)
{
	struct shmbuf *b = data;

	b->busy = false;
}

static const struct wl_buffer_listener shm_buffer_listener = {
	.release = handle_shm_release,
};

static void shmbuf_finish(struct shmbuf *b)
{
	if (b->buffer)
		wl_buffer_destroy(b->buffer);
	if (b->data)
		munmap(b->data, b->size);
	*b = (struct shmbuf){ 0 };
}

static int shmbuf_init(struct wlout *w, struct shmbuf *b, uint32_t width, uint32_t height,
		       uint32_t format, uint32_t cpp)
{
	struct wl_shm_pool *pool;
	int fd, ret;

	shmbuf_finish(b);
	b->stride = width * cpp;
	b->size = (size_t)b->stride * height;
	fd = memfd_create("vgpu-viewer", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)b->size) < 0) {
		ret = -errno;
		goto err_close;
	}
	b->data = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->data == MAP_FAILED) {
		b->data = NULL;
		ret = -errno;
		goto err_close;
	}
	pool = wl_shm_create_pool(w->shm, fd, (int32_t)b->size);
	b->buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)width, (int32_t)height,
					      (int32_t)b->stride, format);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(b->buffer, &shm_buffer_listener, b);
	b->width = width;
	b->height = height;
	b->format = format;
	return 0;

err_close:
	close(fd);
	shmbuf_finish(b);
	return ret;
}

/* @height rows of @row_bytes from @src (@src_stride apart) into @b. */
static bool shm_has_format(struct wlout *w, uint32_t format)
{
	for (unsigned int i = 0; i < w->n_shm_formats; i++)
		if (w->shm_formats[i] == format)
			return true;
	return false;
}

/* ---- registry and globals ---- */

static void handle_shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct wlout *w = data;

	if (w->n_shm_formats < sizeof(w->shm_formats) / sizeof(w->shm_formats[0]))
		w->shm_formats[w->n_shm_formats++] = format;
}

static const struct wl_shm_listener shm_listener = {
	.format = handle_shm_format,
};

static void handle_dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format)
{
	/* v3 sends modifier events for every format: those are what count. */
}

static void handle_dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format,
				   uint32_t hi, uint32_t lo)
{
	struct wlout *w = data;

	fmtset_add(&w->dmabuf_formats, format, (uint64_t)hi << 32 | lo);
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = handle_dmabuf_format,
	.modifier = handle_dmabuf_modifier,
};

static void handle_feedback_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb)
{
}

static void handle_feedback_format_table(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb,
					 int32_t fd, uint32_t size)
{
	struct wlout *w = data;
	void *table;

	if (w->table)
		munmap((void *)w->table, w->table_size);
	w->table = NULL;
	table = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (table == MAP_FAILED) {
		LOG_WARN("cannot map the linux-dmabuf format table: %s, ignoring", strerror(errno));
		return;
	}
	w->table = table;
	w->table_size = size;
	fmtset_finish(&w->dmabuf_formats);	/* a new table: the tranches follow */
}

static void handle_feedback_main_device(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb,
					struct wl_array *device)
{
}

static void handle_feedback_tranche_done(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb)
{
}

static void handle_feedback_tranche_target_device(void *data,
						  struct zwp_linux_dmabuf_feedback_v1 *fb,
						  struct wl_array *device)
{
}

static void handle_feedback_tranche_formats(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb,
					    struct wl_array *indices)
{
	struct wlout *w = data;
	size_t skipped;

	if (!w->table)
		return;
	skipped = fmtset_add_from_table(&w->dmabuf_formats, w->table, w->table_size,
					indices->data, indices->size / sizeof(uint16_t));
	if (skipped)
		LOG_WARN("linux-dmabuf: %zu format indices beyond the table, ignoring", skipped);
}

static void handle_feedback_tranche_flags(void *data, struct zwp_linux_dmabuf_feedback_v1 *fb,
					  uint32_t flags)
{
}

static const struct zwp_linux_dmabuf_feedback_v1_listener feedback_listener = {
	.done = handle_feedback_done,
	.format_table = handle_feedback_format_table,
	.main_device = handle_feedback_main_device,
	.tranche_done = handle_feedback_tranche_done,
	.tranche_target_device = handle_feedback_tranche_target_device,
	.tranche_formats = handle_feedback_tranche_formats,
	.tranche_flags = handle_feedback_tranche_flags,
};

static void handle_presentation_clock(void *data, struct wp_presentation *p, uint32_t clock_id)
{
	struct wlout *w = data;

	w->clock_id = clock_id;
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = handle_presentation_clock,
};

static void handle_wm_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial)
{
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = handle_wm_ping,
};

static void set_fullscreen(struct wlout *w, bool on)
{
	if (on)
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	else
		xdg_toplevel_unset_fullscreen(w->toplevel);
}

static void handle_keymap(void *data, struct wl_keyboard *kb, uint32_t format, int32_t fd,
			  uint32_t size)
{
	close(fd);
}

static void handle_key_enter(void *data, struct wl_keyboard *kb, uint32_t serial,
			     struct wl_surface *surface, struct wl_array *keys)
{
}

static void handle_key_leave(void *data, struct wl_keyboard *kb, uint32_t serial,
			     struct wl_surface *surface)
{
	struct wlout *w = data;

	w->held = 0;
}

static void relayout(struct wlout *w);

/*
 * --hotkeys: evdev key codes do not depend on the layout, and the held
 * modifiers are tracked by their keys (no keymap needed).
 */
static void handle_key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time,
		       uint32_t key, uint32_t state)
{
	struct wlout *w = data;
	uint32_t mod = hotkeys_modifier(key);

	if (mod) {
		if (state == WL_KEYBOARD_KEY_STATE_PRESSED)
			w->held |= mod;
		else
			w->held &= ~mod;
		return;
	}
	if (state != WL_KEYBOARD_KEY_STATE_PRESSED)
		return;
	switch (hotkeys_match(&w->opts.hotkeys, w->held, key)) {
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
	default:
		break;
	}
}

static void handle_modifiers(void *data, struct wl_keyboard *kb, uint32_t serial,
			     uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group)
{
}

static void handle_repeat_info(void *data, struct wl_keyboard *kb, int32_t rate, int32_t delay)
{
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = handle_keymap,
	.enter = handle_key_enter,
	.leave = handle_key_leave,
	.key = handle_key,
	.modifiers = handle_modifiers,
	.repeat_info = handle_repeat_info,
};

static void handle_seat_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wlout *w = data;
	bool has = caps & WL_SEAT_CAPABILITY_KEYBOARD;

	if (has && !w->keyboard) {
		w->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(w->keyboard, &keyboard_listener, w);
	} else if (!has && w->keyboard) {
		wl_keyboard_destroy(w->keyboard);
		w->keyboard = NULL;
	}
}

static void handle_seat_name(void *data, struct wl_seat *seat, const char *name)
{
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = handle_seat_capabilities,
	.name = handle_seat_name,
};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void handle_global(void *data, struct wl_registry *reg, uint32_t name,
			  const char *iface, uint32_t version)
{
	struct wlout *w = data;

	if (!strcmp(iface, wl_compositor_interface.name) && version >= 4) {
		w->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	} else if (!strcmp(iface, wl_subcompositor_interface.name)) {
		w->subcompositor = wl_registry_bind(reg, name, &wl_subcompositor_interface, 1);
	} else if (!strcmp(iface, wl_shm_interface.name)) {
		w->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		wl_shm_add_listener(w->shm, &shm_listener, w);
	} else if (!strcmp(iface, xdg_wm_base_interface.name)) {
		w->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(w->wm_base, &wm_base_listener, w);
	} else if (!strcmp(iface, wp_viewporter_interface.name)) {
		w->viewporter = wl_registry_bind(reg, name, &wp_viewporter_interface, 1);
	} else if (!strcmp(iface, wp_presentation_interface.name)) {
		w->presentation = wl_registry_bind(reg, name, &wp_presentation_interface, 1);
		wp_presentation_add_listener(w->presentation, &presentation_listener, w);
	} else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name) && version >= 3) {
		w->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface,
					     min_u32(version, 4));
		if (version >= 4) {
			w->feedback = zwp_linux_dmabuf_v1_get_default_feedback(w->dmabuf);
			zwp_linux_dmabuf_feedback_v1_add_listener(w->feedback, &feedback_listener, w);
		} else {
			zwp_linux_dmabuf_v1_add_listener(w->dmabuf, &dmabuf_listener, w);
		}
	} else if (!strcmp(iface, zxdg_decoration_manager_v1_interface.name)) {
		w->decoration_manager =
			wl_registry_bind(reg, name, &zxdg_decoration_manager_v1_interface, 1);
	} else if (!strcmp(iface, wp_fractional_scale_manager_v1_interface.name)) {
		w->fractional_manager =
			wl_registry_bind(reg, name, &wp_fractional_scale_manager_v1_interface, 1);
	} else if (!strcmp(iface, zwp_idle_inhibit_manager_v1_interface.name)) {
		w->idle_manager = wl_registry_bind(reg, name, &zwp_idle_inhibit_manager_v1_interface, 1);
	} else if (!strcmp(iface, wl_seat_interface.name) && !w->seat) {
		w->seat = wl_registry_bind(reg, name, &wl_seat_interface, min_u32(version, 5));
		wl_seat_add_listener(w->seat, &seat_listener, w);
	}
}

static void handle_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

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
	struct shmbuf *bg;
	uint32_t ow, oh;

	natural_size(w, &w->width, &w->height);
	ow = px(w, w->width);
	oh = px(w, w->height);
	/* Without wp_viewporter the compositor cannot scale: 1:1 it is. */
	if (w->showing)
		geom_layout(w->viewporter ? w->opts.scale : GEOM_SCALE_NONE, w->frame_width,
			    w->frame_height, ow, oh, &w->layout);

	if (w->showing) {
		bg = &w->background;
		if (!bg->buffer && shmbuf_init(w, bg, 1, 1, WL_SHM_FORMAT_XRGB8888, 4) == 0)
			*(uint32_t *)bg->data = 0xff000000u;
	} else {
		bg = &w->placard;
		if ((bg->width != ow || bg->height != oh) &&
		    shmbuf_init(w, bg, ow, oh, WL_SHM_FORMAT_XRGB8888, 4) == 0)
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
	if (w->showing && w->have_last) {
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

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A time on the compositor's presentation clock (weston's is
 * CLOCK_MONOTONIC_RAW) as CLOCK_MONOTONIC, which the stats use: shifted
 * by the clocks' offset now, which drifts by microseconds a second at most.
 */
static uint64_t to_monotonic(uint32_t clock_id, uint64_t t)
{
	uint64_t theirs, ours;

	if (clock_id == CLOCK_MONOTONIC)
		return t;
	if (clock_id == UINT32_MAX)
		return 0;
	theirs = clock_ns((clockid_t)clock_id);
	ours = clock_ns(CLOCK_MONOTONIC);
	if (!theirs || !ours)
		return 0;
	return t + ours - theirs;
}

static void handle_fb_presented(void *data, struct wp_presentation_feedback *fb,
				uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec, uint32_t refresh,
				uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
	struct feedback *f = data;
	struct wlout *w = f->w;
	bool zc = flags & WP_PRESENTATION_FEEDBACK_KIND_ZERO_COPY;

	f->sf.presented_ns = to_monotonic(w->clock_id,
					  ((uint64_t)sec_hi << 32 | sec_lo) * 1000000000u + nsec);
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

	f = w->presentation ? calloc(1, sizeof(*f)) : NULL;
	if (!f) {
		stats_frame(w->stats, sf);
		return;
	}
	f->w = w;
	f->sf = *sf;
	f->fb = wp_presentation_feedback(w->presentation, w->content);
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

static void handle_params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
				  struct wl_buffer *buffer)
{
	struct wlbuf *b = data;

	b->buffer = buffer;
}

static void handle_params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	struct wlbuf *b = data;

	b->buffer_failed = true;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = handle_params_created,
	.failed = handle_params_failed,
};

/*
 * The dmabuf as a wl_buffer of its own.  The request is answered on a queue
 * of its own, so that waiting for the answer dispatches nothing else.
 */
static struct wl_buffer *dmabuf_buffer(struct wlout *w, struct plane_buf *pb)
{
	const struct plane *p = &pb->plane;
	struct zwp_linux_buffer_params_v1 *params;
	struct wl_event_queue *queue;
	struct wlbuf *b = wlbuf_of(pb);
	struct wl_proxy *wrapper;

	if (!b || b->buffer || b->buffer_failed)
		return b ? b->buffer : NULL;
	queue = wl_display_create_queue(w->display);
	if (!queue)
		return NULL;
	wrapper = wl_proxy_create_wrapper(w->dmabuf);
	wl_proxy_set_queue(wrapper, queue);
	params = zwp_linux_dmabuf_v1_create_params((struct zwp_linux_dmabuf_v1 *)wrapper);
	wl_proxy_wrapper_destroy(wrapper);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, b);
	zwp_linux_buffer_params_v1_add(params, pb->fd, 0, 0, p->stride,
				       (uint32_t)(p->modifier >> 32), (uint32_t)p->modifier);
	zwp_linux_buffer_params_v1_create(params, (int32_t)p->width, (int32_t)p->height,
					  plane_format_opaque(p->fourcc), 0);
	while (!b->buffer && !b->buffer_failed)
		if (wl_display_roundtrip_queue(w->display, queue) < 0) {
			connection_error(w);
			break;
		}
	zwp_linux_buffer_params_v1_destroy(params);
	if (b->buffer)
		wl_proxy_set_queue((struct wl_proxy *)b->buffer, NULL);
	else
		b->buffer_failed = true;
	wl_event_queue_destroy(queue);
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

		w->egl = egl_import_create(EGL_IMPORT_WAYLAND, w->display);
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

static struct shmbuf *free_content_buffer(struct wlout *w, uint32_t width, uint32_t height,
					  uint32_t format, uint32_t cpp)
{
	struct shmbuf *spare = NULL;

	for (int i = 0; i < CONTENT_BUFFERS; i++) {
		struct shmbuf *b = &w->content_bufs[i];

		if (b->busy)
			continue;
		if (b->buffer && b->width == width && b->height == height && b->format == format)
			return b;
		spare = b;
	}
	if (spare && shmbuf_init(w, spare, width, height, format, cpp))
		return NULL;
	return spare;
}

/* One copy of the frame into a wl_shm buffer (VFIO says nothing of damage). */
static int present_shm(struct wlout *w, const struct presenter_frame *f,
		       const struct stats_frame *sf)
{
	const struct plane *p = f->plane;
	uint32_t cpp = plane_format_cpp(p->fourcc);
	uint32_t format = plane_format_wl_shm(plane_format_opaque(p->fourcc));
	const uint8_t *src;
	struct shmbuf *b;

	if (p->modifier != 0)
		return -ENOTSUP;	/* tiled: the CPU cannot read it as is */
	if (!shm_has_format(w, format))
		return -ENOTSUP;
	src = f->buf ? plane_buf_map(f->buf) : f->pixels;
	if (!src)
		return -errno;
	b = free_content_buffer(w, p->width, p->height, format, cpp);
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

/* The cursor plane on its own subsurface, above the frame, never blended into it. */
static void show_cursor(struct wlout *w, const struct presenter_frame *f)
{
	const struct plane *c = f->cursor;
	struct geom_rect r;
	const uint8_t *src;
	bool on = c && f->cursor_buf && c->modifier == 0 && plane_format_cpp(c->fourcc) == 4 &&
		  geom_cursor(&w->layout, (int32_t)c->x, (int32_t)c->y, c->width, c->height, &r);

	if (!on) {
		if (w->cursor_shown) {
			wl_surface_attach(w->cursor, NULL, 0, 0);
			wl_surface_commit(w->cursor);
			w->cursor_shown = false;
		}
		return;
	}
	if (!w->cursor_shown || c->id != w->cursor_id) {
		src = plane_buf_map(f->cursor_buf);
		if (!src || shmbuf_init(w, &w->cursor_buf, c->width, c->height,
					plane_format_wl_shm(c->fourcc), 4))
			return;
		plane_buf_sync_read(f->cursor_buf, true);
		plane_copy_rows(w->cursor_buf.data, w->cursor_buf.stride, src, c->stride,
				(size_t)c->width * 4, c->height);
		plane_buf_sync_read(f->cursor_buf, false);
		wl_surface_attach(w->cursor, w->cursor_buf.buffer, 0, 0);
		wl_surface_damage_buffer(w->cursor, 0, 0, INT32_MAX, INT32_MAX);
		w->cursor_id = c->id;
	}
	if (w->cursor_viewport)
		wp_viewport_set_destination(w->cursor_viewport, logical(w, r.w), logical(w, r.h));
	wl_subsurface_set_position(w->cursor_sub, logical(w, r.x), logical(w, r.y));
	wl_surface_commit(w->cursor);
	wl_surface_commit(w->surface);	/* a subsurface moves at its parent's commit */
	w->cursor_shown = true;
}

static void show_waiting(struct wlout *w)
{
	if (w->frame_cb) {
		wl_callback_destroy(w->frame_cb);
		w->frame_cb = NULL;
	}
	wl_surface_attach(w->content, NULL, 0, 0);
	wl_surface_commit(w->content);
	if (w->cursor_shown) {
		wl_surface_attach(w->cursor, NULL, 0, 0);
		wl_surface_commit(w->cursor);
		w->cursor_shown = false;
	}
	if (w->inhibitor) {
		zwp_idle_inhibitor_v1_destroy(w->inhibitor);
		w->inhibitor = NULL;
	}
	w->showing = false;
	w->have_last = false;
	relayout(w);
}

static enum presenter_path choose_path(struct wlout *w, const struct presenter_frame *f,
				   char *why, size_t len)
{
	const struct plane *p = f->plane;
	struct wlbuf *b = f->buf ? wlbuf_of(f->buf) : NULL;
	enum presenter_path want = w->opts.path;
	char fourcc[5];

	if (p->kind == PLANE_REGION) {
		snprintf(why, len, "the frame is in a device region, not a dmabuf");
		return PRESENTER_PATH_SHM;
	}
	if ((want == PRESENTER_PATH_AUTO || want == PRESENTER_PATH_ZERO_COPY) && b && !b->buffer_failed) {
		if (!w->dmabuf)
			snprintf(why, len, "the compositor has no linux-dmabuf");
		else if (!fmtset_has(&w->dmabuf_formats, plane_format_opaque(p->fourcc),
				     p->modifier))
			snprintf(why, len, "the compositor does not take %s modifier 0x%llx",
				 plane_format_name(plane_format_opaque(p->fourcc), fourcc),
				 (unsigned long long)p->modifier);
		else if (want == PRESENTER_PATH_AUTO && w->opts.filter != GEOM_FILTER_AUTO &&
			 (w->layout.src.w != w->layout.dst.w || w->layout.src.h != w->layout.dst.h))
			snprintf(why, len, "the compositor would scale with its own filter");
		else {
			snprintf(why, len, "the compositor takes the guest's dmabuf");
			return PRESENTER_PATH_ZERO_COPY;
		}
	} else if (b && b->buffer_failed) {
		snprintf(why, len, "the compositor refused the guest's dmabuf");
	} else if (want != PRESENTER_PATH_AUTO) {
		snprintf(why, len, "--path %s", presenter_path_name(want));
	}
	if (want != PRESENTER_PATH_SHM && !w->egl_failed && !(b && b->image_failed)) {
		if (want == PRESENTER_PATH_EGL)
			snprintf(why, len, "--path egl");
		return PRESENTER_PATH_EGL;
	}
	if (w->egl_failed && want != PRESENTER_PATH_SHM)
		snprintf(why, len, "EGL is not usable here");
	else if (b && b->image_failed)
		snprintf(why, len, "EGL cannot import the guest's dmabuf");
	return PRESENTER_PATH_SHM;
}

static int wlout_present(struct presenter *base, const struct presenter_frame *f)
{
	struct wlout *w = (struct wlout *)base;
	struct stats_frame sf = { .wake_ns = f->wake_ns, .ready_ns = f->ready_ns };
	enum presenter_path path;
	struct frame_stamp st;
	bool resized;
	char why[128];
	int ret;

	if (w->error)
		return w->error;
	if (!f->plane) {
		if (w->showing)
			show_waiting(w);
		return 1;
	}

	if (stats_enabled(w->stats))
		sf.stamped = presenter_read_stamp(f, &st, &w->stamp_warned);
	/* The same guest frame again (a poll, a spurious wake-up): nothing to draw. */
	if (w->have_last && sf.stamped && st.seq == w->last_seq &&
	    plane_same_buffer(&w->last, f->plane)) {
		stats_repeat(w->stats);
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
		if (w->idle_manager && !w->inhibitor)
			w->inhibitor = zwp_idle_inhibit_manager_v1_create_inhibitor(w->idle_manager,
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
		if (w->error)
			return w->error;
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
	show_cursor(w, f);
	w->last = *f->plane;
	w->last_seq = sf.seq;
	w->have_last = true;
	return 0;
}

/* ---- the connection ---- */

static int connection_error(struct wlout *w)
{
	int err = wl_display_get_error(w->display);
	const struct wl_interface *iface;
	uint32_t id, code;

	if (w->error)
		return w->error;
	if (err == EPROTO) {
		code = wl_display_get_protocol_error(w->display, &iface, &id);
		LOG_ERR("the compositor reported a protocol error: %s@%u code %u",
			iface ? iface->name : "?", id, code);
		w->error = -EPROTO;
	} else {
		LOG_ERR("lost the connection to the compositor: %s", strerror(err ? err : EPIPE));
		w->error = -EPIPE;
	}
	return w->error;
}

static int wlout_get_fd(struct presenter *base)
{
	return wl_display_get_fd(((struct wlout *)base)->display);
}

static int wlout_prepare(struct presenter *base)
{
	struct wlout *w = (struct wlout *)base;
	int events = EPOLLIN;

	if (w->error)
		return w->error;
	while (wl_display_prepare_read(w->display) != 0)
		if (wl_display_dispatch_pending(w->display) < 0)
			return connection_error(w);
	w->reading = true;
	if (wl_display_flush(w->display) < 0) {
		if (errno != EAGAIN) {
			wl_display_cancel_read(w->display);
			w->reading = false;
			return connection_error(w);
		}
		events |= EPOLLOUT;
	}
	return events;
}

static int wlout_dispatch(struct presenter *base, uint32_t events)
{
	struct wlout *w = (struct wlout *)base;

	if (w->reading) {
		w->reading = false;
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
			if (wl_display_read_events(w->display) < 0)
				return connection_error(w);
		} else {
			wl_display_cancel_read(w->display);
		}
	}
	if (wl_display_dispatch_pending(w->display) < 0)
		return connection_error(w);
	if (w->error)
		return w->error;
	return w->closed ? PRESENTER_CLOSED : 0;
}

static void wlout_destroy(struct presenter *base)
{
	struct wlout *w = (struct wlout *)base;

	if (!w)
		return;
	if (w->reading)
		wl_display_cancel_read(w->display);
	egl_import_destroy(w->egl);
	for (int i = 0; i < CONTENT_BUFFERS; i++)
		shmbuf_finish(&w->content_bufs[i]);
	shmbuf_finish(&w->background);
	shmbuf_finish(&w->placard);
	shmbuf_finish(&w->cursor_buf);
	if (w->frame_cb)
		wl_callback_destroy(w->frame_cb);
	if (w->inhibitor)
		zwp_idle_inhibitor_v1_destroy(w->inhibitor);
	if (w->cursor_viewport)
		wp_viewport_destroy(w->cursor_viewport);
	if (w->cursor_sub)
		wl_subsurface_destroy(w->cursor_sub);
	if (w->cursor)
		wl_surface_destroy(w->cursor);
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
	if (w->keyboard)
		wl_keyboard_destroy(w->keyboard);
	if (w->seat)
		wl_seat_destroy(w->seat);
	if (w->feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(w->feedback);
	if (w->table)
		munmap((void *)w->table, w->table_size);
	fmtset_finish(&w->dmabuf_formats);
	if (w->dmabuf)
		zwp_linux_dmabuf_v1_destroy(w->dmabuf);
	if (w->idle_manager)
		zwp_idle_inhibit_manager_v1_destroy(w->idle_manager);
	if (w->fractional_manager)
		wp_fractional_scale_manager_v1_destroy(w->fractional_manager);
	if (w->decoration_manager)
		zxdg_decoration_manager_v1_destroy(w->decoration_manager);
	if (w->presentation)
		wp_presentation_destroy(w->presentation);
	if (w->viewporter)
		wp_viewporter_destroy(w->viewporter);
	if (w->wm_base)
		xdg_wm_base_destroy(w->wm_base);
	if (w->shm)
		wl_shm_destroy(w->shm);
	if (w->subcompositor)
		wl_subcompositor_destroy(w->subcompositor);
	if (w->compositor)
		wl_compositor_destroy(w->compositor);
	if (w->registry)
		wl_registry_destroy(w->registry);
	if (w->display) {
		wl_display_flush(w->display);
		wl_display_disconnect(w->display);
	}
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

static void create_window(struct wlout *w)
{
	w->surface = wl_compositor_create_surface(w->compositor);
	w->xdg_surface = xdg_wm_base_get_xdg_surface(w->wm_base, w->surface);
	xdg_surface_add_listener(w->xdg_surface, &xdg_surface_listener, w);
	w->toplevel = xdg_surface_get_toplevel(w->xdg_surface);
	xdg_toplevel_add_listener(w->toplevel, &toplevel_listener, w);
	xdg_toplevel_set_title(w->toplevel, w->opts.title);
	xdg_toplevel_set_app_id(w->toplevel, w->opts.app_id);
	if (w->decoration_manager) {
		w->decoration = zxdg_decoration_manager_v1_get_toplevel_decoration(
			w->decoration_manager, w->toplevel);
		zxdg_toplevel_decoration_v1_set_mode(w->decoration,
						     ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
	}
	if (w->fractional_manager) {
		w->fractional = wp_fractional_scale_manager_v1_get_fractional_scale(
			w->fractional_manager, w->surface);
		wp_fractional_scale_v1_add_listener(w->fractional, &fractional_listener, w);
	}

	w->content = wl_compositor_create_surface(w->compositor);
	w->content_sub = wl_subcompositor_get_subsurface(w->subcompositor, w->content, w->surface);
	wl_subsurface_set_desync(w->content_sub);
	w->cursor = wl_compositor_create_surface(w->compositor);
	w->cursor_sub = wl_subcompositor_get_subsurface(w->subcompositor, w->cursor, w->surface);
	wl_subsurface_set_desync(w->cursor_sub);
	wl_subsurface_place_above(w->cursor_sub, w->content);
	if (w->viewporter) {
		w->viewport = wp_viewporter_get_viewport(w->viewporter, w->surface);
		w->content_viewport = wp_viewporter_get_viewport(w->viewporter, w->content);
		w->cursor_viewport = wp_viewporter_get_viewport(w->viewporter, w->cursor);
	}
	if (w->opts.fullscreen)
		xdg_toplevel_set_fullscreen(w->toplevel, NULL);
	wl_surface_commit(w->surface);
}

struct presenter *wlout_create(const struct presenter_options *opts, struct stats *stats)
{
	struct wlout *w = calloc(1, sizeof(*w));
	const char *name = getenv("WAYLAND_DISPLAY");

	if (!w)
		return NULL;
	w->base.ops = &wlout_ops;
	w->opts = *opts;
	w->stats = stats;
	w->scale120 = 120;
	w->clock_id = UINT32_MAX;
	w->path = PRESENTER_PATH_AUTO;

	w->display = wl_display_connect(NULL);
	if (!w->display) {
		LOG_ERR("cannot connect to the Wayland compositor '%s': %s",
			name ? name : "wayland-0", strerror(errno));
		goto err;
	}
	w->registry = wl_display_get_registry(w->display);
	wl_registry_add_listener(w->registry, &registry_listener, w);
	/* The globals, then what they announce (formats, the clock). */
	if (wl_display_roundtrip(w->display) < 0 || wl_display_roundtrip(w->display) < 0) {
		LOG_ERR("the compositor did not answer: %s", strerror(errno));
		goto err;
	}
	if (!w->compositor || !w->subcompositor || !w->shm || !w->wm_base) {
		LOG_ERR("the compositor lacks %s",
			!w->compositor ? "wl_compositor v4" : !w->subcompositor ? "wl_subcompositor" :
			!w->shm ? "wl_shm" : "xdg_wm_base (xdg-shell)");
		goto err;
	}
	if (!w->viewporter)
		LOG_WARN("the compositor has no wp_viewporter: frames are shown unscaled");
	LOG_INFO("compositor: linux-dmabuf %s (%zu format/modifier pairs), viewporter %s, "
		 "presentation-time %s, fractional-scale %s, xdg-decoration %s, idle-inhibit %s",
		 w->dmabuf ? (w->feedback ? "v4" : "v3") : "no", w->dmabuf_formats.n,
		 w->viewporter ? "yes" : "no", w->presentation ? "yes" : "no",
		 w->fractional_manager ? "yes" : "no", w->decoration_manager ? "yes" : "no",
		 w->idle_manager ? "yes" : "no");

	create_window(w);
	while (!w->configured)
		if (wl_display_dispatch(w->display) < 0) {
			connection_error(w);
			goto err;
		}
	return &w->base;

err:
	wlout_destroy(&w->base);
	return NULL;
}
