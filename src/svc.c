// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>

#define LOG_MODULE "svc"
#include "log.h"
#include "svc.h"

#define DISPLAY1 "org.qemu.Display1"
#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define MAX_GROUPS 256

struct svc_client;

/* One D-Bus connection in the service's epoll. */
struct svc_conn {
	sd_bus *bus;
	int fd;
	uint32_t events;	/* what epoll waits for now */
	struct svc_client *client;
};

struct svc_client {
	struct svc *svc;
	struct svc_conn main;	/* the client's calls: VM, Console */
	struct svc_conn lis;	/* our calls: its Listener */
	sd_bus_slot *pending;	/* the Listener call not answered yet */
	pid_t pid;
	uid_t uid;
	char refusal[520];	/* non-empty: every call gets it */
	bool dead;		/* to be dropped outside sd-bus's callbacks */
	uint64_t deadline;	/* CLOCK_MONOTONIC ns: still unauthenticated, or refused, by then: dropped */

	/* What its listener has: the frame and the buffer it scanned out. */
	uint64_t sent_seq;
	uint64_t sent_image, sent_pos;	/* the cursor's, as svc.cursor counts them */
	bool cursor_call;	/* the call out is CursorDefine or MouseSet */
	bool no_cursor;		/* its listener refused one: none are sent */
	ino_t sent_ino;
	struct plane sent_plane;
	bool scanned_out, sent_off;
	bool lis_known;		/* its Interfaces property was read */
	bool lis_map;		/* it has Listener.Unix.Map */

	/* Input: whether it may send any, and what it holds down in the guest. */
	bool may_control;
	bool control_refused_logged;
	uint64_t keys[4];	/* qnums 0..255 */
	uint32_t buttons;	/* 1 << enum input_button */
};

struct svc {
	int epfd, listen_fd, timer_fd;
	uint64_t hello_ns;	/* how long a peer has to authenticate and be of use */
	sd_id128_t id;
	char *vm_name, *uuid;
	struct svc_policy viewers, controllers;
	svc_input_fn input;
	void *input_data;
	bool relative;		/* the guest's pointer (Mouse.IsAbsolute, negated) */
	/* The viewers (SVC_MAX_CLIENTS at most) and the refused ones being told so. */
	struct svc_client *clients[SVC_SLOTS];

	/* The newest frame. */
	uint64_t seq;
	bool off;
	struct plane plane;
	int fd;
	ino_t ino;
	const void *pixels;	/* a region plane's */
	int map_fd;		/* its copy for Listener.Unix.Map, made for frame map_seq */
	uint64_t map_seq;
	bool region_warned;

	/* The guest's cursor, as the listeners are told it. */
	struct {
		bool on;
		int32_t w, h, hot_x, hot_y;
		int32_t x, y;		/* the pointer: the picture's top left plus the hotspot */
		uint32_t *argb;		/* w * h words, 0xAARRGGBB */
		uint64_t image, pos;	/* count changes of the picture, of x, y and on */
		char note[64];		/* what was said of a cursor not served */
	} cursor;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void who(const struct svc_client *c, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char pwbuf[1024];

	if (getpwuid_r(c->uid, &pw, pwbuf, sizeof(pwbuf), &found) || !found)
		snprintf(buf, len, "uid %u pid %d", (unsigned int)c->uid, (int)c->pid);
	else
		snprintf(buf, len, "uid %u (%s) pid %d", (unsigned int)c->uid, found->pw_name,
			 (int)c->pid);
}

/*
 * Drops @c later, from the loop, with one line saying why.  A peer that has
 * gone is "gone" whether reading found the end or sending failed first.
 */
static void client_fail(struct svc_client *c, const char *what, int err)
{
	char w[128];

	if (c->dead)
		return;
	if (err == ECONNRESET || err == ENOTCONN || err == EPIPE || err == ESHUTDOWN) {
		what = "gone";
		err = 0;
	}
	who(c, w, sizeof(w));
	LOG_NOTICE("client %s: %s%s%s: dropped", w, what, err ? ": " : "", err ? strerror(err) : "");
	c->dead = true;
}

static int conn_watch(struct svc *s, struct svc_conn *conn)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = conn };

	conn->fd = sd_bus_get_fd(conn->bus);
	conn->events = EPOLLIN;
	if (conn->fd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, conn->fd, &ev))
		return -errno;
	return 0;
}

static void conn_close(struct svc *s, struct svc_conn *conn)
{
	if (!conn->bus)
		return;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
	/*
	 * Not sd_bus_flush_close_unref(): flushing waits, in ppoll, for a peer
	 * that has not authenticated to do so, or for one that reads nothing
	 * to read: any client could stop the service.
	 */
	sd_bus_close_unref(conn->bus);
	conn->bus = NULL;
}

