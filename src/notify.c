// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#if HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#define LOG_MODULE "notify"
#include "log.h"
#include "notify.h"

static char last_status[256];

static void notify_send(const char *msg)
{
#if HAVE_SYSTEMD
	int ret = sd_notify(0, msg);

	if (ret < 0)
		LOG_DBG("sd_notify(%s): %s", msg, strerror(-ret));
#else
	(void)msg;
#endif
}

uint64_t notify_watchdog_usec(void)
{
#if HAVE_SYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec;
#endif
	return 0;
}

void notify_ready(void)
{
	notify_send("READY=1");
}

void notify_watchdog(void)
{
	notify_send("WATCHDOG=1");
}

void notify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	/* MONOTONIC_USEC: what Type=notify-reload (systemd 253) wants with it. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	notify_send(msg);
}

void notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void notify_extend_timeout(uint64_t usec)
{
	char msg[48];

	snprintf(msg, sizeof(msg), "EXTEND_TIMEOUT_USEC=%llu", (unsigned long long)usec);
	notify_send(msg);
}

void notify_status(const char *fmt, ...)
{
	char msg[sizeof(last_status) + 8];
	char text[sizeof(last_status)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!strcmp(text, last_status))
		return;
	snprintf(last_status, sizeof(last_status), "%s", text);
	snprintf(msg, sizeof(msg), "STATUS=%s", text);
	notify_send(msg);
}
