/* SPDX-License-Identifier: MIT */
/*
 * Keyboard and pointer for the guest (input_): what the presenters' seats
 * report (evdev key and button codes, the pointer in guest pixels) becomes
 * events for the VMM, in order, handed to a sink (QMP today) in batches.
 *
 * - Hotkeys are matched here, for every presenter: a key that completes a
 *   chord is the viewer's, and neither its press nor its release reaches
 *   the guest.  A chord of modifiers alone (release-cursor's ctrl+alt)
 *   fires on the press that completes it, and the modifiers still reach
 *   the guest, as in virt-viewer.
 * - Keys held in the guest are remembered: when the keyboard focus leaves,
 *   or the sink changes, they are released there (no stuck keys); a key
 *   whose press the guest did not get does not send it a release.
 * - Motion is coalesced: within one batch (a Wayland frame, one libinput
 *   dispatch), and for as long as the sink is busy, only the newest
 *   absolute position and the sum of relative motion are kept.  Keys and
 *   buttons are never dropped nor reordered against motion: a key flushes
 *   the motion before it.
 */
#ifndef VGPU_VIEWER_INPUT_H
#define VGPU_VIEWER_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "hotkeys.h"

/* Buttons as QEMU's InputButton names them (its order). */
enum input_button {
	INPUT_BUTTON_LEFT,
	INPUT_BUTTON_MIDDLE,
	INPUT_BUTTON_RIGHT,
	INPUT_BUTTON_WHEEL_UP,
	INPUT_BUTTON_WHEEL_DOWN,
	INPUT_BUTTON_SIDE,
	INPUT_BUTTON_EXTRA,
	INPUT_BUTTON_WHEEL_LEFT,
	INPUT_BUTTON_WHEEL_RIGHT,
	INPUT_BUTTON_N,
};

/* Absolute positions go to the VMM as 0..INPUT_ABS_MAX on each axis (QEMU's range). */
#define INPUT_ABS_MAX 0x7fff

enum input_event_type {
	INPUT_EV_KEY,		/* @code: a qnum */
	INPUT_EV_BUTTON,	/* @code: enum input_button */
	INPUT_EV_ABS,		/* @x, @y: 0..INPUT_ABS_MAX */
	INPUT_EV_REL,		/* @x, @y: motion in guest pixels */
};

struct input_event {
	enum input_event_type type;
	bool down;
	uint32_t code;
	int32_t x, y;
};

struct input_sink {
	/*
	 * One batch, in order.  Returns 0 or -errno (the sink is gone; the
	 * events are dropped, and the keys they pressed count as released).
	 */
	int (*send)(void *data, const struct input_event *ev, unsigned int n);
	/* Whether motion should be sent now; false: keep coalescing it. */
	bool (*ready)(void *data);
	/*
	 * Whether the guest's pointer is relative (a mouse, no tablet): the
	 * presenters then send motion, not positions.  NULL: absolute.
	 */
	bool (*relative)(void *data);
};

struct input;

/* A hotkey of @hotkeys was pressed: what it does is the presenter's. */
typedef void (*input_action_fn)(void *data, enum hotkey_action a);

/* @hotkeys is kept, not copied.  NULL when out of memory. */
struct input *input_create(const struct hotkeys *hotkeys);
void input_destroy(struct input *in);

/*
 * Where events go: @sink with @data, or NULL for nowhere (view-only, or
 * no VMM yet).  Keys held in the old sink's guest are released there first.
 */
void input_set_sink(struct input *in, const struct input_sink *sink, void *data);
bool input_has_sink(const struct input *in);
/* Whether the sink says the guest's pointer is relative (see input_sink). */
bool input_pointer_relative(const struct input *in);

/*
 * Key @code (evdev) went down or up on the seat (once per seat: a second
 * keyboard's press of a held key is not a new one).  Returns the hotkey
 * action it completes, or -1.
 */
int input_key(struct input *in, uint32_t code, bool down);

/*
 * The keyboard focus came with @keys (evdev codes) already down: held
 * modifiers are pressed in the guest, so that its modifier state is the
 * seat's; other keys are not typed.  Leaving releases every key held in
 * the guest.
 */
void input_focus_enter(struct input *in, const uint32_t *keys, unsigned int n);
void input_focus_leave(struct input *in);

/* Lock keys, for input_locks(). */
enum {
	INPUT_LOCK_CAPS = 1u << 0,
	INPUT_LOCK_NUM = 1u << 1,
};

/*
 * The seat's locks (INPUT_LOCK_*), with each report of them (Wayland:
 * wl_keyboard.modifiers).  A lock whose key was pressed while the guest
 * did not have the keyboard changed on the seat and not in the guest: the
 * first report after the focus came back finds it changed since the focus
 * left, and its key is pressed and released in the guest, so that the
 * guest's lock keeps following the seat's.  (Which state the guest was in
 * before is not known over QMP: a guest that differs from the seat from
 * the start goes on differing, as its own lock key would leave it.)
 */
void input_locks(struct input *in, unsigned int locks);

/*
 * The pointer at (@x, @y) in the guest's @w x @h frame, in pixels (a
 * pixel's centre is at +0.5); clamped to the frame.
 */
void input_pointer_abs(struct input *in, double x, double y, uint32_t w, uint32_t h);
/* Relative motion, in guest pixels (accumulated to whole pixels). */
void input_pointer_rel(struct input *in, double dx, double dy);
/*
 * Evdev button @code (BTN_LEFT...) went down or up.  Buttons without a
 * QEMU name are ignored.
 */
void input_button(struct input *in, uint32_t code, bool down);
/*
 * Wheel motion in 120ths of a detent (wl_pointer.axis_value120, libinput's
 * v120), positive down and right: each whole detent is a wheel button's
 * press and release.
 */
void input_wheel(struct input *in, int32_t v120, int32_t h120);
/* The pointer left: buttons held in the guest are released. */
void input_pointer_leave(struct input *in);

/* Ctrl+Alt+Del to the guest (the secure-attention hotkey). */
void input_secure_attention(struct input *in);

/*
 * End of a batch: what is queued goes to the sink (motion only when the
 * sink is ready: call again when it is).  Returns whether motion is still
 * held back.
 */
bool input_flush(struct input *in);

#endif
