// SPDX-License-Identifier: MIT
/*
 * vgpu-viewer: shows a running guest's mediated vGPU display.
 *
 * This file wires the modules together around one epoll loop (the map of
 * the modules: doc/ARCHITECTURE.md).  The state machine: waiting for the
 * VMM -> attached, with the guest display off or showing -> detached when
 * the VMM exits, then waiting again (--reconnect) or done.
 *
 * Pacing: the display IRQ is AUTOMASKED.  After each wake-up the planes are
 * queried and the frame handed to the presenter; the IRQ is unmasked only
 * when the presenter says that frame reached the screen, so the viewer wakes
 * at most once per frame it can show and the newest guest frame always wins.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define LOG_MODULE "viewer"
#include "attacher.h"
#include "backend.h"
#include "cmdline.h"
#include "config.h"
#include "flip_irq.h"
#include "input.h"
#include "libvirt.h"
#include "latency.h"
#include "log.h"
#include "notify.h"
#include "options.h"
#include "plane.h"
#include "presenter.h"
#include "privs.h"
#include "qmp.h"
#include "stats.h"
#include "vfio_dev.h"
#include "vnc.h"
#if HAVE_SYSTEMD
#include "svc.h"
#include "svc_client.h"
#endif

#define DMABUF_CACHE_SIZE 8
#define RETRY_MS 250
/* A display that flaps between on and off repeats a message at most this often. */
#define REPEAT_LOG_NS 5000000000ull

enum source {
	SRC_SIGNAL,
	SRC_IRQ,
	SRC_VMM,
	SRC_RETRY,
	SRC_PRESENTER,
	SRC_TICK,
	SRC_SVC,	/* --serve: our clients */
	SRC_SVCC,	/* the display service we show */
	SRC_INPUT,	/* QEMU's QMP or VNC socket: input */
};

/*
 * The status line and the watchdog are refreshed this often (or faster, for a
 * short WatchdogSec).
 */
#define TICK_MS 1000

enum state {
	STATE_WAITING,		/* no device */
	STATE_OFF,		/* attached, the guest display is off or unusable */
	STATE_SHOWING,
};

struct viewer {
	struct viewer_options opts;
	int epfd, sigfd, retry_fd, tick_fd;
	int argc;
	char **argv;			/* kept for re-reading the configuration on SIGHUP */
	bool ready, privs_dropped;
	uint64_t tick_frames, tick_ns;	/* for the flip rate */
	double rate;
	struct stats *stats;
	struct presenter *presenter;
	int presenter_fd;
	uint32_t presenter_events;	/* what epoll waits for on presenter_fd */
	char title[128];

	struct vfio_dev *dev;
	struct flip_irq *irq;
	struct plane_cache *cache;
	char uuid[MDEV_UUID_LEN + 1];
	bool attached_once;

	/*
	 * --serve: the display service, and the attacher that keeps the
	 * capabilities to attach (the rest of us has none).
	 */
	struct attacher *attacher;
#if HAVE_SYSTEMD
	struct svc *svc;
	char svc_path[108];	/* the socket file we made, to remove at exit */
	uint64_t served;
	/* Showing the VM through its display service instead of the device. */
	struct svcc *svcc;
	bool svcc_lost;		/* it refused us or went away: detach after its callback */
	char svcc_why[256];	/* why it refused us */
	uint32_t svcc_id;	/* the plane id (buffer) it sent last */
#endif
	const char *service;	/* that service's socket; NULL: the device */
	char service_buf[108];

	/* Keys and the pointer for the guest, and where they go. */
	struct input *input;
	struct qmp *qmp;	/* one of these two, or neither */
	struct vnc *vnc;
	uint32_t input_events;	/* what epoll waits for on its fd */
	char input_note[256];	/* what was logged about input, said once */

	enum state state;
	char off_reason[160];	/* what was logged for the display being off */
	char cursor_note[192];	/* what was logged for the cursor plane */
	char why[320];		/* why attaching failed (libvirt) */
	char mode[160];		/* the mode shown, "WxH FOURCC" */
	struct {		/* the last "on" [1] and "off" [0] message, and when */
		char line[192];
		uint64_t ns;
	} logged[2];
	bool pending;		/* a frame is with the presenter, not yet on screen */
	bool update_wanted;	/* a wake-up came meanwhile */

	bool running;
	int exit_code;
};

static int exit_code_for(int err)
{
	switch (err) {
	case -ENODEV: return VIEWER_EXIT_NO_DEVICE;
	case -EBUSY: return VIEWER_EXIT_BUSY;
	case -EPERM:
	case -EACCES: return VIEWER_EXIT_PERMISSION;
	case -ENOTSUP: return VIEWER_EXIT_NOT_DISPLAY;
	case -ESRCH: return VIEWER_EXIT_VMM_GONE;
	case -EINVAL: return VIEWER_EXIT_USAGE;
	default: return VIEWER_EXIT_FAILURE;
	}
}

/* ", 2 viewers" when serving. */
static const char *viewers_note(struct viewer *v, char *buf, size_t len)
{
	buf[0] = '\0';
#if HAVE_SYSTEMD
	if (v->svc) {
		unsigned int n = svc_clients(v->svc, NULL);

		snprintf(buf, len, ", %u viewer%s", n, n == 1 ? "" : "s");
	}
#endif
	return buf;
}

/* The line 'systemctl status' shows. */
static void update_status(struct viewer *v)
{
	char note[32];

	viewers_note(v, note, sizeof(note));
	switch (v->state) {
	case STATE_WAITING:
		if (v->service)
			notify_status("waiting for the display service at %s", v->service);
		else if (v->attached_once)
			notify_status("waiting for the VMM to come back (mdev %s)", v->uuid);
		else if (v->opts.vm)
			notify_status("waiting for VM %s", v->opts.vm);
		else
			notify_status("waiting for mdev %s", v->opts.mdev ? v->opts.mdev : "?");
		break;
	case STATE_OFF:
		notify_status("mdev %s: guest display off (%s)%s", v->uuid, v->off_reason, note);
		break;
	case STATE_SHOWING:
		if (!v->irq)
			notify_status("%s, %.1f frames/s, from the display service", v->mode, v->rate);
		else if (flip_irq_polling(v->irq))
			notify_status("%s, %.1f flips/s, polling every %u ms%s%s", v->mode, v->rate,
				      v->opts.poll_ms,
				      v->opts.poll ? " (--poll)" : " (the kernel has no display IRQ)",
				      note);
		else
			notify_status("%s, %.1f flips/s, display IRQ%s", v->mode, v->rate, note);
		break;
	}
}

