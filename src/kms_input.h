/* SPDX-License-Identifier: MIT */
/*
 * Keyboards and pointers of the KMS presenter (kms_input_): libinput on the
 * udev seat, its devices opened through the seat (logind or directly).
 * Keys, buttons and the wheel go to input.c (the guest, or a hotkey); the
 * pointer's motion goes to the presenter, which knows where the guest is
 * on the output.
 */
#ifndef VGPU_VIEWER_KMS_INPUT_H
#define VGPU_VIEWER_KMS_INPUT_H

#include "hotkeys.h"

struct input;
struct kms_input;
struct kms_seat;

struct kms_input_listener {
	void (*action)(void *data, enum hotkey_action a);
	/*
	 * A mouse moved by (@dx, @dy), in output pixels (accelerated); not
	 * called for a guest whose pointer is relative, which gets the motion.
	 */
	void (*motion)(void *data, double dx, double dy);
	/* A tablet or touch screen points at (@x, @y), 0..1 of the output. */
	void (*motion_abs)(void *data, double x, double y);
};

/* NULL (logged) when libinput or udev cannot be set up. */
struct kms_input *kms_input_create(struct kms_seat *seat, struct input *input,
				   const struct kms_input_listener *listener, void *data);
void kms_input_destroy(struct kms_input *k);

int kms_input_get_fd(struct kms_input *k);
/* Reads and handles pending input; -errno when libinput fails. */
int kms_input_dispatch(struct kms_input *k);
/* The seat was paused or resumed: close or reopen the devices. */
void kms_input_suspend(struct kms_input *k);
void kms_input_resume(struct kms_input *k);

#endif