/* A peer-to-peer connection on @fd with us as the authenticating server. */
static int conn_open(struct svc_client *c, struct svc_conn *conn, int fd)
{
	int ret;

	conn->client = c;
	ret = sd_bus_new(&conn->bus);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if ((ret = sd_bus_set_fd(conn->bus, fd, fd)) < 0) {
		close(fd);
		goto fail;
	}
	/*
	 * Trusted: who may call is svc_policy's to say, and it was asked
	 * before this bus existed.  sd-bus's own check would refuse every
	 * method to a peer of another uid without CAP_SYS_ADMIN.
	 */
	if ((ret = sd_bus_set_server(conn->bus, 1, c->svc->id)) < 0 ||
	    (ret = sd_bus_set_trusted(conn->bus, 1)) < 0 ||
	    (ret = sd_bus_negotiate_fds(conn->bus, 1)) < 0 || (ret = sd_bus_start(conn->bus)) < 0)
		goto fail;
	ret = conn_watch(c->svc, conn);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	conn->bus = sd_bus_close_unref(conn->bus);
	return ret;
}

static int forward(struct svc *s, const struct input_event *ev, unsigned int n);

/* What @c holds down in the guest, let go of (it went, or was dropped). */
static void release_held(struct svc_client *c)
{
	struct input_event ev[64];
	unsigned int n = 0;

	for (uint32_t q = 0; q < 256; q++) {
		if (!(c->keys[q / 64] & (1ull << (q % 64))))
			continue;
		ev[n++] = (struct input_event){ .type = INPUT_EV_KEY, .code = q };
		if (n == 64) {
			forward(c->svc, ev, n);
			n = 0;
		}
	}
	for (unsigned int b = 0; b < INPUT_BUTTON_N && n < 64; b++)
		if (c->buttons & (1u << b))
			ev[n++] = (struct input_event){ .type = INPUT_EV_BUTTON, .code = b };
	if (n)
		forward(c->svc, ev, n);
	memset(c->keys, 0, sizeof(c->keys));
	c->buttons = 0;
}

static void client_free(struct svc_client *c)
{
	release_held(c);
	sd_bus_slot_unref(c->pending);
	conn_close(c->svc, &c->lis);
	conn_close(c->svc, &c->main);
	free(c);
}

/* --- sending frames -------------------------------------------------- */

static void client_send(struct svc_client *c);

static int listener_replied(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svc_client *c = data;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	c->pending = sd_bus_slot_unref(c->pending);
	/* The cursor is an extra: a listener without it still gets frames. */
	if (e && c->cursor_call) {
		char w[128];

		who(c, w, sizeof(w));
		LOG_INFO("client %s: its listener answered %s to the cursor: no cursor for it",
			 w, e->name);
		c->no_cursor = true;
		e = NULL;
	}
	c->cursor_call = false;
	if (e) {
		char what[200];

		snprintf(what, sizeof(what), "its listener answered %s", e->name);
		client_fail(c, what, 0);
		return 1;
	}
	client_send(c);
	return 1;
}

/*
 * The listener's Interfaces property, before anything else is sent to it
 * (QEMU reads it too, to choose shared memory or dmabufs).  Its answer
 * also says the client is past authenticating: an fd sent before that can
 * arrive with the server's last authentication line, and sd-bus drops a
 * connection that receives fds during authentication.
 */
static int listener_interfaces(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svc_client *c = data;
	const char *name;

	c->pending = sd_bus_slot_unref(c->pending);
	c->lis_known = true;
	/* An error (no such property: an older client) means no extras. */
	if (!sd_bus_message_get_error(m) && sd_bus_message_enter_container(m, 'v', "as") > 0 &&
	    sd_bus_message_enter_container(m, 'a', "s") > 0)
		while (sd_bus_message_read(m, "s", &name) > 0)
			c->lis_map = c->lis_map || !strcmp(name, DISPLAY1 ".Listener.Unix.Map");
	client_send(c);
	return 1;
}

/* Sends @m (unref'ed), whose answer says the client is ready for the next. */
static int listener_send(struct svc_client *c, sd_bus_message *m, int ret)
{
	/* No timeout: a stopped client keeps one call and the newest frame waits. */
	if (ret >= 0)
		ret = sd_bus_call_async(c->lis.bus, &c->pending, m, listener_replied, c, UINT64_MAX);
	sd_bus_message_unref(m);
	return ret;
}

static int call_listener_iface(struct svc_client *c, const char *iface, const char *method,
			       const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = sd_bus_message_new_method_call(c->lis.bus, &m, NULL, LISTENER_PATH, iface, method);
	if (ret < 0)
		return ret;
	va_start(ap, types);
	ret = sd_bus_message_appendv(m, types, ap);
	va_end(ap);
	return listener_send(c, m, ret);
}

#define call_listener(c, method, ...) \
	call_listener_iface(c, DISPLAY1 ".Listener", method, __VA_ARGS__)

/*
 * The region's pixels in a memfd of their own, sealed (nobody writes or
 * shrinks it, a client no more than we), made once per frame for all the
 * listeners that take shared memory.
 */
static int region_copy(struct svc *s)
{
	size_t size = (size_t)s->plane.stride * s->plane.height, done = 0;
	int fd, err;

	if (s->map_seq == s->seq && s->map_fd >= 0)
		return 0;
	errno = 0;
	fd = memfd_create("vgpu-frame", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size))
		goto fail;
	while (done < size) {
		ssize_t n = pwrite(fd, (const char *)s->pixels + done, size - done, (off_t)done);

		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		goto fail;
	if (s->map_fd >= 0)
		close(s->map_fd);
	s->map_fd = fd;
	s->map_seq = s->seq;
	return 0;
fail:
	err = errno ? errno : EIO;	/* a pwrite of 0 bytes sets none */
	if (fd >= 0)
		close(fd);
	return -err;
}

