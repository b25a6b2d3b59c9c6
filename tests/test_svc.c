// SPDX-License-Identifier: MIT
/*
 * The display service over real sockets and real sd-bus: clients speak
 * org.qemu.Display1 to it as libmks would (peer to peer, a listener on a
 * socketpair).  The "dmabufs" are memfds: the service passes fds and never
 * looks inside, and a memfd's inode names it as a dma-buf's does.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "test.h"
#define LOG_MODULE "test"
#include "log.h"
#include "svc.h"
#include "svc_client.h"

struct tclient {
	sd_bus *main, *lis;
	int scanouts, updates, disables, inline_frames;
	uint32_t first_pixel;	/* of the last inline frame */
	size_t inline_len;
	ino_t ino;
	uint32_t width;
	bool registered, hold;
	int listener_fd;
	sd_bus_message *held;
	char error[256];

	/* The cursor: what came, in order ("C" CursorDefine, "M" MouseSet, "F" a frame). */
	char calls[64];
	bool refuse_cursor;	/* answers the cursor calls as a listener without them */
	int32_t cursor_w, cursor_h, hot_x, hot_y, mouse_x, mouse_y, mouse_on;
	uint32_t cursor_first;
	size_t cursor_len;
};

static void called(struct tclient *t, char what)
{
	size_t n = strlen(t->calls);

	if (n + 1 < sizeof(t->calls))
		t->calls[n] = what;
}

static char sock_path[108];
static unsigned int hello_ms;	/* the service's; 0: its default */

/* Answered now, or held (the client is slow) when t->hold. */
static int answer(struct tclient *t, sd_bus_message *m)
{
	if (t->hold) {
		t->held = sd_bus_message_ref(m);
		return 1;
	}
	return sd_bus_reply_method_return(m, "");
}

static int on_scanout(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;
	uint32_t w, h, stride, fourcc;
	uint64_t mod;
	struct stat st;
	int fd, y0;

	if (sd_bus_message_read(m, "huuuutb", &fd, &w, &h, &stride, &fourcc, &mod, &y0) < 0)
		return -EINVAL;
	t->ino = fstat(fd, &st) == 0 ? st.st_ino : 0;
	t->width = w;
	t->scanouts++;
	called(t, 'F');
	return answer(t, m);
}

static int on_update(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;

	t->updates++;
	called(t, 'F');
	return answer(t, m);
}

static int on_cursor_define(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;
	const void *p;

	if (t->refuse_cursor)
		return sd_bus_error_set(e, SD_BUS_ERROR_UNKNOWN_METHOD, "no CursorDefine here");
	if (sd_bus_message_read(m, "iiii", &t->cursor_w, &t->cursor_h, &t->hot_x, &t->hot_y) < 0 ||
	    sd_bus_message_read_array(m, 'y', &p, &t->cursor_len) < 0 || t->cursor_len < 4)
		return -EINVAL;
	memcpy(&t->cursor_first, p, 4);
	called(t, 'C');
	return sd_bus_reply_method_return(m, "");
}

static int on_mouse_set(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;

	if (t->refuse_cursor)
		return sd_bus_error_set(e, SD_BUS_ERROR_UNKNOWN_METHOD, "no MouseSet here");
	if (sd_bus_message_read(m, "iii", &t->mouse_x, &t->mouse_y, &t->mouse_on) < 0)
		return -EINVAL;
	called(t, 'M');
	return sd_bus_reply_method_return(m, "");
}

static int on_disable(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;

	t->disables++;
	return sd_bus_reply_method_return(m, "");
}

/* A region plane's frame in the message (a listener without Unix.Map). */
static int on_inline(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;
	uint32_t w, h, stride, format;
	const void *p;
	size_t len;

	if (sd_bus_message_read(m, "uuuu", &w, &h, &stride, &format) < 0 ||
	    sd_bus_message_read_array(m, 'y', &p, &len) < 0 || len < 4)
		return -EINVAL;
	t->inline_frames++;
	t->inline_len = len;
	memcpy(&t->first_pixel, p, 4);
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable listener_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Scanout", "uuuuay", "", on_inline, 0),
	SD_BUS_METHOD("ScanoutDMABUF", "huuuutb", "", on_scanout, 0),
	SD_BUS_METHOD("UpdateDMABUF", "iiii", "", on_update, 0),
	SD_BUS_METHOD("Disable", "", "", on_disable, 0),
	SD_BUS_METHOD("CursorDefine", "iiiiay", "", on_cursor_define, 0),
	SD_BUS_METHOD("MouseSet", "iii", "", on_mouse_set, 0),
	SD_BUS_VTABLE_END
};

static int on_registered(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct tclient *t = data;
	const sd_bus_error *err = sd_bus_message_get_error(m);

	if (err)
		snprintf(t->error, sizeof(t->error), "%s: %s", err->name, err->message);
	else
		t->registered = true;
	return 1;
}

static int tclient_open(struct tclient *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, sv[2];

	*t = (struct tclient){ .listener_fd = -1 };
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	if (sd_bus_new(&t->main) < 0 || sd_bus_set_fd(t->main, fd, fd) < 0 ||
	    sd_bus_negotiate_fds(t->main, 1) < 0 || sd_bus_start(t->main) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv))
		return -1;
	if (sd_bus_new(&t->lis) < 0 || sd_bus_set_fd(t->lis, sv[1], sv[1]) < 0 ||
	    sd_bus_negotiate_fds(t->lis, 1) < 0 ||
	    sd_bus_add_object_vtable(t->lis, NULL, "/org/qemu/Display1/Listener",
				     "org.qemu.Display1.Listener", listener_vtable, t) < 0 ||
	    sd_bus_start(t->lis) < 0)
		return -1;
	t->listener_fd = sv[0];
	return 0;
}

/*
 * RegisterListener, once the connection is up: before, sd-bus would wait
 * for the server to authenticate us, in this very thread.
 */
static void tclient_register(struct tclient *t)
{
	if (t->listener_fd < 0 || sd_bus_is_ready(t->main) <= 0)
		return;
	if (sd_bus_call_method_async(t->main, NULL, NULL, "/org/qemu/Display1/Console_0",
				     "org.qemu.Display1.Console", "RegisterListener", on_registered,
				     t, "h", t->listener_fd) < 0)
		snprintf(t->error, sizeof(t->error), "cannot call RegisterListener");
	close(t->listener_fd);
	t->listener_fd = -1;
}

static void tclient_close(struct tclient *t)
{
	sd_bus_message_unref(t->held);
	/*
	 * No flush: it waits, in ppoll, for a listener connection the
	 * service has not authenticated yet, and the service is this
	 * process (svc.c's conn_close() says the same).
	 */
	sd_bus_close_unref(t->main);
	sd_bus_close_unref(t->lis);
	t->main = t->lis = NULL;
}

