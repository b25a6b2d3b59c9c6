// SPDX-License-Identifier: MIT
/*
 * vnc.c against a scripted RFB server on a unix socket (a real QEMU's is
 * tests/vm/scenarios/input-libvirt.sh's): the handshake, the bytes of keys,
 * buttons and motion, size changes, messages skipped, refusals, and finding
 * the server on a QEMU command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "test"
#include "log.h"
#include "test.h"
#include "vnc.h"

static char dir[] = "/tmp/test-vnc-XXXXXX", path[96];
static int lfd = -1;


static void say(int fd, const void *data, size_t len)
{
	if (write(fd, data, len) != (ssize_t)len)
		abort();
}

/* What the client sent so far. */
static size_t heard(int fd, uint8_t *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

	return n > 0 ? (size_t)n : 0;
}

/* A server up to ServerInit (1024x768, name "vm"): the client's side checked on the way. */
static struct vnc *handshake(int *ret_s)
{
	static const uint8_t init[] = { 0x04, 0x00, 0x03, 0x00, 32, 24, 0, 1, 0, 255, 0, 255, 0,
					255, 16, 8, 0, 0, 0, 0, 0, 0, 0, 2, 'v', 'm' };
	uint8_t buf[256];
	struct vnc *v;
	int err, s;

	v = vnc_connect(path, &err);
	if (!v)
		return NULL;
	s = accept(lfd, NULL, NULL);
	say(s, "RFB 003.008\n", 12);
	if (vnc_dispatch(v, EPOLLIN) || heard(s, buf, sizeof(buf)) != 12 ||
	    memcmp(buf, "RFB 003.008\n", 12))
		goto fail;
	say(s, (uint8_t[]){ 2, 2, 1 }, 3);	/* a password, or none */
	if (vnc_dispatch(v, EPOLLIN) || heard(s, buf, sizeof(buf)) != 1 || buf[0] != 1)
		goto fail;
	say(s, (uint8_t[]){ 0, 0, 0, 0 }, 4);
	if (vnc_dispatch(v, EPOLLIN) || heard(s, buf, sizeof(buf)) != 1 || buf[0] != 1)
		goto fail;	/* shared */
	say(s, init, sizeof(init));
	/* SetEncodings: extended keys, pointer type changes, desktop size. */
	if (vnc_dispatch(v, EPOLLIN) || heard(s, buf, sizeof(buf)) != 16 ||
	    memcmp(buf, (uint8_t[]){ 2, 0, 0, 3, 0xff, 0xff, 0xfe, 0xfe, 0xff, 0xff, 0xfe, 0xff,
				     0xff, 0xff, 0xff, 0x21 }, 16))
		goto fail;
	*ret_s = s;
	return v;
fail:
	vnc_destroy(v);
	close(s);
	return NULL;
}

static void test_events(void)
{
	struct input_event key = { .type = INPUT_EV_KEY, .down = true, .code = 0x9c };
	struct input_event ev[3] = {
		{ .type = INPUT_EV_ABS, .x = INPUT_ABS_MAX / 2, .y = INPUT_ABS_MAX },
		{ .type = INPUT_EV_BUTTON, .down = true, .code = INPUT_BUTTON_RIGHT },
		{ .type = INPUT_EV_BUTTON, .down = true, .code = INPUT_BUTTON_WHEEL_DOWN },
	};
	/* A desktop resize to 800x600, cut text split over reads, a bell, a colour map. */
	static const uint8_t resize[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0x03, 0x20, 0x02, 0x58,
					  0xff, 0xff, 0xff, 0x21 };
	uint8_t buf[256];
	struct vnc *v;
	int s = -1;

	v = handshake(&s);
	CHECK(v);
	CHECK(vnc_input_sink.ready(v));
	CHECK_INT_EQ(vnc_input_sink.send(v, &key, 1), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 12);
	CHECK(!memcmp(buf, (uint8_t[]){ 255, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x9c }, 12));
	CHECK_INT_EQ(vnc_input_sink.send(v, ev, 3), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 18);
	/* The middle of 1024 is 512; the bottom of 768 its last row; then the mask grows. */
	CHECK(!memcmp(buf, (uint8_t[]){ 5, 0, 0x02, 0x00, 0x02, 0xff,
					5, 4, 0x02, 0x00, 0x02, 0xff,
					5, 4 | 16, 0x02, 0x00, 0x02, 0xff }, 18));
	say(s, resize, sizeof(resize));
	say(s, (uint8_t[]){ 3, 0, 0, 0, 0, 0, 0, 5, 'h', 'e' }, 10);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), 0);
	say(s, (uint8_t[]){ 'l', 'l', 'o', 2, 1, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6 }, 16);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), 0);
	ev[0] = (struct input_event){ .type = INPUT_EV_ABS, .x = INPUT_ABS_MAX / 2, .y = 0 };
	CHECK_INT_EQ(vnc_input_sink.send(v, ev, 1), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 6);
	CHECK(!memcmp(buf, (uint8_t[]){ 5, 4 | 16, 0x01, 0x90, 0, 0 }, 6));	/* 400 of 800 */
	/* The guest went relative (QEMU says so): motion around 0x7fff. */
	say(s, (uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xff }, 16);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), 0);
	ev[0] = (struct input_event){ .type = INPUT_EV_REL, .x = -3, .y = 5 };
	CHECK_INT_EQ(vnc_input_sink.send(v, ev, 1), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 6);
	CHECK(!memcmp(buf, (uint8_t[]){ 5, 4 | 16, 0x7f, 0xfc, 0x80, 0x04 }, 6));
	CHECK(vnc_input_sink.relative(v));
	/*
	 * Relative: a position is dropped (it would be a leap), a button goes
	 * with no motion, and motion too large for 16 bits is cut.
	 */
	ev[0] = (struct input_event){ .type = INPUT_EV_ABS, .x = 10, .y = 10 };
	ev[1] = (struct input_event){ .type = INPUT_EV_BUTTON, .down = false, .code = INPUT_BUTTON_RIGHT };
	ev[2] = (struct input_event){ .type = INPUT_EV_REL, .x = -40000, .y = 40000 };
	CHECK_INT_EQ(vnc_input_sink.send(v, ev, 3), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 12);
	CHECK(!memcmp(buf, (uint8_t[]){ 5, 16, 0x7f, 0xff, 0x7f, 0xff,
					5, 16, 0, 0, 0xff, 0xff }, 12));
	/* Absolute again: motion is dropped, positions go. */
	say(s, (uint8_t[]){ 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xff }, 16);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), 0);
	CHECK(!vnc_input_sink.relative(v));
	CHECK_INT_EQ(vnc_input_sink.send(v, ev + 2, 1), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 0);
	/* Pixels we never asked for: a broken server. */
	say(s, (uint8_t[]){ 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 }, 16);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), -EPROTO);
	vnc_destroy(v);
	close(s);
}