/* A region plane's frame: shared memory where the listener takes it, else inline. */
static int send_region(struct svc_client *c)
{
	struct svc *s = c->svc;
	const struct plane *p = &s->plane;
	uint32_t format = plane_format_pixman(p->fourcc);
	sd_bus_message *m = NULL;
	int ret;

	if (!format || !s->pixels) {
		if (!s->region_warned) {
			char name[5];

			LOG_WARN("a %s region plane cannot be served (no pixman format)",
				 plane_format_name(p->fourcc, name));
			s->region_warned = true;
		}
		return 0;
	}
	if (c->lis_map) {
		ret = region_copy(s);
		if (ret < 0)
			return ret;
		return call_listener_iface(c, DISPLAY1 ".Listener.Unix.Map", "ScanoutMap", "huuuuu",
					   s->map_fd, 0, p->width, p->height, p->stride, format);
	}
	ret = sd_bus_message_new_method_call(c->lis.bus, &m, NULL, LISTENER_PATH,
					     DISPLAY1 ".Listener", "Scanout");
	if (ret < 0)
		return ret;
	ret = sd_bus_message_append(m, "uuuu", p->width, p->height, p->stride, format);
	if (ret >= 0)
		ret = sd_bus_message_append_array(m, 'y', s->pixels,
						  (size_t)p->stride * p->height);
	return listener_send(c, m, ret);
}

static bool same_layout(const struct plane *a, const struct plane *b)
{
	return a->fourcc == b->fourcc && a->modifier == b->modifier && a->width == b->width &&
	       a->height == b->height && a->stride == b->stride;
}

/*
 * The cursor before the frame that shows it: a client that applies it with
 * the next frame (ours) shows both together, one that applies it at once
 * (QEMU's) is no worse off.  Returns 1 when a call went out.
 */
static int send_cursor(struct svc_client *c)
{
	struct svc *s = c->svc;
	int ret;

	if (c->no_cursor)
		return 0;
	if (s->cursor.on && c->sent_image != s->cursor.image) {
		sd_bus_message *m = NULL;

		c->sent_image = s->cursor.image;
		ret = sd_bus_message_new_method_call(c->lis.bus, &m, NULL, LISTENER_PATH,
						     DISPLAY1 ".Listener", "CursorDefine");
		if (ret < 0)
			return ret;
		ret = sd_bus_message_append(m, "iiii", s->cursor.w, s->cursor.h, s->cursor.hot_x,
					    s->cursor.hot_y);
		if (ret >= 0)
			ret = sd_bus_message_append_array(m, 'y', s->cursor.argb,
							  (size_t)s->cursor.w * s->cursor.h * 4);
		ret = listener_send(c, m, ret);
		c->cursor_call = ret >= 0;
		return ret < 0 ? ret : 1;
	}
	if (c->sent_pos != s->cursor.pos) {
		c->sent_pos = s->cursor.pos;
		ret = call_listener(c, "MouseSet", "iii", s->cursor.x, s->cursor.y,
				    (int32_t)s->cursor.on);
		c->cursor_call = ret >= 0;
		return ret < 0 ? ret : 1;
	}
	return 0;
}

/* The newest frame to @c's listener, unless it has it or a call is out. */
static void client_send(struct svc_client *c)
{
	struct svc *s = c->svc;
	const struct plane *p = &s->plane;
	int ret;

	if (!c->lis.bus || c->pending || c->dead)
		return;
	/*
	 * Nothing before the client has authenticated on its listener socket:
	 * sd-bus would wait for that in a call with an fd, and a client that
	 * never does would stop the service.
	 */
	if (!c->lis_known) {
		if (sd_bus_is_ready(c->lis.bus) <= 0)
			return;
		ret = sd_bus_call_method_async(c->lis.bus, &c->pending, NULL, LISTENER_PATH,
					       "org.freedesktop.DBus.Properties", "Get",
					       listener_interfaces, c, "ss", DISPLAY1 ".Listener",
					       "Interfaces");
		if (ret < 0)
			client_fail(c, "cannot call its listener", -ret);
		return;
	}
	ret = send_cursor(c);
	if (ret) {
		if (ret < 0)
			client_fail(c, "cannot call its listener", -ret);
		return;
	}
	if (!s->seq || c->sent_seq == s->seq)
		return;
	if (s->off) {
		ret = c->sent_off ? 0 : call_listener(c, "Disable", "");
		c->sent_off = true;
		c->scanned_out = false;
	} else if (p->kind != PLANE_DMABUF) {
		ret = send_region(c);
		c->scanned_out = false;
		c->sent_off = false;
	} else if (!c->scanned_out || c->sent_ino != s->ino || !same_layout(&c->sent_plane, p)) {
		ret = call_listener(c, "ScanoutDMABUF", "huuuutb", s->fd, p->width, p->height,
				    p->stride, p->fourcc, p->modifier, 1);
		c->scanned_out = ret >= 0;
		c->sent_ino = s->ino;
		c->sent_plane = *p;
		c->sent_off = false;
	} else {
		ret = call_listener(c, "UpdateDMABUF", "iiii", 0, 0, (int32_t)p->width,
				    (int32_t)p->height);
	}
	if (ret < 0)
		client_fail(c, "cannot call its listener", -ret);
	c->sent_seq = s->seq;
}