static void bus_run(sd_bus *b)
{
	if (b)
		while (sd_bus_process(b, NULL) > 0)
			;
}

/* One turn of everyone's loop, as a program's epoll loop would run it. */
static void pump(struct svc *s, struct tclient **cs, int n)
{
	struct pollfd pfd[1 + 2 * 4];
	int k = 0;

	svc_prepare(s);
	pfd[k++] = (struct pollfd){ .fd = svc_get_fd(s), .events = POLLIN };
	for (int i = 0; i < n; i++) {
		sd_bus *b[2] = { cs[i]->main, cs[i]->lis };

		for (int j = 0; j < 2; j++)
			if (b[j])
				pfd[k++] = (struct pollfd){ .fd = sd_bus_get_fd(b[j]),
							    .events = (short)sd_bus_get_events(b[j]) };
	}
	poll(pfd, (nfds_t)k, 5);
	svc_dispatch(s);
	for (int i = 0; i < n; i++) {
		bus_run(cs[i]->main);
		bus_run(cs[i]->lis);
		tclient_register(cs[i]);
	}
}

#define PUMP_UNTIL(s, cs, n, cond)                                     \
	do {                                                           \
		for (int i_ = 0; i_ < 1000 && !(cond); i_++)           \
			pump(s, cs, n);                                \
	} while (0)

/* What the service forwarded as input, in order (svc_info.input). */
static struct {
	struct input_event ev[64];
	unsigned int n;
	int ret;		/* what the VMM's side answers */
} fwd;

static int record_input(void *data, const struct input_event *ev, unsigned int n)
{
	for (unsigned int i = 0; i < n && fwd.n < 64; i++)
		fwd.ev[fwd.n++] = ev[i];
	return fwd.ret;
}

/* A service whose viewers are @policy and controllers @controllers (NULL: the viewers). */
static struct svc *service_ctl(const char *policy, const char *controllers)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static struct svc_policy pol, ctl;
	char why[128];
	int fd;

	if (svc_policy_parse(&pol, policy, why, sizeof(why)) ||
	    (controllers && svc_policy_parse(&ctl, controllers, why, sizeof(why))))
		return NULL;
	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8) ||
	    chmod(sock_path, 0666))
		return NULL;
	return svc_create(fd, &(struct svc_info){ .vm_name = "test-vm",
						   .uuid = "11111111-2222-3333-4444-555555555555",
						   .viewers = &pol, .hello_ms = hello_ms,
						   .controllers = controllers ? &ctl : NULL,
						   .input = record_input });
}

static struct svc *service(const char *policy)
{
	return service_ctl(policy, NULL);
}

static int memfd(void)
{
	int fd = memfd_create("frame", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, 64 * 32 * 4))
		return -1;
	return fd;
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void test_frames(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct tclient a, b, *cs[2] = { &a, &b };
	int m1 = memfd(), m2 = memfd();
	uint64_t seq = 0;
	unsigned int listening;
	struct svc *s = service("");	/* root, or the test's own user below */

	if (getuid() != 0) {
		char own[32];

		svc_destroy(s);
		snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
		s = service(own);
	}
	CHECK(s && m1 >= 0 && m2 >= 0);
	CHECK_INT_EQ(tclient_open(&a), 0);
	CHECK_INT_EQ(tclient_open(&b), 0);
	PUMP_UNTIL(s, cs, 2, a.registered && b.registered);
	CHECK(a.registered && b.registered);
	CHECK_INT_EQ(svc_clients(s, &listening), 2);
	CHECK_INT_EQ(listening, 2);

	/* The first frame: a scanout for each; the same buffer again: an update. */
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq });
	PUMP_UNTIL(s, cs, 2, a.scanouts == 1 && b.scanouts == 1);
	CHECK(a.scanouts == 1 && b.scanouts == 1 && a.ino == ino_of(m1) && a.width == 64);
	b.hold = true;
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq });
	PUMP_UNTIL(s, cs, 2, a.updates == 1 && b.updates == 1);
	CHECK(a.updates == 1 && b.updates == 1 && b.held);

	/* B does not answer: A gets every frame, B none of them... */
	for (int i = 0; i < 3; i++) {
		svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m2, .seq = ++seq });
		PUMP_UNTIL(s, cs, 2, a.scanouts + a.updates == 3 + i);
	}
	CHECK_INT_EQ(a.scanouts, 2);
	CHECK_INT_EQ(a.updates, 3);
	CHECK_INT_EQ(a.ino, ino_of(m2));
	for (int i = 0; i < 20; i++)
		pump(s, cs, 2);
	CHECK_INT_EQ(b.scanouts + b.updates, 2);

	/* ...and once it answers, the newest alone (a new buffer: a scanout). */
	b.hold = false;
	sd_bus_reply_method_return(b.held, "");
	b.held = sd_bus_message_unref(b.held);
	PUMP_UNTIL(s, cs, 2, b.scanouts == 2);
	for (int i = 0; i < 20; i++)
		pump(s, cs, 2);
	CHECK_INT_EQ(b.scanouts, 2);
	CHECK_INT_EQ(b.updates, 1);
	CHECK_INT_EQ(b.ino, ino_of(m2));

	/* The display goes off. */
	svc_show(s, &(struct svc_frame){ .plane = NULL, .seq = ++seq });
	PUMP_UNTIL(s, cs, 2, a.disables == 1 && b.disables == 1);
	CHECK(a.disables == 1 && b.disables == 1);

	/* A client goes: the other stays. */
	tclient_close(&a);
	PUMP_UNTIL(s, cs + 1, 1, svc_clients(s, NULL) == 1);
	CHECK_INT_EQ(svc_clients(s, NULL), 1);
	tclient_close(&b);
	PUMP_UNTIL(s, cs, 0, svc_clients(s, NULL) == 0);
	CHECK_INT_EQ(svc_clients(s, NULL), 0);
	svc_destroy(s);
	close(m1);
	close(m2);
}

/* A child process as nobody (uid and gid 65534); 0 in the child, as fork(). */
static pid_t fork_nobody(void)
{
	pid_t pid = fork();

	if (pid == 0 && (setresgid(65534, 65534, 65534) | setresuid(65534, 65534, 65534)))
		_exit(2);
	return pid;
}

/*
 * The service's side while child @pid is its client: pumped, and shown
 * frame @p (fd @fd) now and then when given, until the child exits.
 * Whether it exited 0.
 */
