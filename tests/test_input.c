// SPDX-License-Identifier: MIT
/* input.c and keymap.c: what reaches the VMM for what the seat did. */
#include <errno.h>
#include <linux/input-event-codes.h>

#include "input.h"
#include "keymap.h"
#include "test.h"

static struct {
	struct input_event ev[256];
	unsigned int n, batches;
	bool busy;
	int fail;		/* the next send returns this */
} rec;

static int rec_send(void *data, const struct input_event *ev, unsigned int n)
{
	int ret = rec.fail;

	rec.fail = 0;
	if (ret)
		return ret;
	for (unsigned int i = 0; i < n && rec.n < 256; i++)
		rec.ev[rec.n++] = ev[i];
	rec.batches++;
	return 0;
}

static bool rec_ready(void *data)
{
	return !rec.busy;
}

static const struct input_sink rec_sink = { .send = rec_send, .ready = rec_ready };

static struct hotkeys hk;

static struct input *setup(void)
{
	struct input *in;

	memset(&rec, 0, sizeof(rec));
	hotkeys_default(&hk);
	in = input_create(&hk);
	if (in)
		input_set_sink(in, &rec_sink, NULL);
	return in;
}

/* Event @i of the record is key @code (evdev) going @down. */
static bool is_key(unsigned int i, uint32_t code, bool down)
{
	return i < rec.n && rec.ev[i].type == INPUT_EV_KEY && rec.ev[i].code == keymap_qnum(code) &&
	       rec.ev[i].down == down;
}

static bool is_button(unsigned int i, enum input_button b, bool down)
{
	return i < rec.n && rec.ev[i].type == INPUT_EV_BUTTON && rec.ev[i].code == b &&
	       rec.ev[i].down == down;
}

static void test_keymap(void)
{
	bool seen[256] = { false };
	unsigned int n = 0;

	CHECK_INT_EQ(keymap_qnum(KEY_A), 0x1e);
	CHECK_INT_EQ(keymap_qnum(KEY_ESC), 0x01);
	CHECK_INT_EQ(keymap_qnum(KEY_KPENTER), 0x9c);	/* e0 1c */
	CHECK_INT_EQ(keymap_qnum(KEY_RIGHTCTRL), 0x9d);
	CHECK_INT_EQ(keymap_qnum(KEY_LEFTMETA), 0xdb);
	CHECK_INT_EQ(keymap_qnum(KEY_RESERVED), 0);
	CHECK_INT_EQ(keymap_qnum(KEY_MACRO), 0);	/* no QKeyCode */
	CHECK_INT_EQ(keymap_qnum(BTN_LEFT), 0);
	CHECK_INT_EQ(keymap_qnum(0xffffffffu), 0);
	CHECK(!strcmp(keymap_qcode(KEY_DELETE), "delete"));
	CHECK(keymap_qcode(KEY_MACRO) == NULL);
	/* Every entry once, no two keys with one qnum. */
	for (uint32_t c = keymap_next(0); c; c = keymap_next(c)) {
		uint32_t q = keymap_qnum(c);

		CHECK(q > 0 && q < 256 && !seen[q]);
		seen[q] = true;
		n++;
	}
	CHECK_INT_EQ(n, 159);
}

static void test_keys_in_order(void)
{
	struct input *in = setup();

	CHECK(in);
	CHECK_INT_EQ(input_key(in, KEY_LEFTSHIFT, true), -1);
	CHECK_INT_EQ(input_key(in, KEY_A, true), -1);
	CHECK_INT_EQ(input_key(in, KEY_A, true), -1);	/* not a new press */
	CHECK_INT_EQ(input_key(in, KEY_A, false), -1);
	CHECK_INT_EQ(input_key(in, KEY_LEFTSHIFT, false), -1);
	CHECK_INT_EQ(input_key(in, KEY_MACRO, true), -1);	/* QEMU has none: not sent */
	CHECK_INT_EQ(rec.n, 0);				/* nothing before the flush */
	input_flush(in);
	CHECK_INT_EQ(rec.batches, 1);
	CHECK_INT_EQ(rec.n, 4);
	CHECK(is_key(0, KEY_LEFTSHIFT, true) && is_key(1, KEY_A, true) &&
	      is_key(2, KEY_A, false) && is_key(3, KEY_LEFTSHIFT, false));
	input_destroy(in);
}

