/* SPDX-License-Identifier: MIT */
/*
 * The seat of the KMS presenter (seat_): who opens the DRM and input
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

struct seat;

struct seat_listener {
	/* The DRM device was paused (VT switched away): stop committing. */
	void (*disable)(void *data);
	/* It is back (DRM master again): commit everything anew. */
	void (*enable)(void *data);
};

/* Opens the seat; NULL (logged) when neither logind nor direct access works. */
struct seat *seat_create(const struct seat_listener *listener, void *data);
void seat_destroy(struct seat *s);

/* "logind" or "direct". */
const char *seat_kind(const struct seat *s);
/* Whether the session is in the foreground (devices usable). */
bool seat_active(const struct seat *s);

/*
 * Opens a device node of the seat (O_RDWR | O_CLOEXEC | O_NONBLOCK).
 * Returns the fd or -errno; a DRM node opened directly is made DRM master,
 * and -EBUSY says another process is master.
 */
int seat_open(struct seat *s, const char *path);
void seat_close(struct seat *s, int fd);

/* The bus fd to watch for EPOLLIN, or -1 (direct). */
int seat_get_fd(struct seat *s);
/* Handles what arrived on the bus; -errno when the bus is gone. */
int seat_dispatch(struct seat *s);

#endif
