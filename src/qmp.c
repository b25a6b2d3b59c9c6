// SPDX-License-Identifier: MIT
/* A QMP client for input; see qmp.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "qmp"
#include "cmdline.h"
#include "latency.h"
#include "log.h"
#include "qmp.h"
#include "sockbuf.h"

#define IN_MAX 65536		/* one line of QEMU's; events can be long, replies are not */
#define GREETING_NS 5000000000ull
#define BUSY_BATCHES 2		/* unanswered batches that make the sink busy */
#define MICE "{\"execute\":\"query-mice\",\"id\":\"mice\"}\n"
#define MICE_ID "\"id\": \"mice\"}"
#define MICE_EVERY_NS 1000000000ull
#define NO_ABS "Input handler not found for event type abs"
#define SENT_MAX 64		/* commands timed at once */

struct qmp {
	struct sockbuf sb;
	char path[108];
	bool greeted;
	bool warned_greeting;
	uint64_t connected_ns;
	/*
	 * Commands written and answered so far, qmp_capabilities included:
	 * QEMU answers in order, so command N's answer is answer N.
	 */
	uint64_t sent, answered;
	bool mice_asked;	/* a query-mice among them */
	uint64_t mice_ns;	/* when one was last asked */
	int pointer;		/* QMP_POINTER_* */
	char in[IN_MAX];
	size_t in_len;
	bool skipping;		/* in a line longer than IN_MAX: dropped to its end */
	struct qmp_counters c;

	/*
	 * When command N went (at N % SENT_MAX, 0: not one to time), while
	 * fewer than SENT_MAX newer ones have gone.
	 */
	uint64_t sent_ns[SENT_MAX];
	struct latency answers;	/* input-send-event, sent to answered */
};

