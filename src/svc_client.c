// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#define LOG_MODULE "svc_client"
#include "log.h"
#include "svc_client.h"

#define DISPLAY1 "org.qemu.Display1"

struct svcc_conn {
	sd_bus *bus;
	int fd;
	uint32_t events;
};

struct svcc {
	const struct svcc_listener *l;
	void *data;
	int epfd;
	struct svcc_conn main, lis;
	int listener_fd;	/* the end the service gets, until it has it */
	sd_bus_slot *call;	/* RegisterListener, then GetAll of the VM */
	sd_bus_message *held;	/* the frame to answer when it is on screen */
	struct plane plane;	/* the layout of the last scanout */
	struct {		/* shared memory frames: the last two stay mapped */
		void *p;
		size_t len;
	} maps[2];
	bool closed;

	/* Input: calls not answered yet, and whether the service refused it. */
	unsigned int input_inflight;
	bool input_refused;
	bool relative;		/* Mouse.IsAbsolute, negated */
	sd_bus_slot *mouse_call, *mouse_match;
	char input_error[128];	/* the last error logged, said once */

	/*
	 * The guest's cursor (CursorDefine, MouseSet), for svcc_cursor(): two
	 * pictures, so that the one lent with the last frame stays as it was
	 * until the next frame while a new one is defined into the other.
	 */
	struct {
		struct plane_buf buf[2];	/* fd -1; map: our copy */
		int defined, lent;		/* indexes into @buf, -1: none */
		int32_t x, y;			/* the pointer: top left plus hotspot */
		bool on;
		uint32_t ids;
	} cursor;
};

static void closed(struct svcc *c, const char *why)
{
	if (c->closed)
		return;
	c->closed = true;
	c->l->closed(c->data, why);
}

/* --- the listener: what the service calls -------------------------------- */

static void hold(struct svcc *c, sd_bus_message *m)
{
	/* The service sends one at a time; answer a stray older one now. */
	if (c->held)
		sd_bus_reply_method_return(c->held, "");
	sd_bus_message_unref(c->held);
	c->held = sd_bus_message_ref(m);
}

static int on_scanout(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;
	uint32_t w, h, stride, fourcc;
	uint64_t modifier;
	int fd, y0_top, ret;

	ret = sd_bus_message_read(m, "huuuutb", &fd, &w, &h, &stride, &fourcc, &modifier, &y0_top);
	if (ret < 0)
		return ret;
	if (!w || !h || w > PLANE_MAX_DIM || h > PLANE_MAX_DIM || stride < w ||
	    (uint64_t)stride * h > PLANE_MAX_SIZE || !y0_top)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "a %ux%u frame with stride %u%s is not shown", w, h, stride,
					 y0_top ? "" : ", bottom up,");
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	c->plane = (struct plane){ .kind = PLANE_DMABUF, .fourcc = fourcc, .modifier = modifier,
				   .width = w, .height = h, .stride = stride,
				   .size = stride * h, .hot_x = UINT32_MAX, .hot_y = UINT32_MAX };
	hold(c, m);
	c->l->frame(c->data, fd, NULL, &c->plane);
	return 1;
}

static void unmap_old(struct svcc *c)
{
	if (c->maps[1].p)
		munmap(c->maps[1].p, c->maps[1].len);
	c->maps[1] = c->maps[0];
	c->maps[0].p = NULL;
}

/*
 * A region plane's frame in shared memory (Listener.Unix.Map).  The memfd
 * must be sealed against shrinking: one cut short under our mapping would
 * kill us with SIGBUS.
 */
