// SPDX-License-Identifier: MIT
/*
 * qmp.c against a scripted QMP server on a unix socket (QEMU's side is
 * tests/vm/scenarios/input-*.sh's, with a real QEMU): the greeting, the
 * pipelined negotiation, the commands' text, back-pressure, errors, and
 * finding the socket in a QEMU command line.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "test"
#include "log.h"
#include "qmp.h"
#include "test.h"

static char dir[] = "/tmp/test-qmp-XXXXXX", path[96];

#define NO_ABS_REPLY "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Input handler not " \
		     "found for event type abs\"}}\r\n"
static int lfd = -1;


/* What the server has been sent so far (the client wrote it synchronously). */
static void server_read(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
}

static void say(int fd, const char *text)
{
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
}

/* A client connected to the scripted server: its end in *@ret_s (-1: none). */
static struct qmp *connected(int *ret_s)
{
	int err;
	struct qmp *q = qmp_connect(path, &err);

	*ret_s = q ? accept(lfd, NULL, NULL) : -1;
	if (q && *ret_s < 0) {
		qmp_destroy(q);
		return NULL;
	}
	return q;
}

static void test_session(void)
{
	struct input_event ev[3] = {
		{ .type = INPUT_EV_KEY, .down = true, .code = 0x1e },
		{ .type = INPUT_EV_ABS, .x = 100, .y = 200 },
		{ .type = INPUT_EV_BUTTON, .down = false, .code = INPUT_BUTTON_WHEEL_UP },
	};
	struct qmp_counters c;
	char buf[4096];
	struct qmp *q;
	int s;

	q = connected(&s);
	CHECK(q);
	/* Negotiation goes out at once, before the greeting is read. */
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLOUT), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "{\"execute\":\"qmp_capabilities\"}\n"
		      "{\"execute\":\"query-mice\",\"id\":\"mice\"}\n"));
	/*
	 * Which pointer the guest has is not known yet: positions go in a
	 * command of their own (QEMU refuses a command whole), so one batch
	 * is three commands, and the sink is busy.
	 */
	CHECK(qmp_input_sink.ready(q));
	CHECK_INT_EQ(qmp_input_sink.send(q, ev, 3), 0);
	CHECK(!qmp_input_sink.ready(q));
	server_read(s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":["
		      "{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"number\","
		      "\"data\":30}}}]}}\n"
		      "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":["
		      "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":100}},"
		      "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":200}}]}}\n"
		      "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":["
		      "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"wheel-up\"}}]}}\n"));
	/*
	 * The greeting, the answers and an event, split anywhere: the guest
	 * has a mouse, and QEMU refuses its positions, which is no error of
	 * the viewer's.
	 */
	/* An event can come before the greeting (QEMU sends it in between). */
	say(s, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"NIC_RX_FILTER_"
	       "CHANGED\", \"data\": {\"path\": \"/x\"}}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	say(s, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n{\"return\": {}}\r\n{\"ti");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	CHECK_INT_EQ(qmp_pointer(q), QMP_POINTER_UNKNOWN);
	CHECK(!qmp_input_sink.relative(q));
	say(s, "mestamp\": {}, \"event\": \"RESUME\"}\r\n{\"return\": [{\"name\": \"QEMU PS/2 "
	       "Mouse\", \"index\": 0, \"current\": true, \"absolute\": false}], \"id\": \"mice\"}\r\n"
	       "{\"return\": {}}\r\n" NO_ABS_REPLY "{\"return\": {}}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	CHECK(qmp_input_sink.ready(q));
	qmp_get_counters(q, &c);
	CHECK(c.batches == 1 && c.events == 3 && c.replies == 4 && c.errors == 0);
	CHECK_INT_EQ(c.timed, 3);	/* the three input commands; not the negotiation */
	CHECK_INT_EQ(qmp_pointer(q), QMP_POINTER_RELATIVE);
	CHECK(qmp_input_sink.relative(q));
	/* Motion does not ask again within a second of the last question; a click does, once. */
	CHECK_INT_EQ(qmp_input_sink.send(q, &ev[1], 1), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(strstr(buf, "\"abs\"") && !strstr(buf, "query-mice"));
	ev[2].down = true;
	ev[0] = ev[2];
	CHECK_INT_EQ(qmp_input_sink.send(q, ev, 3), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(strstr(buf, "]}}\n{\"execute\":\"query-mice\",\"id\":\"mice\"}\n"));
	CHECK(!strstr(strstr(buf, "query-mice") + 1, "query-mice"));
	CHECK_INT_EQ(qmp_input_sink.send(q, &ev[2], 1), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(!strstr(buf, "query-mice"));	/* one is asked already */
	say(s, NO_ABS_REPLY "{\"return\": {}}\r\n" NO_ABS_REPLY "{\"return\": {}}\r\n"
	       "{\"return\": [{\"name\": \"QEMU Virtio Tablet\", \"index\": 2, \"current\": "
	       "true, \"absolute\": true}], \"id\": \"mice\"}\r\n{\"return\": {}}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	CHECK_INT_EQ(qmp_pointer(q), QMP_POINTER_ABSOLUTE);
	CHECK(qmp_input_sink.ready(q));
	qmp_get_counters(q, &c);
	CHECK_INT_EQ(c.errors, 0);
	CHECK_INT_EQ(c.timed, 8);	/* five more, query-mice's answer among theirs */
	/* A tablet now: one command a batch again, and a refusal is an error. */
	ev[0] = (struct input_event){ .type = INPUT_EV_KEY, .down = true, .code = 0x1e };
	CHECK_INT_EQ(qmp_input_sink.send(q, ev, 2), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(!strstr(strstr(buf, "input-send-event") + 1, "input-send-event"));
	say(s, NO_ABS_REPLY);
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	qmp_get_counters(q, &c);
	CHECK_INT_EQ(c.errors, 1);
	/* An answer to nothing is a broken peer. */
	say(s, "{\"return\": {}}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), -EPROTO);
	qmp_destroy(q);
	close(s);
}

/* How long QEMU takes to answer input-send-event: here, a server that waits 30 ms. */
static void test_answer_time(void)
{
	struct input_event key = { .type = INPUT_EV_KEY, .down = true, .code = 0x1e };
	struct qmp_counters c;
	char buf[4096];
	struct qmp *q;
	int s;

	q = connected(&s);
	CHECK(q);
	say(s, "{\"QMP\": {}}\r\n{\"return\": {}}\r\n{\"return\": [], \"id\": \"mice\"}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN | EPOLLOUT), 0);
	qmp_get_counters(q, &c);
	CHECK_INT_EQ(c.timed, 0);
	CHECK_INT_EQ(qmp_input_sink.send(q, &key, 1), 0);
	server_read(s, buf, sizeof(buf));
	CHECK(strstr(buf, "input-send-event"));
	usleep(30000);		/* QEMU's time to answer, which is what is measured */
	say(s, "{\"return\": {}}\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), 0);
	qmp_get_counters(q, &c);
	CHECK_INT_EQ(c.timed, 1);
	CHECK(c.answer_us_p50 >= 30000 && c.answer_us_p50 < 5000000);
	CHECK_INT_EQ(c.answer_us_max, c.answer_us_p50);
	qmp_destroy(q);
	close(s);
}

/* query-mice's answers as QEMU writes them, and as a hostile device's name could bend them. */
static void test_mice(void)
{
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"name\": \"QEMU PS/2 Mouse\", \"index\": 0, "
				    "\"current\": false, \"absolute\": false}, {\"name\": \"QEMU "
				    "Virtio Tablet\", \"index\": 2, \"current\": true, \"absolute\": "
				    "true}], \"id\": \"mice\"}"), QMP_POINTER_ABSOLUTE);
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"name\": \"t\", \"index\": 1, \"current\": "
				    "true, \"absolute\": false}], \"id\": \"mice\"}"),
		     QMP_POINTER_RELATIVE);
	/* QEMU 10's "type" and keys in any order. */
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"absolute\": true, \"type\": \"abs\", "
				    "\"current\": true, \"index\": 3, \"name\": \"x\"}]}"),
		     QMP_POINTER_ABSOLUTE);
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [], \"id\": \"mice\"}"), QMP_POINTER_UNKNOWN);
	/* A name that says what it is not, escapes and all: strings are skipped whole. */
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"name\": \"\\\"}, {\\\"current\\\": true, "
				    "\\\"absolute\\\": true}\", \"current\": true, \"absolute\": "
				    "false}]}"), QMP_POINTER_RELATIVE);
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"name\": \"x}]\", \"current\": true, "
				    "\"absolute\": false}]}"), QMP_POINTER_RELATIVE);
	/* Cut short, or not JSON: nothing known. */
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"name\": \"x"), QMP_POINTER_UNKNOWN);
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"current\": tr"), QMP_POINTER_UNKNOWN);
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"current\": true, \"absolute\": fals"),
		     QMP_POINTER_UNKNOWN);
	/* Nested deeper than a mouse: not a mouse's keys. */
	CHECK_INT_EQ(qmp_parse_mice("{\"return\": [{\"x\": {\"current\": true, \"absolute\": "
				    "false}}]}"), QMP_POINTER_UNKNOWN);
}

