// SPDX-License-Identifier: MIT
/* A VNC client for input only; see vnc.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "vnc"
#include "cmdline.h"
#include "log.h"
#include "sockbuf.h"
#include "vnc.h"

#define IN_MAX 4096
#define HANDSHAKE_NS 5000000000ull

/* RFB numbers (RFC 6143) and QEMU's extensions. */
#define SEC_NONE 1
#define MSG_POINTER 5
#define MSG_SET_ENCODINGS 2
#define MSG_QEMU 255
#define QEMU_EXT_KEY 0
#define ENC_DESKTOP_SIZE (-223)
#define ENC_EXT_KEY (-258)
#define ENC_POINTER_TYPE (-257)

enum vnc_state {
	VNC_VERSION,		/* "RFB 003.008\n" */
	VNC_SECURITY_TYPES,
	VNC_SECURITY_RESULT,
	VNC_SERVER_INIT,
	VNC_READY,
};

struct vnc {
	struct sockbuf sb;
	struct sockbuf early;	/* input before the handshake ended: sent after it */
	char addr[108];
	enum vnc_state state;
	uint64_t connected_ns;
	bool warned;
	uint8_t in[IN_MAX];
	size_t in_len;
	uint64_t skip;		/* bytes of a message we do not keep (cut text) */
	uint16_t width, height;	/* the VNC console's, which pointer events are in */
	bool absolute;		/* the guest has an absolute pointer (QEMU says) */
	uint8_t buttons;	/* the RFB button mask */
	uint16_t x, y;		/* the last position sent */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct vnc *vnc_connect(const char *addr, int *ret_err)
{
	struct vnc *v = calloc(1, sizeof(*v));

	if (!v) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	snprintf(v->addr, sizeof(v->addr), "%s", addr);
	v->early.fd = -1;
	*ret_err = sockbuf_connect(&v->sb, addr);
	if (*ret_err) {
		free(v);
		return NULL;
	}
	v->connected_ns = now_ns();
	v->absolute = true;
	return v;
}

void vnc_destroy(struct vnc *v)
{
	if (!v)
		return;
	sockbuf_close(&v->sb);
	sockbuf_close(&v->early);
	free(v);
}

int vnc_get_fd(const struct vnc *v)
{
	return v->sb.fd;
}

uint32_t vnc_events(const struct vnc *v)
{
	return EPOLLIN | (v->sb.len ? EPOLLOUT : 0);
}

void vnc_check(struct vnc *v, uint64_t now)
{
	if (v->state == VNC_READY || v->warned || now - v->connected_ns < HANDSHAKE_NS)
		return;
	v->warned = true;
	LOG_WARN("VNC server at %s: no handshake in %llu s; input waits", v->addr,
		 (unsigned long long)(HANDSHAKE_NS / 1000000000ull));
}

static const char *security_name(uint8_t t)
{
	switch (t) {
	case 2: return "a VNC password";
	case 16: return "Tight";
	case 18: return "TLS";
	case 19: return "VeNCrypt (TLS or x509)";
	case 20: return "SASL";
	default: return "an unknown kind";
	}
}

/* A reason string after a failure: u32 length, text.  Bytes used, or 0 when incomplete. */
static size_t reason(struct vnc *v, const uint8_t *p, size_t len, const char *what)
{
	uint32_t n;

	if (len < 4)
		return 0;
	n = get32(p);
	if (n > IN_MAX - 8)
		n = IN_MAX - 8;
	if (len < 4 + (size_t)n)
		return 0;
	LOG_ERR("VNC server at %s %s: %.*s", v->addr, what, (int)n, (const char *)p + 4);
	return 4 + n;
}

static int ready(struct vnc *v)
{
	uint8_t m[4 + 3 * 4] = { MSG_SET_ENCODINGS, 0 };
	int ret;

	put16(m + 2, 3);
	put32(m + 4, (uint32_t)ENC_EXT_KEY);
	put32(m + 8, (uint32_t)ENC_POINTER_TYPE);
	put32(m + 12, (uint32_t)ENC_DESKTOP_SIZE);
	ret = sockbuf_put(&v->sb, m, sizeof(m));
	if (!ret && v->early.len)
		ret = sockbuf_put(&v->sb, v->early.out, v->early.len);
	sockbuf_close(&v->early);
	v->state = VNC_READY;
	if (v->warned)
		LOG_NOTICE("VNC server at %s answered; input goes through", v->addr);
	return ret;
}

/* The framebuffer update's rectangles: only pseudo-encodings come (we asked for no pixels). */
static size_t update(struct vnc *v, const uint8_t *p, size_t len, int *err)
{
	uint16_t n;

	if (len < 4)
		return 0;
	n = get16(p + 2);
	if (len < 4 + (size_t)n * 12)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *r = p + 4 + (size_t)i * 12;
		int32_t enc = (int32_t)get32(r + 8);

		if (enc == ENC_DESKTOP_SIZE) {
			v->width = get16(r + 4);
			v->height = get16(r + 6);
		} else if (enc == ENC_POINTER_TYPE) {
			v->absolute = get16(r) != 0;
			LOG_INFO("VNC: the guest's pointer is %s", v->absolute ? "absolute" : "relative");
		} else if (enc != ENC_EXT_KEY) {
			LOG_ERR("VNC server at %s sent pixels (encoding %d) we did not ask for",
				v->addr, enc);
			*err = -EPROTO;
			return 0;
		}
	}
	return 4 + (size_t)n * 12;
}