static bool serve_child(struct svc *s, pid_t pid, const struct plane *p, int fd)
{
	int status = -1;

	if (pid < 0)
		return false;
	for (int i = 0; i < 4000 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		pump(s, NULL, 0);
		if (p && i % 20 == 0)
			svc_show(s, &(struct svc_frame){ .plane = p, .fd = fd, .seq = 1 + i });
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A peer that is not allowed: one error, with the reason, and it is gone. */
static void test_refused(void)
{
	struct svc *s = service("");	/* root only */
	pid_t pid;

	CHECK(s);
	pid = fork_nobody();
	if (pid == 0) {
		sd_bus_error err = SD_BUS_ERROR_NULL;
		struct tclient t;
		char *name = NULL;
		int ret;

		if (tclient_open(&t))
			_exit(3);
		ret = sd_bus_get_property_string(t.main, NULL, "/org/qemu/Display1/VM",
						 "org.qemu.Display1.VM", "Name", &err, &name);
		if (ret >= 0 || !sd_bus_error_has_name(&err, SD_BUS_ERROR_ACCESS_DENIED) ||
		    !strstr(err.message, "may not view VM test-vm (allowed: root only)")) {
			fprintf(stderr, "refused client: %d %s: %s\n", ret, err.name, err.message);
			_exit(4);
		}
		_exit(0);
	}
	CHECK(serve_child(s, pid, NULL, -1));
	PUMP_UNTIL(s, NULL, 0, svc_clients(s, NULL) == 0);
	CHECK_INT_EQ(svc_clients(s, NULL), 0);
	svc_destroy(s);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bytes with @nfds fds (copies of stdin) on one sendmsg. */
static void send_with_fds(int fd, const void *buf, size_t len, int nfds)
{
	char ctl[CMSG_SPACE(253 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > 253)
		nfds = 253;
	if (nfds) {
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		for (int i = 0; i < nfds; i++)
			((int *)CMSG_DATA(cm))[i] = 0;
	}
	(void)sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* Authenticates by hand (EXTERNAL, our uid), then sends @msg. */
static int authed_connect(void)
{
	char hello[64], reply[256];
	int fd = raw_connect(), n;

	if (fd < 0)
		return -1;
	n = snprintf(hello, sizeof(hello), "%cAUTH EXTERNAL ", 0);
	for (const char *u = (snprintf(reply, sizeof(reply), "%u", (unsigned int)getuid()), reply);
	     *u; u++)
		n += snprintf(hello + n, sizeof(hello) - n, "%02x", *u);
	n += snprintf(hello + n, sizeof(hello) - n, "\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n");
	if (write(fd, hello, n) != n)
		return -1;
	return fd;
}

/*
 * Hostile peers: garbage instead of authenticating, a header that claims
 * a 2 GiB body, fds with garbage, and more connections than allowed.  The
 * service drops each with a line, keeps no fd of theirs, and a proper
 * client beside them goes on getting frames.
 */
static void test_hostile(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	/* A method call header: little endian, body length 0x7fffffff. */
	static const unsigned char huge[16] = { 'l', 1, 0, 1, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0,
						0, 0, 0, 0 };
	struct tclient a, *cs[1] = { &a };
	struct svc *s;
	char own[32];
	int m = memfd(), before, fds[SVC_MAX_CLIENTS + 4], n = 0;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s && m >= 0);
	CHECK_INT_EQ(tclient_open(&a), 0);
	PUMP_UNTIL(s, cs, 1, a.registered);
	CHECK(a.registered);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m, .seq = 1 });
	PUMP_UNTIL(s, cs, 1, a.scanouts == 1);
	before = count_fds();

	fds[n] = raw_connect();
	send_with_fds(fds[n++], "garbage\r\n\r\n", 11, 0);
	fds[n] = authed_connect();
	send_with_fds(fds[n++], huge, sizeof(huge), 0);
	fds[n] = authed_connect();
	send_with_fds(fds[n++], "\x01\x02\x03\x04\x05\x06\x07\x08", 8, 200);
	fds[n] = raw_connect();
	send_with_fds(fds[n++], "\0AUTH", 5, 200);
	for (int i = 0; i < 50; i++) {
		pump(s, cs, 1);
		svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m, .seq = 2 + i });
	}
	/* Only the real client is left, and it kept getting frames. */
	CHECK_INT_EQ(svc_clients(s, NULL), 1);
	PUMP_UNTIL(s, cs, 1, a.updates >= 40);
	CHECK(a.updates >= 40);
	while (n)
		close(fds[--n]);

	/* More than SVC_MAX_CLIENTS at once: the extra ones are turned away. */
	for (n = 0; n < SVC_MAX_CLIENTS + 4; n++) {
		fds[n] = raw_connect();	/* blocks while the backlog is full: pump */
		pump(s, cs, 1);
	}
	for (int i = 0; i < 50; i++)
		pump(s, cs, 1);
	CHECK_INT_EQ(svc_clients(s, NULL), SVC_MAX_CLIENTS);
	while (n)
		close(fds[--n]);
	PUMP_UNTIL(s, cs, 1, svc_clients(s, NULL) == 1);
	CHECK_INT_EQ(svc_clients(s, NULL), 1);
	CHECK_INT_EQ(count_fds(), before);

	tclient_close(&a);
	svc_destroy(s);
	close(m);
}

/*
 * Peers the policy refuses, more than there are slots: they are told or
 * turned away, and a viewer still gets in.
 */
