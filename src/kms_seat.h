/* SPDX-License-Identifier: MIT */
/*
 * The seat of the KMS presenter (kms_seat_): who opens the DRM and input
 * devices, and who says when they may be used.
 *
 *   logind  a session exists (ours by $XDG_SESSION_ID or our PID): the
 *           devices come from TakeControl/TakeDevice over the system bus,
 *           and PauseDevice/ResumeDevice say when another session has the
 *           VT (the DRM master and input devices are revoked meanwhile)
 *   direct  no session, run as root on a VT: the devices are opened here,
 *           DRM master is taken with drmSetMaster, and the VT is put into
 *           graphics mode with its keyboard off; no VT switching
 *
 * The seat's bus fd (logind only) joins the presenter's epoll set.
 */
#ifndef VGPU_VIEWER_KMS_SEAT_H
#define VGPU_VIEWER_KMS_SEAT_H

#include <stdbool.h>

struct kms_seat;

struct kms_seat_listener {
	/* The DRM device was paused (VT switched away): stop committing. */
	void (*disable)(void *data);
	/* It is back (DRM master again): commit everything anew. */
	void (*enable)(void *data);
};

/* Opens the seat; NULL (logged) when neither logind nor direct access works. */
struct kms_seat *kms_seat_create(const struct kms_seat_listener *listener, void *data);
void kms_seat_destroy(struct kms_seat *s);

/* "logind" or "direct". */
const char *kms_seat_kind(const struct kms_seat *s);
/* Whether the session is in the foreground (devices usable). */
bool kms_seat_active(const struct kms_seat *s);

/*
 * Opens a device node of the seat (O_RDWR | O_CLOEXEC | O_NONBLOCK).
 * Returns the fd or -errno; a DRM node opened directly is made DRM master,
 * and -EBUSY says another process is master.
 */
int kms_seat_open(struct kms_seat *s, const char *path);
void kms_seat_close(struct kms_seat *s, int fd);

/* The bus fd to watch for EPOLLIN, or -1 (direct). */
int kms_seat_get_fd(struct kms_seat *s);
/* Handles what arrived on the bus; -errno when the bus is gone. */
int kms_seat_dispatch(struct kms_seat *s);
/*
 * Whether messages wait in the bus's queue rather than in its socket: read
 * while a call waited for its reply, they wake no epoll.  Ask before
 * sleeping, and dispatch if so.
 */
bool kms_seat_queued(struct kms_seat *s);

#endif
