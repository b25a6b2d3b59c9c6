// SPDX-License-Identifier: MIT
#include <errno.h>
#include <libinput.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "input"
#include "input.h"
#include "kms_input.h"
#include "kms_seat.h"
#include "latency.h"
#include "log.h"
#include "stats.h"

/* libinput_event_pointer_get_absolute_x_transformed()'s width, for 0..1. */
#define ABS_UNITS 65536

struct kms_input {
	struct kms_seat *seat;
	struct udev *udev;
	struct libinput *li;
	struct input *input;
	const struct kms_input_listener *listener;
	void *data;
	unsigned int keyboards, pointers;
	struct latency keys;	/* presses, the kernel's timestamp to their handling here */
};

static int open_restricted(const char *path, int flags, void *data)
{
	struct kms_input *k = data;

	return kms_seat_open(k->seat, path);
}

static void close_restricted(int fd, void *data)
{
	struct kms_input *k = data;

	kms_seat_close(k->seat, fd);
}

static const struct libinput_interface interface = {
	.open_restricted = open_restricted,
	.close_restricted = close_restricted,
};

static void handle_key(struct kms_input *k, struct libinput_event_keyboard *ev)
{
	uint32_t key = libinput_event_keyboard_get_key(ev);
	bool down = libinput_event_keyboard_get_key_state(ev) == LIBINPUT_KEY_STATE_PRESSED;
	uint32_t count = libinput_event_keyboard_get_seat_key_count(ev);
	int action;

	/* Once per seat: the first press of a key on any keyboard, the last release. */
	if ((down && count != 1) || (!down && count != 0))
		return;
	if (down) {
		/* libinput's clock is CLOCK_MONOTONIC, as the kernel's evdev timestamps here. */
		uint64_t now = stats_now_ns(), t = libinput_event_keyboard_get_time_usec(ev) * 1000;

		latency_add(&k->keys, now > t ? now - t : 0);
	}
	action = input_key(k->input, key, down);
	/* release-cursor (every ctrl+alt) has nothing to release on a kiosk's seat. */
	if (action >= 0 && action != HOTKEY_RELEASE_CURSOR) {
		LOG_INFO("hotkey: %s", hotkeys_action_name((enum hotkey_action)action));
		k->listener->action(k->data, (enum hotkey_action)action);
	}
}

static void handle_pointer(struct kms_input *k, enum libinput_event_type type,
			   struct libinput_event_pointer *ev)
{
	uint32_t count;
	bool down;

	switch (type) {
	case LIBINPUT_EVENT_POINTER_MOTION:
		/*
		 * The seat is the kiosk's: a guest whose pointer is a mouse gets
		 * the mouse's own motion, unaccelerated, as QEMU's input-linux
		 * gives it (the guest accelerates it).
		 */
		if (input_pointer_relative(k->input)) {
			input_pointer_rel(k->input, libinput_event_pointer_get_dx_unaccelerated(ev),
					  libinput_event_pointer_get_dy_unaccelerated(ev));
			break;
		}
		k->listener->motion(k->data, libinput_event_pointer_get_dx(ev),
				    libinput_event_pointer_get_dy(ev));
		break;
	case LIBINPUT_EVENT_POINTER_MOTION_ABSOLUTE:
		k->listener->motion_abs(k->data,
			libinput_event_pointer_get_absolute_x_transformed(ev, ABS_UNITS) / ABS_UNITS,
			libinput_event_pointer_get_absolute_y_transformed(ev, ABS_UNITS) / ABS_UNITS);
		break;
	case LIBINPUT_EVENT_POINTER_BUTTON:
		down = libinput_event_pointer_get_button_state(ev) == LIBINPUT_BUTTON_STATE_PRESSED;
		count = libinput_event_pointer_get_seat_button_count(ev);
		if ((down && count == 1) || (!down && count == 0))
			input_button(k->input, libinput_event_pointer_get_button(ev), down);
		break;
	case LIBINPUT_EVENT_POINTER_SCROLL_WHEEL: {
		double v = 0, h = 0;

		if (libinput_event_pointer_has_axis(ev, LIBINPUT_POINTER_AXIS_SCROLL_VERTICAL))
			v = libinput_event_pointer_get_scroll_value_v120(ev,
					LIBINPUT_POINTER_AXIS_SCROLL_VERTICAL);
		if (libinput_event_pointer_has_axis(ev, LIBINPUT_POINTER_AXIS_SCROLL_HORIZONTAL))
			h = libinput_event_pointer_get_scroll_value_v120(ev,
					LIBINPUT_POINTER_AXIS_SCROLL_HORIZONTAL);
		input_wheel(k->input, (int32_t)v, (int32_t)h);
		break;
	}
	default:
		break;
	}
}