static void test_refused_flood(void)
{
	struct svc *s = service("");	/* root only: the test, not the child */
	struct tclient a, *cs[1] = { &a };
	int ready[2], done[2], status = -1;
	struct pollfd pfd;
	pid_t pid;
	char b;

	CHECK(s && pipe(ready) == 0 && pipe(done) == 0);
	pid = fork_nobody();
	if (pid == 0) {
		int n = 0;

		for (int i = 0; i < SVC_SLOTS + 4; i++)
			n += raw_connect() >= 0;
		if (write(ready[1], &n, 1) != 1 || read(done[0], &b, 1) != 1)
			_exit(3);
		_exit(0);
	}
	CHECK(pid > 0);
	do {
		pump(s, NULL, 0);
		pfd = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	} while (poll(&pfd, 1, 0) == 0);
	CHECK(read(ready[0], &b, 1) == 1 && b == SVC_SLOTS + 4);
	for (int i = 0; i < 50; i++)
		pump(s, NULL, 0);
	CHECK_INT_EQ(svc_clients(s, NULL), 0);
	CHECK_INT_EQ(tclient_open(&a), 0);
	PUMP_UNTIL(s, cs, 1, a.registered);
	CHECK(a.registered);
	CHECK_INT_EQ(svc_clients(s, NULL), 1);
	CHECK(write(done[1], "d", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	tclient_close(&a);
	svc_destroy(s);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/* A peer that connects and says nothing is dropped at the deadline. */
static void test_silent(void)
{
	struct timespec t0, t1;
	struct svc *s;
	double ms;
	int fd;

	hello_ms = 300;
	s = service("");
	hello_ms = 0;
	CHECK(s);
	fd = raw_connect();
	CHECK(fd >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	PUMP_UNTIL(s, NULL, 0, svc_clients(s, NULL) == 1);
	CHECK_INT_EQ(svc_clients(s, NULL), 1);
	PUMP_UNTIL(s, NULL, 0, svc_clients(s, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK_INT_EQ(svc_clients(s, NULL), 0);
	CHECK(ms >= 250 && ms < 3000);
	close(fd);
	svc_destroy(s);
}

/* The viewer's side: svcc against the service, in one loop. */
struct vclient {
	struct svcc *c;
	char name[64], uuid[64], why[256];
	bool ready, closed, off;
	int frames, new_buffers;
	ino_t ino;
	uint32_t width, first_pixel;
	bool region;
	struct plane cursor;		/* svcc_cursor() at the last frame */
	struct plane_buf *cursor_buf;
};

static void v_ready(void *data, const char *name, const char *uuid)
{
	struct vclient *v = data;

	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	v->ready = true;
}

static void v_frame(void *data, int fd, const void *pixels, const struct plane *p)
{
	struct vclient *v = data;

	v->frames++;
	v->cursor_buf = svcc_cursor(v->c, &v->cursor);
	v->width = p->width;
	v->off = false;
	v->region = p->kind == PLANE_REGION;
	if (pixels)
		memcpy(&v->first_pixel, pixels, 4);
	if (fd >= 0) {
		v->new_buffers++;
		v->ino = ino_of(fd);
		close(fd);
	}
}

static void v_off(void *data)
{
	((struct vclient *)data)->off = true;
}

static void v_closed(void *data, const char *why)
{
	struct vclient *v = data;

	v->closed = true;
	snprintf(v->why, sizeof(v->why), "%s", why ? why : "(gone)");
}

static const struct svcc_listener v_listener = { v_ready, v_frame, v_off, v_closed };

static void vpump(struct svc *s, struct vclient *v)
{
	struct pollfd pfd[2] = { { .fd = svc_get_fd(s), .events = POLLIN },
				 { .fd = svcc_get_fd(v->c), .events = POLLIN } };

	svc_prepare(s);
	svcc_prepare(v->c);
	poll(pfd, 2, 5);
	svc_dispatch(s);
	svcc_dispatch(v->c);
}

#define VPUMP_UNTIL(s, v, cond)                                        \
	do {                                                           \
		for (int i_ = 0; i_ < 1000 && !(cond); i_++)           \
			vpump(s, v);                                   \
	} while (0)

/* In a child: our client, connected, until it is closed or has a frame. */
static void vclient_run(struct vclient *v)
{
	struct pollfd pfd;
	int err;

	v->c = svcc_connect(sock_path, &v_listener, v, &err);
	if (!v->c)
		_exit(3);
	for (int i = 0; i < 2000 && !v->closed && !v->frames; i++) {
		svcc_prepare(v->c);
		pfd = (struct pollfd){ .fd = svcc_get_fd(v->c), .events = POLLIN };
		poll(&pfd, 1, 5);
		svcc_dispatch(v->c);
	}
}

static void test_client(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct vclient v = { 0 };
	int m1 = memfd(), m2 = memfd(), err;
	char own[32];
	struct svc *s;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s && m1 >= 0 && m2 >= 0);
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c && err == 0);
	VPUMP_UNTIL(s, &v, v.ready);
	CHECK(v.ready && !v.closed);
	CHECK(!strcmp(v.name, "test-vm") && !strcmp(v.uuid, "11111111-2222-3333-4444-555555555555"));

	/* A new buffer, then the same one again: paced by frame_done. */
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = 1 });
	VPUMP_UNTIL(s, &v, v.frames == 1);
	CHECK(v.frames == 1 && v.new_buffers == 1 && v.ino == ino_of(m1) && v.width == 64);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = 2 });
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m2, .seq = 3 });
	for (int i = 0; i < 20; i++)
		vpump(s, &v);
	CHECK_INT_EQ(v.frames, 1);	/* not on screen yet: nothing more */
	svcc_frame_done(v.c);
	VPUMP_UNTIL(s, &v, v.frames == 2);
	CHECK_INT_EQ(v.frames, 2);	/* the newest alone */
	CHECK_INT_EQ(v.new_buffers, 2);
	CHECK_INT_EQ(v.ino, ino_of(m2));
	svcc_frame_done(v.c);
	svc_show(s, &(struct svc_frame){ .plane = NULL, .seq = 4 });
	VPUMP_UNTIL(s, &v, v.off);
	CHECK(v.off);

	/* The service goes: the client is told. */
	svc_destroy(s);
	s = service(own);
	CHECK(s);
	VPUMP_UNTIL(s, &v, v.closed);
	CHECK(v.closed);
	svcc_destroy(v.c);
	svc_destroy(s);
	close(m1);
	close(m2);
}

/* A client of ours (svcc) and two bare listeners (tclient). */
#define ALL_UNTIL(s, v, cs, cond)                                      \
	do {                                                           \
		for (int i_ = 0; i_ < 1000 && !(cond); i_++) {         \
			vpump(s, v);                                   \
			pump(s, cs, 2);                                \
		}                                                      \
	} while (0)

/*
 * The guest's cursor plane: to each listener as CursorDefine when the
 * picture changes and MouseSet (the hotspot's place) when it moves or goes,
 * both before the frame that shows them; to our client as the plane its
 * presenters take, the picture lent with a frame kept until the next.  A
 * listener that refuses the cursor calls still gets its frames.
 */