/* Says once (until it changes) why the guest's cursor is not served. */
static void cursor_note(struct svc *s, const char *note)
{
	if (!strcmp(note, s->cursor.note))
		return;
	snprintf(s->cursor.note, sizeof(s->cursor.note), "%s", note);
	if (note[0])
		LOG_WARN("the guest's cursor is not served: %s", note);
}

/*
 * The pointer's place on one axis: the picture's top left @pos (an int32_t,
 * as the presenters read it: left of or above the display is negative)
 * plus the hotspot, bounded as svc_client.c takes it.
 */
static int32_t pointer_at(uint32_t pos, int32_t hot)
{
	int64_t v = (int64_t)(int32_t)pos + hot;

	return (int32_t)(v < -PLANE_MAX_DIM ? -PLANE_MAX_DIM :
			 v > 2 * PLANE_MAX_DIM ? 2 * PLANE_MAX_DIM : v);
}

static void cursor_off(struct svc *s)
{
	if (s->cursor.on)
		s->cursor.pos++;	/* MouseSet(..., 0) */
	s->cursor.on = false;
}

/* The guest's cursor plane @p (NULL: none or off), its picture in @px. */
static void cursor_take(struct svc *s, const struct plane *p, const void *px)
{
	int32_t w, h, hot_x, hot_y, x, y;
	bool on = p && px;
	char note[64], name[5];
	int ret;

	if (on && (p->width > PLANE_CURSOR_MAX || p->height > PLANE_CURSOR_MAX ||
		   !p->width || !p->height || p->modifier)) {
		snprintf(note, sizeof(note), "a %ux%u picture, or tiled", p->width, p->height);
		cursor_note(s, note);
		on = false;
	}
	if (!on) {
		cursor_off(s);
		return;
	}
	w = (int32_t)p->width;
	h = (int32_t)p->height;
	if (w != s->cursor.w || h != s->cursor.h || !s->cursor.argb) {
		uint32_t *argb = calloc((size_t)w * h, 4);

		if (!argb) {
			cursor_note(s, "out of memory");
			cursor_off(s);
			return;
		}
		free(s->cursor.argb);
		s->cursor.argb = argb;
		s->cursor.w = w;
		s->cursor.h = h;
		s->cursor.image++;
	}
	ret = plane_cursor_to_argb(p, px, s->cursor.argb);
	if (ret < 0) {
		snprintf(note, sizeof(note), "format %s", plane_format_name(p->fourcc, name));
		cursor_note(s, note);
		cursor_off(s);
		return;
	}
	cursor_note(s, "");
	plane_cursor_hot(p, &hot_x, &hot_y);
	if (ret || hot_x != s->cursor.hot_x || hot_y != s->cursor.hot_y)
		s->cursor.image++;
	s->cursor.hot_x = hot_x;
	s->cursor.hot_y = hot_y;
	x = pointer_at(p->x, hot_x);
	y = pointer_at(p->y, hot_y);
	if (!s->cursor.on || x != s->cursor.x || y != s->cursor.y)
		s->cursor.pos++;
	s->cursor.x = x;
	s->cursor.y = y;
	s->cursor.on = true;
}

void svc_show(struct svc *s, const struct svc_frame *f)
{
	struct stat st;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->off = !f->plane;
	s->pixels = NULL;
	if (f->plane) {
		s->plane = *f->plane;
		s->pixels = f->plane->kind == PLANE_REGION ? f->pixels : NULL;
		if (f->plane->kind == PLANE_DMABUF) {
			s->fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 3);
			/* A dma-buf's inode names the buffer: the same one sent again is no new scanout. */
			s->ino = s->fd >= 0 && fstat(s->fd, &st) == 0 ? st.st_ino : 0;
		}
	}
	cursor_take(s, f->plane ? f->cursor : NULL, f->cursor_pixels);
	s->seq++;
	for (int i = 0; i < SVC_SLOTS; i++)
		if (s->clients[i])
			client_send(s->clients[i]);
}

/* --- org.qemu.Display1.VM and .Console --------------------------------- */

static int get_name(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;

	return sd_bus_message_append(reply, "s", strcmp(prop, "UUID") ? c->svc->vm_name : c->svc->uuid);
}

static int get_console_ids(sd_bus *bus, const char *path, const char *iface, const char *prop,
			   sd_bus_message *reply, void *data, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "au", 1, 0);
}

static int get_interfaces(sd_bus *bus, const char *path, const char *iface, const char *prop,
			  sd_bus_message *reply, void *data, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "as", 0);
}

