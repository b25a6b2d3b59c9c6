/* SPDX-License-Identifier: MIT */
/*
 * A VNC (RFB 3.8) client for input only (vnc_): the way to a libvirt VM's
 * guest that needs no change to the VM and no libvirt rights, through the
 * VNC server its QEMU already runs.  Keys go as QEMU's extended key event
 * (qnums, so no keysym guessing), the pointer as RFB pointer events in the
 * VNC console's pixels with the button mask, the wheel as its buttons.  No
 * framebuffer is ever requested: the server sends none.
 *
 * Back-pressure is the socket's: while output is queued the sink says it
 * is busy and input.c coalesces motion.  Security type None only: a VNC
 * password (or TLS) is reported and the viewer goes on view only.
 */
#ifndef VGPU_VIEWER_VNC_H
#define VGPU_VIEWER_VNC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "input.h"

struct vnc;

/* Connects to @addr: a unix socket path, or HOST:PORT.  NULL with -errno in *@ret_err. */
struct vnc *vnc_connect(const char *addr, int *ret_err);
void vnc_destroy(struct vnc *v);

int vnc_get_fd(const struct vnc *v);
uint32_t vnc_events(const struct vnc *v);
/* Reads and writes; 0, or -errno when the connection is gone or refused us (logged). */
int vnc_dispatch(struct vnc *v, uint32_t events);
/* About once a second: says once when the handshake has not finished in 5 s. */
void vnc_check(struct vnc *v, uint64_t now_ns);

extern const struct input_sink vnc_input_sink;

/*
 * The VNC server in QEMU's command line (@argc words): "-vnc unix:PATH,..."
 * or "-vnc HOST:DISPLAY,..." (port 5900 + DISPLAY; "to=" ranges aside).  Its
 * address to @ret (@len bytes), and whether it wants a password (or TLS,
 * SASL) in *@ret_secured.  0, or -ENOENT when there is none (or "-vnc none").
 */
int vnc_find_in_argv(int argc, char *const argv[], char *ret, size_t len, bool *ret_secured);

#endif
