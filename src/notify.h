/* SPDX-License-Identifier: MIT */
/*
 * The service manager protocol (sd_notify(3)): readiness, a status line a
 * person can read in 'systemctl status', the watchdog, reloading and
 * stopping.  Without $NOTIFY_SOCKET (a terminal) every call is a no-op.
 */
#ifndef VGPU_VIEWER_NOTIFY_H
#define VGPU_VIEWER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* The watchdog period asked for ($WATCHDOG_USEC for this process), 0: none. */
uint64_t notify_watchdog_usec(void);

void notify_ready(void);
void notify_watchdog(void);
void notify_reloading(void);
void notify_stopping(void);
/* While waiting for the VM before READY=1: the start timeout moves on. */
void notify_extend_timeout(uint64_t usec);
/* STATUS=...; the same text twice in a row is sent once. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