static int on_scanout_map(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;
	uint32_t offset, w, h, stride, format, fourcc;
	struct stat st;
	size_t len;
	void *p;
	int fd, ret;

	ret = sd_bus_message_read(m, "huuuuu", &fd, &offset, &w, &h, &stride, &format);
	if (ret < 0)
		return ret;
	fourcc = plane_format_from_pixman(format);
	if (!fourcc || !w || !h || w > PLANE_MAX_DIM || h > PLANE_MAX_DIM ||
	    stride < w * plane_format_cpp(fourcc) || (uint64_t)stride * h > PLANE_MAX_SIZE)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "a %ux%u frame of format %#x with stride %u is not shown",
					 w, h, format, stride);
	len = (size_t)offset + (size_t)stride * h;
	if (fstat(fd, &st) || (uint64_t)st.st_size < len ||
	    !(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK))
		return sd_bus_error_set(err, SD_BUS_ERROR_INVALID_ARGS,
					"the frame's memory is too small or not sealed against shrinking");
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	unmap_old(c);
	c->maps[0].p = p;
	c->maps[0].len = len;
	c->plane = (struct plane){ .kind = PLANE_REGION, .fourcc = fourcc, .width = w,
				   .height = h, .stride = stride, .size = stride * h,
				   .hot_x = UINT32_MAX, .hot_y = UINT32_MAX };
	hold(c, m);
	c->l->frame(c->data, -1, (const char *)p + offset, &c->plane);
	return 1;
}

/* The buffer (UpdateDMABUF) or the shared memory (UpdateMap) it sent last, again. */
static int on_update(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;
	bool map = !strcmp(sd_bus_message_get_member(m), "UpdateMap");
	const void *pixels = NULL;
	int32_t x, y, w, h;
	int ret;

	ret = sd_bus_message_read(m, "iiii", &x, &y, &w, &h);
	if (ret < 0)
		return ret;
	if (!c->plane.width || map != (c->plane.kind == PLANE_REGION))
		return sd_bus_error_set(err, SD_BUS_ERROR_FAILED,
					"an update of no buffer it sent");
	if (map)
		pixels = (const char *)c->maps[0].p + (c->maps[0].len - c->plane.size);
	hold(c, m);
	c->l->frame(c->data, -1, pixels, &c->plane);
	return 1;
}

static int on_disable(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;

	c->plane = (struct plane){ 0 };
	c->l->off(c->data);
	return sd_bus_reply_method_return(m, "");
}

/*
 * The guest's cursor picture: 32-bit 0xAARRGGBB words in the host's byte
 * order, as QEMU sends it (DRM_FORMAT_ARGB8888 on a little-endian host).
 * Shown with the next frame, which the service sends after it.
 */
static int on_cursor_define(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;
	int32_t w, h, hot_x, hot_y;
	struct plane_buf *b;
	const void *px;
	size_t len;
	int i, ret;

	ret = sd_bus_message_read(m, "iiii", &w, &h, &hot_x, &hot_y);
	if (ret >= 0)
		ret = sd_bus_message_read_array(m, 'y', &px, &len);
	if (ret < 0)
		return ret;
	if (w <= 0 || h <= 0 || w > PLANE_CURSOR_MAX || h > PLANE_CURSOR_MAX ||
	    len != (size_t)w * (size_t)h * 4)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "a %dx%d cursor of %zu bytes (at most %ux%u, 4 bytes a pixel)",
					 w, h, len, PLANE_CURSOR_MAX, PLANE_CURSOR_MAX);
	i = c->cursor.lent == 0 ? 1 : 0;
	b = &c->cursor.buf[i];
	if ((size_t)b->plane.size != len) {
		void *map = malloc(len);

		if (!map)
			return -ENOMEM;
		free(b->map);
		b->map = map;
	}
	memcpy(b->map, px, len);
	b->fd = -1;
	b->plane = (struct plane){
		.kind = PLANE_DMABUF,
		.fourcc = FOURCC('A', 'R', '2', '4'),
		.width = (uint32_t)w,
		.height = (uint32_t)h,
		.stride = (uint32_t)w * 4,
		.size = (uint32_t)len,
		.hot_x = hot_x >= 0 && hot_x < w ? (uint32_t)hot_x : UINT32_MAX,
		.hot_y = hot_y >= 0 && hot_y < h ? (uint32_t)hot_y : UINT32_MAX,
		.id = ++c->cursor.ids,
	};
	b->dmabuf_id = b->plane.id;
	c->cursor.defined = i;
	return sd_bus_reply_method_return(m, "");
}

