// SPDX-License-Identifier: MIT
/* The Wayland presenter's connection and globals; see wl_conn.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <wayland-client.h>

#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "linux-dmabuf-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-decoration-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define LOG_MODULE "wayland"
#include "log.h"
#include "wl_conn.h"
#include "wl_seat.h"

/* ---- What the globals announce ---- */

static void handle_shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
	struct wlout_conn *c = data;

	if (c->n_shm_formats < sizeof(c->shm_formats) / sizeof(c->shm_formats[0]))
		c->shm_formats[c->n_shm_formats++] = format;
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
	struct wlout_conn *c = data;

	fmtset_add(&c->dmabuf_formats, format, (uint64_t)hi << 32 | lo);
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
	struct wlout_conn *c = data;
	void *table;

	if (c->table)
		munmap((void *)c->table, c->table_size);
	c->table = NULL;
	table = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (table == MAP_FAILED) {
		LOG_WARN("cannot map the linux-dmabuf format table: %s, ignoring", strerror(errno));
		return;
	}
	c->table = table;
	c->table_size = size;
	fmtset_finish(&c->dmabuf_formats);	/* a new table: the tranches follow */
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
	struct wlout_conn *c = data;
	size_t skipped;

	if (!c->table)
		return;
	skipped = fmtset_add_from_table(&c->dmabuf_formats, c->table, c->table_size,
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
	struct wlout_conn *c = data;

	c->clock_id = clock_id;
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

/* ---- The registry ---- */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void handle_global(void *data, struct wl_registry *reg, uint32_t name,
			  const char *iface, uint32_t version)
{
	struct wlout_conn *c = data;

	if (!strcmp(iface, wl_compositor_interface.name) && version >= 4) {
		c->compositor = wl_registry_bind(reg, name, &wl_compositor_interface, 4);
	} else if (!strcmp(iface, wl_subcompositor_interface.name)) {
		c->subcompositor = wl_registry_bind(reg, name, &wl_subcompositor_interface, 1);
	} else if (!strcmp(iface, wl_shm_interface.name)) {
		c->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
		wl_shm_add_listener(c->shm, &shm_listener, c);
	} else if (!strcmp(iface, xdg_wm_base_interface.name)) {
		c->wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	} else if (!strcmp(iface, wp_viewporter_interface.name)) {
		c->viewporter = wl_registry_bind(reg, name, &wp_viewporter_interface, 1);
	} else if (!strcmp(iface, wp_presentation_interface.name)) {
		c->presentation = wl_registry_bind(reg, name, &wp_presentation_interface, 1);
		wp_presentation_add_listener(c->presentation, &presentation_listener, c);
	} else if (!strcmp(iface, zwp_linux_dmabuf_v1_interface.name) && version >= 3) {
		c->dmabuf = wl_registry_bind(reg, name, &zwp_linux_dmabuf_v1_interface,
					     min_u32(version, 4));
		if (version >= 4) {
			c->feedback = zwp_linux_dmabuf_v1_get_default_feedback(c->dmabuf);
			zwp_linux_dmabuf_feedback_v1_add_listener(c->feedback, &feedback_listener, c);
		} else {
			zwp_linux_dmabuf_v1_add_listener(c->dmabuf, &dmabuf_listener, c);
		}
	} else if (!strcmp(iface, zxdg_decoration_manager_v1_interface.name)) {
		c->decoration_manager =
			wl_registry_bind(reg, name, &zxdg_decoration_manager_v1_interface, 1);
	} else if (!strcmp(iface, wp_fractional_scale_manager_v1_interface.name)) {
		c->fractional_manager =
			wl_registry_bind(reg, name, &wp_fractional_scale_manager_v1_interface, 1);
	} else if (!strcmp(iface, zwp_idle_inhibit_manager_v1_interface.name)) {
		c->idle_manager = wl_registry_bind(reg, name, &zwp_idle_inhibit_manager_v1_interface, 1);
	} else if (!strcmp(iface, zwp_relative_pointer_manager_v1_interface.name)) {
		c->relative_manager =
			wl_registry_bind(reg, name, &zwp_relative_pointer_manager_v1_interface, 1);
	} else if (!strcmp(iface, zwp_pointer_constraints_v1_interface.name)) {
		c->constraints = wl_registry_bind(reg, name, &zwp_pointer_constraints_v1_interface, 1);
	} else if (!strcmp(iface, zwp_keyboard_shortcuts_inhibit_manager_v1_interface.name)) {
		c->shortcuts_manager = wl_registry_bind(
			reg, name, &zwp_keyboard_shortcuts_inhibit_manager_v1_interface, 1);
	} else if (!strcmp(iface, wl_seat_interface.name) && !c->seat) {
		c->seat = wlout_seat_bind(reg, name, version);
	}
}

static void handle_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

/* ---- The connection ---- */

int wlout_conn_error(struct wlout_conn *c)
{
	int err = wl_display_get_error(c->display);
	const struct wl_interface *iface;
	uint32_t id, code;

	if (c->error)
		return c->error;
	if (err == EPROTO) {
		code = wl_display_get_protocol_error(c->display, &iface, &id);
		LOG_ERR("the compositor reported a protocol error: %s@%u code %u",
			iface ? iface->name : "?", id, code);
		c->error = -EPROTO;
	} else {
		LOG_ERR("lost the connection to the compositor: %s", strerror(err ? err : EPIPE));
		c->error = -EPIPE;
	}
	return c->error;
}

int wlout_conn_prepare(struct wlout_conn *c)
{
	int events = EPOLLIN;

	if (c->error)
		return c->error;
	while (wl_display_prepare_read(c->display) != 0)
		if (wl_display_dispatch_pending(c->display) < 0)
			return wlout_conn_error(c);
	c->reading = true;
	if (wl_display_flush(c->display) < 0) {
		if (errno != EAGAIN) {
			wl_display_cancel_read(c->display);
			c->reading = false;
			return wlout_conn_error(c);
		}
		events |= EPOLLOUT;
	}
	return events;
}

int wlout_conn_dispatch(struct wlout_conn *c, uint32_t events)
{
	if (c->reading) {
		c->reading = false;
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
			if (wl_display_read_events(c->display) < 0)
				return wlout_conn_error(c);
		} else {
			wl_display_cancel_read(c->display);
		}
	}
	if (wl_display_dispatch_pending(c->display) < 0)
		return wlout_conn_error(c);
	return c->error;
}