/* One message (or handshake step) from the start of @p; bytes used, 0 when incomplete. */
static size_t parse(struct vnc *v, const uint8_t *p, size_t len, int *err)
{
	size_t n;

	switch (v->state) {
	case VNC_VERSION:
		if (len < 12)
			return 0;
		if (memcmp(p, "RFB 003.", 8) || p[11] != '\n' || memcmp(p + 8, "008", 3) < 0) {
			LOG_ERR("%s is not a VNC server of RFB 3.8 or later (it said \"%.11s\")",
				v->addr, (const char *)p);
			*err = -EPROTO;
			return 0;
		}
		*err = sockbuf_put(&v->sb, "RFB 003.008\n", 12);
		v->state = VNC_SECURITY_TYPES;
		return 12;
	case VNC_SECURITY_TYPES:
		if (len < 1 || len < 1u + p[0])
			return 0;
		if (!p[0]) {
			n = reason(v, p + 1, len - 1, "refused us");
			*err = n ? -EACCES : 0;
			return n ? n + 1 : 0;
		}
		if (!memchr(p + 1, SEC_NONE, p[0])) {
			LOG_ERR("VNC server at %s wants %s: this viewer sends input without one only",
				v->addr, security_name(p[1]));
			*err = -EACCES;
			return 0;
		}
		*err = sockbuf_put(&v->sb, (uint8_t[]){ SEC_NONE }, 1);
		v->state = VNC_SECURITY_RESULT;
		return 1u + p[0];
	case VNC_SECURITY_RESULT:
		if (len < 4)
			return 0;
		if (get32(p)) {
			n = reason(v, p + 4, len - 4, "refused us");
			*err = n ? -EACCES : 0;
			return n ? n + 4 : 0;
		}
		/* ClientInit: shared, so that nobody else's session is closed. */
		*err = sockbuf_put(&v->sb, (uint8_t[]){ 1 }, 1);
		v->state = VNC_SERVER_INIT;
		return 4;
	case VNC_SERVER_INIT:
		if (len < 24 || len < 24 + (size_t)get32(p + 20))
			return 0;
		if (get32(p + 20) > IN_MAX - 24) {
			*err = -EPROTO;
			return 0;
		}
		v->width = get16(p);
		v->height = get16(p + 2);
		LOG_INFO("VNC server at %s: console %ux%u", v->addr, v->width, v->height);
		*err = ready(v);
		return 24 + get32(p + 20);
	case VNC_READY:
		break;
	}
	switch (p[0]) {
	case 0:
		return update(v, p, len, err);
	case 1:		/* colour map entries */
		if (len < 6 || len < 6 + (size_t)get16(p + 4) * 6)
			return 0;
		return 6 + (size_t)get16(p + 4) * 6;
	case 2:		/* bell */
		return 1;
	case 3:		/* cut text: skipped, however long */
		if (len < 8)
			return 0;
		v->skip = get32(p + 4) & 0x7fffffffu;
		return 8;
	default:
		LOG_ERR("VNC server at %s sent message %u, which we did not ask for", v->addr, p[0]);
		*err = -EPROTO;
		return 0;
	}
}