/* A hotkey's key is the viewer's, press and release; its modifiers were the guest's. */
static void test_hotkey_not_sent(void)
{
	struct input *in = setup();

	CHECK(in);
	CHECK_INT_EQ(input_key(in, KEY_LEFTCTRL, true), -1);
	/* ctrl+alt, modifiers alone: release-cursor, and both still go to the guest. */
	CHECK_INT_EQ(input_key(in, KEY_LEFTALT, true), HOTKEY_RELEASE_CURSOR);
	CHECK_INT_EQ(input_key(in, KEY_S, true), HOTKEY_CYCLE_SCALE);
	CHECK_INT_EQ(input_key(in, KEY_S, false), -1);
	input_key(in, KEY_LEFTALT, false);
	/* ctrl+s is no hotkey: the guest's. */
	CHECK_INT_EQ(input_key(in, KEY_S, true), -1);
	input_key(in, KEY_S, false);
	input_key(in, KEY_LEFTCTRL, false);
	CHECK_INT_EQ(input_key(in, KEY_F11, true), HOTKEY_TOGGLE_FULLSCREEN);
	input_key(in, KEY_F11, false);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 6);
	CHECK(is_key(0, KEY_LEFTCTRL, true) && is_key(1, KEY_LEFTALT, true) &&
	      is_key(2, KEY_LEFTALT, false) && is_key(3, KEY_S, true) && is_key(4, KEY_S, false) &&
	      is_key(5, KEY_LEFTCTRL, false));
	/* With no hotkeys, F11 is the guest's. */
	hk = (struct hotkeys){ 0 };
	CHECK_INT_EQ(input_key(in, KEY_F11, true), -1);
	input_flush(in);
	CHECK(is_key(6, KEY_F11, true));
	input_destroy(in);
}

/* release-cursor is the modifiers alone: not with shift too, and as the user set it. */
static void test_release_cursor(void)
{
	struct input *in = setup();
	const char *why;

	CHECK(in);
	CHECK_INT_EQ(input_key(in, KEY_LEFTSHIFT, true), -1);
	CHECK_INT_EQ(input_key(in, KEY_RIGHTCTRL, true), -1);
	CHECK_INT_EQ(input_key(in, KEY_RIGHTALT, true), -1);	/* shift+ctrl+alt */
	input_key(in, KEY_LEFTSHIFT, false);
	input_key(in, KEY_RIGHTALT, false);
	CHECK_INT_EQ(input_key(in, KEY_RIGHTALT, true), HOTKEY_RELEASE_CURSOR);
	input_key(in, KEY_RIGHTALT, false);
	input_key(in, KEY_RIGHTCTRL, false);
	CHECK_INT_EQ(hotkeys_parse("release-cursor=shift+super", &hk, &why), 0);
	CHECK_INT_EQ(input_key(in, KEY_LEFTMETA, true), -1);
	CHECK_INT_EQ(input_key(in, KEY_LEFTSHIFT, true), HOTKEY_RELEASE_CURSOR);
	input_flush(in);
	CHECK(is_key(rec.n - 1, KEY_LEFTSHIFT, true));
	input_destroy(in);
}

/* The sink says which pointer the guest has; no sink or no answer: absolute. */
static bool rel_answer;

static bool rec_relative(void *data)
{
	return rel_answer;
}

static void test_pointer_relative(void)
{
	static const struct input_sink rel_sink = { .send = rec_send, .ready = rec_ready,
						    .relative = rec_relative };
	struct input *in = setup();

	CHECK(in);
	CHECK(!input_pointer_relative(in));
	input_set_sink(in, &rel_sink, NULL);
	CHECK(!input_pointer_relative(in));
	rel_answer = true;
	CHECK(input_pointer_relative(in));
	input_pointer_rel(in, 3.5, -2);
	input_pointer_rel(in, 1, -1);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 1);
	CHECK(rec.ev[0].type == INPUT_EV_REL && rec.ev[0].x == 4 && rec.ev[0].y == -3);
	input_set_sink(in, NULL, NULL);
	CHECK(!input_pointer_relative(in));
	rel_answer = false;
	input_destroy(in);
}

static void test_focus(void)
{
	struct input *in = setup();
	const uint32_t held[] = { KEY_RIGHTSHIFT, KEY_B };

	CHECK(in);
	input_key(in, KEY_LEFTCTRL, true);
	input_key(in, KEY_X, true);
	input_focus_leave(in);		/* both released in the guest */
	input_key(in, KEY_X, false);	/* came after: not the guest's */
	input_flush(in);
	CHECK_INT_EQ(rec.n, 4);
	CHECK(is_key(2, KEY_LEFTCTRL, false) || is_key(2, KEY_X, false));
	CHECK(is_key(3, KEY_LEFTCTRL, false) || is_key(3, KEY_X, false));
	/* Back with right shift and b held: shift is pressed in the guest, b is not typed. */
	input_focus_enter(in, held, 2);
	input_key(in, KEY_B, false);
	input_key(in, KEY_RIGHTSHIFT, false);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 6);
	CHECK(is_key(4, KEY_RIGHTSHIFT, true) && is_key(5, KEY_RIGHTSHIFT, false));
	input_destroy(in);
}