static const char *const button_names[INPUT_BUTTON_N] = {
	"left", "middle", "right", "wheel-up", "wheel-down", "side", "extra",
	"wheel-left", "wheel-right",
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Commands not answered yet. */
static unsigned int inflight(const struct qmp *q)
{
	return (unsigned int)(q->sent - q->answered);
}

/* A command went: @ns, its time, or 0 (not one to time). */
static void sent(struct qmp *q, uint64_t ns)
{
	q->sent_ns[q->sent % SENT_MAX] = ns;
	q->sent++;
}

/* The oldest unanswered command was answered; timed if its slot still holds its time. */
static void answered(struct qmp *q)
{
	uint64_t n = q->answered++, ns = q->sent_ns[n % SENT_MAX];

	if (ns && q->sent - n <= SENT_MAX)
		latency_add(&q->answers, now_ns() - ns);
}

struct qmp *qmp_connect(const char *path, int *ret_err)
{
	struct qmp *q = calloc(1, sizeof(*q));

	if (!q) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	snprintf(q->path, sizeof(q->path), "%s", path);
	*ret_err = path[0] == '/' ? sockbuf_connect(&q->sb, path) : -EINVAL;
	if (*ret_err) {
		free(q);
		return NULL;
	}
	q->connected_ns = now_ns();
	/*
	 * Pipelined: QEMU reads it after its greeting, and input queues
	 * behind it.  Which pointer the guest has is asked at once.
	 */
	*ret_err = sockbuf_printf(&q->sb, "{\"execute\":\"qmp_capabilities\"}\n" MICE);
	if (*ret_err) {
		qmp_destroy(q);
		return NULL;
	}
	sent(q, 0);
	sent(q, 0);
	q->mice_asked = true;
	q->mice_ns = q->connected_ns;
	return q;
}

void qmp_destroy(struct qmp *q)
{
	if (!q)
		return;
	sockbuf_close(&q->sb);
	free(q);
}

int qmp_get_fd(const struct qmp *q)
{
	return q->sb.fd;
}

uint32_t qmp_events(const struct qmp *q)
{
	return EPOLLIN | (q->sb.len ? EPOLLOUT : 0);
}

void qmp_get_counters(const struct qmp *q, struct qmp_counters *ret)
{
	*ret = q->c;
	ret->timed = q->answers.count;
	ret->answer_us_p50 = latency_pct(&q->answers, 50);
	ret->answer_us_p90 = latency_pct(&q->answers, 90);
	ret->answer_us_max = latency_pct(&q->answers, 100);
}

void qmp_check(struct qmp *q, uint64_t now)
{
	if (q->greeted || q->warned_greeting || now - q->connected_ns < GREETING_NS)
		return;
	q->warned_greeting = true;
	LOG_WARN("%s: QEMU has not greeted us in %llu s: another client may hold its QMP socket "
		 "(it serves one at a time); input waits", q->path,
		 (unsigned long long)(GREETING_NS / 1000000000ull));
}

/* The "desc" of an error reply, for the log. */
static void log_error(struct qmp *q, const char *line)
{
	const char *d = strstr(line, "\"desc\": \"");
	int len = 0;

	if (d) {
		d += 9;
		while (d[len] && !(d[len] == '"' && (len == 0 || d[len - 1] != '\\')))
			len++;
	}
	/* Positions that a guest without a tablet cannot take: expected (sink_send()). */
	if (q->pointer != QMP_POINTER_ABSOLUTE && d && !strncmp(d, NO_ABS, strlen(NO_ABS)))
		return;
	q->c.errors++;
	/* The first, and then one in a thousand. */
	if (q->c.errors == 1 || q->c.errors % 1000 == 0)
		LOG_WARN("%s: QEMU refused input (%llu so far): %.*s", q->path,
			 (unsigned long long)q->c.errors, d ? len : 200, d ? d : line);
}

/*
 * query-mice's answer, {"return": [{"name": ..., "current": true,
 * "absolute": false, ...}, ...]}: whether the mouse QEMU gives motion to
 * now is absolute.  Strings are skipped whole, escapes and all: a mouse's
 * name is whatever a host device calls itself (virtio-input-host).
 */
int qmp_parse_mice(const char *s)
{
	int depth = 0, current = -1, absolute = -1, ret = QMP_POINTER_UNKNOWN;
	const char *key = NULL, *str = NULL;
	size_t klen = 0, slen = 0;

	for (; *s; s++) {
		switch (*s) {
		case '"':
			str = ++s;
			while (*s && *s != '"')
				s += s[0] == '\\' && s[1] ? 2 : 1;
			if (!*s)
				return QMP_POINTER_UNKNOWN;
			slen = (size_t)(s - str);
			break;
		case ':':
			key = str;
			klen = slen;
			break;
		case '{':
		case '[':
			if (++depth == 3)
				current = absolute = -1;
			key = NULL;
			break;
		case '}':
		case ']':
			if (depth-- == 3 && current == 1 && absolute >= 0)
				ret = absolute ? QMP_POINTER_ABSOLUTE : QMP_POINTER_RELATIVE;
			key = NULL;
			break;
		case 't':
		case 'f':
			if (strncmp(s, *s == 't' ? "true" : "false", *s == 't' ? 4 : 5))
				return QMP_POINTER_UNKNOWN;
			if (depth == 3 && key && klen == 7 && !strncmp(key, "current", 7))
				current = *s == 't';
			else if (depth == 3 && key && klen == 8 && !strncmp(key, "absolute", 8))
				absolute = *s == 't';
			key = NULL;
			s += *s == 't' ? 3 : 4;
			break;
		default:
			break;
		}
	}
	return ret;
}

static void set_pointer(struct qmp *q, int pointer)
{
	static const char *const what[] = {
		[QMP_POINTER_UNKNOWN] = "unknown (QEMU names no current mouse)",
		[QMP_POINTER_ABSOLUTE] = "absolute (a tablet)",
		[QMP_POINTER_RELATIVE] = "relative (a mouse): a click in the window grabs the pointer",
	};

	if (pointer == q->pointer)
		return;
	q->pointer = pointer;
	LOG_INFO("%s: the guest's pointer is %s", q->path, what[pointer]);
}

int qmp_pointer(const struct qmp *q)
{
	return q->pointer;
}

static int handle_line(struct qmp *q, const char *line)
{
	size_t len;

	/* QEMU writes its keys first, in this spelling: no JSON parser needed for four kinds. */
	if (!strncmp(line, "{\"QMP\":", 7)) {
		if (q->greeted)
			return 0;
		q->greeted = true;
		if (q->warned_greeting)
			LOG_NOTICE("%s: QEMU greeted us; input goes through", q->path);
		return 0;
	}
	/*
	 * QEMU can send an event in the moment between accepting us and
	 * greeting us (seen with input-linux's QEMU): an event, not a
	 * stranger.
	 */
	if (!q->greeted && !strncmp(line, "{\"timestamp\":", 13))
		return 0;
	if (!q->greeted) {
		LOG_ERR("%s is not a QMP socket: it said \"%.60s\"", q->path, line);
		return -EPROTO;
	}
	if (!strncmp(line, "{\"return\":", 10) || !strncmp(line, "{\"error\":", 9)) {
		if (!inflight(q)) {
			LOG_ERR("%s: an answer to no command", q->path);
			return -EPROTO;
		}
		answered(q);
		len = strlen(line);
		if (q->mice_asked && len >= strlen(MICE_ID) &&
		    !strcmp(line + len - strlen(MICE_ID), MICE_ID)) {
			q->mice_asked = false;
			set_pointer(q, line[2] == 'r' ? qmp_parse_mice(line) : QMP_POINTER_UNKNOWN);
			return 0;
		}
		q->c.replies++;
		if (line[2] == 'e')
			log_error(q, line);
	}
	return 0;		/* an event */
}

static int read_in(struct qmp *q)
{
	for (;;) {
		ssize_t n = read(q->sb.fd, q->in + q->in_len, IN_MAX - q->in_len);
		char *start, *nl;
		int ret;

		if (n == 0) {
			LOG_NOTICE("%s: QEMU closed the QMP connection", q->path);
			return -EPIPE;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return LOG_ERRNO(errno, "%s: reading QMP", q->path);
		}
		q->in_len += (size_t)n;
		start = q->in;
		while ((nl = memchr(start, '\n', q->in_len - (size_t)(start - q->in)))) {
			*nl = '\0';
			if (nl > start && nl[-1] == '\r')
				nl[-1] = '\0';
			ret = q->skipping ? 0 : handle_line(q, start);
			q->skipping = false;
			if (ret)
				return ret;
			start = nl + 1;
		}
		q->in_len -= (size_t)(start - q->in);
		memmove(q->in, start, q->in_len);
		if (q->in_len == IN_MAX) {	/* an event this long is not ours: skip it */
			q->in_len = 0;
			q->skipping = true;
		}
	}
}

static int write_out(struct qmp *q)
{
	int ret = sockbuf_flush(&q->sb);

	return ret ? LOG_ERRNO(-ret, "%s: writing QMP", q->path) : 0;
}

int qmp_dispatch(struct qmp *q, uint32_t events)
{
	int ret = 0;

	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ret = read_in(q);
	if (!ret)
		ret = write_out(q);
	return ret;
}

static int add_event(struct qmp *q, const struct input_event *ev, bool first)
{
	const char *sep = first ? "" : ",";

	switch (ev->type) {
	case INPUT_EV_KEY:
		return sockbuf_printf(&q->sb, "%s{\"type\":\"key\",\"data\":{\"down\":%s,\"key\":"
				  "{\"type\":\"number\",\"data\":%u}}}", sep,
				  ev->down ? "true" : "false", ev->code);
	case INPUT_EV_BUTTON:
		if (ev->code >= INPUT_BUTTON_N)
			return -EINVAL;
		return sockbuf_printf(&q->sb, "%s{\"type\":\"btn\",\"data\":{\"down\":%s,\"button\":\"%s\"}}",
				  sep, ev->down ? "true" : "false", button_names[ev->code]);
	case INPUT_EV_ABS:
	case INPUT_EV_REL: {
		const char *t = ev->type == INPUT_EV_ABS ? "abs" : "rel";

		return sockbuf_printf(&q->sb, "%s{\"type\":\"%s\",\"data\":{\"axis\":\"x\",\"value\":%d}},"
				  "{\"type\":\"%s\",\"data\":{\"axis\":\"y\",\"value\":%d}}",
				  sep, t, ev->x, t, ev->y);
	}
	}
	return -EINVAL;
}

/*
 * Whether to ask again which pointer the guest has: QEMU says nothing when
 * it changes (the guest's tablet driver loads after the viewer connected).
 * On a click, and while it is not known to be absolute, on motion at most
 * once a second: the answer is fresh when a click decides whether to grab,
 * and a kiosk's mouse stops sending motion once the guest has a tablet.
 */
static bool ask_mice(const struct qmp *q, const struct input_event *ev, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (ev[i].type == INPUT_EV_BUTTON && ev[i].down)
			return true;
		if ((ev[i].type == INPUT_EV_ABS || ev[i].type == INPUT_EV_REL) &&
		    q->pointer != QMP_POINTER_ABSOLUTE &&
		    now_ns() - q->mice_ns >= MICE_EVERY_NS)
			return true;
	}
	return false;
}