static void test_cursor(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	/* 8x4 ABGR8888 (red first), hotspot (2, 3), at (100, 50). */
	struct plane cp = { .kind = PLANE_DMABUF, .fourcc = 0x34324241, .width = 8, .height = 4,
			    .stride = 32, .size = 128, .x = 100, .y = 50, .hot_x = 2, .hot_y = 3 };
	uint8_t pic[128];
	struct tclient t, r, *cs[2] = { &t, &r };
	struct vclient v = { 0 };
	struct plane_buf *first;
	int m1 = memfd(), err;
	uint64_t seq = 0;
	char own[32];
	struct svc *s;

	for (int i = 0; i < 128; i += 4) {
		pic[i] = 0x10;		/* R */
		pic[i + 1] = 0x20;	/* G */
		pic[i + 2] = 0x30;	/* B */
		pic[i + 3] = 0xff;
	}
	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s && m1 >= 0);
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	CHECK_INT_EQ(tclient_open(&t), 0);
	CHECK_INT_EQ(tclient_open(&r), 0);
	r.refuse_cursor = true;
	ALL_UNTIL(s, &v, cs, v.ready && t.registered && r.registered);
	CHECK(v.ready && t.registered && r.registered);

	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq, .cursor = &cp,
					 .cursor_pixels = pic });
	ALL_UNTIL(s, &v, cs, v.frames == 1 && t.scanouts == 1 && r.scanouts == 1);
	CHECK(v.frames == 1 && t.scanouts == 1 && r.scanouts == 1);
	CHECK(!strcmp(t.calls, "CMF"));
	CHECK(t.cursor_w == 8 && t.cursor_h == 4 && t.hot_x == 2 && t.hot_y == 3);
	CHECK_INT_EQ(t.cursor_len, 128);
	CHECK_INT_EQ(t.cursor_first, 0xff102030);	/* 0xAARRGGBB */
	CHECK(t.mouse_x == 102 && t.mouse_y == 53 && t.mouse_on == 1);
	CHECK(v.cursor_buf != NULL);
	CHECK(v.cursor.width == 8 && v.cursor.height == 4 && v.cursor.stride == 32);
	CHECK(v.cursor.x == 100 && v.cursor.y == 50 && v.cursor.hot_x == 2 && v.cursor.hot_y == 3);
	CHECK_INT_EQ(v.cursor.fourcc, 0x34325241);	/* ARGB8888 */
	CHECK(v.cursor_buf->fd < 0 && plane_buf_map(v.cursor_buf));
	CHECK_INT_EQ(*(const uint32_t *)plane_buf_map(v.cursor_buf), 0xff102030);
	first = v.cursor_buf;

	/* It moves: MouseSet alone, then the frame. */
	memset(t.calls, 0, sizeof(t.calls));
	cp.x = 300;
	cp.y = 0;
	svcc_frame_done(v.c);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq, .cursor = &cp,
					 .cursor_pixels = pic });
	ALL_UNTIL(s, &v, cs, v.frames == 2 && t.updates == 1);
	CHECK(!strcmp(t.calls, "MF"));
	CHECK(t.mouse_x == 302 && t.mouse_y == 3);
	CHECK(v.cursor_buf == first && v.cursor.x == 300 && v.cursor.y == 0);

	/* A new picture: into the other buffer; the one lent keeps its pixels. */
	memset(t.calls, 0, sizeof(t.calls));
	pic[0] = 0x77;
	svcc_frame_done(v.c);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq, .cursor = &cp,
					 .cursor_pixels = pic });
	ALL_UNTIL(s, &v, cs, v.frames == 3 && t.updates == 2);
	CHECK(!strcmp(t.calls, "CF"));
	CHECK_INT_EQ(t.cursor_first, 0xff772030);
	CHECK(v.cursor_buf && v.cursor_buf != first);
	CHECK_INT_EQ(*(const uint32_t *)plane_buf_map(v.cursor_buf), 0xff772030);
	CHECK_INT_EQ(*(const uint32_t *)plane_buf_map(first), 0xff102030);

	/* Off: MouseSet(on = 0); our client has no cursor. */
	memset(t.calls, 0, sizeof(t.calls));
	svcc_frame_done(v.c);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = ++seq });
	ALL_UNTIL(s, &v, cs, v.frames == 4 && t.updates == 3);
	CHECK(!strcmp(t.calls, "MF"));
	CHECK_INT_EQ(t.mouse_on, 0);
	CHECK(v.cursor_buf == NULL);

	/* The listener that refused the cursor was not dropped, and got every frame. */
	ALL_UNTIL(s, &v, cs, r.scanouts + r.updates == 4);
	CHECK_INT_EQ(r.scanouts + r.updates, 4);
	CHECK_INT_EQ(svc_clients(s, NULL), 3);
	CHECK(!strcmp(r.calls, "FFFF"));

	tclient_close(&t);
	tclient_close(&r);
	svcc_destroy(v.c);
	svc_destroy(s);
	close(m1);
}

/*
 * A stand-in service, for what a real one never sends our client: it
 * takes the listener's fd on RegisterListener and calls the listener with
 * whatever the test asks.
 */
struct fake_service {
	sd_bus *main, *lis;
	int listener_fd;
	uint64_t want;		/* the cookie of the call whose answer is awaited */
	sd_bus_message *reply;	/* ... and its answer */
};

static int fake_register(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct fake_service *f = data;
	int fd;

	if (sd_bus_message_read(m, "h", &fd) < 0)
		return -EINVAL;
	f->listener_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return sd_bus_reply_method_return(m, "");
}

static int fake_get(sd_bus *bus, const char *path, const char *iface, const char *prop,
		    sd_bus_message *reply, void *data, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "s", "fake");
}

static const sd_bus_vtable fake_console_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("RegisterListener", "h", "", fake_register, 0),
	SD_BUS_VTABLE_END
};

static int fake_absolute(sd_bus *bus, const char *path, const char *iface, const char *prop,
			 sd_bus_message *reply, void *data, sd_bus_error *e)
{
	return sd_bus_message_append(reply, "b", 1);
}

static const sd_bus_vtable fake_mouse_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("IsAbsolute", "b", fake_absolute, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable fake_vm_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", fake_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END
};

/* Answers come in any order (a frame's when it is on screen): the awaited one is kept. */
static int fake_replied(sd_bus_message *m, void *data, sd_bus_error *e)
{
	struct fake_service *f = data;
	uint64_t cookie;

	if (sd_bus_message_get_reply_cookie(m, &cookie) >= 0 && cookie == f->want) {
		sd_bus_message_unref(f->reply);
		f->reply = sd_bus_message_ref(m);
	}
	return 1;
}

static void fake_pump(struct fake_service *f, struct vclient *v)
{
	struct pollfd pfd = { .fd = svcc_get_fd(v->c), .events = POLLIN };

	svcc_prepare(v->c);
	poll(&pfd, 1, 2);
	svcc_dispatch(v->c);
	bus_run(f->main);
	bus_run(f->lis);
	if (f->listener_fd >= 0 && !f->lis) {
		sd_id128_t id;

		if (sd_bus_new(&f->lis) < 0 || sd_bus_set_fd(f->lis, f->listener_fd,
							     f->listener_fd) < 0 ||
		    sd_id128_randomize(&id) < 0 || sd_bus_set_server(f->lis, 1, id) < 0 ||
		    sd_bus_negotiate_fds(f->lis, 1) < 0 || sd_bus_start(f->lis) < 0)
			abort();
		f->listener_fd = -1;
	}
}

#define FAKE_UNTIL(f, v, cond)                                         \
	do {                                                           \
		for (int i_ = 0; i_ < 2000 && !(cond); i_++)           \
			fake_pump(f, v);                               \
	} while (0)

/*
 * Sends @m (unref'ed) to the client's listener; with @wait, until its
 * answer is in f->reply (a frame's comes only once it is on screen).
 */