static void handle_device(struct kms_input *k, struct libinput_event *ev, bool added)
{
	struct libinput_device *dev = libinput_event_get_device(ev);
	const char *name = libinput_device_get_name(dev);

	if (libinput_device_has_capability(dev, LIBINPUT_DEVICE_CAP_KEYBOARD)) {
		if (added)
			k->keyboards++;
		else if (k->keyboards)
			k->keyboards--;
		LOG_INFO("keyboard %s: %s", added ? "added" : "removed", name);
	}
	if (libinput_device_has_capability(dev, LIBINPUT_DEVICE_CAP_POINTER)) {
		if (added)
			k->pointers++;
		else if (k->pointers)
			k->pointers--;
		LOG_INFO("pointer %s: %s", added ? "added" : "removed", name);
	}
}

int kms_input_dispatch(struct kms_input *k)
{
	struct libinput_event *ev;
	int ret;

	ret = libinput_dispatch(k->li);
	if (ret < 0) {
		LOG_ERR("libinput: %s", strerror(-ret));
		return ret;
	}
	while ((ev = libinput_get_event(k->li))) {
		switch (libinput_event_get_type(ev)) {
		case LIBINPUT_EVENT_DEVICE_ADDED:
			handle_device(k, ev, true);
			break;
		case LIBINPUT_EVENT_DEVICE_REMOVED:
			handle_device(k, ev, false);
			break;
		case LIBINPUT_EVENT_KEYBOARD_KEY:
			handle_key(k, libinput_event_get_keyboard_event(ev));
			break;
		case LIBINPUT_EVENT_POINTER_MOTION:
		case LIBINPUT_EVENT_POINTER_MOTION_ABSOLUTE:
		case LIBINPUT_EVENT_POINTER_BUTTON:
		case LIBINPUT_EVENT_POINTER_SCROLL_WHEEL:
			handle_pointer(k, libinput_event_get_type(ev),
				       libinput_event_get_pointer_event(ev));
			break;
		default:
			break;
		}
		libinput_event_destroy(ev);
	}
	return 0;
}

struct kms_input *kms_input_create(struct kms_seat *seat, struct input *input,
				   const struct kms_input_listener *listener, void *data)
{
	const char *seat_name = getenv("XDG_SEAT");
	struct kms_input *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->seat = seat;
	k->input = input;
	k->listener = listener;
	k->data = data;
	k->udev = udev_new();
	if (!k->udev) {
		LOG_WARN("udev_new failed: no input, no hotkeys");
		goto err;
	}
	k->li = libinput_udev_create_context(&interface, k, k->udev);
	if (!k->li)
		goto err;
	if (libinput_udev_assign_seat(k->li, seat_name && *seat_name ? seat_name : "seat0")) {
		LOG_WARN("libinput cannot take the udev seat: no input, no hotkeys");
		goto err;
	}
	kms_input_dispatch(k);
	if (!k->keyboards)
		LOG_WARN("no keyboard on the seat (is udev running?): hotkeys wait for one");
	return k;

err:
	kms_input_destroy(k);
	return NULL;
}

void kms_input_destroy(struct kms_input *k)
{
	if (!k)
		return;
	/* The viewer's own share of a key's way to the guest. */
	if (k->keys.count)
		LOG_INFO("keys: %llu pressed, from the kernel's timestamp to the viewer %.1f ms "
			 "(p50), %.1f (p90), %.1f (max) of the last %llu",
			 (unsigned long long)k->keys.count, latency_pct(&k->keys, 50) / 1e3,
			 latency_pct(&k->keys, 90) / 1e3, latency_pct(&k->keys, 100) / 1e3,
			 (unsigned long long)(k->keys.count < LATENCY_SAMPLES ? k->keys.count :
					      LATENCY_SAMPLES));
	if (k->li)
		libinput_unref(k->li);
	if (k->udev)
		udev_unref(k->udev);
	free(k);
}

int kms_input_get_fd(struct kms_input *k)
{
	return libinput_get_fd(k->li);
}

void kms_input_suspend(struct kms_input *k)
{
	libinput_suspend(k->li);
	/* The devices are closed: what they held is let go, in the guest too. */
	input_focus_leave(k->input);
	input_pointer_leave(k->input);
}

void kms_input_resume(struct kms_input *k)
{
	if (libinput_resume(k->li))
		LOG_WARN("libinput could not reopen the input devices");
}