/* Where the pointer is (the picture's hotspot), and whether the cursor is shown. */
static int on_mouse_set(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct svcc *c = data;
	int32_t x, y, on;
	int ret;

	ret = sd_bus_message_read(m, "iii", &x, &y, &on);
	if (ret < 0)
		return ret;
	if (x < -PLANE_MAX_DIM || x > 2 * PLANE_MAX_DIM || y < -PLANE_MAX_DIM ||
	    y > 2 * PLANE_MAX_DIM)
		return sd_bus_error_setf(err, SD_BUS_ERROR_INVALID_ARGS,
					 "a pointer at %d, %d", x, y);
	c->cursor.x = x;
	c->cursor.y = y;
	c->cursor.on = on != 0;
	return sd_bus_reply_method_return(m, "");
}

struct plane_buf *svcc_cursor(struct svcc *c, struct plane *ret)
{
	struct plane_buf *b;
	int32_t hot_x, hot_y;

	if (c->cursor.defined < 0 || !c->cursor.on)
		return NULL;
	b = &c->cursor.buf[c->cursor.defined];
	*ret = b->plane;
	plane_cursor_hot(ret, &hot_x, &hot_y);
	/* The top left, which may be left of or above the display (as an int32_t). */
	ret->x = (uint32_t)(c->cursor.x - hot_x);
	ret->y = (uint32_t)(c->cursor.y - hot_y);
	c->cursor.lent = c->cursor.defined;
	return b;
}

static int get_interfaces(sd_bus *bus, const char *path, const char *iface, const char *prop,
			  sd_bus_message *reply, void *data, sd_bus_error *err)
{
	return sd_bus_message_append(reply, "as", 1, DISPLAY1 ".Listener.Unix.Map");
}

static const sd_bus_vtable listener_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ScanoutDMABUF", "huuuutb", "", on_scanout, 0),
	SD_BUS_METHOD("UpdateDMABUF", "iiii", "", on_update, 0),
	SD_BUS_METHOD("Disable", "", "", on_disable, 0),
	SD_BUS_METHOD("MouseSet", "iii", "", on_mouse_set, 0),
	SD_BUS_METHOD("CursorDefine", "iiiiay", "", on_cursor_define, 0),
	SD_BUS_PROPERTY("Interfaces", "as", get_interfaces, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable map_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ScanoutMap", "huuuuu", "", on_scanout_map, 0),
	SD_BUS_METHOD("UpdateMap", "iiii", "", on_update, 0),
	SD_BUS_VTABLE_END
};

void svcc_frame_done(struct svcc *c)
{
	if (!c->held)
		return;
	sd_bus_reply_method_return(c->held, "");
	c->held = sd_bus_message_unref(c->held);
}

/* --- our calls: RegisterListener, then the VM's name ----------------------- */

static void watch_pointer(struct svcc *c);

static int on_vm(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svcc *c = data;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *key, *val, *name = "", *uuid = "";
	char name_buf[128] = "", uuid_buf[64] = "";

	c->call = sd_bus_slot_unref(c->call);
	if (e) {
		closed(c, e->message);
		return 1;
	}
	/* a{sv}: Name and UUID are strings; the rest is skipped. */
	if (sd_bus_message_enter_container(m, 'a', "{sv}") > 0) {
		while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
			if (sd_bus_message_read(m, "s", &key) < 0)
				break;
			if ((!strcmp(key, "Name") || !strcmp(key, "UUID")) &&
			    sd_bus_message_read(m, "v", "s", &val) > 0) {
				if (!strcmp(key, "Name"))
					snprintf(name_buf, sizeof(name_buf), "%s", val);
				else
					snprintf(uuid_buf, sizeof(uuid_buf), "%s", val);
			} else {
				sd_bus_message_skip(m, "v");
			}
			sd_bus_message_exit_container(m);
		}
	}
	name = name_buf;
	uuid = uuid_buf;
	watch_pointer(c);
	c->l->ready(c->data, name, uuid);
	return 1;
}