static void fake_send(struct fake_service *f, struct vclient *v, sd_bus_message *m, bool wait)
{
	sd_bus_message_unref(f->reply);
	f->reply = NULL;
	if (sd_bus_call_async(f->lis, NULL, m, fake_replied, f, 0) < 0 ||
	    sd_bus_message_get_cookie(m, &f->want) < 0)
		abort();
	sd_bus_message_unref(m);
	if (wait)
		FAKE_UNTIL(f, v, f->reply);
}

static sd_bus_message *fake_method(struct fake_service *f, const char *method)
{
	sd_bus_message *m = NULL;

	if (sd_bus_message_new_method_call(f->lis, &m, NULL, "/org/qemu/Display1/Listener",
					   "org.qemu.Display1.Listener", method) < 0)
		abort();
	return m;
}

static void fake_call(struct fake_service *f, struct vclient *v, const char *method,
		      const char *types, ...)
{
	sd_bus_message *m = fake_method(f, method);
	bool frame = !strcmp(method, "ScanoutDMABUF") || !strcmp(method, "UpdateDMABUF");
	int frames = v->frames;
	va_list ap;

	va_start(ap, types);
	if (sd_bus_message_appendv(m, types, ap) < 0)
		abort();
	va_end(ap);
	fake_send(f, v, m, !frame);
	if (frame)
		FAKE_UNTIL(f, v, v->frames > frames);
}

/* CursorDefine with an array of @len bytes. */
static void fake_cursor(struct fake_service *f, struct vclient *v, int32_t w, int32_t h,
			int32_t hx, int32_t hy, size_t len)
{
	static uint8_t px[4 * 513 * 513];
	sd_bus_message *m = fake_method(f, "CursorDefine");

	if (sd_bus_message_append(m, "iiii", w, h, hx, hy) < 0 ||
	    sd_bus_message_append_array(m, 'y', px, len) < 0)
		abort();
	fake_send(f, v, m, true);
}

static bool fake_refused(const struct fake_service *f)
{
	return f->reply && sd_bus_message_is_method_error(f->reply,
							  SD_BUS_ERROR_INVALID_ARGS);
}

/*
 * A service that sends our client a cursor that makes no sense gets
 * InvalidArgs, and the client keeps what it had: a picture too large, of
 * the wrong length, of no size, a pointer far off the display.
 */
static void test_client_hostile_cursor(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fake_service f = { .listener_fd = -1 };
	struct vclient v = { 0 };
	int lfd, fd, err, mfd = memfd();
	sd_id128_t id;

	unlink(sock_path);
	strcpy(sa.sun_path, sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lfd >= 0 && !bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) && !listen(lfd, 1));
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK(fd >= 0);
	CHECK(sd_bus_new(&f.main) >= 0 && sd_bus_set_fd(f.main, fd, fd) >= 0 &&
	      sd_id128_randomize(&id) >= 0 && sd_bus_set_server(f.main, 1, id) >= 0 &&
	      sd_bus_set_trusted(f.main, 1) >= 0 && sd_bus_negotiate_fds(f.main, 1) >= 0 &&
	      sd_bus_add_object_vtable(f.main, NULL, "/org/qemu/Display1/Console_0",
				       "org.qemu.Display1.Console", fake_console_vtable, &f) >= 0 &&
	      sd_bus_add_object_vtable(f.main, NULL, "/org/qemu/Display1/Console_0",
				       "org.qemu.Display1.Mouse", fake_mouse_vtable, &f) >= 0 &&
	      sd_bus_add_object_vtable(f.main, NULL, "/org/qemu/Display1/VM",
				       "org.qemu.Display1.VM", fake_vm_vtable, &f) >= 0 &&
	      sd_bus_start(f.main) >= 0);
	FAKE_UNTIL(&f, &v, v.ready && f.lis && sd_bus_is_ready(f.lis) > 0);
	CHECK(v.ready && !v.closed && f.lis);

	/* A good one first, shown with a frame. */
	fake_cursor(&f, &v, 8, 4, 2, 3, 128);
	CHECK(f.reply && !sd_bus_message_is_method_error(f.reply, NULL));
	fake_call(&f, &v, "MouseSet", "iii", 10, 20, 1);
	CHECK(f.reply && !sd_bus_message_is_method_error(f.reply, NULL));
	fake_call(&f, &v, "ScanoutDMABUF", "huuuutb", mfd, 64, 32, 256, 0x34325258, 0ull, 1);
	CHECK(v.frames == 1 && v.cursor_buf && v.cursor.width == 8 && v.cursor.x == 8 &&
	      v.cursor.y == 17);

	/* Then nonsense: each refused, with a reason. */
	fake_cursor(&f, &v, 513, 4, 0, 0, 513 * 4 * 4);
	CHECK(fake_refused(&f));
	fake_cursor(&f, &v, 8, 4, 0, 0, 127);
	CHECK(fake_refused(&f));
	fake_cursor(&f, &v, 0, 4, 0, 0, 0);
	CHECK(fake_refused(&f));
	fake_cursor(&f, &v, -8, -4, 0, 0, 128);
	CHECK(fake_refused(&f));
	fake_call(&f, &v, "MouseSet", "iii", INT32_MIN, 0, 1);
	CHECK(fake_refused(&f));
	fake_call(&f, &v, "MouseSet", "iii", 0, INT32_MAX, 1);
	CHECK(fake_refused(&f));
	{
		const sd_bus_error *e = sd_bus_message_get_error(f.reply);

		CHECK(e && e->message && strstr(e->message, "a pointer at 0, 2147483647"));
	}
	/* The client is still up, with the cursor it had; a hotspot out of the picture is unknown. */
	svcc_frame_done(v.c);
	fake_cursor(&f, &v, 8, 4, 100, -1, 128);
	CHECK(f.reply && !sd_bus_message_is_method_error(f.reply, NULL));
	fake_call(&f, &v, "UpdateDMABUF", "iiii", 0, 0, 64, 32);
	CHECK(!v.closed && v.frames == 2 && v.cursor_buf);
	CHECK(v.cursor.hot_x == UINT32_MAX && v.cursor.hot_y == UINT32_MAX);
	CHECK(v.cursor.x == 10 && v.cursor.y == 20);	/* the pointer is the top left then */

	sd_bus_message_unref(f.reply);
	sd_bus_flush_close_unref(f.lis);
	sd_bus_flush_close_unref(f.main);
	svcc_destroy(v.c);
	close(lfd);
	close(mfd);
}

/* Both: a client of ours (svcc) and a bare listener (tclient). */
static void both_pump(struct svc *s, struct vclient *v, struct tclient **cs)
{
	vpump(s, v);
	pump(s, cs, 1);
}

#define BOTH_UNTIL(s, v, cs, cond)                                     \
	do {                                                           \
		for (int i_ = 0; i_ < 1000 && !(cond); i_++)           \
			both_pump(s, v, cs);                           \
	} while (0)

