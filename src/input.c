// SPDX-License-Identifier: MIT
/* Keyboard and pointer for the guest; see input.h. */
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "input"
#include "input.h"
#include "keymap.h"
#include "log.h"

#define QUEUE_LEN 64
#define BITS (KEY_CNT / 64)

struct input {
	const struct hotkeys *hotkeys;
	const struct input_sink *sink;
	void *sink_data;

	uint64_t down[BITS];	/* down on the seat */
	uint64_t sent[BITS];	/* pressed in the guest, not yet released there */
	uint64_t eaten[BITS];	/* a hotkey's: its release is not the guest's either */
	uint32_t buttons;	/* 1 << enum input_button: pressed in the guest */

	struct input_event q[QUEUE_LEN];
	unsigned int n;
	bool abs_pending;
	int32_t abs_x, abs_y;
	double rel_x, rel_y;	/* motion not sent yet, in guest pixels */
	int32_t wheel_v, wheel_h;	/* in 120ths, less than a detent */

	/* The seat's locks (input_locks()): now, and when the focus left. */
	unsigned int locks, locks_at_leave;
	bool locks_known, left_known;	/* ... once reported */
	bool locks_check;		/* the focus came back: compare at the next report */
};

static bool bit(const uint64_t *set, uint32_t code)
{
	return set[code / 64] & (1ull << (code % 64));
}

static void bit_set(uint64_t *set, uint32_t code, bool on)
{
	if (on)
		set[code / 64] |= 1ull << (code % 64);
	else
		set[code / 64] &= ~(1ull << (code % 64));
}

struct input *input_create(const struct hotkeys *hotkeys)
{
	struct input *in = calloc(1, sizeof(*in));

	if (in)
		in->hotkeys = hotkeys;
	return in;
}

void input_destroy(struct input *in)
{
	free(in);
}

bool input_has_sink(const struct input *in)
{
	return in->sink;
}

/* Modifiers held on the seat (HOTKEY_MOD_*). */
static uint32_t input_mods(const struct input *in)
{
	static const uint32_t mods[] = { KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_LEFTCTRL, KEY_RIGHTCTRL,
					 KEY_LEFTALT, KEY_RIGHTALT, KEY_LEFTMETA, KEY_RIGHTMETA };
	uint32_t held = 0;

	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (bit(in->down, mods[i]))
			held |= hotkeys_modifier(mods[i]);
	return held;
}

/* Everything queued, and the motion after it, goes now; nothing is kept for a sink that failed. */
static void send_all(struct input *in);

static void push(struct input *in, struct input_event ev)
{
	if (in->n == QUEUE_LEN)
		send_all(in);
	in->q[in->n++] = ev;
}

/* The motion waiting, as events at the end of the queue. */
static void push_motion(struct input *in)
{
	int32_t dx = (int32_t)in->rel_x, dy = (int32_t)in->rel_y;

	if (in->abs_pending) {
		in->abs_pending = false;
		push(in, (struct input_event){ .type = INPUT_EV_ABS, .x = in->abs_x, .y = in->abs_y });
	}
	if (dx || dy) {
		in->rel_x -= dx;
		in->rel_y -= dy;
		push(in, (struct input_event){ .type = INPUT_EV_REL, .x = dx, .y = dy });
	}
}

static void forget_guest_state(struct input *in)
{
	memset(in->sent, 0, sizeof(in->sent));
	in->buttons = 0;
}

static void send_all(struct input *in)
{
	unsigned int n;
	int ret;

	push_motion(in);
	n = in->n;
	in->n = 0;
	if (!n || !in->sink)
		return;
	ret = in->sink->send(in->sink_data, in->q, n);
	if (ret < 0)
		forget_guest_state(in);
}