bool wlout_conn_has_shm_format(const struct wlout_conn *c, uint32_t format)
{
	for (unsigned int i = 0; i < c->n_shm_formats; i++)
		if (c->shm_formats[i] == format)
			return true;
	return false;
}

/* The compositor's answer to a linux-dmabuf create request. */
struct import {
	struct wl_buffer *buffer;
	bool failed;
};

static void handle_params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
				  struct wl_buffer *buffer)
{
	struct import *im = data;

	im->buffer = buffer;
}

static void handle_params_failed(void *data, struct zwp_linux_buffer_params_v1 *params)
{
	struct import *im = data;

	im->failed = true;
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = handle_params_created,
	.failed = handle_params_failed,
};

struct wl_buffer *wlout_conn_import_dmabuf(struct wlout_conn *c, const struct plane *p, int fd)
{
	struct zwp_linux_buffer_params_v1 *params;
	struct import im = { NULL, false };
	struct wl_event_queue *queue;
	struct wl_proxy *wrapper;

	if (!c->dmabuf)
		return NULL;
	queue = wl_display_create_queue(c->display);
	if (!queue)
		return NULL;
	wrapper = wl_proxy_create_wrapper(c->dmabuf);
	wl_proxy_set_queue(wrapper, queue);
	params = zwp_linux_dmabuf_v1_create_params((struct zwp_linux_dmabuf_v1 *)wrapper);
	wl_proxy_wrapper_destroy(wrapper);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &im);
	zwp_linux_buffer_params_v1_add(params, fd, 0, 0, p->stride,
				       (uint32_t)(p->modifier >> 32), (uint32_t)p->modifier);
	zwp_linux_buffer_params_v1_create(params, (int32_t)p->width, (int32_t)p->height,
					  plane_format_opaque(p->fourcc), 0);
	while (!im.buffer && !im.failed)
		if (wl_display_roundtrip_queue(c->display, queue) < 0) {
			wlout_conn_error(c);
			break;
		}
	zwp_linux_buffer_params_v1_destroy(params);
	if (im.buffer)
		wl_proxy_set_queue((struct wl_proxy *)im.buffer, NULL);
	wl_event_queue_destroy(queue);
	return im.buffer;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Shifted by the clocks' offset now (weston's clock is CLOCK_MONOTONIC_RAW),
 * which drifts by microseconds a second at most.
 */