static int on_registered(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svcc *c = data;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	c->call = sd_bus_slot_unref(c->call);
	if (e) {
		closed(c, e->message ? e->message : e->name);
		return 1;
	}
	if (sd_bus_call_method_async(c->main.bus, &c->call, NULL, "/org/qemu/Display1/VM",
				     "org.freedesktop.DBus.Properties", "GetAll", on_vm, c, "s",
				     DISPLAY1 ".VM") < 0)
		closed(c, NULL);
	return 1;
}

/*
 * RegisterListener once the connection is up: sd-bus would wait, in the
 * call, for the service to finish authenticating us before sending an fd.
 */
static void try_register(struct svcc *c)
{
	if (c->listener_fd < 0 || sd_bus_is_ready(c->main.bus) <= 0)
		return;
	if (sd_bus_call_method_async(c->main.bus, &c->call, NULL, "/org/qemu/Display1/Console_0",
				     DISPLAY1 ".Console", "RegisterListener", on_registered, c, "h",
				     c->listener_fd) < 0)
		closed(c, NULL);
	close(c->listener_fd);
	c->listener_fd = -1;
}

/* --- input: Display1's Keyboard and Mouse ---------------------------------- */

/* Calls unanswered at which the sink says it is busy (motion is coalesced). */
#define INPUT_BUSY 4

static int input_replied(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svcc *c = data;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	if (c->input_inflight)
		c->input_inflight--;
	if (!e || !strcmp(c->input_error, e->name))
		return 1;
	snprintf(c->input_error, sizeof(c->input_error), "%s", e->name);
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_ACCESS_DENIED)) {
		c->input_refused = true;
		LOG_WARN("the display service refused our input, view only: %s", e->message);
	} else {
		LOG_WARN("the display service did not take our input: %s", e->message);
	}
	return 1;
}

static int input_call(struct svcc *c, const char *iface, const char *method, const char *sig,
		      ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int ret;

	ret = sd_bus_message_new_method_call(c->main.bus, &m, NULL, "/org/qemu/Display1/Console_0",
					     iface, method);
	if (ret >= 0) {
		va_start(ap, sig);
		ret = sd_bus_message_appendv(m, sig, ap);
		va_end(ap);
	}
	if (ret >= 0)
		ret = sd_bus_call_async(c->main.bus, NULL, m, input_replied, c, 0);
	sd_bus_message_unref(m);
	if (ret >= 0)
		c->input_inflight++;
	return ret < 0 ? ret : 0;
}

/* The service says which pointer the guest has, when asked and on each change. */
static void set_absolute(struct svcc *c, int absolute)
{
	if (c->relative == !absolute)
		return;
	c->relative = !absolute;
	LOG_INFO("the display service says the guest's pointer is %s",
		 c->relative ? "relative (a mouse): a click in the window grabs the pointer" :
			       "absolute");
}

static int on_is_absolute(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svcc *c = data;
	int absolute;

	c->mouse_call = sd_bus_slot_unref(c->mouse_call);
	/* A service without the property (or an error): absolute, as before. */
	if (!sd_bus_message_is_method_error(m, NULL) &&
	    sd_bus_message_read(m, "v", "b", &absolute) > 0)
		set_absolute(c, absolute);
	return 1;
}

/* PropertiesChanged on Console_0: Mouse.IsAbsolute is the one we follow. */
static int on_properties(sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
	struct svcc *c = data;
	const char *iface, *key;
	int absolute;

	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, DISPLAY1 ".Mouse") ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") <= 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &key) < 0)
			break;
		if (!strcmp(key, "IsAbsolute") && sd_bus_message_read(m, "v", "b", &absolute) > 0)
			set_absolute(c, absolute);
		else if (sd_bus_message_skip(m, "v") < 0)
			break;
		sd_bus_message_exit_container(m);
	}
	return 0;
}