static int watch(struct viewer *v, int fd, enum source src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };

	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		return LOG_ERRNO(errno, "epoll_ctl");
	}
	return 0;
}

/* A periodic timerfd every @ms milliseconds; 0 stops it. */
static void set_timer(int fd, uint64_t ms)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	its.it_interval = its.it_value;
	timerfd_settime(fd, 0, &its, NULL);
}

static void set_retry(struct viewer *v, bool on)
{
	set_timer(v->retry_fd, on ? RETRY_MS : 0);
}

/* The frame is on screen: the next may come (the display IRQ, or the service's next call). */
static void unmask(struct viewer *v)
{
	int ret;

#if HAVE_SYSTEMD
	if (v->svcc)
		svcc_frame_done(v->svcc);
#endif
	if (!v->irq)
		return;
	ret = flip_irq_unmask(v->irq);
	if (ret)
		LOG_ERRNO(ret, "unmasking the display IRQ");
}

/* --serve: the guest's frame @f (NULL: the display is off) to our clients. */
static void serve(struct viewer *v, const struct presenter_frame *f)
{
#if HAVE_SYSTEMD
	struct svc_frame sf = { .fd = -1, .seq = ++v->served };

	if (!v->svc)
		return;
	if (f) {
		sf.plane = f->plane;
		sf.fd = f->buf ? f->buf->fd : -1;
		sf.pixels = f->pixels;
		/* The cursor's pixels are read now, while the guest may draw: bracketed. */
		if (f->cursor && f->cursor_buf && (sf.cursor_pixels = plane_buf_map(f->cursor_buf)))
			sf.cursor = f->cursor;
	}
	plane_buf_sync_read(sf.cursor ? f->cursor_buf : NULL, true);
	svc_show(v->svc, &sf);
	plane_buf_sync_read(sf.cursor ? f->cursor_buf : NULL, false);
#endif
}

/*
 * The display went on or off: say so, but a display that flaps (a buffer the
 * kernel will not export, say) does not repeat the same line every frame.
 */
static void log_change(struct viewer *v, bool on, const char *detail)
{
	char line[192];
	uint64_t now = stats_now_ns();

	snprintf(line, sizeof(line), "guest display %s: %s", on ? "on" : "off", detail);
	if (!strcmp(line, v->logged[on].line) && now - v->logged[on].ns < REPEAT_LOG_NS)
		return;
	LOG_NOTICE("%s", line);
	snprintf(v->logged[on].line, sizeof(v->logged[on].line), "%s", line);
	v->logged[on].ns = now;
}

static void show_off(struct viewer *v, const char *reason)
{
	static const struct presenter_frame off = { 0 };

	if (v->state != STATE_OFF || strcmp(v->off_reason, reason)) {
		log_change(v, false, reason);
		stats_event(v->stats, "off", "reason", reason);
		snprintf(v->off_reason, sizeof(v->off_reason), "%s", reason);
		v->state = STATE_OFF;
		serve(v, NULL);
		v->presenter->ops->present(v->presenter, &off);
	}
	unmask(v);
}

/*
 * The cursor plane of a dmabuf device (region devices have none), checked
 * like the primary; its changes are logged once.  NULL when there is none.
 */
static const struct plane *query_cursor(struct viewer *v, struct plane *ret)
{
	const struct plane *cursor = NULL;
	char note[192], why[160], fourcc[5];
	int err;

	err = vfio_dev_plane_kind(v->dev) != PLANE_DMABUF ? -ENOENT :
	      vfio_dev_query_plane(v->dev, 2, ret, why, sizeof(why));
	if (err == -ENODATA)
		snprintf(note, sizeof(note), "off");
	else if (err == -EINVAL)
		snprintf(note, sizeof(note), "ignored (%s)", why);
	else if (err)
		snprintf(note, sizeof(note), "none");
	else {
		snprintf(note, sizeof(note), "%ux%u %s", ret->width, ret->height,
			 plane_format_name(ret->fourcc, fourcc));
		cursor = ret;
	}
	/* The position moves all the time; the buffer and its state are news. */
	if (strcmp(note, v->cursor_note)) {
		LOG_INFO("cursor plane: %s", note);
		snprintf(v->cursor_note, sizeof(v->cursor_note), "%s", note);
	}
	return cursor;
}

/*
 * The dmabuf of plane @p: from the cache, or exported now and cached.
 * NULL with -errno in *@ret_err when the device will not export it.
 */
static struct plane_buf *dmabuf_of(struct viewer *v, const struct plane *p, int *ret_err)
{
	struct plane_buf *b = plane_cache_lookup(v->cache, p->id);
	int fd;

	*ret_err = 0;
	if (b && plane_same_buffer(&b->plane, p))
		return b;
	fd = vfio_dev_get_dmabuf(v->dev, p->id);
	if (fd < 0) {
		*ret_err = fd;
		return NULL;
	}
	b = plane_cache_insert(v->cache, p, fd);
	if (!b)
		*ret_err = -ENOMEM;
	return b;
}

static void update_plane(struct viewer *v, uint64_t wake_ns);
static void present_frame(struct viewer *v, const struct presenter_frame *f);

/*
 * The guest display may have changed: query it and hand the frame on.  What
 * is logged meanwhile carries the plane's DMABUF_ID and FOURCC (journal).
 */
static void update(struct viewer *v, uint64_t wake_ns)
{
	update_plane(v, wake_ns);
	if (log_journal_in_use()) {
		log_set_field("DMABUF_ID", NULL);
		log_set_field("FOURCC", NULL);
	}
}

static void update_plane(struct viewer *v, uint64_t wake_ns)
{
	struct presenter_frame f = { .wake_ns = wake_ns };
	char reason[160], fourcc[5];
	struct plane p, cursor;
	int ret;

	if (v->pending) {
		v->update_wanted = true;
		return;
	}

	ret = vfio_dev_query_plane(v->dev, 1, &p, reason, sizeof(reason));
	if (ret) {
		show_off(v, reason);
		return;
	}
	if (log_journal_in_use()) {	/* every frame: only when it counts */
		char id[16];

		snprintf(id, sizeof(id), "%u", p.id);
		log_set_field("DMABUF_ID", id);
		log_set_field("FOURCC", plane_format_name(p.fourcc, fourcc));
	}

	if (p.kind == PLANE_DMABUF) {
		f.buf = dmabuf_of(v, &p, &ret);
		if (!f.buf) {
			snprintf(reason, sizeof(reason), "no dmabuf for id %u: %s", p.id,
				 strerror(-ret));
			show_off(v, reason);
			return;
		}
	} else {
		ret = vfio_dev_map_region(v->dev, p.id, p.size, &f.pixels);
		if (ret) {
			snprintf(reason, sizeof(reason), "cannot map region %u: %s", p.id,
				 strerror(-ret));
			show_off(v, reason);
			return;
		}
	}
	f.plane = &p;
	f.ready_ns = stats_now_ns();
	f.cursor = query_cursor(v, &cursor);
	if (f.cursor)
		f.cursor_buf = dmabuf_of(v, &cursor, &ret);
	serve(v, &f);
	present_frame(v, &f);
}