/*
 * Region planes (mdpy): to our client in a sealed memfd of the frame's own
 * (Listener.Unix.Map), to a listener without it inline (Scanout); each gets
 * the pixels of the frame it is sent; a format pixman has no name for is
 * not sent.
 */
static void test_region(void)
{
	struct plane p = { .kind = PLANE_REGION, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	static uint32_t pixels[64 * 32];
	struct tclient a, *cs[1] = { &a };
	struct vclient v = { 0 };
	char own[32];
	struct svc *s;
	int err;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s);
	CHECK_INT_EQ(tclient_open(&a), 0);
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	BOTH_UNTIL(s, &v, cs, a.registered && v.ready);
	CHECK(a.registered && v.ready);

	for (size_t i = 0; i < 64 * 32; i++)
		pixels[i] = 0xff000001u;
	svc_show(s, &(struct svc_frame){ .plane = &p, .pixels = pixels, .seq = 1 });
	BOTH_UNTIL(s, &v, cs, v.frames == 1 && a.inline_frames == 1);
	CHECK_INT_EQ(v.frames, 1);
	CHECK(v.region);
	CHECK_INT_EQ(v.first_pixel, 0xff000001u);
	CHECK_INT_EQ(a.inline_frames, 1);
	CHECK_INT_EQ(a.inline_len, 256 * 32);
	CHECK_INT_EQ(a.first_pixel, 0xff000001u);

	/* The next frame's pixels, not the first's memory written over. */
	for (size_t i = 0; i < 64 * 32; i++)
		pixels[i] = 0xff000002u;
	svc_show(s, &(struct svc_frame){ .plane = &p, .pixels = pixels, .seq = 2 });
	svcc_frame_done(v.c);
	BOTH_UNTIL(s, &v, cs, v.frames == 2 && a.inline_frames == 2);
	CHECK_INT_EQ(v.first_pixel, 0xff000002u);
	CHECK_INT_EQ(a.first_pixel, 0xff000002u);

	/* No pixman name (YUYV): nothing is sent. */
	p.fourcc = 0x56595559;
	svc_show(s, &(struct svc_frame){ .plane = &p, .pixels = pixels, .seq = 3 });
	svcc_frame_done(v.c);
	for (int i = 0; i < 50; i++)
		both_pump(s, &v, cs);
	CHECK_INT_EQ(v.frames, 2);
	CHECK_INT_EQ(a.inline_frames, 2);
	CHECK(!v.closed && svc_clients(s, NULL) == 2);

	svcc_destroy(v.c);
	tclient_close(&a);
	svc_destroy(s);
}

/*
 * A viewer of another uid than the service's: sd-bus, left to itself,
 * refuses such a peer's calls (and the service's calls to its listener)
 * without CAP_SYS_ADMIN; the policy alone must decide.
 */
static void test_client_other_uid(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct svc *s = service("65534");
	int m = memfd();
	pid_t pid;

	CHECK(s && m >= 0);
	pid = fork_nobody();
	if (pid == 0) {
		struct vclient v = { 0 };

		vclient_run(&v);
		if (v.closed || !v.ready || v.frames != 1) {
			fprintf(stderr, "client of uid 65534: ready %d, %d frames, closed: '%s'\n",
				v.ready, v.frames, v.closed ? v.why : "no");
			_exit(4);
		}
		_exit(0);
	}
	CHECK(serve_child(s, pid, &p, m));
	svc_destroy(s);
	close(m);
}

/* Refused: the client is told the service's reason. */
static void test_client_refused(void)
{
	struct svc *s = service("");	/* root only */
	pid_t pid;

	CHECK(s);
	pid = fork_nobody();
	if (pid == 0) {
		struct vclient v = { 0 };

		vclient_run(&v);
		if (!strstr(v.why, "may not view VM test-vm (allowed: root only)")) {
			fprintf(stderr, "refused client was told: '%s'\n", v.why);
			_exit(4);
		}
		_exit(0);
	}
	CHECK(serve_child(s, pid, NULL, -1));
	svc_destroy(s);
}

/* The viewer's input through the service: in order, scaled, released when it goes. */
static void test_input(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct input_event ev[4] = {
		{ .type = INPUT_EV_KEY, .down = true, .code = 0x1e },
		{ .type = INPUT_EV_ABS, .x = INPUT_ABS_MAX / 2, .y = INPUT_ABS_MAX },
		{ .type = INPUT_EV_BUTTON, .down = true, .code = INPUT_BUTTON_LEFT },
		{ .type = INPUT_EV_REL, .x = -2, .y = 3 },
	};
	struct vclient v = { 0 };
	int m = memfd(), err;
	char own[32];
	struct svc *s;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	memset(&fwd, 0, sizeof(fwd));
	s = service(own);
	CHECK(s && m >= 0);
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m, .seq = 1 });
	VPUMP_UNTIL(s, &v, v.frames == 1);
	CHECK_INT_EQ(svcc_input_sink.send(v.c, ev, 4), 0);
	CHECK(!svcc_input_sink.ready(v.c));	/* four calls in flight */
	VPUMP_UNTIL(s, &v, fwd.n == 4 && svcc_input_sink.ready(v.c));
	CHECK_INT_EQ(fwd.n, 4);
	CHECK(fwd.ev[0].type == INPUT_EV_KEY && fwd.ev[0].down && fwd.ev[0].code == 0x1e);
	/* Through the display's pixels: the middle column, the last row. */
	CHECK(fwd.ev[1].type == INPUT_EV_ABS && fwd.ev[1].x == 32 * INPUT_ABS_MAX / 64 &&
	      fwd.ev[1].y == 31 * INPUT_ABS_MAX / 32);
	CHECK(fwd.ev[2].type == INPUT_EV_BUTTON && fwd.ev[2].down &&
	      fwd.ev[2].code == INPUT_BUTTON_LEFT);
	CHECK(fwd.ev[3].type == INPUT_EV_REL && fwd.ev[3].x == -2 && fwd.ev[3].y == 3);
	/* The client goes with the key and the button held: both let go of in the guest. */
	svcc_destroy(v.c);
	for (int i = 0; i < 50 && fwd.n < 6; i++)
		pump(s, NULL, 0);
	CHECK_INT_EQ(fwd.n, 6);
	CHECK(fwd.ev[4].type == INPUT_EV_KEY && !fwd.ev[4].down && fwd.ev[4].code == 0x1e);
	CHECK(fwd.ev[5].type == INPUT_EV_BUTTON && !fwd.ev[5].down);
	svc_destroy(s);

	/* A VMM that takes no input now: said, not refused for good. */
	memset(&fwd, 0, sizeof(fwd));
	fwd.ret = -ENOTCONN;
	s = service(own);
	CHECK(s);
	v = (struct vclient){ 0 };
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	VPUMP_UNTIL(s, &v, v.ready);
	CHECK_INT_EQ(svcc_input_sink.send(v.c, ev, 1), 0);
	VPUMP_UNTIL(s, &v, svcc_input_sink.ready(v.c) && fwd.n == 1);
	CHECK_INT_EQ(svcc_input_sink.send(v.c, ev, 1), 0);
	svcc_destroy(v.c);
	svc_destroy(s);
	close(m);
}

