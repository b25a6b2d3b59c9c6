// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <xf86drm.h>

#include "config.h"
#if HAVE_SYSTEMD
#include <systemd/sd-bus.h>
#endif

#define LOG_MODULE "seat"
#include "kms_seat.h"
#include "log.h"

#define DRM_MAJOR 226

struct kms_seat {
	const struct kms_seat_listener *listener;
	void *data;
	bool active;

	/* direct: the VT we put into graphics mode, and how it was. */
	int tty;
	int kd_mode, kb_mode;

#if HAVE_SYSTEMD
	sd_bus *bus;
	char *session;		/* the session's object path */
	sd_bus_slot *pause_slot, *resume_slot;
	dev_t card;		/* the DRM device we hold, 0 if none */
#endif
};

#if HAVE_SYSTEMD
#define LOGIND "org.freedesktop.login1"
#define SESSION_IFACE "org.freedesktop.login1.Session"

static int on_pause(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct kms_seat *s = data;
	uint32_t major, minor;
	const char *type;

	if (sd_bus_message_read(m, "uus", &major, &minor, &type) < 0)
		return 0;
	/*
	 * Input devices: libinput is suspended with DRM.  Other DRM devices:
	 * a card looked at and given back says "gone" once it is released,
	 * and that signal may come long after, when we hold another card.
	 */
	if (!s->card || makedev(major, minor) != s->card)
		return 0;
	LOG_INFO("the session lost the display (%s): pausing", type);
	s->active = false;
	s->listener->disable(s->data);
	if (strcmp(type, "pause") == 0)
		sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE,
				   "PauseDeviceComplete", NULL, NULL, "uu", major, minor);
	return 0;
}

static int on_resume(sd_bus_message *m, void *data, sd_bus_error *err)
{
	struct kms_seat *s = data;
	uint32_t major, minor;
	int fd;

	if (sd_bus_message_read(m, "uuh", &major, &minor, &fd) < 0 || !s->card ||
	    makedev(major, minor) != s->card)
		return 0;
	/* DRM keeps its fd across pauses: logind made it master again. */
	LOG_INFO("the session has the display again: resuming");
	s->active = true;
	s->listener->enable(s->data);
	return 0;
}

/* Our session's object path, TakeControl, and the pause/resume signals. */
static int logind_open(struct kms_seat *s)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *id = getenv("XDG_SESSION_ID"), *path;
	int ret;

	ret = sd_bus_default_system(&s->bus);
	if (ret < 0)
		return ret;
	if (id && *id)
		ret = sd_bus_call_method(s->bus, LOGIND, "/org/freedesktop/login1",
					 "org.freedesktop.login1.Manager", "GetSession", &err,
					 &reply, "s", id);
	else
		ret = sd_bus_call_method(s->bus, LOGIND, "/org/freedesktop/login1",
					 "org.freedesktop.login1.Manager", "GetSessionByPID",
					 &err, &reply, "u", (uint32_t)getpid());
	if (ret < 0) {
		LOG_DBG("no logind session: %s", err.message ? err.message : strerror(-ret));
		goto out;
	}
	ret = sd_bus_message_read(reply, "o", &path);
	if (ret < 0)
		goto out;
	s->session = strdup(path);
	if (!s->session) {
		ret = -ENOMEM;
		goto out;
	}
	sd_bus_error_free(&err);
	ret = sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE, "TakeControl", &err,
				 NULL, "b", 0);
	if (ret < 0) {
		LOG_ERR("logind refused TakeControl of %s: %s", s->session,
			err.message ? err.message : strerror(-ret));
		goto out;
	}
	/*
	 * A kiosk's session is on its own VT, which is not shown until someone
	 * switches to it: bring it to the front, as a display manager does.
	 * Until then (or if that is refused) logind hands out the card
	 * without DRM master and the viewer waits for ResumeDevice.
	 */
	sd_bus_error_free(&err);
	if (sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE, "Activate", &err, NULL,
			       "") < 0)
		LOG_NOTICE("logind did not activate session %s: %s", s->session,
			   err.message ? err.message : "?");
	ret = sd_bus_match_signal(s->bus, &s->pause_slot, LOGIND, s->session, SESSION_IFACE,
				  "PauseDevice", on_pause, s);
	if (ret >= 0)
		ret = sd_bus_match_signal(s->bus, &s->resume_slot, LOGIND, s->session,
					  SESSION_IFACE, "ResumeDevice", on_resume, s);
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return ret < 0 ? ret : 0;
}

static void logind_close(struct kms_seat *s)
{
	if (s->session)
		sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE, "ReleaseControl",
				   NULL, NULL, "");
	sd_bus_slot_unref(s->pause_slot);
	sd_bus_slot_unref(s->resume_slot);
	free(s->session);
	s->session = NULL;
	sd_bus_flush_close_unref(s->bus);
	s->bus = NULL;
}