/* Frame @f (on) to the presenter; the next comes when it is on screen. */
static void present_frame(struct viewer *v, const struct presenter_frame *f)
{
	const struct plane *p = f->plane;
	char mode[160], fourcc[5];
	int ret;

	snprintf(mode, sizeof(mode), "%ux%u %s", p->width, p->height,
		 plane_format_name(p->fourcc, fourcc));
	if (v->state != STATE_SHOWING || strcmp(mode, v->mode)) {
		log_change(v, true, mode);
		stats_event(v->stats, "on", "mode", mode);
		snprintf(v->mode, sizeof(v->mode), "%s", mode);
		v->state = STATE_SHOWING;
	}

	ret = v->presenter->ops->present(v->presenter, f);
	if (ret < 0 && ret != -EPIPE && ret != -EPROTO)	/* those were logged, and end the loop */
		LOG_ERRNO(ret, "presenting");
	if (ret == 0)
		v->pending = true;
	else
		unmask(v);
}

static void handle_frame_done(void *data)
{
	struct viewer *v = data;

	/*
	 * The pacing state is ours alone: a presenter calls this whenever
	 * what it showed reached the screen (a redraw of its own too), and
	 * it counts only while a frame of ours is on its way.
	 */
	if (!v->pending)
		return;
	v->pending = false;
	if (v->update_wanted) {
		v->update_wanted = false;
		update(v, stats_now_ns());
	} else {
		unmask(v);
	}
}

/* --- keys and the pointer for the guest -------------------------------- */

/* Says @text once (until it changes): a viewer that retries must not repeat it. */
static void input_say(struct viewer *v, bool warn, const char *text)
{
	if (!strcmp(v->input_note, text))
		return;
	snprintf(v->input_note, sizeof(v->input_note), "%s", text);
	/* Where input goes is worth a line at the default level, a service's too. */
	if (warn)
		LOG_WARN("%s", text);
	else
		LOG_NOTICE("%s", text);
}

static int input_fd(struct viewer *v)
{
	return v->qmp ? qmp_get_fd(v->qmp) : v->vnc ? vnc_get_fd(v->vnc) : -1;
}

static uint32_t input_events(struct viewer *v)
{
	return v->qmp ? qmp_events(v->qmp) : v->vnc ? vnc_events(v->vnc) : 0;
}

/* Input goes nowhere now (a display service's sink too: it goes with the service). */
static void input_disconnect(struct viewer *v)
{
	if (v->input && input_has_sink(v->input))
		input_set_sink(v->input, NULL, NULL);
	if (!v->qmp && !v->vnc)
		return;
	epoll_ctl(v->epfd, EPOLL_CTL_DEL, input_fd(v), NULL);
	if (v->qmp) {
		struct qmp_counters c;

		qmp_get_counters(v->qmp, &c);
		LOG_INFO("input: %llu events in %llu batches to QMP, %llu answered, %llu refused",
			 (unsigned long long)c.events, (unsigned long long)c.batches,
			 (unsigned long long)c.replies, (unsigned long long)c.errors);
		if (c.timed)
			LOG_INFO("input: QEMU answered input-send-event in %.1f ms (p50), %.1f "
				 "(p90), %.1f (max) of the last %llu", c.answer_us_p50 / 1e3,
				 c.answer_us_p90 / 1e3, c.answer_us_max / 1e3,
				 (unsigned long long)(c.timed < LATENCY_SAMPLES ? c.timed :
						      LATENCY_SAMPLES));
	}
	qmp_destroy(v->qmp);
	vnc_destroy(v->vnc);
	v->qmp = NULL;
	v->vnc = NULL;
}

/*
 * Where the VMM (pid @pid) takes input, from its command line: a QMP socket
 * first (*@ret_vnc false), else its VNC server; -ENOENT when neither, or
 * -EACCES for a VNC server with a password (or TLS): why, in @why.
 */
static int find_input(pid_t pid, char *path, size_t len, bool *ret_vnc, char *why, size_t why_len)
{
	struct cmdline *c = malloc(sizeof(*c));
	bool secured = false;
	int ret;

	if (!c)
		return -ENOMEM;
	ret = cmdline_read(pid, c);
	*ret_vnc = false;
	if (!ret && qmp_find_in_argv(c->argc, c->argv, path, len)) {
		*ret_vnc = true;
		ret = vnc_find_in_argv(c->argc, c->argv, path, len, &secured);
	}
	free(c);
	if (ret)
		snprintf(why, why_len, "QEMU (pid %d) has neither a QMP socket nor a VNC server on "
			 "its command line (-qmp unix:PATH,server=on,wait=off; or --qmp PATH)",
			 (int)pid);
	else if (secured)
		snprintf(why, why_len, "QEMU (pid %d)'s VNC server at %s wants a password (or TLS), "
			 "which this viewer does not do (see INPUT in vgpu-viewer(1))", (int)pid, path);
	return ret ? ret : secured ? -EACCES : 0;
}

/* Attached: where keys and the pointer go (QEMU's QMP socket or VNC server), if anywhere. */
/* The way to the VMM's input (QMP, else VNC) and its data; NULL: none. */
static const struct input_sink *vmm_sink(const struct viewer *v, void **ret_data)
{
	*ret_data = v->qmp ? (void *)v->qmp : (void *)v->vnc;
	return v->qmp ? &qmp_input_sink : v->vnc ? &vnc_input_sink : NULL;
}