/* Input before the handshake ended goes after it, in order. */
static void test_early_input(void)
{
	struct input_event key = { .type = INPUT_EV_KEY, .down = false, .code = 0x1e };
	uint8_t buf[64];
	struct vnc *v;
	int err, s;

	v = vnc_connect(path, &err);
	CHECK(v);
	s = accept(lfd, NULL, NULL);
	CHECK(!vnc_input_sink.ready(v));
	CHECK_INT_EQ(vnc_input_sink.send(v, &key, 1), 0);
	say(s, "RFB 003.008\n", 12);
	say(s, (uint8_t[]){ 1, 1, 0, 0, 0, 0 }, 6);
	say(s, (uint8_t[]){ 0, 8, 0, 6, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0, 0,
			    0, 0, 0 }, 24);
	CHECK_INT_EQ(vnc_dispatch(v, EPOLLIN), 0);
	CHECK_INT_EQ(heard(s, buf, sizeof(buf)), 12 + 1 + 1 + 16 + 12);
	CHECK(!memcmp(buf + 30, (uint8_t[]){ 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1e }, 12));
	vnc_destroy(v);
	close(s);
}

/* A server that says @said (@len bytes) to a new client: its dispatch returns @want. */
static void refused_with(const void *said, size_t len, uint32_t events, int want)
{
	struct vnc *v;
	int err, s;

	v = vnc_connect(path, &err);
	CHECK(v);
	s = accept(lfd, NULL, NULL);
	if (len)
		say(s, said, len);
	else
		close(s);	/* goes without a word */
	CHECK_INT_EQ(vnc_dispatch(v, events), want);
	vnc_destroy(v);
	if (len)
		close(s);
}

static void test_refusals(void)
{
	int err;

	/* A password only; refused with a reason; not VNC at all; a server that goes. */
	refused_with("RFB 003.008\n\1\2", 14, EPOLLIN, -EACCES);
	refused_with("RFB 003.008\n\0\0\0\0\4busy", 21, EPOLLIN, -EACCES);
	refused_with("SSH-2.0-OpenSSH_9.2\r\n", 21, EPOLLIN, -EPROTO);
	refused_with(NULL, 0, EPOLLIN | EPOLLHUP, -EPIPE);
	CHECK(!vnc_connect("localhost:5900", &err));	/* names are not looked up */
	CHECK_INT_EQ(err, -EINVAL);
}

static void test_find_in_argv(void)
{
	char p[108];
	bool sec;
	char *a1[] = { "qemu", "-vnc", "127.0.0.1:0,audiodev=audio1" };
	char *a2[] = { "qemu", "-vnc", "unix:/var/lib/libvirt/qemu/d-1/vnc.sock,password=on" };
	char *a3[] = { "qemu", "--vnc", ":3" };
	char *a4[] = { "qemu", "-vnc", "none", "-vnc", "vnc=[::1]:2" };
	char *a5[] = { "qemu", "-vnc" };

	CHECK(vnc_find_in_argv(3, a1, p, sizeof(p), &sec) == 0 && !strcmp(p, "127.0.0.1:5900"));
	CHECK(!sec);
	CHECK(vnc_find_in_argv(3, a2, p, sizeof(p), &sec) == 0 && sec);
	CHECK(!strcmp(p, "/var/lib/libvirt/qemu/d-1/vnc.sock"));
	CHECK(vnc_find_in_argv(3, a3, p, sizeof(p), &sec) == 0 && !strcmp(p, "127.0.0.1:5903"));
	CHECK(vnc_find_in_argv(5, a4, p, sizeof(p), &sec) == 0 && !strcmp(p, "[::1]:5902"));
	CHECK_INT_EQ(vnc_find_in_argv(2, a5, p, sizeof(p), &sec), -ENOENT);
}

int main(void)
{
	log_init(LOG_LEVEL_WARN, false);
	lfd = test_listen_unix(dir, path, sizeof(path), "vnc.sock");
	if (lfd < 0) {
		perror("test socket");
		return 1;
	}
	RUN_TEST(test_events);
	RUN_TEST(test_early_input);
	RUN_TEST(test_refusals);
	RUN_TEST(test_find_in_argv);
	unlink(path);
	rmdir(dir);
	return TEST_EXIT_STATUS();
}
