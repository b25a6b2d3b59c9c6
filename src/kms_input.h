/* SPDX-License-Identifier: MIT */
/*
 * Keyboard input of the KMS presenter (kin_): libinput on the udev seat,
 * its devices opened through the seat (logind or directly).  Only hotkeys
 * are acted on; nothing is forwarded to the guest yet.
 */
#ifndef VGPU_VIEWER_KMS_INPUT_H
#define VGPU_VIEWER_KMS_INPUT_H

#include "hotkeys.h"

struct kin;
struct seat;

struct kin_listener {
	void (*action)(void *data, enum hotkey_action a);
};

/* NULL (logged) when libinput or udev cannot be set up. */
struct kin *kin_create(struct seat *seat, const struct hotkeys *hotkeys,
		       const struct kin_listener *listener, void *data);
void kin_destroy(struct kin *k);

int kin_get_fd(struct kin *k);
/* Reads and handles pending input; -errno when libinput fails. */
int kin_dispatch(struct kin *k);
/* The seat was paused or resumed: close or reopen the devices. */
void kin_suspend(struct kin *k);
void kin_resume(struct kin *k);

#endif