static int read_in(struct vnc *v)
{
	for (;;) {
		ssize_t n = read(v->sb.fd, v->in + v->in_len, IN_MAX - v->in_len);
		size_t used, off = 0;
		int err = 0;

		if (n == 0) {
			LOG_NOTICE("VNC server at %s closed the connection", v->addr);
			return -EPIPE;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return LOG_ERRNO(errno, "VNC server at %s", v->addr);
		}
		v->in_len += (size_t)n;
		for (;;) {
			if (v->skip) {
				used = v->in_len - off < v->skip ? v->in_len - off : (size_t)v->skip;
				v->skip -= used;
				off += used;
				if (v->skip)
					break;
			}
			if (off == v->in_len)
				break;
			used = parse(v, v->in + off, v->in_len - off, &err);
			if (err)
				return err;
			if (!used)
				break;
			off += used;
		}
		v->in_len -= off;
		memmove(v->in, v->in + off, v->in_len);
		if (v->in_len == IN_MAX) {
			LOG_ERR("VNC server at %s: a message longer than %u bytes", v->addr, IN_MAX);
			return -EPROTO;
		}
	}
}

int vnc_dispatch(struct vnc *v, uint32_t events)
{
	int ret = 0;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ret = read_in(v);
	if (!ret)
		ret = sockbuf_flush(&v->sb);
	return ret;
}

static int pointer(struct vnc *v, struct sockbuf *out, uint16_t x, uint16_t y)
{
	uint8_t m[6] = { MSG_POINTER, v->buttons };

	put16(m + 2, x);
	put16(m + 4, y);
	return sockbuf_put(out, m, sizeof(m));
}

/* 0..INPUT_ABS_MAX to the console's pixels, as QEMU scales them back. */
static uint16_t to_pixels(int32_t v, uint16_t size)
{
	int64_t p = ((int64_t)v * size + INPUT_ABS_MAX / 2) / INPUT_ABS_MAX;

	return (uint16_t)(p < 0 ? 0 : p >= size ? (size ? size - 1 : 0) : p);
}

/*
 * QEMU's relative mode (after ENC_POINTER_TYPE said so): a pointer event's
 * position less REL_ZERO is the motion.  Larger motion is cut to what fits.
 */
#define REL_ZERO 0x7fff

static uint16_t rel(int32_t d)
{
	return (uint16_t)(d < -REL_ZERO ? 0 : d > 0xffff - REL_ZERO ? 0xffff : REL_ZERO + d);
}