static void input_connect(struct viewer *v)
{
	struct epoll_event ev = { .data.u32 = SRC_INPUT };
	char path[108], text[320], why[256];
	const struct input_sink *sink;
	bool use_vnc = false;
	void *data;
	pid_t pid;
	int ret;

	if (v->opts.input_off) {
		input_say(v, false, "input off: the guest is shown, not controlled (--input=off)");
		return;
	}
#if HAVE_SYSTEMD
	if (v->service) {
		/* The service forwards it, if we may control the VM (it says when not). */
		input_set_sink(v->input, &svcc_input_sink, v->svcc);
		input_say(v, false, "input: keys and pointer to the guest through the display "
			  "service");
		return;
	}
#endif
	if (v->opts.vnc) {
		snprintf(path, sizeof(path), "%s", v->opts.vnc);
		use_vnc = true;
	} else if (v->opts.qmp) {
		snprintf(path, sizeof(path), "%s", v->opts.qmp);
	} else {
		pid = vfio_dev_vmm_pid(v->dev);
		ret = pid > 0 ? find_input(pid, path, sizeof(path), &use_vnc, why, sizeof(why)) :
				-ESRCH;
		if (ret) {
			snprintf(text, sizeof(text), "no input: %s; view only", pid > 0 ? why :
				 "no VMM to find a QMP socket in (--qmp PATH)");
			input_say(v, true, text);
			return;
		}
	}
	if (use_vnc)
		v->vnc = vnc_connect(path, &ret);
	else
		v->qmp = qmp_connect(path, &ret);
	if (!v->qmp && !v->vnc) {
		snprintf(text, sizeof(text), "no input: cannot connect to %s at %s: %s; view only",
			 use_vnc ? "the VNC server" : "QMP", path, strerror(-ret));
		input_say(v, true, text);
		return;
	}
	ev.events = v->input_events = input_events(v);
	if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, input_fd(v), &ev)) {
		LOG_ERRNO(errno, "epoll_ctl");
		qmp_destroy(v->qmp);
		vnc_destroy(v->vnc);
		v->qmp = NULL;
		v->vnc = NULL;
		return;
	}
	sink = vmm_sink(v, &data);
	input_set_sink(v->input, sink, data);
	snprintf(text, sizeof(text), "input: keys and pointer to the guest through %s at %s",
		 use_vnc ? "its VNC server" : "QMP", path);
	input_say(v, false, text);
}

static void handle_input_conn(struct viewer *v, uint32_t events)
{
	if ((v->qmp ? qmp_dispatch(v->qmp, events) : vnc_dispatch(v->vnc, events)) == 0)
		return;
	input_disconnect(v);
	input_say(v, true, "no input: the connection to QEMU is gone; view only until the VMM "
		  "is attached again");
}

#if HAVE_SYSTEMD
/* --serve: a controlling client's input, to the VMM as ours would go. */
static int svc_forward(void *data, const struct input_event *ev, unsigned int n)
{
	struct viewer *v = data;
	void *sink_data;
	const struct input_sink *sink = vmm_sink(v, &sink_data);

	return sink ? sink->send(sink_data, ev, n) : -ENOTCONN;
}
#endif

/* Before sleeping: output waits for the socket. */
static void input_before_wait(struct viewer *v)
{
	struct epoll_event ev = { .data.u32 = SRC_INPUT };

	if ((!v->qmp && !v->vnc) || input_events(v) == v->input_events)
		return;
	ev.events = input_events(v);
	if (epoll_ctl(v->epfd, EPOLL_CTL_MOD, input_fd(v), &ev) == 0)
		v->input_events = ev.events;
}

/* Closes every fd the device gave us: the VMM can open the group again. */
static void detach(struct viewer *v, const char *why)
{
	static const struct presenter_frame off = { 0 };
	bool from_service = false;

#if HAVE_SYSTEMD
	from_service = v->svcc != NULL;
#endif
	if (!v->dev && !from_service)
		return;
	input_disconnect(v);
	/* The screen lets go of the guest's buffers before they are closed. */
	if (v->state == STATE_SHOWING)
		v->presenter->ops->present(v->presenter, &off);
#if HAVE_SYSTEMD
	if (from_service) {
		epoll_ctl(v->epfd, EPOLL_CTL_DEL, svcc_get_fd(v->svcc), NULL);
		svcc_destroy(v->svcc);
		v->svcc = NULL;
		v->svcc_lost = false;
	}
#endif
	if (v->dev) {
		if (v->state != STATE_WAITING)
			serve(v, NULL);	/* our clients let go of them too */
		if (v->irq)
			epoll_ctl(v->epfd, EPOLL_CTL_DEL, flip_irq_fd(v->irq), NULL);
		if (vfio_dev_vmm_pidfd(v->dev) >= 0)
			epoll_ctl(v->epfd, EPOLL_CTL_DEL, vfio_dev_vmm_pidfd(v->dev), NULL);
		flip_irq_destroy(v->irq);
		vfio_dev_destroy(v->dev);
		v->irq = NULL;
		v->dev = NULL;
	}
	plane_cache_destroy(v->cache);
	v->cache = NULL;
	v->pending = v->update_wanted = false;
	v->state = STATE_WAITING;
	stats_event(v->stats, "detach", "reason", why);
}

static bool retryable(int err);

/* Where the device comes from this time; why not in v->why. */
static int find_target(struct viewer *v, struct vfio_dev_target *t, char *uuid)
{
	pid_t holder;
	int ret;

	*t = (struct vfio_dev_target){
		.pid = v->opts.pid,
		.uuid = v->opts.mdev,
		.device_fd = v->opts.device_fd,
		.vmm_pidfd = -1,
		.fd_socket = v->opts.fd_socket,
		.waiting = v->opts.wait || (v->opts.reconnect && v->attached_once),
	};
	if (v->opts.vm) {
		ret = libvirt_resolve(v->opts.connect, v->opts.libvirt_dir, v->opts.vm, &t->pid,
				      uuid, v->why, sizeof(v->why));
		/* What waiting cures is said by the waiting message. */
		if (ret && !(retryable(ret) && t->waiting))
			LOG_ERR("%s", v->why);
		if (ret)
			return ret;
		if (!t->uuid)
			t->uuid = uuid;
	} else if (v->attached_once && v->uuid[0] && v->opts.reconnect) {
		/*
		 * Reconnecting: whoever holds the mdev (its group, or its cdev)
		 * now is the VMM.  A re-created mdev may be in another group.
		 */
		holder = vfio_dev_find_holder(v->uuid);
		if (holder == -ENODEV)
			return -ENODEV;
		if (holder < 0)
			return -ESRCH;
		t->pid = holder;
		t->uuid = v->uuid;
	}
	return 0;
}