/*
 * One input-send-event per batch; but while the guest's pointer is not
 * known to be absolute, positions go in commands of their own: QEMU
 * refuses a whole command when one of its events has no handler (a guest
 * without a tablet), and the keys and buttons beside them must not go
 * with it.  Commands are done in order, so the order of events holds.
 */
static int sink_send(void *data, const struct input_event *ev, unsigned int n)
{
	struct qmp *q = data;
	bool split = q->pointer != QMP_POINTER_ABSOLUTE;
	size_t undo = q->sb.len;
	unsigned int cmds = 0;
	bool mice = false;
	int ret = 0;

	for (unsigned int i = 0; !ret && i < n; i++) {
		bool start = i == 0 || (split && (ev[i].type == INPUT_EV_ABS) !=
					     (ev[i - 1].type == INPUT_EV_ABS));

		if (start && i)
			ret = sockbuf_printf(&q->sb, "]}}\n");
		if (start && !ret) {
			ret = sockbuf_printf(&q->sb, "{\"execute\":\"input-send-event\","
					     "\"arguments\":{\"events\":[");
			cmds++;
		}
		if (!ret)
			ret = add_event(q, &ev[i], start);
	}
	if (!ret && n)
		ret = sockbuf_printf(&q->sb, "]}}\n");
	if (!ret && !q->mice_asked && ask_mice(q, ev, n)) {
		ret = sockbuf_printf(&q->sb, MICE);
		mice = !ret;
	}
	if (ret) {
		q->sb.len = undo;
		LOG_ERR("%s: %u input events dropped: %s (QEMU is not reading)", q->path, n,
			strerror(-ret));
		return ret;
	}
	/* In the order written, which is the order of the answers. */
	for (unsigned int i = 0; i < cmds; i++)
		sent(q, now_ns());
	if (mice) {
		q->mice_asked = true;
		q->mice_ns = now_ns();
		sent(q, 0);
	}
	q->c.batches++;
	q->c.events += n;
	/* Written now if the socket takes it: no wait for the loop's next turn. */
	return write_out(q);
}