static int logind_take(struct kms_seat *s, dev_t rdev)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int ret, fd, inactive;

	ret = sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE, "TakeDevice", &err,
				 &reply, "uu", major(rdev), minor(rdev));
	if (ret < 0) {
		LOG_DBG("TakeDevice %u:%u: %s", major(rdev), minor(rdev),
			  err.message ? err.message : strerror(-ret));
		goto out;
	}
	ret = sd_bus_message_read(reply, "hb", &fd, &inactive);
	if (ret < 0)
		goto out;
	ret = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (ret < 0)
		ret = -errno;
	else if (major(rdev) == DRM_MAJOR) {
		s->card = rdev;
		s->active = !inactive;
	}
out:
	sd_bus_message_unref(reply);
	sd_bus_error_free(&err);
	return ret;
}
#endif

/* Direct: the VT on stdin, if it is one, in graphics mode without keyboard input. */
static void vt_graphics(struct kms_seat *s)
{
	s->tty = -1;
	if (ioctl(STDIN_FILENO, KDGETMODE, &s->kd_mode) < 0)
		return;	/* not a VT */
	if (ioctl(STDIN_FILENO, KDGKBMODE, &s->kb_mode) < 0)
		return;
	s->tty = STDIN_FILENO;
	if (ioctl(s->tty, KDSETMODE, KD_GRAPHICS) < 0 || ioctl(s->tty, KDSKBMODE, K_OFF) < 0)
		LOG_WARN("cannot put the VT into graphics mode: %s", strerror(errno));
}

struct kms_seat *kms_seat_create(const struct kms_seat_listener *listener, void *data)
{
	struct kms_seat *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->listener = listener;
	s->data = data;
	s->tty = -1;
#if HAVE_SYSTEMD
	if (logind_open(s) == 0 && s->session) {
		LOG_INFO("devices from logind, session %s", s->session);
		s->active = true;
		return s;
	}
	logind_close(s);
#endif
	if (geteuid() != 0) {
		LOG_ERR("no logind session to take the display from, and not root: "
			"run in a session (a kiosk unit with PAMName=login) or as root");
		free(s);
		return NULL;
	}
	LOG_INFO("no logind session: opening the devices directly (no VT switching)");
	vt_graphics(s);
	s->active = true;
	return s;
}

void kms_seat_destroy(struct kms_seat *s)
{
	if (!s)
		return;
#if HAVE_SYSTEMD
	if (s->bus)
		logind_close(s);
#endif
	if (s->tty >= 0) {
		ioctl(s->tty, KDSKBMODE, s->kb_mode);
		ioctl(s->tty, KDSETMODE, s->kd_mode);
	}
	free(s);
}

const char *kms_seat_kind(const struct kms_seat *s)
{
#if HAVE_SYSTEMD
	if (s->bus)
		return "logind";
#endif
	return "direct";
}

bool kms_seat_active(const struct kms_seat *s)
{
	return s->active;
}

int kms_seat_open(struct kms_seat *s, const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return -errno;
#if HAVE_SYSTEMD
	if (s->bus)
		return logind_take(s, st.st_rdev);
#endif
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* The first opener is master already; drmSetMaster says EBUSY when another is. */
	if (major(st.st_rdev) == DRM_MAJOR && drmSetMaster(fd) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

void kms_seat_close(struct kms_seat *s, int fd)
{
#if HAVE_SYSTEMD
	struct stat st;

	if (s->bus && fstat(fd, &st) == 0) {
		if (st.st_rdev == s->card)
			s->card = 0;
		sd_bus_call_method(s->bus, LOGIND, s->session, SESSION_IFACE, "ReleaseDevice",
				   NULL, NULL, "uu", major(st.st_rdev), minor(st.st_rdev));
	}
#endif
	close(fd);
}

int kms_seat_get_fd(struct kms_seat *s)
{
#if HAVE_SYSTEMD
	if (s->bus)
		return sd_bus_get_fd(s->bus);
#endif
	return -1;
}

bool kms_seat_queued(struct kms_seat *s)
{
#if HAVE_SYSTEMD
	uint64_t when;

	/* sd-bus says "at once" (0) exactly when its read queue is not empty. */
	return s->bus && sd_bus_get_timeout(s->bus, &when) > 0 && when == 0;
#else
	(void)s;
	return false;
#endif
}

int kms_seat_dispatch(struct kms_seat *s)
{
#if HAVE_SYSTEMD
	int ret;

	if (!s->bus)
		return 0;
	do
		ret = sd_bus_process(s->bus, NULL);
	while (ret > 0);
	if (ret < 0) {
		LOG_ERR("lost the system bus (logind): %s", strerror(-ret));
		return ret;
	}
#endif
	return 0;
}