/* The device, as the options say; NULL with -errno in *@ret_err (why in v->why). */
static struct vfio_dev *attach_device(struct viewer *v, int *ret_err)
{
	char uuid[MDEV_UUID_LEN + 1] = "";
	struct vfio_dev *dev = NULL;
	struct vfio_dev_target t;
	int ret;

	ret = find_target(v, &t, uuid);
	if (!ret)
		dev = vfio_dev_attach(&t, &ret);
	*ret_err = ret;
	return dev;
}

/*
 * In the attacher, a copy of this process made before anything untrusted
 * was read: the same attach, and it remembers the mdev to find the next
 * VMM by (--reconnect) in its own copy of the state.
 */
static struct vfio_dev *attach_for_service(void *data, struct attacher_result *r)
{
	struct viewer *v = data;
	struct vfio_dev *dev;

	v->why[0] = '\0';
	dev = attach_device(v, &r->err);
	snprintf(r->why, sizeof(r->why), "%s", v->why);
	if (dev) {
		snprintf(r->uuid, sizeof(r->uuid), "%s", vfio_dev_uuid(dev));
		snprintf(v->uuid, sizeof(v->uuid), "%s", r->uuid);
		v->attached_once = true;
	}
	return dev;
}

/* The device from the attacher: its fds, taken over. */
static struct vfio_dev *attach_by_attacher(struct viewer *v, int *ret_err)
{
	struct attacher_result r;
	struct vfio_dev_target t;

	*ret_err = attacher_attach(v->attacher, &r);
	snprintf(v->why, sizeof(v->why), "%s", r.why);
	if (*ret_err)
		return NULL;
	if (r.device_fd < 0) {
		*ret_err = -EPROTO;
		if (r.vmm_pidfd >= 0)
			close(r.vmm_pidfd);
		return NULL;
	}
	t = (struct vfio_dev_target){ .device_fd = r.device_fd, .vmm_pidfd = r.vmm_pidfd,
				      .uuid = r.uuid[0] ? r.uuid : NULL };
	return vfio_dev_attach(&t, ret_err);
}

static int attach_service(struct viewer *v);

static int attach(struct viewer *v)
{
	int ret, pidfd;

	if (v->service)
		return attach_service(v);
	v->dev = v->attacher ? attach_by_attacher(v, &ret) : attach_device(v, &ret);
	if (ret)
		return ret;

	snprintf(v->uuid, sizeof(v->uuid), "%s", vfio_dev_uuid(v->dev));
	log_set_field("MDEV", v->uuid[0] ? v->uuid : NULL);
	v->cache = plane_cache_create(DMABUF_CACHE_SIZE);
	v->irq = flip_irq_create(vfio_dev_fd(v->dev), vfio_dev_num_irqs(v->dev), v->opts.poll_ms,
				 v->opts.poll);
	if (!v->cache || !v->irq) {
		detach(v, "out of resources");
		return -ENOMEM;
	}
	ret = watch(v, flip_irq_fd(v->irq), SRC_IRQ);
	pidfd = vfio_dev_vmm_pidfd(v->dev);
	if (!ret && pidfd >= 0)
		ret = watch(v, pidfd, SRC_VMM);
	if (ret) {
		detach(v, "epoll failed");
		return ret;
	}

	v->attached_once = true;
	v->state = STATE_OFF;
	v->off_reason[0] = '\0';
	v->cursor_note[0] = '\0';
	set_retry(v, false);
	LOG_NOTICE("attached to %s%s%s", v->uuid[0] ? "mdev " : "the device", v->uuid,
		 pidfd >= 0 ? " of the VMM" : "");
	stats_event(v->stats, "attach", "uuid", v->uuid);
	input_connect(v);
	/* Nothing may signal for a while: look now. */
	update(v, stats_now_ns());

	/* Attached: no capability is needed any more, but to borrow again. */
	if (!v->privs_dropped) {
		privs_drop(v->opts.reconnect ? PRIVS_PTRACE : 0);
		v->privs_dropped = true;
	}
	update_status(v);
	if (!v->ready) {
		notify_ready();
		v->ready = true;
	}
	return 0;
}

/* Failures that waiting can cure (--wait, --reconnect). */
static bool retryable(int err)
{
	return err == -ENODEV || err == -ESRCH || err == -EAGAIN;
}

/* --- the VM's display service as the source of frames ----------------- */

#if HAVE_SYSTEMD
static void service_ready(void *data, const char *vm_name, const char *uuid)
{
	struct viewer *v = data;

	v->attached_once = true;
	v->state = STATE_OFF;
	v->off_reason[0] = '\0';
	snprintf(v->uuid, sizeof(v->uuid), "%s", mdev_uuid_valid(uuid) ? uuid : "");
	log_set_field("MDEV", v->uuid[0] ? v->uuid : NULL);
	set_retry(v, false);
	if (*vm_name)
		LOG_NOTICE("showing VM %s through its display service at %s", vm_name, v->service);
	else
		LOG_NOTICE("showing the guest through the display service at %s", v->service);
	stats_event(v->stats, "attach", "service", v->service);
	input_connect(v);
	update_status(v);
	if (!v->ready) {
		notify_ready();
		v->ready = true;
	}
}

/*
 * A frame from the service: @fd a new buffer (or -1: the last one again).
 * A buffer is known by its dma-buf's inode, so that one the guest shows
 * again is not imported again.
 */
static void service_frame(void *data, int fd, const void *pixels, const struct plane *sent)
{
	struct viewer *v = data;
	struct presenter_frame f = { .wake_ns = stats_now_ns() };
	struct plane p = *sent, cursor;
	struct stat st;

	stats_wakeup(v->stats);
	f.cursor_buf = svcc_cursor(v->svcc, &cursor);
	f.cursor = f.cursor_buf ? &cursor : NULL;
	if (pixels) {		/* a region plane, in shared memory */
		f.plane = &p;
		f.pixels = pixels;
		f.ready_ns = stats_now_ns();
		present_frame(v, &f);
		return;
	}
	if (fd >= 0) {
		if (fstat(fd, &st)) {
			close(fd);
			unmask(v);
			return;
		}
		v->svcc_id = (uint32_t)st.st_ino ^ (uint32_t)((uint64_t)st.st_ino >> 32);
	}
	p.id = v->svcc_id;
	f.buf = plane_cache_lookup(v->cache, p.id);
	if (f.buf && !plane_same_buffer(&f.buf->plane, &p))
		f.buf = NULL;
	if (fd >= 0 && f.buf)
		close(fd);
	else if (fd >= 0)
		f.buf = plane_cache_insert(v->cache, &p, fd);
	if (!f.buf) {
		show_off(v, fd >= 0 ? "out of memory" : "an update of a buffer we do not have");
		return;
	}
	f.plane = &p;
	f.ready_ns = stats_now_ns();
	present_frame(v, &f);
}

