// SPDX-License-Identifier: MIT
#include <errno.h>
#include <libinput.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "input"
#include "kms_input.h"
#include "kms_seat.h"
#include "log.h"

struct kms_input {
	struct kms_seat *seat;
	struct udev *udev;
	struct libinput *li;
	const struct hotkeys *hotkeys;
	const struct kms_input_listener *listener;
	void *data;
	uint32_t held;		/* HOTKEY_MOD_* down */
	unsigned int keyboards;
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
	uint32_t mod = hotkeys_modifier(key);
	int action;

	if (mod) {
		/* Counted over the seat: one of two keyboards letting go of Ctrl is not enough. */
		if (down)
			k->held |= mod;
		else if (libinput_event_keyboard_get_seat_key_count(ev) == 0)
			k->held &= ~mod;
		return;
	}
	if (!down)
		return;
	action = hotkeys_match(k->hotkeys, k->held, key);
	if (action >= 0) {
		LOG_INFO("hotkey: %s", hotkeys_action_name((enum hotkey_action)action));
		k->listener->action(k->data, (enum hotkey_action)action);
	}
}

static void handle_device(struct kms_input *k, struct libinput_event *ev, bool added)
{
	struct libinput_device *dev = libinput_event_get_device(ev);

	if (!libinput_device_has_capability(dev, LIBINPUT_DEVICE_CAP_KEYBOARD))
		return;
	if (added)
		k->keyboards++;
	else if (k->keyboards)
		k->keyboards--;
	LOG_INFO("keyboard %s: %s", added ? "added" : "removed", libinput_device_get_name(dev));
	if (!added)
		k->held = 0;
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
		default:
			break;
		}
		libinput_event_destroy(ev);
	}
	return 0;
}

struct kms_input *kms_input_create(struct kms_seat *seat, const struct hotkeys *hotkeys,
		       const struct kms_input_listener *listener, void *data)
{
	const char *seat_name = getenv("XDG_SEAT");
	struct kms_input *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->seat = seat;
	k->hotkeys = hotkeys;
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
	k->held = 0;
}

void kms_input_resume(struct kms_input *k)
{
	if (libinput_resume(k->li))
		LOG_WARN("libinput could not reopen the input devices");
}