/*
 * Lock keys pressed while the guest did not have the keyboard: toggled in
 * the guest at the first report after the focus came back, and only then.
 */
static void test_locks(void)
{
	struct input *in = setup();

	CHECK(in);
	/* Nothing known before the first focus: nothing to do. */
	input_focus_leave(in);
	input_focus_enter(in, NULL, 0);
	input_locks(in, INPUT_LOCK_CAPS);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 0);

	/* Caps lock went off elsewhere. */
	input_focus_leave(in);
	input_focus_enter(in, NULL, 0);
	input_locks(in, 0);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 2);
	CHECK(is_key(0, KEY_CAPSLOCK, true) && is_key(1, KEY_CAPSLOCK, false));

	/* Unchanged while away; then changed here, by a key the guest got. */
	input_focus_leave(in);
	input_focus_enter(in, NULL, 0);
	input_locks(in, 0);
	input_key(in, KEY_NUMLOCK, true);
	input_key(in, KEY_NUMLOCK, false);
	input_locks(in, INPUT_LOCK_NUM);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 4);
	CHECK(is_key(2, KEY_NUMLOCK, true) && is_key(3, KEY_NUMLOCK, false));

	/* Both changed while away: both toggled, once. */
	input_focus_leave(in);
	input_focus_enter(in, NULL, 0);
	input_locks(in, INPUT_LOCK_CAPS);
	input_locks(in, INPUT_LOCK_CAPS);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 8);
	CHECK(is_key(4, KEY_CAPSLOCK, true) && is_key(5, KEY_CAPSLOCK, false));
	CHECK(is_key(6, KEY_NUMLOCK, true) && is_key(7, KEY_NUMLOCK, false));

	/* A report while away (none should come) is no return: compared with the leaving's. */
	input_focus_leave(in);
	input_locks(in, 0);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 8);
	input_focus_enter(in, NULL, 0);
	input_locks(in, 0);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 10);
	CHECK(is_key(8, KEY_CAPSLOCK, true) && is_key(9, KEY_CAPSLOCK, false));
	input_destroy(in);
}

static void test_motion_coalesced(void)
{
	struct input *in = setup();

	CHECK(in);
	for (int i = 0; i < 100; i++)
		input_pointer_abs(in, i, 2 * i, 1024, 768);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 1);
	CHECK_INT_EQ(rec.ev[0].type, INPUT_EV_ABS);
	CHECK_INT_EQ(rec.ev[0].x, 99 * INPUT_ABS_MAX / 1024);
	CHECK_INT_EQ(rec.ev[0].y, 198 * INPUT_ABS_MAX / 768);
	/* Busy: motion waits and is coalesced, ... */
	rec.busy = true;
	input_pointer_abs(in, 10, 10, 1024, 768);
	CHECK(input_flush(in));
	input_pointer_abs(in, 1024.5, -3, 1024, 768);	/* clamped to the frame */
	CHECK(input_flush(in));
	CHECK_INT_EQ(rec.n, 1);
	/* ... but a button goes at once, after the motion before it. */
	input_button(in, BTN_LEFT, true);
	CHECK(!input_flush(in));
	CHECK_INT_EQ(rec.n, 3);
	CHECK(rec.ev[1].type == INPUT_EV_ABS && rec.ev[1].x == INPUT_ABS_MAX && rec.ev[1].y == 0);
	CHECK(is_button(2, INPUT_BUTTON_LEFT, true));
	/* Relative motion sums to whole pixels, the rest kept. */
	rec.busy = false;
	input_pointer_rel(in, 0.75, -2.5);
	input_pointer_rel(in, 0.75, 0);
	input_flush(in);
	CHECK(rec.n == 4 && rec.ev[3].type == INPUT_EV_REL && rec.ev[3].x == 1 && rec.ev[3].y == -2);
	input_pointer_rel(in, 0.5, 0.5);
	input_flush(in);
	CHECK(rec.n == 5 && rec.ev[4].x == 1 && rec.ev[4].y == 0);
	/* A key goes after the motion before it, in the same batch. */
	input_pointer_abs(in, 0, 0, 1024, 768);
	input_key(in, KEY_A, true);
	input_pointer_abs(in, 1, 0, 1024, 768);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 8);
	CHECK(rec.ev[5].type == INPUT_EV_ABS && rec.ev[5].x == 0 && is_key(6, KEY_A, true) &&
	      rec.ev[7].type == INPUT_EV_ABS && rec.ev[7].x == INPUT_ABS_MAX / 1024);
	input_destroy(in);
}

