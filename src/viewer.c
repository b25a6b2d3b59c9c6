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
#include <sys/timerfd.h>
#include <unistd.h>

#define LOG_MODULE "viewer"
#include "backend.h"
#include "config.h"
#include "flip_irq.h"
#include "libvirt.h"
#include "log.h"
#include "notify.h"
#include "options.h"
#include "plane.h"
#include "presenter.h"
#include "privs.h"
#include "stats.h"
#include "vfio_dev.h"

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

/* The line 'systemctl status' shows. */
static void update_status(struct viewer *v)
{
	switch (v->state) {
	case STATE_WAITING:
		if (v->attached_once)
			notify_status("waiting for the VMM to come back (mdev %s)", v->uuid);
		else if (v->opts.vm)
			notify_status("waiting for VM %s", v->opts.vm);
		else
			notify_status("waiting for mdev %s", v->opts.mdev ? v->opts.mdev : "?");
		break;
	case STATE_OFF:
		notify_status("mdev %s: guest display off (%s)", v->uuid, v->off_reason);
		break;
	case STATE_SHOWING:
		if (flip_irq_polling(v->irq))
			notify_status("%s, %.1f flips/s, polling every %u ms%s", v->mode, v->rate,
				      v->opts.poll_ms,
				      v->opts.poll ? " (--poll)" : " (the kernel has no display IRQ)");
		else
			notify_status("%s, %.1f flips/s, display IRQ", v->mode, v->rate);
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

static void unmask(struct viewer *v)
{
	int ret = flip_irq_unmask(v->irq);

	if (ret)
		LOG_ERRNO(ret, "unmasking the display IRQ");
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

	snprintf(reason, sizeof(reason), "%ux%u %s", p.width, p.height,
		 plane_format_name(p.fourcc, fourcc));
	if (v->state != STATE_SHOWING || strcmp(reason, v->mode)) {
		log_change(v, true, reason);
		stats_event(v->stats, "on", "mode", reason);
		snprintf(v->mode, sizeof(v->mode), "%s", reason);
		v->state = STATE_SHOWING;
	}

	ret = v->presenter->ops->present(v->presenter, &f);
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
	} else if (v->irq) {
		unmask(v);
	}
}

/* Closes every fd the device gave us: the VMM can open the group again. */
static void detach(struct viewer *v, const char *why)
{
	static const struct presenter_frame off = { 0 };

	if (!v->dev)
		return;
	/* The screen lets go of the guest's buffers before they are closed. */
	if (v->state == STATE_SHOWING)
		v->presenter->ops->present(v->presenter, &off);
	if (v->irq)
		epoll_ctl(v->epfd, EPOLL_CTL_DEL, flip_irq_fd(v->irq), NULL);
	if (vfio_dev_vmm_pidfd(v->dev) >= 0)
		epoll_ctl(v->epfd, EPOLL_CTL_DEL, vfio_dev_vmm_pidfd(v->dev), NULL);
	flip_irq_destroy(v->irq);
	plane_cache_destroy(v->cache);
	vfio_dev_destroy(v->dev);
	v->irq = NULL;
	v->cache = NULL;
	v->dev = NULL;
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

static int attach(struct viewer *v)
{
	char uuid[MDEV_UUID_LEN + 1] = "";
	struct vfio_dev_target t;
	int ret, pidfd;

	ret = find_target(v, &t, uuid);
	if (!ret)
		v->dev = vfio_dev_attach(&t, &ret);
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
		 t.pid > 0 ? " of the VMM" : "");
	stats_event(v->stats, "attach", "uuid", v->uuid);
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
	if (!v->ready)	/* still waiting for the VM: the start job must not time out */
		notify_extend_timeout(3 * TICK_MS * 1000ull);
}

static void dispatch(struct viewer *v, enum source src)
{
	uint64_t count;
	uint64_t now = stats_now_ns();

	/* A source detached earlier in the same epoll batch. */
	if ((src == SRC_IRQ || src == SRC_VMM) && !v->dev)
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
	}
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

static int setup(struct viewer *v, const sigset_t *mask)
{
	uint64_t wd_usec, tick_ms;
	int exit_code;

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
	v->presenter = backend_create(&v->opts, v->stats, &exit_code);
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
	return 0;
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
			dispatch(&v, (enum source)ev[i].data.u32);
	}

out:
	notify_stopping();
	detach(&v, "exiting");
	if (v.presenter)
		v.presenter->ops->destroy(v.presenter);
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
