/* SPDX-License-Identifier: MIT */
/*
 * A QMP client for input (qmp_): QEMU's machine protocol on a unix socket,
 * spoken without blocking from the viewer's epoll loop, for one command:
 * input-send-event, a batch of keys (qnums), buttons and motion per call;
 * and query-mice, for whether the guest's pointer is absolute.
 *
 * Commands are pipelined: qmp_capabilities goes out with the connection,
 * input queues behind it.  Each batch is answered; with two batches
 * unanswered the sink says it is busy, so that motion is coalesced by
 * input.c instead of queueing here.  A QEMU that stops reading costs at
 * most SOCKBUF_MAX bytes, then the connection is dropped.
 */
#ifndef VGPU_VIEWER_QMP_H
#define VGPU_VIEWER_QMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "input.h"

struct qmp;

/*
 * Connects to the QMP socket at @path.  NULL, with -errno in *@ret_err,
 * when it cannot (logged by the caller, who knows why it tried).
 */
struct qmp *qmp_connect(const char *path, int *ret_err);
void qmp_destroy(struct qmp *q);

int qmp_get_fd(const struct qmp *q);
/* The epoll events to wait for: EPOLLIN, | EPOLLOUT while output is queued. */
uint32_t qmp_events(const struct qmp *q);
/*
 * Reads what QEMU said and writes what is queued.  Returns 0, or -errno
 * when the connection is gone or is not QMP (logged).
 */
int qmp_dispatch(struct qmp *q, uint32_t events);
/*
 * Called about once a second with the time in ns: says once, as a
 * warning, that QEMU has not greeted us 5 s after the connection (QEMU
 * serves one client at a time on a socket).
 */
void qmp_check(struct qmp *q, uint64_t now_ns);

/*
 * Which pointer the guest has, from QEMU's query-mice: asked when
 * connecting, after each click, and while it is not known to be absolute
 * on pointer motion at most once a second (QEMU says nothing when the
 * guest's tablet driver loads); the sink's relative() says the same.
 */
enum {
	QMP_POINTER_UNKNOWN,
	QMP_POINTER_ABSOLUTE,
	QMP_POINTER_RELATIVE,
};
int qmp_pointer(const struct qmp *q);
/* query-mice's answer, a line of QEMU's, as QMP_POINTER_*: for the tests. */
int qmp_parse_mice(const char *line);

/* The sink for input_set_sink(), with the qmp as its data. */
extern const struct input_sink qmp_input_sink;

/* Counters, for the statistics and the benchmark. */
struct qmp_counters {
	uint64_t batches, events, replies, errors;
	/*
	 * How long QEMU took to answer input-send-event, from writing it to
	 * reading the answer (of the last 1024): QEMU has injected the events
	 * by then.  @timed: how many were timed in all.
	 */
	uint64_t timed;
	uint32_t answer_us_p50, answer_us_p90, answer_us_max;
};
void qmp_get_counters(const struct qmp *q, struct qmp_counters *ret);

/*
 * The QMP socket in QEMU's command line @argv (@argc words): a
 * "-qmp unix:PATH,..." or a "-chardev socket,id=ID,path=PATH,server..." that
 * a "-mon chardev=ID,mode=control" uses.  The first one's path goes to
 * @ret (@len bytes); returns 0, or -ENOENT when there is none.
 */
int qmp_find_in_argv(int argc, char *const argv[], char *ret, size_t len);

#endif