static void test_not_qmp_and_eof(void)
{
	struct qmp *q;
	int err, s;

	q = connected(&s);
	CHECK(q);
	say(s, "QEMU 7.2.0 monitor - type 'help' for more information\r\n");
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN), -EPROTO);
	qmp_destroy(q);
	close(s);

	q = connected(&s);
	CHECK(q);
	close(s);
	CHECK_INT_EQ(qmp_dispatch(q, EPOLLIN | EPOLLHUP), -EPIPE);
	qmp_destroy(q);

	CHECK(!qmp_connect("/nonexistent/qmp.sock", &err));
	CHECK_INT_EQ(err, -ENOENT);
}

/* A QEMU that never reads: the buffer stops at SOCKBUF_MAX, the batch is refused. */
static void test_not_reading(void)
{
	struct input_event ev[64];
	struct qmp *q;
	int s, ret = 0, n = 0;

	for (int i = 0; i < 64; i++)
		ev[i] = (struct input_event){ .type = INPUT_EV_KEY, .down = true, .code = 0x1e };
	q = connected(&s);
	CHECK(q);
	while (!ret && n < 100000) {
		ret = qmp_input_sink.send(q, ev, 64);
		n++;
	}
	CHECK_INT_EQ(ret, -ENOBUFS);
	CHECK(n > 10);
	qmp_destroy(q);
	close(s);
}

