// SPDX-License-Identifier: MIT
/* The Wayland presenter's seat; see wl_seat.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <wayland-client.h>

#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"

#define LOG_MODULE "wayland"
#include "input.h"
#include "log.h"
#include "wl_conn.h"
#include "wl_seat.h"
#include "wl_shm.h"

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
	uint32_t enter_serial;			/* the pointer's, for set_cursor */

	/* The grab (a guest with a relative pointer); lock NULL: none. */
	struct zwp_locked_pointer_v1 *lock;
	struct zwp_relative_pointer_v1 *relative;
	struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor;
	uint32_t grab_button;			/* the click that grabbed: its release is ours */

	/* The pointer's picture over our surfaces (wlout_seat_set_look()). */
	enum wlout_look look;
	struct wl_surface *image;
	int32_t hot_x, hot_y;
	struct wl_surface *arrow;
	struct wlout_shm arrow_buf;
	struct wlout_conn *conn;

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
		/* release-cursor is every ctrl+alt: said when it lets a grab go. */
		if (a != HOTKEY_RELEASE_CURSOR)
			LOG_INFO("hotkey: %s", hotkeys_action_name((enum hotkey_action)a));
		s->listener->action(s->data, (enum hotkey_action)a);
	}
}

/*
 * The masks are xkbcommon's serialization, whose first eight modifiers are
 * X11's real ones in their order whatever the keymap: Lock (caps lock) is
 * 1, and Mod2, num lock's in every standard keymap, is 4.
 */
#define XKB_MOD_LOCK (1u << 1)
#define XKB_MOD_MOD2 (1u << 4)

