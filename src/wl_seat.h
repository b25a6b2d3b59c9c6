/* SPDX-License-Identifier: MIT */
/*
 * The Wayland presenter's seat (wlout_seat_): the wl_seat and its
 * keyboard.  Keys are evdev codes, independent of the keymap; the held
 * modifiers are tracked by their keys, so --hotkeys needs no keymap.  Only
 * hotkeys are acted on; the pointer and keys for the guest come here next.
 */
#ifndef VGPU_VIEWER_WL_SEAT_H
#define VGPU_VIEWER_WL_SEAT_H

#include <stdint.h>

#include "hotkeys.h"

struct wl_registry;
struct wlout_seat;

struct wlout_seat_listener {
	/* A hotkey of @hotkeys (wlout_seat_set_listener()) was pressed. */
	void (*action)(void *data, enum hotkey_action a);
};

/* Binds global @name (wl_seat @version) of @reg; NULL when out of memory. */
struct wlout_seat *wlout_seat_bind(struct wl_registry *reg, uint32_t name, uint32_t version);
void wlout_seat_destroy(struct wlout_seat *s);

/* Who hears of the hotkeys in @hotkeys (kept, not copied). */
void wlout_seat_set_listener(struct wlout_seat *s, const struct hotkeys *hotkeys,
			     const struct wlout_seat_listener *listener, void *data);

#endif