static int get_console_str(sd_bus *bus, const char *path, const char *iface, const char *prop,
			   sd_bus_message *reply, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	char buf[128];

	if (!strcmp(prop, "Type"))
		return sd_bus_message_append(reply, "s", "Graphic");
	if (!strcmp(prop, "Label"))
		snprintf(buf, sizeof(buf), "vgpu %s", c->svc->uuid);
	else
		snprintf(buf, sizeof(buf), "mdev/%s", c->svc->uuid);
	return sd_bus_message_append(reply, "s", buf);
}

static int get_console_u(sd_bus *bus, const char *path, const char *iface, const char *prop,
			 sd_bus_message *reply, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	const struct svc *s = c->svc;
	uint32_t v = 0;

	if (!strcmp(prop, "Width") && s->seq && !s->off)
		v = s->plane.width;
	else if (!strcmp(prop, "Height") && s->seq && !s->off)
		v = s->plane.height;
	return sd_bus_message_append(reply, "u", v);
}

static int register_listener(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	struct stat st;
	int fd, ret;

	ret = sd_bus_message_read(m, "h", &fd);
	if (ret < 0)
		return ret;
	if (c->lis.bus)
		return sd_bus_error_set(err, SD_BUS_ERROR_NOT_SUPPORTED,
					"one listener per connection");
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return sd_bus_error_set(err, SD_BUS_ERROR_INVALID_ARGS,
					"the listener must be a unix socket");
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK | fcntl(fd, F_GETFL)) < 0) {
		if (fd >= 0)
			close(fd);
		return sd_bus_error_set_errno(err, errno);
	}
	ret = conn_open(c, &c->lis, fd);
	if (ret < 0)
		return sd_bus_error_set_errno(err, -ret);
	ret = sd_bus_reply_method_return(m, "");
	client_send(c);
	return ret;
}

static int set_ui_info(sd_bus_message *m, void *data, sd_bus_error *err)
{
	uint16_t wmm, hmm;
	int32_t x, y;
	uint32_t w, h;
	int ret;

	ret = sd_bus_message_read(m, "qqiiuu", &wmm, &hmm, &x, &y, &w, &h);
	if (ret < 0)
		return ret;
	LOG_DBG("SetUIInfo %ux%u (preferred resolutions come with issue 19)", w, h);
	return sd_bus_reply_method_return(m, "");
}

/* --- input --------------------------------------------------------------- */

static int forward(struct svc *s, const struct input_event *ev, unsigned int n)
{
	return s->input ? s->input(s->input_data, ev, n) : -ENOTCONN;
}

/* Whether @c may send input; the error for it when not. */
static bool may_control(struct svc_client *c, sd_bus_error *err)
{
	char w[128];

	if (c->may_control)
		return true;
	who(c, w, sizeof(w));
	if (!c->control_refused_logged)
		LOG_NOTICE("client %s: input refused: a viewer of VM %s, not a controller (%s)", w,
			   c->svc->vm_name, c->svc->controllers.text[0] ? c->svc->controllers.text :
			   "root only");
	c->control_refused_logged = true;
	sd_bus_error_setf(err, SD_BUS_ERROR_ACCESS_DENIED, "%s may view VM %.100s but not "
			  "control it (controllers: %s)", w, c->svc->vm_name,
			  c->svc->controllers.text[0] ? c->svc->controllers.text : "root only");
	return false;
}

static int send_one(sd_bus_message *m, struct svc_client *c, const struct input_event *ev,
		    sd_bus_error *err)
{
	int ret = forward(c->svc, ev, 1);

	if (ret == -ENOTCONN)
		return sd_bus_error_setf(err, SD_BUS_ERROR_NOT_SUPPORTED, "VM %.100s takes no input "
					 "now (no QMP socket or VNC server of its QEMU)",
					 c->svc->vm_name);
	if (ret < 0)
		return sd_bus_error_set_errno(err, -ret);
	return sd_bus_reply_method_return(m, "");
}

/* Keyboard and Mouse's Press and Release: a key (QEMU's number) or a button goes down or up. */
static int press_release(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	bool down = !strcmp(sd_bus_message_get_member(m), "Press");
	bool is_key = !strcmp(sd_bus_message_get_interface(m), DISPLAY1 ".Keyboard");
	uint32_t v;
	int ret;

	ret = sd_bus_message_read(m, "u", &v);
	if (ret < 0)
		return ret;
	if (!may_control(c, err))
		return -EACCES;
	if (is_key ? v == 0 || v > 255 : v >= INPUT_BUTTON_N)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS, "no %s %u",
					 is_key ? "key" : "button", v);
	if (is_key && down)
		c->keys[v / 64] |= 1ull << (v % 64);
	else if (is_key)
		c->keys[v / 64] &= ~(1ull << (v % 64));
	else if (down)
		c->buttons |= 1u << v;
	else
		c->buttons &= ~(1u << v);
	return send_one(m, c, &(struct input_event){
		.type = is_key ? INPUT_EV_KEY : INPUT_EV_BUTTON, .down = down, .code = v }, err);
}