static int add_event(struct vnc *v, struct sockbuf *out, const struct input_event *ev)
{
	/* QEMU's: mask bits in InputButton order, but no side and extra. */
	static const int8_t bit[INPUT_BUTTON_N] = { 0, 1, 2, 3, 4, -1, -1, 5, 6 };
	uint8_t m[12] = { MSG_QEMU, QEMU_EXT_KEY };

	switch (ev->type) {
	case INPUT_EV_KEY:
		put16(m + 2, ev->down);
		put32(m + 4, 0);	/* no keysym: the key number is what counts */
		put32(m + 8, ev->code);
		return sockbuf_put(out, m, sizeof(m));
	case INPUT_EV_BUTTON:
		if (ev->code >= INPUT_BUTTON_N || bit[ev->code] < 0)
			return 0;
		if (ev->down)
			v->buttons |= (uint8_t)(1u << bit[ev->code]);
		else
			v->buttons &= (uint8_t)~(1u << bit[ev->code]);
		/* In relative mode a position is motion: the middle is none. */
		if (!v->absolute)
			return pointer(v, out, REL_ZERO, REL_ZERO);
		return pointer(v, out, v->x, v->y);
	case INPUT_EV_ABS:
		/* A relative guest would take it as a leap by its distance from the middle. */
		if (!v->absolute)
			return 0;
		v->x = to_pixels(ev->x, v->width);
		v->y = to_pixels(ev->y, v->height);
		return pointer(v, out, v->x, v->y);
	case INPUT_EV_REL:
		if (v->absolute)
			return 0;
		return pointer(v, out, rel(ev->x), rel(ev->y));
	}
	return -EINVAL;
}

static int sink_send(void *data, const struct input_event *ev, unsigned int n)
{
	struct vnc *v = data;
	struct sockbuf *out = v->state == VNC_READY ? &v->sb : &v->early;
	size_t undo = out->len;
	int ret = 0;

	for (unsigned int i = 0; !ret && i < n; i++)
		ret = add_event(v, out, &ev[i]);
	if (ret) {
		out->len = undo;
		LOG_ERR("VNC server at %s: %u input events dropped: %s", v->addr, n, strerror(-ret));
		return ret;
	}
	ret = v->state == VNC_READY ? sockbuf_flush(&v->sb) : 0;
	return ret ? LOG_ERRNO(-ret, "VNC server at %s", v->addr) : 0;
}

static bool sink_ready(void *data)
{
	const struct vnc *v = data;

	return v->state == VNC_READY && !v->sb.len;
}

/* QEMU says which, on SetEncodings and on every change (ENC_POINTER_TYPE). */
static bool sink_relative(void *data)
{
	const struct vnc *v = data;

	return !v->absolute;
}

const struct input_sink vnc_input_sink = {
	.send = sink_send,
	.ready = sink_ready,
	.relative = sink_relative,
};

int vnc_find_in_argv(int argc, char *const argv[], char *ret, size_t len, bool *ret_secured)
{
	for (int i = 0; i + 1 < argc; i++) {
		const char *spec = argv[i + 1], *opts;
		size_t n;

		if (!cmdline_is_opt(argv[i], "vnc") || !strncmp(spec, "none", 4))
			continue;
		if (!strncmp(spec, "vnc=", 4))
			spec += 4;
		opts = strchr(spec, ',');
		n = opts ? (size_t)(opts - spec) : strlen(spec);
		*ret_secured = opts && (strstr(opts, ",password") || strstr(opts, ",tls") ||
					strstr(opts, ",sasl"));
		if (!strncmp(spec, "unix:", 5)) {
			if (n - 5 >= len)
				return -ENOENT;
			snprintf(ret, len, "%.*s", (int)(n - 5), spec + 5);
			return 0;
		}
		/* HOST:DISPLAY; an empty host is every address, so ours too. */
		const char *colon = memrchr(spec, ':', n);
		char *end;
		unsigned long d;

		if (!colon)
			continue;
		d = strtoul(colon + 1, &end, 10);
		if (end != spec + n || d > 65535 - 5900)
			continue;
		if (colon == spec || !strncmp(spec, "0.0.0.0:", 8))
			snprintf(ret, len, "127.0.0.1:%lu", 5900 + d);
		else
			snprintf(ret, len, "%.*s:%lu", (int)(colon - spec), spec, 5900 + d);
		return 0;
	}
	return -ENOENT;
}