bool input_flush(struct input *in)
{
	bool motion = in->abs_pending || (int32_t)in->rel_x || (int32_t)in->rel_y;

	if (!in->sink) {
		in->n = 0;
		in->abs_pending = false;
		in->rel_x = in->rel_y = 0;
		return false;
	}
	if (in->n || (motion && in->sink->ready(in->sink_data))) {
		send_all(in);
		return false;
	}
	return motion;
}

static void push_key(struct input *in, uint32_t code, bool down)
{
	uint32_t qnum = keymap_qnum(code);

	if (!qnum || !in->sink)
		return;
	push_motion(in);	/* what came before the key goes before it */
	LOG_DBG("key %u (%s) %s", code, keymap_qcode(code), down ? "down" : "up");
	push(in, (struct input_event){ .type = INPUT_EV_KEY, .down = down, .code = qnum });
	bit_set(in->sent, code, down);
}

/* Releases in the guest every key and button it holds. */
static void release_all(struct input *in)
{
	for (uint32_t code = 0; code < KEY_CNT; code++)
		if (bit(in->sent, code))
			push_key(in, code, false);
	for (unsigned int b = 0; b < INPUT_BUTTON_N; b++)
		if (in->buttons & (1u << b))
			push(in, (struct input_event){ .type = INPUT_EV_BUTTON, .code = b });
	in->buttons = 0;
}

void input_set_sink(struct input *in, const struct input_sink *sink, void *data)
{
	if (in->sink) {
		release_all(in);
		send_all(in);
	}
	in->n = 0;
	in->abs_pending = false;
	in->rel_x = in->rel_y = 0;
	forget_guest_state(in);
	in->sink = sink;
	in->sink_data = data;
}

bool input_pointer_relative(const struct input *in)
{
	return in->sink && in->sink->relative && in->sink->relative(in->sink_data);
}

int input_key(struct input *in, uint32_t code, bool down)
{
	int action;

	if (code >= KEY_CNT || bit(in->down, code) == down)
		return -1;
	if (down) {
		action = hotkeys_modifier(code) ? -1 : hotkeys_match(in->hotkeys, input_mods(in), code);
		bit_set(in->down, code, true);
		if (action >= 0) {
			bit_set(in->eaten, code, true);
			return action;
		}
		push_key(in, code, true);
		/* Modifiers alone (release-cursor): they still go to the guest. */
		return hotkeys_modifier(code) ? hotkeys_match_mods(in->hotkeys, input_mods(in)) : -1;
	}
	bit_set(in->down, code, false);
	if (bit(in->eaten, code))
		bit_set(in->eaten, code, false);
	else if (bit(in->sent, code))
		push_key(in, code, false);
	return -1;
}

void input_focus_enter(struct input *in, const uint32_t *keys, unsigned int n)
{
	LOG_DBG("focus in, %u keys held", n);
	in->locks_check = in->left_known;
	for (unsigned int i = 0; i < n; i++) {
		if (keys[i] >= KEY_CNT || bit(in->down, keys[i]))
			continue;
		bit_set(in->down, keys[i], true);
		if (hotkeys_modifier(keys[i]))
			push_key(in, keys[i], true);
	}
}

void input_focus_leave(struct input *in)
{
	LOG_DBG("focus out: what the guest holds is released");
	for (uint32_t code = 0; code < KEY_CNT; code++)
		if (bit(in->sent, code))
			push_key(in, code, false);
	memset(in->down, 0, sizeof(in->down));
	memset(in->eaten, 0, sizeof(in->eaten));
	in->locks_at_leave = in->locks;
	in->left_known = in->locks_known;
	in->locks_check = false;
}

void input_locks(struct input *in, unsigned int locks)
{
	static const struct {
		unsigned int lock;
		uint32_t key;
		const char *name;
	} keys[] = {
		{ INPUT_LOCK_CAPS, KEY_CAPSLOCK, "caps" },
		{ INPUT_LOCK_NUM, KEY_NUMLOCK, "num" },
	};
	unsigned int changed = in->locks_check ? locks ^ in->locks_at_leave : 0;

	in->locks = locks;
	in->locks_known = true;
	in->locks_check = false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!(changed & keys[i].lock) || bit(in->sent, keys[i].key))
			continue;
		LOG_DBG("%s lock went %s while the guest did not have the keyboard: toggled there",
			keys[i].name, locks & keys[i].lock ? "on" : "off");
		push_key(in, keys[i].key, true);
		push_key(in, keys[i].key, false);
	}
}

