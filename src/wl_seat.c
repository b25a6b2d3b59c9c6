// SPDX-License-Identifier: MIT
/* The Wayland presenter's seat; see wl_seat.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <wayland-client.h>

#include "wl_seat.h"

struct wlout_seat {
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;
	uint32_t held;				/* HOTKEY_MOD_* held down */

	const struct hotkeys *hotkeys;
	const struct wlout_seat_listener *listener;
	void *data;
};

static void handle_keymap(void *data, struct wl_keyboard *kb, uint32_t format, int32_t fd,
			  uint32_t size)
{
	close(fd);
}

static void handle_enter(void *data, struct wl_keyboard *kb, uint32_t serial,
			 struct wl_surface *surface, struct wl_array *keys)
{
}

static void handle_leave(void *data, struct wl_keyboard *kb, uint32_t serial,
			 struct wl_surface *surface)
{
	struct wlout_seat *s = data;

	s->held = 0;
}

static void handle_key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time,
		       uint32_t key, uint32_t state)
{
	struct wlout_seat *s = data;
	uint32_t mod = hotkeys_modifier(key);
	int a;

	if (mod) {
		if (state == WL_KEYBOARD_KEY_STATE_PRESSED)
			s->held |= mod;
		else
			s->held &= ~mod;
		return;
	}
	if (state != WL_KEYBOARD_KEY_STATE_PRESSED || !s->listener)
		return;
	a = hotkeys_match(s->hotkeys, s->held, key);
	if (a >= 0)
		s->listener->action(s->data, (enum hotkey_action)a);
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
	.enter = handle_enter,
	.leave = handle_leave,
	.key = handle_key,
	.modifiers = handle_modifiers,
	.repeat_info = handle_repeat_info,
};

static void handle_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wlout_seat *s = data;
	bool has = caps & WL_SEAT_CAPABILITY_KEYBOARD;

	if (has && !s->keyboard) {
		s->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(s->keyboard, &keyboard_listener, s);
	} else if (!has && s->keyboard) {
		wl_keyboard_destroy(s->keyboard);
		s->keyboard = NULL;
		s->held = 0;
	}
}

static void handle_name(void *data, struct wl_seat *seat, const char *name)
{
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = handle_capabilities,
	.name = handle_name,
};

struct wlout_seat *wlout_seat_bind(struct wl_registry *reg, uint32_t name, uint32_t version)
{
	struct wlout_seat *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->seat = wl_registry_bind(reg, name, &wl_seat_interface, version < 5 ? version : 5);
	wl_seat_add_listener(s->seat, &seat_listener, s);
	return s;
}

void wlout_seat_set_listener(struct wlout_seat *s, const struct hotkeys *hotkeys,
			     const struct wlout_seat_listener *listener, void *data)
{
	s->hotkeys = hotkeys;
	s->listener = listener;
	s->data = data;
}

void wlout_seat_destroy(struct wlout_seat *s)
{
	if (!s)
		return;
	if (s->keyboard)
		wl_keyboard_destroy(s->keyboard);
	wl_seat_destroy(s->seat);
	free(s);
}