uint64_t wlout_conn_to_monotonic(const struct wlout_conn *c, uint64_t t)
{
	uint64_t theirs, ours;

	if (c->clock_id == CLOCK_MONOTONIC)
		return t;
	if (c->clock_id == UINT32_MAX)
		return 0;
	theirs = clock_ns((clockid_t)c->clock_id);
	ours = clock_ns(CLOCK_MONOTONIC);
	if (!theirs || !ours)
		return 0;
	return t + ours - theirs;
}

int wlout_conn_open(struct wlout_conn *c)
{
	const char *name = getenv("WAYLAND_DISPLAY");

	*c = (struct wlout_conn){ .clock_id = UINT32_MAX };
	c->display = wl_display_connect(NULL);
	if (!c->display)
		return LOG_ERRNO(errno ? errno : ECONNREFUSED,
				 "cannot connect to the Wayland compositor '%s'",
				 name ? name : "wayland-0");
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	/* The globals, then what they announce (formats, the clock). */
	if (wl_display_roundtrip(c->display) < 0 || wl_display_roundtrip(c->display) < 0)
		return LOG_ERRNO(errno ? errno : EPIPE, "the compositor did not answer");
	if (!c->compositor || !c->subcompositor || !c->shm || !c->wm_base) {
		LOG_ERR("the compositor lacks %s",
			!c->compositor ? "wl_compositor v4" : !c->subcompositor ? "wl_subcompositor" :
			!c->shm ? "wl_shm" : "xdg_wm_base (xdg-shell)");
		return -ENOTSUP;
	}
	if (!c->viewporter)
		LOG_WARN("the compositor has no wp_viewporter: frames are shown unscaled");
	LOG_INFO("compositor: linux-dmabuf %s (%zu format/modifier pairs), viewporter %s, "
		 "presentation-time %s, fractional-scale %s, xdg-decoration %s, idle-inhibit %s, "
		 "pointer grab %s, shortcuts-inhibit %s",
		 c->dmabuf ? (c->feedback ? "v4" : "v3") : "no", c->dmabuf_formats.n,
		 c->viewporter ? "yes" : "no", c->presentation ? "yes" : "no",
		 c->fractional_manager ? "yes" : "no", c->decoration_manager ? "yes" : "no",
		 c->idle_manager ? "yes" : "no",
		 c->relative_manager && c->constraints ? "yes" : "no",
		 c->shortcuts_manager ? "yes" : "no");
	return 0;
}

void wlout_conn_close(struct wlout_conn *c)
{
	if (c->reading)
		wl_display_cancel_read(c->display);
	wlout_seat_destroy(c->seat);
	if (c->feedback)
		zwp_linux_dmabuf_feedback_v1_destroy(c->feedback);
	if (c->table)
		munmap((void *)c->table, c->table_size);
	fmtset_finish(&c->dmabuf_formats);
	if (c->dmabuf)
		zwp_linux_dmabuf_v1_destroy(c->dmabuf);
	if (c->idle_manager)
		zwp_idle_inhibit_manager_v1_destroy(c->idle_manager);
	if (c->relative_manager)
		zwp_relative_pointer_manager_v1_destroy(c->relative_manager);
	if (c->constraints)
		zwp_pointer_constraints_v1_destroy(c->constraints);
	if (c->shortcuts_manager)
		zwp_keyboard_shortcuts_inhibit_manager_v1_destroy(c->shortcuts_manager);
	if (c->fractional_manager)
		wp_fractional_scale_manager_v1_destroy(c->fractional_manager);
	if (c->decoration_manager)
		zxdg_decoration_manager_v1_destroy(c->decoration_manager);
	if (c->presentation)
		wp_presentation_destroy(c->presentation);
	if (c->viewporter)
		wp_viewporter_destroy(c->viewporter);
	if (c->wm_base)
		xdg_wm_base_destroy(c->wm_base);
	if (c->shm)
		wl_shm_destroy(c->shm);
	if (c->subcompositor)
		wl_subcompositor_destroy(c->subcompositor);
	if (c->compositor)
		wl_compositor_destroy(c->compositor);
	if (c->registry)
		wl_registry_destroy(c->registry);
	if (c->display) {
		wl_display_flush(c->display);
		wl_display_disconnect(c->display);
	}
	*c = (struct wlout_conn){ .clock_id = UINT32_MAX };
}

void wlout_conn_no_input(struct wlout_conn *c, struct wl_surface *surface)
{
	struct wl_region *none = wl_compositor_create_region(c->compositor);

	wl_surface_set_input_region(surface, none);
	wl_region_destroy(none);
}