static void test_find_in_argv(void)
{
	char p[108];
	char *a1[] = { "qemu", "-m", "256", "-qmp", "unix:/run/q.sock,server=on,wait=off" };
	char *a2[] = { "qemu", "--qmp", "unix:/tmp/x" };
	char *a3[] = { "qemu", "-chardev", "socket,id=mon1,path=/run/m.sock,server=on,wait=off",
		       "-mon", "chardev=mon1,mode=control" };
	/* libvirt's: the monitor is an fd it passed, and HMP and pretty QMP are not ours. */
	char *a4[] = { "qemu", "-chardev", "socket,id=charmonitor,fd=27,server=on,wait=off",
		       "-mon", "chardev=charmonitor,id=monitor,mode=control",
		       "-chardev", "socket,id=h,path=/run/h.sock,server=on",
		       "-mon", "chardev=h,mode=readline",
		       "-chardev", "socket,id=p,path=/run/p.sock,server=on",
		       "-mon", "chardev=p,mode=control,pretty=on",
		       "-qmp", "tcp:localhost:4444,server=on" };
	char *a5[] = { "qemu", "-qmp" };

	CHECK_INT_EQ(qmp_find_in_argv(5, a1, p, sizeof(p)), 0);
	CHECK(!strcmp(p, "/run/q.sock"));
	CHECK_INT_EQ(qmp_find_in_argv(3, a2, p, sizeof(p)), 0);
	CHECK(!strcmp(p, "/tmp/x"));
	CHECK_INT_EQ(qmp_find_in_argv(5, a3, p, sizeof(p)), 0);
	CHECK(!strcmp(p, "/run/m.sock"));
	CHECK_INT_EQ(qmp_find_in_argv(15, a4, p, sizeof(p)), -ENOENT);
	CHECK_INT_EQ(qmp_find_in_argv(2, a5, p, sizeof(p)), -ENOENT);
	CHECK_INT_EQ(qmp_find_in_argv(5, a1, p, 6), -ENOENT);	/* too long for @ret */
}

int main(void)
{
	log_init(LOG_LEVEL_WARN, false);
	lfd = test_listen_unix(dir, path, sizeof(path), "qmp.sock");
	if (lfd < 0) {
		perror("test socket");
		return 1;
	}
	RUN_TEST(test_session);
	RUN_TEST(test_mice);
	RUN_TEST(test_answer_time);
	RUN_TEST(test_not_qmp_and_eof);
	RUN_TEST(test_not_reading);
	RUN_TEST(test_find_in_argv);
	unlink(path);
	rmdir(dir);
	return TEST_EXIT_STATUS();
}