void input_pointer_abs(struct input *in, double x, double y, uint32_t w, uint32_t h)
{
	if (!w || !h || !in->sink)
		return;
	x = x < 0 ? 0 : x > w ? w : x;
	y = y < 0 ? 0 : y > h ? h : y;
	/* As QEMU scales a display's pointer: [0, w] onto [0, INPUT_ABS_MAX]. */
	in->abs_x = (int32_t)(x * INPUT_ABS_MAX / w);
	in->abs_y = (int32_t)(y * INPUT_ABS_MAX / h);
	in->abs_pending = true;
}

void input_pointer_rel(struct input *in, double dx, double dy)
{
	if (!in->sink)
		return;
	in->rel_x += dx;
	in->rel_y += dy;
}

static void push_button(struct input *in, unsigned int b, bool down)
{
	if (!in->sink || !!(in->buttons & (1u << b)) == down)
		return;
	push_motion(in);
	push(in, (struct input_event){ .type = INPUT_EV_BUTTON, .down = down, .code = b });
	if (down)
		in->buttons |= 1u << b;
	else
		in->buttons &= ~(1u << b);
}

void input_button(struct input *in, uint32_t code, bool down)
{
	/* BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA: consecutive codes. */
	static const enum input_button button[] = {
		INPUT_BUTTON_LEFT, INPUT_BUTTON_RIGHT, INPUT_BUTTON_MIDDLE, INPUT_BUTTON_SIDE,
		INPUT_BUTTON_EXTRA,
	};

	if (code >= BTN_LEFT && code <= BTN_EXTRA)
		push_button(in, button[code - BTN_LEFT], down);
}

/* Whole detents of *@acc as clicks of @minus or @plus. */
static void wheel_clicks(struct input *in, int32_t *acc, unsigned int minus, unsigned int plus)
{
	while (*acc >= 120 || *acc <= -120) {
		unsigned int b = *acc > 0 ? plus : minus;

		*acc += *acc > 0 ? -120 : 120;
		push_button(in, b, true);
		push_button(in, b, false);
	}
}

void input_wheel(struct input *in, int32_t v120, int32_t h120)
{
	if (!in->sink)
		return;
	/* A change of direction starts a new detent. */
	if (v120 && (v120 > 0) != (in->wheel_v > 0))
		in->wheel_v = 0;
	if (h120 && (h120 > 0) != (in->wheel_h > 0))
		in->wheel_h = 0;
	in->wheel_v += v120;
	in->wheel_h += h120;
	wheel_clicks(in, &in->wheel_v, INPUT_BUTTON_WHEEL_UP, INPUT_BUTTON_WHEEL_DOWN);
	wheel_clicks(in, &in->wheel_h, INPUT_BUTTON_WHEEL_LEFT, INPUT_BUTTON_WHEEL_RIGHT);
}

void input_pointer_leave(struct input *in)
{
	for (unsigned int b = 0; b < INPUT_BUTTON_N; b++)
		if (in->buttons & (1u << b))
			push_button(in, b, false);
}

void input_secure_attention(struct input *in)
{
	static const uint32_t chord[] = { KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE };
	bool held[3];

	LOG_INFO("secure attention: Ctrl+Alt+Del to the guest");
	for (int i = 0; i < 3; i++) {
		held[i] = bit(in->sent, chord[i]);
		if (!held[i])
			push_key(in, chord[i], true);
	}
	for (int i = 2; i >= 0; i--)
		if (!held[i])
			push_key(in, chord[i], false);
}