static void test_buttons_and_wheel(void)
{
	struct input *in = setup();

	CHECK(in);
	input_button(in, BTN_RIGHT, true);
	input_button(in, BTN_RIGHT, true);	/* no second press */
	input_button(in, BTN_TASK, true);	/* no QEMU name */
	input_wheel(in, 60, 0);
	input_wheel(in, 60, 0);			/* one detent down */
	input_wheel(in, -240, 0);		/* two up */
	input_wheel(in, 0, 120);		/* one right */
	input_pointer_leave(in);		/* right released */
	input_flush(in);
	CHECK_INT_EQ(rec.n, 10);
	CHECK(is_button(0, INPUT_BUTTON_RIGHT, true));
	CHECK(is_button(1, INPUT_BUTTON_WHEEL_DOWN, true) && is_button(2, INPUT_BUTTON_WHEEL_DOWN, false));
	CHECK(is_button(3, INPUT_BUTTON_WHEEL_UP, true) && is_button(4, INPUT_BUTTON_WHEEL_UP, false));
	CHECK(is_button(5, INPUT_BUTTON_WHEEL_UP, true) && is_button(6, INPUT_BUTTON_WHEEL_UP, false));
	CHECK(is_button(7, INPUT_BUTTON_WHEEL_RIGHT, true) &&
	      is_button(8, INPUT_BUTTON_WHEEL_RIGHT, false));
	CHECK(is_button(9, INPUT_BUTTON_RIGHT, false));
	input_destroy(in);
}

static void test_secure_attention(void)
{
	struct input *in = setup();

	CHECK(in);
	input_secure_attention(in);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 6);
	CHECK(is_key(0, KEY_LEFTCTRL, true) && is_key(1, KEY_LEFTALT, true) &&
	      is_key(2, KEY_DELETE, true) && is_key(3, KEY_DELETE, false) &&
	      is_key(4, KEY_LEFTALT, false) && is_key(5, KEY_LEFTCTRL, false));
	/* Ctrl held by the user stays held in the guest. */
	input_key(in, KEY_LEFTCTRL, true);
	input_secure_attention(in);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 6 + 5);
	CHECK(is_key(6, KEY_LEFTCTRL, true) && is_key(10, KEY_LEFTALT, false));
	input_destroy(in);
}

static void test_no_sink_and_failure(void)
{
	struct input *in = setup();

	CHECK(in);
	input_set_sink(in, NULL, NULL);
	input_key(in, KEY_A, true);
	input_pointer_abs(in, 5, 5, 10, 10);
	CHECK(!input_flush(in));
	/* Hotkeys still work without a VMM. */
	input_key(in, KEY_LEFTCTRL, true);
	input_key(in, KEY_LEFTALT, true);
	CHECK_INT_EQ(input_key(in, KEY_Q, true), HOTKEY_QUIT);
	input_set_sink(in, &rec_sink, NULL);
	input_key(in, KEY_A, false);		/* its press never went: no release */
	input_flush(in);
	CHECK_INT_EQ(rec.n, 0);
	/* A sink that fails: what was held is forgotten, not released later. */
	input_key(in, KEY_B, true);
	rec.fail = -EPIPE;
	input_flush(in);
	input_focus_leave(in);
	input_flush(in);
	CHECK_INT_EQ(rec.n, 0);
	/* Changing sinks releases what the old one's guest holds. */
	input_key(in, KEY_C, true);
	input_flush(in);
	input_set_sink(in, NULL, NULL);
	CHECK_INT_EQ(rec.n, 2);
	CHECK(is_key(0, KEY_C, true) && is_key(1, KEY_C, false));
	input_destroy(in);
}

/* More events than the queue holds: none lost, in order. */
static void test_queue_overflow(void)
{
	struct input *in = setup();

	CHECK(in);
	for (int i = 0; i < 50; i++) {
		input_key(in, KEY_A, true);
		input_key(in, KEY_A, false);
	}
	input_flush(in);
	CHECK_INT_EQ(rec.n, 100);
	for (unsigned int i = 0; i < 100; i++)
		CHECK(is_key(i, KEY_A, i % 2 == 0));
	CHECK(rec.batches >= 2);
	input_destroy(in);
}

int main(void)
{
	RUN_TEST(test_keymap);
	RUN_TEST(test_keys_in_order);
	RUN_TEST(test_hotkey_not_sent);
	RUN_TEST(test_release_cursor);
	RUN_TEST(test_pointer_relative);
	RUN_TEST(test_focus);
	RUN_TEST(test_locks);
	RUN_TEST(test_motion_coalesced);
	RUN_TEST(test_buttons_and_wheel);
	RUN_TEST(test_secure_attention);
	RUN_TEST(test_no_sink_and_failure);
	RUN_TEST(test_queue_overflow);
	return TEST_EXIT_STATUS();
}