/* SetAbsPosition: console pixels, as QEMU takes them, scaled to the VMM's range. */
static int abs_position(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	const struct svc *s = c->svc;
	uint32_t x, y;
	int ret;

	ret = sd_bus_message_read(m, "uu", &x, &y);
	if (ret < 0)
		return ret;
	if (!may_control(c, err))
		return -EACCES;
	if (s->off || !s->plane.width || !s->plane.height)
		return sd_bus_error_setf(err, SD_BUS_ERROR_FAILED, "the guest's display is off");
	if (x >= s->plane.width || y >= s->plane.height)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS, "%u,%u is outside the "
					 "%ux%u display", x, y, s->plane.width, s->plane.height);
	return send_one(m, c, &(struct input_event){
		.type = INPUT_EV_ABS,
		.x = (int32_t)((uint64_t)x * INPUT_ABS_MAX / s->plane.width),
		.y = (int32_t)((uint64_t)y * INPUT_ABS_MAX / s->plane.height) }, err);
}

static int rel_motion(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;
	int32_t dx, dy;
	int ret;

	ret = sd_bus_message_read(m, "ii", &dx, &dy);
	if (ret < 0)
		return ret;
	if (!may_control(c, err))
		return -EACCES;
	return send_one(m, c, &(struct input_event){ .type = INPUT_EV_REL, .x = dx, .y = dy },
			err);
}

static int get_modifiers(sd_bus *bus, const char *path, const char *iface, const char *prop,
			 sd_bus_message *reply, void *data, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "u", 0);
}

static int get_is_absolute(sd_bus *bus, const char *path, const char *iface, const char *prop,
			   sd_bus_message *reply, void *data, sd_bus_error *err)
{
	const struct svc_client *c = data;

	return sd_bus_message_append(reply, "b", !c->svc->relative);
}