static void handle_modifiers(void *data, struct wl_keyboard *kb, uint32_t serial,
			     uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group)
{
	struct wlout_seat *s = data;

	if (s->input)
		input_locks(s->input, (locked & XKB_MOD_LOCK ? INPUT_LOCK_CAPS : 0) |
				      (locked & XKB_MOD_MOD2 ? INPUT_LOCK_NUM : 0));
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

static void apply_look(struct wlout_seat *s);

static void pointer_enter(void *data, struct wl_pointer *p, uint32_t serial,
			  struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y)
{
	struct wlout_seat *s = data;

	s->pointer_surface = surface;
	s->enter_serial = serial;
	if (s->lock) {
		wl_pointer_set_cursor(p, serial, NULL, 0, 0);
		return;
	}
	if (s->listener && s->listener->over)
		s->listener->over(s->data, surface);
	apply_look(s);
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
	if (s->listener && s->listener->over)
		s->listener->over(s->data, NULL);
}

static void pointer_motion(void *data, struct wl_pointer *p, uint32_t time, wl_fixed_t x,
			   wl_fixed_t y)
{
	struct wlout_seat *s = data;

	if (s->input && s->pointer_surface && !s->lock)
		s->listener->motion(s->data, s->pointer_surface, wl_fixed_to_double(x),
				    wl_fixed_to_double(y));
}

static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t time,
			   uint32_t button, uint32_t state)
{
	struct wlout_seat *s = data;
	bool down = state == WL_POINTER_BUTTON_STATE_PRESSED;

	if (!s->input)
		return;
	if (!down && button == s->grab_button) {
		s->grab_button = 0;
		return;
	}
	/* A click that grabs the pointer is the viewer's, not the guest's. */
	if (down && !s->lock && s->pointer_surface && s->listener->press &&
	    s->listener->press(s->data, s->pointer_surface)) {
		s->grab_button = button;
		return;
	}
	input_button(s->input, button, down);
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

/* ---- The grab ---- */

static void relative_motion(void *data, struct zwp_relative_pointer_v1 *r, uint32_t hi,
			    uint32_t lo, wl_fixed_t dx, wl_fixed_t dy, wl_fixed_t dx_raw,
			    wl_fixed_t dy_raw)
{
	struct wlout_seat *s = data;

	/* Accelerated, as the user's pointer moves elsewhere. */
	if (s->input)
		input_pointer_rel(s->input, wl_fixed_to_double(dx), wl_fixed_to_double(dy));
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
	.relative_motion = relative_motion,
};

static void locked(void *data, struct zwp_locked_pointer_v1 *l)
{
	LOG_INFO("pointer grabbed: its motion goes to the guest; release-cursor lets it go");
}

static void unlocked(void *data, struct zwp_locked_pointer_v1 *l)
{
	/* A oneshot lock is over for good: the window lost the pointer. */
	wlout_seat_ungrab(data, "the compositor ended the grab");
}

static const struct zwp_locked_pointer_v1_listener lock_listener = {
	.locked = locked,
	.unlocked = unlocked,
};

/* A 9x14 arrow ('#' black, '.' white). */
static const char *const arrow_rows[] = {
	"#        ", "##       ", "#.#      ", "#..#     ", "#...#    ", "#....#   ",
	"#.....#  ", "#......# ", "#.......#", "#....####", "#..#.#   ", "#.# #.#  ",
	"##   #.# ", "      ## ",
};

static void show_arrow(struct wlout_seat *s, struct wlout_conn *c)
{
	const uint32_t w = 9, h = sizeof(arrow_rows) / sizeof(arrow_rows[0]);

	if (!c)
		return;
	if (!s->arrow) {
		if (wlout_shm_init(&s->arrow_buf, c->shm, w, h, WL_SHM_FORMAT_ARGB8888, 4))
			return;
		for (uint32_t y = 0; y < h; y++)
			for (uint32_t x = 0; x < w; x++)
				((uint32_t *)s->arrow_buf.data)[y * w + x] =
					arrow_rows[y][x] == '#' ? 0xff000000 :
					arrow_rows[y][x] == '.' ? 0xffffffff : 0;
		s->arrow = wl_compositor_create_surface(c->compositor);
		wl_surface_attach(s->arrow, s->arrow_buf.buffer, 0, 0);
		wl_surface_damage_buffer(s->arrow, 0, 0, (int32_t)w, (int32_t)h);
		wl_surface_commit(s->arrow);
	}
	wl_pointer_set_cursor(s->pointer, s->enter_serial, s->arrow, 0, 0);
}

/* The picture wlout_seat_set_look() asked for, while the pointer is ours and free. */
static void apply_look(struct wlout_seat *s)
{
	if (!s->pointer || !s->pointer_surface || s->lock)
		return;
	if (s->look == WLOUT_LOOK_ARROW)
		show_arrow(s, s->conn);
	else
		wl_pointer_set_cursor(s->pointer, s->enter_serial,
				      s->look == WLOUT_LOOK_IMAGE ? s->image : NULL, s->hot_x,
				      s->hot_y);
}

void wlout_seat_set_look(struct wlout_seat *s, struct wlout_conn *c, enum wlout_look look,
			 struct wl_surface *image, int32_t hot_x, int32_t hot_y)
{
	if (!s)
		return;
	s->conn = c;
	if (look == s->look && (look != WLOUT_LOOK_IMAGE ||
				(image == s->image && hot_x == s->hot_x && hot_y == s->hot_y)))
		return;
	s->look = look;
	s->image = image;
	s->hot_x = hot_x;
	s->hot_y = hot_y;
	apply_look(s);
}

/* The compositor may grant the inhibitor, refuse it, or take it back (its own escape chord). */
static void inhibitor_active(void *data, struct zwp_keyboard_shortcuts_inhibitor_v1 *i)
{
	LOG_INFO("the compositor's shortcuts go to the guest while the pointer is grabbed");
}

static void inhibitor_inactive(void *data, struct zwp_keyboard_shortcuts_inhibitor_v1 *i)
{
	LOG_INFO("the compositor keeps its shortcuts");
}

static const struct zwp_keyboard_shortcuts_inhibitor_v1_listener inhibitor_listener = {
	.active = inhibitor_active,
	.inactive = inhibitor_inactive,
};

int wlout_seat_grab(struct wlout_seat *s, struct wlout_conn *c, struct wl_surface *surface)
{
	if (s->lock)
		return 0;
	if (!s->pointer || !c->relative_manager || !c->constraints)
		return -ENOTSUP;
	s->conn = c;
	s->lock = zwp_pointer_constraints_v1_lock_pointer(c->constraints, surface, s->pointer, NULL,
		ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_ONESHOT);
	zwp_locked_pointer_v1_add_listener(s->lock, &lock_listener, s);
	s->relative = zwp_relative_pointer_manager_v1_get_relative_pointer(c->relative_manager,
									   s->pointer);
	zwp_relative_pointer_v1_add_listener(s->relative, &relative_listener, s);
	/* Where the compositor offers it, its own shortcuts (alt+tab...) go to the guest too. */
	if (c->shortcuts_manager) {
		s->inhibitor = zwp_keyboard_shortcuts_inhibit_manager_v1_inhibit_shortcuts(
			c->shortcuts_manager, surface, s->seat);
		zwp_keyboard_shortcuts_inhibitor_v1_add_listener(s->inhibitor, &inhibitor_listener,
								 s);
	}
	wl_pointer_set_cursor(s->pointer, s->enter_serial, NULL, 0, 0);
	if (s->input)
		input_pointer_leave(s->input);	/* buttons held go up: a new pointer */
	return 0;
}

bool wlout_seat_grabbed(const struct wlout_seat *s)
{
	return s && s->lock;
}

/* The grab's protocol objects go; nothing is said or sent. */
static void grab_destroy(struct wlout_seat *s)
{
	zwp_locked_pointer_v1_destroy(s->lock);
	zwp_relative_pointer_v1_destroy(s->relative);
	if (s->inhibitor)
		zwp_keyboard_shortcuts_inhibitor_v1_destroy(s->inhibitor);
	s->lock = NULL;
	s->relative = NULL;
	s->inhibitor = NULL;
}

void wlout_seat_ungrab(struct wlout_seat *s, const char *why)
{
	if (!s || !s->lock)
		return;
	grab_destroy(s);
	if (s->input)
		input_pointer_leave(s->input);
	apply_look(s);
	LOG_INFO("pointer released: %s", why);
}

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
		wlout_seat_ungrab(s, "the seat has no pointer now");
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
	if (s->lock)
		grab_destroy(s);
	if (s->arrow)
		wl_surface_destroy(s->arrow);
	wlout_shm_finish(&s->arrow_buf);
	if (s->pointer)
		wl_pointer_destroy(s->pointer);
	if (s->keyboard)
		wl_keyboard_destroy(s->keyboard);
	wl_seat_destroy(s->seat);
	free(s);
}