static void watch_pointer(struct svcc *c)
{
	if (sd_bus_match_signal(c->main.bus, &c->mouse_match, NULL, "/org/qemu/Display1/Console_0",
				"org.freedesktop.DBus.Properties", "PropertiesChanged",
				on_properties, c) < 0 ||
	    sd_bus_call_method_async(c->main.bus, &c->mouse_call, NULL,
				     "/org/qemu/Display1/Console_0",
				     "org.freedesktop.DBus.Properties", "Get", on_is_absolute, c,
				     "ss", DISPLAY1 ".Mouse", "IsAbsolute") < 0)
		LOG_WARN("cannot ask the display service which pointer the guest has: "
			 "positions are sent");
}

/* 0..INPUT_ABS_MAX in the display's @size pixels, as the service (and QEMU) scale back. */
static uint32_t to_pixels(int32_t v, uint32_t size)
{
	uint64_t p = ((uint64_t)(v < 0 ? 0 : v) * size + INPUT_ABS_MAX / 2) / INPUT_ABS_MAX;

	return (uint32_t)(p >= size ? size - 1 : p);
}

static int sink_send(void *data, const struct input_event *ev, unsigned int n)
{
	struct svcc *c = data;
	int ret = 0;

	if (c->input_refused || c->closed)
		return -EACCES;
	for (unsigned int i = 0; !ret && i < n; i++) {
		const char *updown = ev[i].down ? "Press" : "Release";

		switch (ev[i].type) {
		case INPUT_EV_KEY:
			ret = input_call(c, DISPLAY1 ".Keyboard", updown, "u", ev[i].code);
			break;
		case INPUT_EV_BUTTON:
			ret = input_call(c, DISPLAY1 ".Mouse", updown, "u", ev[i].code);
			break;
		case INPUT_EV_ABS:
			if (!c->plane.width || !c->plane.height)
				break;	/* no display, nowhere to point */
			ret = input_call(c, DISPLAY1 ".Mouse", "SetAbsPosition", "uu",
					 to_pixels(ev[i].x, c->plane.width),
					 to_pixels(ev[i].y, c->plane.height));
			break;
		case INPUT_EV_REL:
			ret = input_call(c, DISPLAY1 ".Mouse", "RelMotion", "ii", ev[i].x, ev[i].y);
			break;
		}
	}
	return ret;
}

static bool sink_ready(void *data)
{
	const struct svcc *c = data;

	return c->input_inflight < INPUT_BUSY;
}

static bool sink_relative(void *data)
{
	const struct svcc *c = data;

	return c->relative;
}

const struct input_sink svcc_input_sink = {
	.send = sink_send,
	.ready = sink_ready,
	.relative = sink_relative,
};

/* --- the loop ------------------------------------------------------------------ */

static int conn_start(struct svcc *c, struct svcc_conn *conn, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = conn };
	int ret;

	ret = sd_bus_new(&conn->bus);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	ret = sd_bus_set_fd(conn->bus, fd, fd);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	ret = sd_bus_negotiate_fds(conn->bus, 1);
	/* The service, of another uid, calls our listener: it is the one we chose. */
	if (ret >= 0)
		ret = sd_bus_set_trusted(conn->bus, 1);
	if (ret >= 0 && conn == &c->lis)
		ret = sd_bus_add_object_vtable(conn->bus, NULL, "/org/qemu/Display1/Listener",
					       DISPLAY1 ".Listener", listener_vtable, c);
	if (ret >= 0 && conn == &c->lis)
		ret = sd_bus_add_object_vtable(conn->bus, NULL, "/org/qemu/Display1/Listener",
					       DISPLAY1 ".Listener.Unix.Map", map_vtable, c);
	if (ret >= 0)
		ret = sd_bus_start(conn->bus);
	if (ret < 0)
		return ret;
	conn->fd = sd_bus_get_fd(conn->bus);
	conn->events = EPOLLIN;
	return epoll_ctl(c->epfd, EPOLL_CTL_ADD, conn->fd, &ev) ? -errno : 0;
}