static const sd_bus_vtable keyboard_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", press_release, 0),
	SD_BUS_METHOD("Release", "u", "", press_release, 0),
	SD_BUS_PROPERTY("Modifiers", "u", get_modifiers, 0, 0),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable mouse_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Press", "u", "", press_release, 0),
	SD_BUS_METHOD("Release", "u", "", press_release, 0),
	SD_BUS_METHOD("SetAbsPosition", "uu", "", abs_position, 0),
	SD_BUS_METHOD("RelMotion", "ii", "", rel_motion, 0),
	SD_BUS_PROPERTY("IsAbsolute", "b", get_is_absolute, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable vm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("UUID", "s", get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("ConsoleIDs", "au", get_console_ids, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Interfaces", "as", get_interfaces, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable console_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("RegisterListener", "h", "", register_listener, 0),
	SD_BUS_METHOD("SetUIInfo", "qqiiuu", "", set_ui_info, 0),
	SD_BUS_PROPERTY("Label", "s", get_console_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Head", "u", get_console_u, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Type", "s", get_console_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Width", "u", get_console_u, 0, 0),
	SD_BUS_PROPERTY("Height", "u", get_console_u, 0, 0),
	SD_BUS_PROPERTY("DeviceAddress", "s", get_console_str, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Interfaces", "as", get_interfaces, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

/* A refused peer: every call it makes gets the reason, then it goes. */
static int refuse(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svc_client *c = data;

	uint8_t type;

	if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
		return 0;
	/* Written at once when the socket has room: no flush (see conn_close()). */
	sd_bus_reply_method_errorf(m, SD_BUS_ERROR_ACCESS_DENIED, "%s", c->refusal);
	c->dead = true;
	return 1;
}

/* --- connections ---------------------------------------------------------- */

static int peer_of(int fd, struct svc_peer *peer, gid_t *groups)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -errno;
	*peer = (struct svc_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid,
				   .groups = groups };
	len = MAX_GROUPS * sizeof(gid_t);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0)
		peer->n_groups = len / sizeof(gid_t);
	/* ERANGE (more groups than we look at): those beyond are not counted. */
	return 0;
}

static void accept_one(struct svc *s, int fd)
{
	static gid_t groups[MAX_GROUPS];
	struct svc_client *c;
	struct svc_peer peer;
	char w[128];
	int slot = -1, same = 0, ret;
	bool refused;

	if (peer_of(fd, &peer, groups) < 0) {
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	*c = (struct svc_client){ .svc = s, .pid = peer.pid, .uid = peer.uid,
				  .deadline = now_ns() + s->hello_ns };
	who(c, w, sizeof(w));
	refused = !svc_policy_allows(&s->viewers, &peer);
	c->may_control = !refused && svc_policy_allows(&s->controllers, &peer);
	/*
	 * The refused have slots of their own, so that no number of them
	 * keeps a viewer out; beyond those, they are closed unanswered.
	 */
	for (int i = 0; i < SVC_SLOTS; i++) {
		if (!s->clients[i])
			slot = slot < 0 ? i : slot;
		else if (!s->clients[i]->refusal[0] == !refused)
			same++;
	}
	if (same >= (refused ? SVC_MAX_REFUSED : SVC_MAX_CLIENTS)) {
		if (refused)
			LOG_NOTICE("client %s: refused, not among the VM's viewers (unanswered: "
				   "%d refusals pending)", w, SVC_MAX_REFUSED);
		else
			LOG_NOTICE("client %s: refused, %d clients already", w, SVC_MAX_CLIENTS);
		free(c);
		close(fd);
		return;
	}
	if (refused) {
		snprintf(c->refusal, sizeof(c->refusal), "%s may not view VM %.100s (allowed: %s)", w,
			 s->vm_name, s->viewers.text[0] ? s->viewers.text : "root only");
		LOG_NOTICE("client %s: refused: not among the VM's viewers (%s)", w,
			   s->viewers.text[0] ? s->viewers.text : "root only");
	}
	ret = conn_open(c, &c->main, fd);
	if (ret >= 0 && c->refusal[0])
		ret = sd_bus_add_filter(c->main.bus, NULL, refuse, c);
	if (ret >= 0 && !c->refusal[0]) {
		ret = sd_bus_add_object_vtable(c->main.bus, NULL, "/org/qemu/Display1/VM",
					       DISPLAY1 ".VM", vm_vtable, c);
		if (ret >= 0)
			ret = sd_bus_add_object_vtable(c->main.bus, NULL,
						       "/org/qemu/Display1/Console_0",
						       DISPLAY1 ".Console", console_vtable, c);
		if (ret >= 0)
			ret = sd_bus_add_object_vtable(c->main.bus, NULL,
						       "/org/qemu/Display1/Console_0",
						       DISPLAY1 ".Keyboard", keyboard_vtable, c);
		if (ret >= 0)
			ret = sd_bus_add_object_vtable(c->main.bus, NULL,
						       "/org/qemu/Display1/Console_0",
						       DISPLAY1 ".Mouse", mouse_vtable, c);
		if (ret >= 0)
			ret = sd_bus_add_object_manager(c->main.bus, NULL, "/org/qemu/Display1");
	}
	if (ret == -EIO || ret == -EPERM || ret == -EBADMSG) {
		/* sd-bus read what the peer sent already: not the protocol. */
		LOG_NOTICE("client %s: failed to authenticate (%s): dropped", w, strerror(-ret));
		client_free(c);
		return;
	}
	if (ret < 0) {
		LOG_WARN("client %s: cannot serve it: %s", w, strerror(-ret));
		client_free(c);
		return;
	}
	if (!c->refusal[0])
		LOG_INFO("client %s connected", w);
	s->clients[slot] = c;
}

static void accept_all(struct svc *s)
{
	int fd;

	while ((fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		accept_one(s, fd);
}

static void conn_process(struct svc_conn *conn)
{
	int ret;

	if (!conn->bus || conn->client->dead)
		return;
	do
		ret = sd_bus_process(conn->bus, NULL);
	while (ret > 0 && !conn->client->dead);
	if (ret < 0)
		client_fail(conn->client, "connection failed", -ret);
	else if (conn == &conn->client->lis)
		client_send(conn->client);	/* it may have become ready */
}

static bool conn_queued(const struct svc_conn *conn)
{
	uint64_t when;

	return conn->bus && sd_bus_get_timeout(conn->bus, &when) > 0 && when == 0;
}

static void conn_rearm(struct svc *s, struct svc_conn *conn)
{
	struct epoll_event ev = { .data.ptr = conn };
	int want;

	if (!conn->bus)
		return;
	want = sd_bus_get_events(conn->bus);
	if (want < 0)
		return;
	ev.events = (want & POLLIN ? EPOLLIN : 0) | (want & POLLOUT ? EPOLLOUT : 0);
	if (ev.events != conn->events && epoll_ctl(s->epfd, EPOLL_CTL_MOD, conn->fd, &ev) == 0)
		conn->events = ev.events;
}

static void reap(struct svc *s)
{
	for (int i = 0; i < SVC_SLOTS; i++) {
		struct svc_client *c = s->clients[i];

		if (c && c->dead) {
			client_free(c);
			s->clients[i] = NULL;
		}
	}
}

/*
 * Peers that hold a slot for nothing: not authenticated in time, or
 * refused and not asking.  The timer wakes the loop for the next deadline.
 */
static void check_deadlines(struct svc *s)
{
	struct itimerspec its = { 0 };
	uint64_t now = now_ns(), next = 0;

	for (int i = 0; i < SVC_SLOTS; i++) {
		struct svc_client *c = s->clients[i];

		if (!c || c->dead)
			continue;
		if (!c->refusal[0] && sd_bus_is_ready(c->main.bus) > 0)
			c->deadline = 0;
		if (!c->deadline)
			continue;
		if (c->deadline <= now)
			client_fail(c, c->refusal[0] ? "refused, and asked nothing" :
				       "did not authenticate in time", 0);
		else if (!next || c->deadline < next)
			next = c->deadline;
	}
	its.it_value.tv_sec = (time_t)(next / 1000000000ull);
	its.it_value.tv_nsec = (long)(next % 1000000000ull);
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void svc_prepare(struct svc *s)
{
	check_deadlines(s);
	for (int i = 0; i < SVC_SLOTS; i++) {
		struct svc_client *c = s->clients[i];

		if (!c)
			continue;
		/* A reply read during a call waits in sd-bus's queue, not on the socket. */
		while (!c->dead && (conn_queued(&c->main) || conn_queued(&c->lis))) {
			conn_process(&c->main);
			conn_process(&c->lis);
		}
	}
	reap(s);
	for (int i = 0; i < SVC_SLOTS; i++)
		if (s->clients[i]) {
			conn_rearm(s, &s->clients[i]->main);
			conn_rearm(s, &s->clients[i]->lis);
		}
}

void svc_dispatch(struct svc *s)
{
	struct epoll_event evs[16];
	int n;

	n = epoll_wait(s->epfd, evs, 16, 0);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == &s->listen_fd)
			accept_all(s);
		else if (evs[i].data.ptr == &s->timer_fd)
			check_deadlines(s);
		else
			conn_process(evs[i].data.ptr);
	}
	reap(s);
}

void svc_set_pointer(struct svc *s, bool relative)
{
	if (s->relative == relative)
		return;
	s->relative = relative;
	for (int i = 0; i < SVC_SLOTS; i++) {
		struct svc_client *c = s->clients[i];
		int ret;

		if (!c || c->dead || c->refusal[0])
			continue;
		ret = sd_bus_emit_properties_changed(c->main.bus, "/org/qemu/Display1/Console_0",
						     DISPLAY1 ".Mouse", "IsAbsolute", NULL);
		if (ret < 0)
			client_fail(c, "cannot tell it of the pointer", -ret);
	}
}

unsigned int svc_clients(const struct svc *s, unsigned int *listening)
{
	unsigned int n = 0, l = 0;

	for (int i = 0; i < SVC_SLOTS; i++)
		if (s->clients[i] && !s->clients[i]->refusal[0]) {
			n++;
			l += s->clients[i]->lis.bus != NULL;
		}
	if (listening)
		*listening = l;
	return n;
}

int svc_get_fd(const struct svc *s)
{
	return s->epfd;
}

/* Whether a service answers at @path (a stale socket file refuses). */
static bool someone_listens(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true;	/* cannot tell: do not take the path */
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return live;
}

int svc_listen(const char *path, bool *created)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	int n = sd_listen_fds(1), fd, ret;

	*created = false;
	if (n > 1) {
		LOG_ERR("systemd passed %d sockets; the display service takes one", n);
		return -EINVAL;
	}
	if (n == 1) {
		fd = SD_LISTEN_FDS_START;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			LOG_ERR("the socket systemd passed is no listening unix stream socket");
			return -EINVAL;
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC))
			return LOG_ERRNO(errno, "the socket systemd passed");
		LOG_INFO("serving on the socket systemd passed");
		return fd;
	}
	if (!path || strlen(path) >= sizeof(sa.sun_path) || path[0] != '/')
		return -EINVAL;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return LOG_ERRNO(errno, "cannot create %s", dir);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return LOG_ERRNO(errno, "socket");
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (ret && errno == EADDRINUSE && !someone_listens(&sa) && unlink(path) == 0)
		ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (ret) {
		ret = -errno;
		if (ret == -EADDRINUSE)
			LOG_ERR("%s: another display service listens there", path);
		else
			LOG_ERRNO(ret, "cannot bind %s", path);
		close(fd);
		return ret;
	}
	*created = true;
	if (chmod(path, 0666) || listen(fd, SVC_SLOTS)) {
		ret = LOG_ERRNO(errno, "cannot listen on %s", path);
		unlink(path);
		close(fd);
		*created = false;
		return ret;
	}
	return fd;
}

struct svc *svc_create(int listen_fd, const struct svc_info *info)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct svc *s = calloc(1, sizeof(*s));

	if (!s) {
		close(listen_fd);
		return NULL;
	}
	s->listen_fd = listen_fd;
	s->fd = -1;
	s->map_fd = -1;
	s->epfd = -1;
	s->timer_fd = -1;
	s->hello_ns = (info->hello_ms ? info->hello_ms : SVC_HELLO_MS) * 1000000ull;
	s->viewers = *info->viewers;
	s->controllers = info->controllers ? *info->controllers : *info->viewers;
	s->input = info->input;
	s->input_data = info->input_data;
	s->vm_name = strdup(info->vm_name ? info->vm_name : "");
	s->uuid = strdup(info->uuid ? info->uuid : "");
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!s->vm_name || !s->uuid || s->epfd < 0 || s->timer_fd < 0 ||
	    sd_id128_randomize(&s->id) < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, listen_fd, (ev.data.ptr = &s->listen_fd, &ev)) ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->timer_fd, (ev.data.ptr = &s->timer_fd, &ev))) {
		LOG_ERR("cannot set up the display service: %s", strerror(errno));
		svc_destroy(s);
		return NULL;
	}
	return s;
}

void svc_destroy(struct svc *s)
{
	if (!s)
		return;
	for (int i = 0; i < SVC_SLOTS; i++)
		if (s->clients[i])
			client_free(s->clients[i]);
	if (s->fd >= 0)
		close(s->fd);
	if (s->map_fd >= 0)
		close(s->map_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	close(s->listen_fd);
	free(s->cursor.argb);
	free(s->vm_name);
	free(s->uuid);
	free(s);
}