static bool sink_ready(void *data)
{
	const struct qmp *q = data;

	return inflight(q) - q->mice_asked < BUSY_BATCHES;
}

static bool sink_relative(void *data)
{
	const struct qmp *q = data;

	return q->pointer == QMP_POINTER_RELATIVE;
}

const struct input_sink qmp_input_sink = {
	.send = sink_send,
	.ready = sink_ready,
	.relative = sink_relative,
};

/* "unix:PATH,opt=..." or "unix:PATH": PATH; NULL for other kinds. */
static bool unix_path(const char *spec, char *ret, size_t len)
{
	size_t n;

	if (strncmp(spec, "unix:", 5))
		return false;
	spec += 5;
	n = strcspn(spec, ",");
	if (!n || n >= len)
		return false;
	memcpy(ret, spec, n);
	ret[n] = '\0';
	return true;
}

/* The value of "key=" in a QEMU option list "a=b,key=v,...", up to the next comma. */
static bool opt_value(const char *list, const char *key, char *ret, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, ",");

			if (n >= len)
				return false;
			memcpy(ret, p + klen + 1, n);
			ret[n] = '\0';
			return true;
		}
	}
	return false;
}

int qmp_find_in_argv(int argc, char *const argv[], char *ret, size_t len)
{
	char id[64], v[16];

	for (int i = 0; i + 1 < argc; i++) {
		if (cmdline_is_opt(argv[i], "qmp") && unix_path(argv[i + 1], ret, len))
			return 0;
		/* -mon chardev=ID,mode=control (not pretty: we read a line per message) */
		if (!cmdline_is_opt(argv[i], "mon") || !opt_value(argv[i + 1], "chardev", id, sizeof(id)) ||
		    !opt_value(argv[i + 1], "mode", v, sizeof(v)) || strcmp(v, "control") ||
		    (opt_value(argv[i + 1], "pretty", v, sizeof(v)) && strcmp(v, "off")))
			continue;
		for (int j = 0; j + 1 < argc; j++) {
			const char *c = argv[j + 1];
			char cid[64];

			if (!cmdline_is_opt(argv[j], "chardev") || strncmp(c, "socket,", 7) ||
			    !opt_value(c + 7, "id", cid, sizeof(cid)) || strcmp(cid, id))
				continue;
			if (opt_value(c + 7, "path", ret, len))
				return 0;
		}
	}
	return -ENOENT;
}
