/* SPDX-License-Identifier: MIT */
/*
 * A process's command line (cmdline_), read from /proc/PID/cmdline: where
 * the viewer finds the VMM's QMP and VNC sockets.
 */
#ifndef VGPU_VIEWER_CMDLINE_H
#define VGPU_VIEWER_CMDLINE_H

#include <stdbool.h>
#include <sys/types.h>

#define CMDLINE_MAX_ARGS 1024

struct cmdline {
	int argc;
	char *argv[CMDLINE_MAX_ARGS];
	char buf[65536];	/* libvirt's QEMU command lines run to kilobytes */
};

/* 0, or -errno (no such process, not allowed); a longer line is cut. */
int cmdline_read(pid_t pid, struct cmdline *ret);

/* Whether @arg is QEMU's option -@name (or --@name). */
bool cmdline_is_opt(const char *arg, const char *name);

#endif