static void service_off(void *data)
{
	show_off(data, "the display service says so");
}

/* Handled once its callback has returned: see service_check(). */
static void service_closed(void *data, const char *why)
{
	struct viewer *v = data;

	v->svcc_lost = true;
	snprintf(v->svcc_why, sizeof(v->svcc_why), "%s", why ? why : "");
}

/* After the client's calls: a service that refused us or went away. */
static void service_check(struct viewer *v)
{
	if (!v->svcc || !v->svcc_lost)
		return;
	if (v->svcc_why[0]) {
		LOG_ERR("the display service at %s refused: %s", v->service, v->svcc_why);
		detach(v, "refused");
		v->exit_code = VIEWER_EXIT_PERMISSION;
		v->running = false;
		return;
	}
	detach(v, "the display service went away");
	if (v->opts.reconnect) {
		LOG_NOTICE("the display service went away; waiting for it to come back");
		set_retry(v, true);
	} else {
		LOG_NOTICE("the display service went away");
		v->exit_code = VIEWER_EXIT_VMM_GONE;
		v->running = false;
	}
	update_status(v);
}

static int attach_service(struct viewer *v)
{
	static const struct svcc_listener listener = {
		.ready = service_ready,
		.frame = service_frame,
		.off = service_off,
		.closed = service_closed,
	};
	int ret;

	v->cache = plane_cache_create(DMABUF_CACHE_SIZE);
	if (!v->cache)
		return -ENOMEM;
	v->svcc = svcc_connect(v->service, &listener, v, &ret);
	if (!v->svcc) {
		plane_cache_destroy(v->cache);
		v->cache = NULL;
		if (ret == -ENOENT) {
			snprintf(v->why, sizeof(v->why), "no display service at %s", v->service);
			return -ENODEV;
		}
		snprintf(v->why, sizeof(v->why), "the display service at %s: %s", v->service,
			 strerror(-ret));
		/* Not running (yet): a socket nobody listens on. */
		return ret == -ECONNREFUSED ? -ESRCH : ret;
	}
	ret = watch(v, svcc_get_fd(v->svcc), SRC_SVCC);
	if (ret) {
		detach(v, "epoll failed");
		return ret;
	}
	/* A service of our own, no VMM: no capability is of use. */
	if (!v->privs_dropped) {
		privs_drop(0);
		v->privs_dropped = true;
	}
	/* Attached once it says who it is (service_ready). */
	return 0;
}
#else
static int attach_service(struct viewer *v)
{
	return -ENOTSUP;	/* options.c refuses --service in such a build */
}
#endif

static void handle_vmm_exit(struct viewer *v)
{
	uint64_t t0 = stats_now_ns();

	detach(v, "the VMM exited");
	LOG_NOTICE("the VMM exited; device closed in %.1f ms",
		 (double)(stats_now_ns() - t0) / 1e6);
	if (v->opts.reconnect) {
		LOG_NOTICE("waiting for the VMM to come back");
		set_retry(v, true);
	} else {
		v->exit_code = VIEWER_EXIT_VMM_GONE;
		v->running = false;
	}
}

static void handle_retry(struct viewer *v)
{
	uint64_t ticks;
	int ret;

	if (read(v->retry_fd, &ticks, sizeof(ticks)) < 0 || v->dev)
		return;
#if HAVE_SYSTEMD
	if (v->svcc)		/* connected, the service not ready yet */
		return;
#endif
	ret = attach(v);
	if (ret && !retryable(ret)) {
		v->exit_code = exit_code_for(ret);
		v->running = false;
	}
}

/* The log level for -v counts, and stderr or the journal. */
static void init_logging(int verbose)
{
	log_init(verbose > 1 ? LOG_LEVEL_DBG : verbose ? LOG_LEVEL_INFO : LOG_LEVEL_NOTICE,
		 getenv("JOURNAL_STREAM") != NULL);
	log_use_journal(log_stderr_is_journal());
}

/*
 * SIGHUP: the configuration files and the command line again.  What can
 * change at run time does (log level, scale, filter); the rest needs a
 * restart and is said so.  A broken file keeps the old configuration.
 */
static void reload(struct viewer *v)
{
	char applied[256], later[256];
	struct viewer_options o;

	notify_reloading();
	if (options_parse(&o, v->argc, v->argv, stderr, stderr) != OPTIONS_RUN) {
		LOG_ERR("reloading the configuration failed; keeping the old one");
	} else {
		options_diff(&v->opts, &o, applied, sizeof(applied), later, sizeof(later));
		init_logging(o.verbose);
		if (v->presenter->ops->set_options)
			v->presenter->ops->set_options(v->presenter, &o.present);
		v->opts.verbose = o.verbose;
		v->opts.present.scale = o.present.scale;
		v->opts.present.filter = o.present.filter;
		if (later[0])
			LOG_WARN("%s: changes at the next restart", later);
		LOG_INFO("configuration reloaded: %s", applied[0] ? applied :
			 later[0] ? "nothing to apply now" : "nothing changed");
	}
	options_finish(&o);
	notify_ready();
}

