// SPDX-License-Identifier: MIT
/* The Wayland presenter's seat; see wl_seat.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <wayland-client.h>

#define LOG_MODULE "wayland"
#include "input.h"
#include "log.h"
#include "wl_seat.h"

/* wl_pointer 8: axis_value120. */
#define SEAT_VERSION 8

struct wlout_seat {
	struct wl_seat *seat;
	uint32_t version;
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct wl_surface *pointer_surface;	/* where the pointer is; NULL: not ours */
	int32_t v120[2];			/* this frame's wheel, [vertical, horizontal] */
	bool have_v120;				/* ... given in 120ths */
	int32_t discrete[2];			/* ... in detents (wl_pointer 5 to 7) */

	struct input *input;
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
	struct wlout_seat *s = data;

	if (s->input)
		input_focus_enter(s->input, keys->data, (unsigned int)(keys->size / sizeof(uint32_t)));
}

static void handle_leave(void *data, struct wl_keyboard *kb, uint32_t serial,
			 struct wl_surface *surface)
{
	struct wlout_seat *s = data;

	if (s->input)
		input_focus_leave(s->input);
}

static void handle_key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time,
		       uint32_t key, uint32_t state)
{
	struct wlout_seat *s = data;
	int a;

	if (!s->input)
		return;
	a = input_key(s->input, key, state == WL_KEYBOARD_KEY_STATE_PRESSED);
	if (a >= 0) {
		LOG_INFO("hotkey: %s", hotkeys_action_name((enum hotkey_action)a));
		s->listener->action(s->data, (enum hotkey_action)a);
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
	.enter = handle_enter,
	.leave = handle_leave,
	.key = handle_key,
	.modifiers = handle_modifiers,
	.repeat_info = handle_repeat_info,
};

static void pointer_enter(void *data, struct wl_pointer *p, uint32_t serial,
			  struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y)
{
	struct wlout_seat *s = data;

	s->pointer_surface = surface;
	if (s->input)
		s->listener->motion(s->data, surface, wl_fixed_to_double(x), wl_fixed_to_double(y));
}

static void pointer_leave(void *data, struct wl_pointer *p, uint32_t serial,
			  struct wl_surface *surface)
{
	struct wlout_seat *s = data;

	s->pointer_surface = NULL;
	if (s->input)
		input_pointer_leave(s->input);
}

static void pointer_motion(void *data, struct wl_pointer *p, uint32_t time, wl_fixed_t x,
			   wl_fixed_t y)
{
	struct wlout_seat *s = data;

	if (s->input && s->pointer_surface)
		s->listener->motion(s->data, s->pointer_surface, wl_fixed_to_double(x),
				    wl_fixed_to_double(y));
}

static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t time,
			   uint32_t button, uint32_t state)
{
	struct wlout_seat *s = data;

	if (s->input)
		input_button(s->input, button, state == WL_POINTER_BUTTON_STATE_PRESSED);
}

static void pointer_axis(void *data, struct wl_pointer *p, uint32_t time, uint32_t axis,
			 wl_fixed_t value)
{
	/* Continuous scrolling (a touchpad) has no detents: the guest's wheel does not take it. */
}

static void pointer_frame(void *data, struct wl_pointer *p)
{
	struct wlout_seat *s = data;

	if (s->input) {
		if (s->have_v120)
			input_wheel(s->input, s->v120[0], s->v120[1]);
		else if (s->discrete[0] || s->discrete[1])
			input_wheel(s->input, s->discrete[0] * 120, s->discrete[1] * 120);
	}
	s->v120[0] = s->v120[1] = 0;
	s->discrete[0] = s->discrete[1] = 0;
	s->have_v120 = false;
}

static void pointer_axis_source(void *data, struct wl_pointer *p, uint32_t source)
{
}

static void pointer_axis_stop(void *data, struct wl_pointer *p, uint32_t time, uint32_t axis)
{
}

static void pointer_axis_discrete(void *data, struct wl_pointer *p, uint32_t axis, int32_t n)
{
	struct wlout_seat *s = data;

	if (axis <= WL_POINTER_AXIS_HORIZONTAL_SCROLL)
		s->discrete[axis] += n;
}

static void pointer_axis_value120(void *data, struct wl_pointer *p, uint32_t axis, int32_t v)
{
	struct wlout_seat *s = data;

	if (axis <= WL_POINTER_AXIS_HORIZONTAL_SCROLL) {
		s->v120[axis] += v;
		s->have_v120 = true;
	}
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
	.frame = pointer_frame,
	.axis_source = pointer_axis_source,
	.axis_stop = pointer_axis_stop,
	.axis_discrete = pointer_axis_discrete,
	.axis_value120 = pointer_axis_value120,
};

static void handle_capabilities(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wlout_seat *s = data;
	bool kb = caps & WL_SEAT_CAPABILITY_KEYBOARD, ptr = caps & WL_SEAT_CAPABILITY_POINTER;

	if (kb && !s->keyboard) {
		s->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(s->keyboard, &keyboard_listener, s);
	} else if (!kb && s->keyboard) {
		wl_keyboard_destroy(s->keyboard);
		s->keyboard = NULL;
		if (s->input)
			input_focus_leave(s->input);
	}
	if (ptr && !s->pointer) {
		s->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(s->pointer, &pointer_listener, s);
	} else if (!ptr && s->pointer) {
		wl_pointer_destroy(s->pointer);
		s->pointer = NULL;
		s->pointer_surface = NULL;
		if (s->input)
			input_pointer_leave(s->input);
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
	s->version = version < SEAT_VERSION ? version : SEAT_VERSION;
	s->seat = wl_registry_bind(reg, name, &wl_seat_interface, s->version);
	wl_seat_add_listener(s->seat, &seat_listener, s);
	return s;
}

void wlout_seat_set_listener(struct wlout_seat *s, struct input *input,
			     const struct wlout_seat_listener *listener, void *data)
{
	s->input = input;
	s->listener = listener;
	s->data = data;
}

void wlout_seat_destroy(struct wlout_seat *s)
{
	if (!s)
		return;
	if (s->pointer)
		wl_pointer_destroy(s->pointer);
	if (s->keyboard)
		wl_keyboard_destroy(s->keyboard);
	wl_seat_destroy(s->seat);
	free(s);
}
