/* SPDX-License-Identifier: MIT */
/*
 * Keyboard input of the KMS presenter (kms_input_): libinput on the udev seat,
 * its devices opened through the seat (logind or directly).  Only hotkeys
 * are acted on; nothing is forwarded to the guest yet.
 */
#ifndef VGPU_VIEWER_KMS_INPUT_H
#define VGPU_VIEWER_KMS_INPUT_H

#include "hotkeys.h"

struct kms_input;
struct kms_seat;

struct kms_input_listener {
	void (*action)(void *data, enum hotkey_action a);
};

/* NULL (logged) when libinput or udev cannot be set up. */
struct kms_input *kms_input_create(struct kms_seat *seat, const struct hotkeys *hotkeys,
		       const struct kms_input_listener *listener, void *data);
void kms_input_destroy(struct kms_input *k);

int kms_input_get_fd(struct kms_input *k);
/* Reads and handles pending input; -errno when libinput fails. */
int kms_input_dispatch(struct kms_input *k);
/* The seat was paused or resumed: close or reopen the devices. */
void kms_input_suspend(struct kms_input *k);
void kms_input_resume(struct kms_input *k);

#endif