static void handle_signal(struct viewer *v)
{
	struct signalfd_siginfo si;

	if (read(v->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload(v);
		return;
	}
	if (si.ssi_signo == SIGUSR1) {	/* the benchmark's marks */
		stats_mark(v->stats);
		return;
	}
	LOG_INFO("signal %u, exiting", si.ssi_signo);
	v->running = false;
}

/* Every TICK_MS: the flip rate for the status line, the watchdog, the start timeout. */
static void handle_tick(struct viewer *v)
{
	uint64_t ticks, now = stats_now_ns(), frames = stats_frames(v->stats);

	if (read(v->tick_fd, &ticks, sizeof(ticks)) < 0)
		return;
	if (v->tick_ns && now > v->tick_ns)
		v->rate = (double)(frames - v->tick_frames) * 1e9 / (double)(now - v->tick_ns);
	v->tick_frames = frames;
	v->tick_ns = now;
	update_status(v);
	notify_watchdog();
	if (v->qmp)
		qmp_check(v->qmp, now);
	if (v->vnc)
		vnc_check(v->vnc, now);
	if (!v->ready)	/* still waiting for the VM: the start job must not time out */
		notify_extend_timeout(3 * TICK_MS * 1000ull);
}

static void dispatch(struct viewer *v, enum source src, uint32_t events)
{
	uint64_t count;
	uint64_t now = stats_now_ns();

	/* A source detached earlier in the same epoll batch. */
	if ((src == SRC_IRQ || src == SRC_VMM) && !v->dev)
		return;
#if HAVE_SYSTEMD
	if (src == SRC_SVCC && !v->svcc)
		return;
#endif
	if (src == SRC_INPUT && !v->qmp && !v->vnc)
		return;

	switch (src) {
	case SRC_SIGNAL:
		handle_signal(v);
		break;
	case SRC_IRQ:
		stats_wakeup(v->stats);
		if (flip_irq_drain(v->irq, &count) == 0 && count)
			update(v, now);
		break;
	case SRC_VMM:
		handle_vmm_exit(v);
		break;
	case SRC_RETRY:
		handle_retry(v);
		break;
	case SRC_PRESENTER:	/* dispatched before the batch, see presenter_after_wait() */
		break;
	case SRC_TICK:
		handle_tick(v);
		break;
	case SRC_INPUT:
		handle_input_conn(v, events);
		break;
#if HAVE_SYSTEMD
	case SRC_SVC:
		svc_dispatch(v->svc);
		break;
	case SRC_SVCC:
		svcc_dispatch(v->svcc);
		service_check(v);
		break;
#else
	case SRC_SVC:
	case SRC_SVCC:
		break;
#endif
	}
}

/* Before sleeping: what the display service's buses have queued. */
static void services_before_wait(struct viewer *v)
{
#if HAVE_SYSTEMD
	if (v->svc) {
		/* The VMM says which pointer the guest has; the clients are told. */
		void *data;
		const struct input_sink *sink = vmm_sink(v, &data);

		svc_set_pointer(v->svc, sink && sink->relative(data));
		svc_prepare(v->svc);
	}
	if (v->svcc) {
		svcc_prepare(v->svcc);
		service_check(v);
	}
#endif
}

static void presenter_failed(struct viewer *v, int ret)
{
	if (ret == PRESENTER_CLOSED) {
		v->exit_code = VIEWER_EXIT_OK;
	} else {
		/* Logged by the presenter, once; systemd may restart us. */
		v->exit_code = VIEWER_EXIT_DISPLAY_GONE;
	}
	v->running = false;
}

/* Before sleeping: the presenter flushes and says what to wait for. */
static void presenter_before_wait(struct viewer *v)
{
	struct epoll_event ev = { .data.u32 = SRC_PRESENTER };
	int ret;

	if (!v->presenter->ops->prepare)
		return;
	ret = v->presenter->ops->prepare(v->presenter);
	if (ret < 0) {
		presenter_failed(v, ret);
		return;
	}
	if ((uint32_t)ret != v->presenter_events) {
		ev.events = (uint32_t)ret;
		if (epoll_ctl(v->epfd, EPOLL_CTL_MOD, v->presenter_fd, &ev) == 0)
			v->presenter_events = (uint32_t)ret;
	}
}

/* After waking: the presenter goes first, so its state is current for the batch. */
static void presenter_after_wait(struct viewer *v, const struct epoll_event *ev, int n)
{
	uint32_t events = 0;
	int ret;

	if (!v->presenter->ops->dispatch)
		return;
	for (int i = 0; i < n; i++)
		if (ev[i].data.u32 == SRC_PRESENTER)
			events = ev[i].events;
	ret = v->presenter->ops->dispatch(v->presenter, events);
	if (ret)
		presenter_failed(v, ret);
}

/*
 * The signals the loop reads from its signalfd, blocked first thing: a
 * service stopped while it starts (parsing, attaching, EGL set-up can take
 * seconds) gets its SIGTERM read by the loop and exits 0, not 143.
 */
static void block_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, mask, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * Where frames come from: with --vm, the VM's display service when its
 * socket is there (or --service), unless --direct or --serve.
 */
static void choose_source(struct viewer *v)
{
	const char *path = v->opts.service_path;
	struct stat st;

	if (!HAVE_SYSTEMD || v->opts.serve || v->opts.source == VIEWER_SOURCE_DIRECT)
		return;
	if (!path && v->opts.vm) {
		snprintf(v->service_buf, sizeof(v->service_buf), OPTIONS_SERVICE_DIR "/%s.sock",
			 v->opts.vm);
		path = v->service_buf;
	}
	if (path && (v->opts.source == VIEWER_SOURCE_SERVICE ||
		     (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))))
		v->service = path;
}

/*
 * --serve: the attacher keeps what attaching needs, in a process of its
 * own forked now, before anything is read from a client; this process
 * keeps no capability at all.
 */
static int start_attacher(struct viewer *v)
{
	if (!v->opts.serve)
		return 0;
	if (v->opts.device_fd < 0 && !v->opts.fd_socket) {
		v->attacher = attacher_start(attach_for_service, v, PRIVS_ATTACH);
		if (!v->attacher)
			return -EIO;
	}
	privs_drop(0);
	v->privs_dropped = true;
	if (privs_read("CapEff") || privs_read("CapPrm")) {
		LOG_ERR("--serve: capabilities are still held; not serving with them");
		return -EPERM;
	}
	return 0;
}

