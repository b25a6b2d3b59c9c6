/* SPDX-License-Identifier: MIT */
/*
 * The Wayland presenter's connection (wlout_conn_): the display, the
 * registry and the globals the window uses, what they announce (the
 * linux-dmabuf formats and modifiers, wl_shm formats, the presentation
 * clock), reading and dispatching events in the viewer's loop, and the
 * connection's errors.  The seat is bound here and is wl_seat.c's.
 */
#ifndef VGPU_VIEWER_WL_CONN_H
#define VGPU_VIEWER_WL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmtset.h"
#include "plane.h"

struct wl_buffer;

struct wlout_conn {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_viewporter *viewporter;		/* optional, as the rest */
	struct wp_presentation *presentation;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct zwp_linux_dmabuf_feedback_v1 *feedback;	/* v4 */
	struct zxdg_decoration_manager_v1 *decoration_manager;
	struct wp_fractional_scale_manager_v1 *fractional_manager;
	struct zwp_idle_inhibit_manager_v1 *idle_manager;
	struct zwp_relative_pointer_manager_v1 *relative_manager;	/* the pointer grab */
	struct zwp_pointer_constraints_v1 *constraints;
	struct zwp_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_manager;
	struct wlout_seat *seat;

	uint32_t clock_id;		/* the presentation clock; UINT32_MAX: none */
	struct fmtset dmabuf_formats;	/* what linux-dmabuf takes */
	const void *table;		/* v4 format table, mmapped */
	size_t table_size;
	uint32_t shm_formats[64];
	unsigned int n_shm_formats;

	bool reading;			/* between prepare and dispatch */
	int error;			/* -EPIPE, -EPROTO: the connection is dead */
};

/*
 * Connects to $WAYLAND_DISPLAY and waits for the globals and what they
 * announce.  0, or -errno after logging why (no compositor, one lacking a
 * global the window needs).  wlout_conn_close() cleans up after either.
 */
int wlout_conn_open(struct wlout_conn *c);
void wlout_conn_close(struct wlout_conn *c);

/* Logs what broke the connection (once) and returns its -errno (-EPROTO, -EPIPE). */
int wlout_conn_error(struct wlout_conn *c);

/*
 * For the viewer's loop (presenter.h's prepare and dispatch): dispatches
 * what is queued, flushes, and prepares to read; the epoll events to wait
 * for, or -errno.  Then reads (or cancels reading) after the wait and
 * dispatches: 0 or -errno.
 */
int wlout_conn_prepare(struct wlout_conn *c);
int wlout_conn_dispatch(struct wlout_conn *c, uint32_t events);

bool wlout_conn_has_shm_format(const struct wlout_conn *c, uint32_t format);

/*
 * The dmabuf @fd of plane @p as a wl_buffer (linux-dmabuf), waiting for the
 * compositor's answer on a queue of its own (nothing else is dispatched
 * meanwhile).  NULL when it refuses.
 */
struct wl_buffer *wlout_conn_import_dmabuf(struct wlout_conn *c, const struct plane *p, int fd);

/* A time on the presentation clock as CLOCK_MONOTONIC (the statistics'); 0 if unknown. */
uint64_t wlout_conn_to_monotonic(const struct wlout_conn *c, uint64_t t);

/* @surface takes no pointer input: it goes to the surface below it. */
void wlout_conn_no_input(struct wlout_conn *c, struct wl_surface *surface);

#endif
