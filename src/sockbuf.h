/* SPDX-License-Identifier: MIT */
/*
 * A non-blocking stream socket's output queue (sockbuf_), for the input
 * transports (qmp.c, vnc.c): bytes are queued and written as the socket
 * takes them, up to SOCKBUF_MAX; a peer that stops reading costs that
 * much, then its transport gives up.
 */
#ifndef VGPU_VIEWER_SOCKBUF_H
#define VGPU_VIEWER_SOCKBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOCKBUF_MAX (1u << 20)

struct sockbuf {
	int fd;
	char *out;
	size_t len, cap;
};

/*
 * Whether @addr is one sockbuf_connect() takes: an absolute unix socket
 * path that fits, or a numeric IPV4:PORT or [IPV6]:PORT.
 */
bool sockbuf_addr_valid(const char *addr);

/*
 * Connects to @addr, non-blocking: a unix socket path ("/..."), or
 * "HOST:PORT" over TCP (numeric addresses: the VMM is local).  The fd in
 * @b->fd; 0 or -errno.
 */
int sockbuf_connect(struct sockbuf *b, const char *addr);
void sockbuf_close(struct sockbuf *b);

/* Queues @len bytes; -ENOBUFS past SOCKBUF_MAX, -ENOMEM.  Nothing is queued then. */
int sockbuf_put(struct sockbuf *b, const void *data, size_t len);
/* Queues printf output, as sockbuf_put(). */
int sockbuf_printf(struct sockbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes what the socket takes now: 0, or -errno when it failed. */
int sockbuf_flush(struct sockbuf *b);

#endif