/* --serve: the socket, and who may use it. */
static int start_service(struct viewer *v)
{
#if HAVE_SYSTEMD
	const char *list = v->opts.viewers ? v->opts.viewers : "@vgpu-viewer";
	struct svc_policy viewers, controllers;
	char why[256], path[sizeof(v->svc_path)];
	bool created;
	int fd;

	if (!v->opts.serve)
		return 0;
	if (svc_policy_parse(&viewers, list, why, sizeof(why))) {
		if (v->opts.viewers)
			LOG_ERR("--viewers %s: %s", list, why);
		else
			LOG_ERR("--serve: the default viewers are group vgpu-viewer's members: %s "
				"(systemd-sysusers creates it; or name others with --viewers)", why);
		v->exit_code = VIEWER_EXIT_USAGE;
		return -EINVAL;
	}
	controllers = viewers;
	if (v->opts.controllers &&
	    svc_policy_parse(&controllers, v->opts.controllers, why, sizeof(why))) {
		LOG_ERR("--controllers %s: %s", v->opts.controllers, why);
		v->exit_code = VIEWER_EXIT_USAGE;
		return -EINVAL;
	}
	if (v->opts.serve_path)
		snprintf(path, sizeof(path), "%s", v->opts.serve_path);
	else if (v->opts.vm)
		snprintf(path, sizeof(path), OPTIONS_SERVICE_DIR "/%s.sock", v->opts.vm);
	else
		path[0] = '\0';
	fd = svc_listen(path[0] ? path : NULL, &created);
	if (fd == -EINVAL && !path[0])
		LOG_ERR("--serve: no socket to serve on: systemd passed none, and without a VM "
			"name there is no default (--serve=PATH)");
	if (fd < 0) {
		v->exit_code = fd == -EINVAL ? VIEWER_EXIT_USAGE : VIEWER_EXIT_FAILURE;
		return fd;
	}
	if (created)
		snprintf(v->svc_path, sizeof(v->svc_path), "%s", path);
	v->svc = svc_create(fd, &(struct svc_info){ .vm_name = v->opts.vm, .uuid = v->opts.mdev,
						      .viewers = &viewers, .controllers = &controllers,
						      .input = v->opts.input_off ? NULL : svc_forward,
						      .input_data = v });
	if (!v->svc || watch(v, svc_get_fd(v->svc), SRC_SVC))
		return -EIO;
	LOG_NOTICE("serving the display of %s%s to %s on %s", v->opts.vm ? "VM " : "the device",
		   v->opts.vm ? v->opts.vm : "", viewers.text, created ? path : "systemd's socket");
	if (!v->opts.input_off)
		LOG_INFO("input from %s", controllers.text[0] ? controllers.text : "root only");
#endif
	return 0;
}

static int setup(struct viewer *v, const sigset_t *mask)
{
	uint64_t wd_usec, tick_ms;
	int exit_code;

	if (start_attacher(v))
		return -EPERM;
	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	v->sigfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	v->retry_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	v->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (v->epfd < 0 || v->sigfd < 0 || v->retry_fd < 0 || v->tick_fd < 0) {
		return LOG_ERRNO(errno, "setting up the event loop");
	}
	if (watch(v, v->sigfd, SRC_SIGNAL) || watch(v, v->retry_fd, SRC_RETRY) ||
	    watch(v, v->tick_fd, SRC_TICK))
		return -EIO;
	/* Twice per WatchdogSec at least, as sd_watchdog_enabled(3) asks. */
	wd_usec = notify_watchdog_usec();
	tick_ms = TICK_MS;
	if (wd_usec && wd_usec / 2000 < tick_ms)
		tick_ms = wd_usec / 2000 ? wd_usec / 2000 : 1;
	set_timer(v->tick_fd, tick_ms);

	v->stats = stats_create(v->opts.stats);
	if (!v->stats)
		return -EIO;
	v->input = input_create(&v->opts.present.hotkeys);
	if (!v->input)
		return -ENOMEM;
	v->presenter = backend_create(&v->opts, v->stats, v->input, &exit_code);
	if (!v->presenter) {
		v->exit_code = exit_code;
		return -ENODEV;
	}
	v->presenter->frame_done = handle_frame_done;
	v->presenter->data = v;
	if (v->presenter->ops->get_fd) {
		v->presenter_fd = v->presenter->ops->get_fd(v->presenter);
		v->presenter_events = EPOLLIN;
		if (watch(v, v->presenter_fd, SRC_PRESENTER))
			return -EIO;
	}
	return start_service(v);
}

int main(int argc, char *argv[])
{
	struct viewer v = { .epfd = -1, .sigfd = -1, .retry_fd = -1, .tick_fd = -1,
			    .presenter_fd = -1, .argc = argc, .argv = argv };
	sigset_t mask;
	int ret;

	block_signals(&mask);
	switch (options_parse(&v.opts, argc, argv, stdout, stderr)) {
	case OPTIONS_DONE:
		options_finish(&v.opts);
		return VIEWER_EXIT_OK;
	case OPTIONS_USAGE:
		options_finish(&v.opts);
		return VIEWER_EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}
	init_logging(v.opts.verbose);
	if (v.opts.vm)
		log_set_field("VM", v.opts.vm);

	v.exit_code = VIEWER_EXIT_OK;
	choose_source(&v);
	ret = setup(&v, &mask);
	if (ret) {
		if (v.exit_code == VIEWER_EXIT_OK)
			v.exit_code = VIEWER_EXIT_FAILURE;
		goto out;
	}

	v.why[0] = '\0';
	ret = attach(&v);
	if (ret && v.opts.wait && retryable(ret)) {
		/* Once, at the default level: --wait must not look hung. */
		if (v.opts.vm)
			LOG_NOTICE("waiting for VM %s to start (%s)", v.opts.vm, v.why);
		else
			LOG_NOTICE("waiting for the %s to appear", v.opts.mdev ? "mdev" : "device");
		set_retry(&v, true);
		update_status(&v);
	} else if (ret) {
		v.exit_code = exit_code_for(ret);
		goto out;
	}

	v.running = true;
	while (v.running) {
		struct epoll_event ev[8];
		int n;

		presenter_before_wait(&v);
		services_before_wait(&v);
		input_before_wait(&v);
		if (!v.running)
			break;
		n = epoll_wait(v.epfd, ev, 8, -1);
		if (n < 0 && errno != EINTR) {
			LOG_ERRNO(errno, "epoll_wait");
			v.exit_code = VIEWER_EXIT_FAILURE;
			break;
		}
		presenter_after_wait(&v, ev, n < 0 ? 0 : n);
		for (int i = 0; i < n && v.running; i++)
			dispatch(&v, (enum source)ev[i].data.u32, ev[i].events);
		/* What the seat said in this batch goes to the guest as one. */
		input_flush(v.input);
	}

out:
	notify_stopping();
	detach(&v, "exiting");
#if HAVE_SYSTEMD
	svc_destroy(v.svc);
	if (v.svc_path[0])
		unlink(v.svc_path);
#endif
	attacher_stop(v.attacher);
	if (v.presenter)
		v.presenter->ops->destroy(v.presenter);
	input_destroy(v.input);
	stats_destroy(v.stats);
	if (v.retry_fd >= 0)
		close(v.retry_fd);
	if (v.tick_fd >= 0)
		close(v.tick_fd);
	if (v.sigfd >= 0)
		close(v.sigfd);
	if (v.epfd >= 0)
		close(v.epfd);
	options_finish(&v.opts);
	return v.exit_code;
}