static void conn_process(struct svcc *c, struct svcc_conn *conn)
{
	int ret;

	if (!conn->bus || c->closed)
		return;
	do
		ret = sd_bus_process(conn->bus, NULL);
	while (ret > 0 && !c->closed);
	if (ret < 0)
		closed(c, NULL);
}

static bool conn_queued(const struct svcc_conn *conn)
{
	uint64_t when;

	return conn->bus && sd_bus_get_timeout(conn->bus, &when) > 0 && when == 0;
}

static void conn_rearm(struct svcc *c, struct svcc_conn *conn)
{
	struct epoll_event ev = { .data.ptr = conn };
	int want = conn->bus ? sd_bus_get_events(conn->bus) : -1;

	if (want < 0)
		return;
	ev.events = (want & POLLIN ? EPOLLIN : 0) | (want & POLLOUT ? EPOLLOUT : 0);
	if (ev.events != conn->events && epoll_ctl(c->epfd, EPOLL_CTL_MOD, conn->fd, &ev) == 0)
		conn->events = ev.events;
}

void svcc_prepare(struct svcc *c)
{
	while (!c->closed && (conn_queued(&c->main) || conn_queued(&c->lis))) {
		conn_process(c, &c->main);
		conn_process(c, &c->lis);
	}
	try_register(c);
	conn_rearm(c, &c->main);
	conn_rearm(c, &c->lis);
}

void svcc_dispatch(struct svcc *c)
{
	struct epoll_event evs[4];
	int n = epoll_wait(c->epfd, evs, 4, 0);

	for (int i = 0; i < n; i++)
		conn_process(c, evs[i].data.ptr);
	try_register(c);
}

int svcc_get_fd(const struct svcc *c)
{
	return c->epfd;
}

struct svcc *svcc_connect(const char *path, const struct svcc_listener *l, void *data,
			  int *ret_err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct svcc *c = calloc(1, sizeof(*c));
	int fd = -1, sv[2] = { -1, -1 }, ret;

	*ret_err = -ENOMEM;
	if (!c)
		return NULL;
	*c = (struct svcc){ .l = l, .data = data, .listener_fd = -1 };
	c->cursor.defined = c->cursor.lent = -1;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		ret = c->epfd < 0 ? -errno : -ENAMETOOLONG;
		goto fail;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
		ret = -errno;
		goto fail;
	}
	ret = conn_start(c, &c->main, fd);
	fd = -1;	/* the bus's, or closed */
	if (ret < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv)) {
		ret = -errno;
		goto fail;
	}
	c->listener_fd = sv[0];
	ret = conn_start(c, &c->lis, sv[1]);
	if (ret < 0)
		goto fail;
	LOG_INFO("connected to the display service at %s", path);
	*ret_err = 0;
	return c;
fail:
	LOG_DBG("cannot use the display service at %s: %s", path, strerror(-ret));
	*ret_err = ret;
	if (fd >= 0)
		close(fd);
	svcc_destroy(c);
	return NULL;
}

void svcc_destroy(struct svcc *c)
{
	if (!c)
		return;
	sd_bus_message_unref(c->held);
	sd_bus_slot_unref(c->call);
	sd_bus_slot_unref(c->mouse_call);
	sd_bus_slot_unref(c->mouse_match);
	unmap_old(c);
	unmap_old(c);
	/* No flush: it could wait on the service (see svc.c's conn_close()). */
	sd_bus_close_unref(c->main.bus);
	sd_bus_close_unref(c->lis.bus);
	if (c->listener_fd >= 0)
		close(c->listener_fd);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c->cursor.buf[0].map);
	free(c->cursor.buf[1].map);
	free(c);
}
