/* SPDX-License-Identifier: MIT */
/*
 * The Wayland presenter's seat (wlout_seat_): the wl_seat, its keyboard
 * and its pointer.  Keys are evdev codes, independent of the keymap, and go
 * to input.c with the keyboard focus, which matches the hotkeys and sends
 * the rest to the guest.  The pointer's buttons and wheel go there too;
 * where it is, the presenter turns into guest pixels (it knows the layout).
 */
#ifndef VGPU_VIEWER_WL_SEAT_H
#define VGPU_VIEWER_WL_SEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "hotkeys.h"

struct input;
struct wl_registry;
struct wl_surface;
struct wlout_conn;
struct wlout_seat;

struct wlout_seat_listener {
	/* A hotkey was pressed. */
	void (*action)(void *data, enum hotkey_action a);
	/* The pointer is at (@x, @y) on @surface, in its logical coordinates. */
	void (*motion)(void *data, struct wl_surface *surface, double x, double y);
	/*
	 * A button was pressed over @surface, not grabbed: true when that
	 * started a grab (the click, press and release, is then not the guest's).
	 */
	bool (*press)(void *data, struct wl_surface *surface);
	/* The pointer entered @surface, or left (NULL). */
	void (*over)(void *data, struct wl_surface *surface);
};

/* Binds global @name (wl_seat @version) of @reg; NULL when out of memory. */
struct wlout_seat *wlout_seat_bind(struct wl_registry *reg, uint32_t name, uint32_t version);
void wlout_seat_destroy(struct wlout_seat *s);

/*
 * The pointer grab, for a guest whose pointer is relative: the pointer is
 * locked on @surface and hidden, its motion goes to the guest as relative
 * motion, and where the compositor offers keyboard-shortcuts-inhibit its
 * shortcuts reach the guest too.  It ends with wlout_seat_ungrab() (the
 * release-cursor chord), or when the compositor ends it (the window lost
 * the pointer); either says so in one line.  0, or -ENOTSUP when the
 * compositor has no relative-pointer or pointer-constraints.
 */
int wlout_seat_grab(struct wlout_seat *s, struct wlout_conn *c, struct wl_surface *surface);
void wlout_seat_ungrab(struct wlout_seat *s, const char *why);
bool wlout_seat_grabbed(const struct wlout_seat *s);

/* The pointer's picture over the window, while it is not grabbed. */
enum wlout_look {
	WLOUT_LOOK_HIDDEN,	/* the guest draws its own, where we point */
	WLOUT_LOOK_ARROW,	/* ours: the pointer does not point for the guest */
	WLOUT_LOOK_IMAGE,	/* the guest's cursor plane, as the pointer */
};

/*
 * Sets the picture (@image with its hotspot for WLOUT_LOOK_IMAGE; @image
 * is the caller's, committed, and stays alive while set), now when the
 * pointer is over the window and at each enter.
 */
void wlout_seat_set_look(struct wlout_seat *s, struct wlout_conn *c, enum wlout_look look,
			 struct wl_surface *image, int32_t hot_x, int32_t hot_y);

/* Where keys and buttons go (@input, kept), and who hears of hotkeys and motion. */
void wlout_seat_set_listener(struct wlout_seat *s, struct input *input,
			     const struct wlout_seat_listener *listener, void *data);

#endif