/* Mouse.IsAbsolute: asked on connecting, followed through PropertiesChanged. */
static void test_pointer(void)
{
	struct vclient v = { 0 }, w = { 0 };
	char own[32];
	struct svc *s;
	int err;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s);
	svc_set_pointer(s, true);
	v.c = svcc_connect(sock_path, &v_listener, &v, &err);
	CHECK(v.c);
	VPUMP_UNTIL(s, &v, v.ready && svcc_input_sink.relative(v.c));
	CHECK(svcc_input_sink.relative(v.c));
	svc_set_pointer(s, false);
	VPUMP_UNTIL(s, &v, !svcc_input_sink.relative(v.c));
	CHECK(!svcc_input_sink.relative(v.c));
	/* A second client, connected while absolute, hears the change too. */
	w.c = svcc_connect(sock_path, &v_listener, &w, &err);
	CHECK(w.c);
	VPUMP_UNTIL(s, &w, w.ready);
	for (int i = 0; i < 20; i++)
		vpump(s, &w);
	CHECK(w.ready && !svcc_input_sink.relative(w.c));
	svc_set_pointer(s, true);
	for (int i = 0; i < 1000 && !(svcc_input_sink.relative(v.c) &&
				      svcc_input_sink.relative(w.c)); i++) {
		vpump(s, &v);
		vpump(s, &w);
	}
	CHECK(svcc_input_sink.relative(v.c) && svcc_input_sink.relative(w.c));
	svcc_destroy(v.c);
	svcc_destroy(w.c);
	svc_destroy(s);
}

/*
 * A viewer that is no controller (nobody, among the viewers; controllers
 * root only): its input is refused with the reason, its frames are not.
 */
static void test_input_view_only(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct svc *s;
	int m = memfd();
	pid_t pid;

	memset(&fwd, 0, sizeof(fwd));
	s = service_ctl("65534", "");
	CHECK(s && m >= 0);
	pid = fork_nobody();
	if (pid == 0) {
		struct input_event key = { .type = INPUT_EV_KEY, .down = true, .code = 0x1e };
		struct vclient v = { 0 };
		struct pollfd pfd;
		int err, ret = 0;

		v.c = svcc_connect(sock_path, &v_listener, &v, &err);
		if (!v.c || svcc_input_sink.send(v.c, &key, 1))
			_exit(3);
		for (int i = 0; i < 2000 && !v.closed && (ret == 0 || !v.frames); i++) {
			svcc_prepare(v.c);
			pfd = (struct pollfd){ .fd = svcc_get_fd(v.c), .events = POLLIN };
			poll(&pfd, 1, 5);
			svcc_dispatch(v.c);
			if (ret == 0 && svcc_input_sink.ready(v.c))
				ret = svcc_input_sink.send(v.c, &key, 1);
		}
		if (ret != -EACCES || !v.frames || v.closed) {
			fprintf(stderr, "view-only client: input %d, %d frames, closed '%s'\n", ret,
				v.frames, v.closed ? v.why : "no");
			_exit(4);
		}
		_exit(0);
	}
	CHECK(serve_child(s, pid, &p, m));
	CHECK_INT_EQ(fwd.n, 0);
	svc_destroy(s);
	close(m);
}

/* What the service logged, one MESSAGE= per line (log.c's journal sender). */
static char logged[4096];

static int catch_log(const struct iovec *iov, int n)
{
	for (int i = 0; i < n; i++) {
		size_t have = strlen(logged), len = iov[i].iov_len;

		if (len < 8 || memcmp(iov[i].iov_base, "MESSAGE=", 8) || have + len + 2 > sizeof(logged))
			continue;
		memcpy(logged + have, (const char *)iov[i].iov_base + 8, len - 8);
		memcpy(logged + have + len - 8, "\n", 2);
	}
	return 0;
}

/*
 * A client that goes is logged as gone however the service finds out, here
 * by failing to send it a frame before it has read the end of the connection.
 */
static void test_gone(void)
{
	struct plane p = { .kind = PLANE_DMABUF, .fourcc = 0x34325258, .width = 64, .height = 32,
			   .stride = 256, .size = 64 * 32 * 4 };
	struct tclient a, *cs[1] = { &a };
	char own[32], line[128];
	int m1 = memfd();
	struct svc *s;

	snprintf(own, sizeof(own), "%u", (unsigned int)getuid());
	s = service(own);
	CHECK(s && m1 >= 0);
	logged[0] = '\0';
	log_set_journal_sender(catch_log);
	log_use_journal(true);
	CHECK_INT_EQ(tclient_open(&a), 0);
	PUMP_UNTIL(s, cs, 1, a.registered);
	CHECK(a.registered);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = 1 });
	PUMP_UNTIL(s, cs, 1, a.scanouts == 1);
	CHECK_INT_EQ(a.scanouts, 1);

	tclient_close(&a);
	svc_show(s, &(struct svc_frame){ .plane = &p, .fd = m1, .seq = 2 });
	PUMP_UNTIL(s, cs, 0, svc_clients(s, NULL) == 0);
	CHECK_INT_EQ(svc_clients(s, NULL), 0);
	log_use_journal(false);
	log_set_journal_sender(NULL);
	snprintf(line, sizeof(line), "pid %d: gone: dropped\n", (int)getpid());
	CHECK_STR_CONTAINS(logged, line);
	CHECK(!strstr(logged, "cannot call its listener"));
	svc_destroy(s);
	close(m1);
}

int main(void)
{
	snprintf(sock_path, sizeof(sock_path), "/tmp/vgpu-viewer-svc-%d.sock", (int)getpid());
	RUN_TEST(test_frames);
	RUN_TEST(test_gone);
	RUN_TEST(test_refused);
	RUN_TEST(test_hostile);
	RUN_TEST(test_refused_flood);
	RUN_TEST(test_silent);
	RUN_TEST(test_client);
	RUN_TEST(test_client_refused);
	RUN_TEST(test_client_other_uid);
	RUN_TEST(test_region);
	RUN_TEST(test_cursor);
	RUN_TEST(test_client_hostile_cursor);
	RUN_TEST(test_input);
	RUN_TEST(test_pointer);
	RUN_TEST(test_input_view_only);
	unlink(sock_path);
	return TEST_EXIT_STATUS();
}
