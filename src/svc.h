/* SPDX-License-Identifier: MIT */
/*
 * The VM's display service (svc_): local clients connect to a unix socket
 * and speak QEMU's D-Bus display interface, org.qemu.Display1, peer to
 * peer, with this process in QEMU's place (doc/display-service.md).  A
 * client may register a listener, and gets the guest's frames through it
 * as dmabuf fds (ScanoutDMABUF, UpdateDMABUF), "display off" (Disable),
 * the guest's cursor plane (CursorDefine, MouseSet), and nothing more:
 * never a VFIO fd.  Each listener is paced by its own replies: while one
 * call is unanswered the newest frame waits, and older ones are dropped,
 * so a slow or stopped client holds up no one else.
 *
 * Every peer is checked against the policy (svc_policy) before anything it
 * sends is read; a refused peer gets org.freedesktop.DBus.Error.AccessDenied
 * with the reason to its first call and is dropped.
 *
 * A viewer that is also among the controllers may send input: Display1's
 * Keyboard (qnums) and Mouse (buttons, SetAbsPosition in the display's
 * pixels, RelMotion) on Console_0, which go to svc_info.input in order.  A
 * viewer that is not gets AccessDenied for them and goes on viewing.  What
 * a client holds down is released in the guest when it goes.
 *
 * All of it runs in one epoll fd of its own (svc_get_fd), which the
 * caller's loop watches; svc_prepare() before each wait, svc_dispatch()
 * after.
 */
#ifndef VGPU_VIEWER_SVC_H
#define VGPU_VIEWER_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "input.h"
#include "plane.h"
#include "svc_policy.h"

#define SVC_MAX_CLIENTS 16
/* Refused peers told why at once; more are closed unanswered. */
#define SVC_MAX_REFUSED 4
#define SVC_SLOTS (SVC_MAX_CLIENTS + SVC_MAX_REFUSED)
/* A peer authenticates within this, and a refused one asks within it. */
#define SVC_HELLO_MS 10000

struct svc;

/* Input for the VMM: 0, -ENOTCONN when it takes none now, or -errno. */
typedef int (*svc_input_fn)(void *data, const struct input_event *ev, unsigned int n);

struct svc_info {
	const char *vm_name;		/* org.qemu.Display1.VM.Name */
	const char *uuid;		/* VM.UUID: the mdev's */
	const struct svc_policy *viewers;
	const struct svc_policy *controllers;	/* who may send input; NULL: the viewers */
	svc_input_fn input;		/* where input goes; NULL: nowhere */
	void *input_data;
	unsigned int hello_ms;		/* 0: SVC_HELLO_MS */
};

/* What the guest shows now. */
struct svc_frame {
	const struct plane *plane;	/* NULL: the display is off */
	int fd;				/* a dmabuf plane's fd (the caller's; dup'ed) */
	/*
	 * A region plane's pixels (the device's mapping, valid until the
	 * next svc_show()): copied into a sealed memfd for the listeners
	 * that take shared memory (Listener.Unix.Map), sent inline to the
	 * others (Listener.Scanout).
	 */
	const void *pixels;
	uint64_t seq;			/* counts frames, from 1 */
	/*
	 * The guest's cursor plane (NULL: none or off) and its pixels, which
	 * the CPU can read (the caller brackets the reads of a dmabuf):
	 * copied, and sent as Listener.CursorDefine when the picture changed
	 * and MouseSet when the cursor moved, before the frame that shows it.
	 */
	const struct plane *cursor;
	const void *cursor_pixels;
};

/*
 * The listening socket: the one systemd passed (socket activation, which
 * then owns the path), or a new one at @path, whose directory is created
 * (0755) when missing.  A socket file left by a service that is gone is
 * replaced; one that a live service listens on is not (-EADDRINUSE).  The
 * file is 0666: who may connect is the policy's to say, so that a refused
 * peer hears why.  *@created says whether the caller unlinks it at exit.
 * The fd, or -errno (logged).
 */
int svc_listen(const char *path, bool *created);

/*
 * A service on @listen_fd (a listening unix stream socket, non-blocking;
 * the service owns it from here).  NULL on failure (logged).
 */
struct svc *svc_create(int listen_fd, const struct svc_info *info);
void svc_destroy(struct svc *s);

int svc_get_fd(const struct svc *s);

/* Before the caller's loop waits: dispatches what sd-bus has queued. */
void svc_prepare(struct svc *s);

/* After the loop's wait said svc_get_fd() is readable. */
void svc_dispatch(struct svc *s);

/* A new frame (or the display off): each listener gets it when it is free. */
void svc_show(struct svc *s, const struct svc_frame *f);

/*
 * Whether the guest's pointer is relative (a mouse, no tablet), as the VMM
 * says: Mouse.IsAbsolute, whose change every client is told of
 * (PropertiesChanged).  Cheap when nothing changed: call it before each wait.
 */
void svc_set_pointer(struct svc *s, bool relative);

/* How many clients are connected, and how many listen. */
unsigned int svc_clients(const struct svc *s, unsigned int *listening);

#endif
