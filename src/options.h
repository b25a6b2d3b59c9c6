/* SPDX-License-Identifier: MIT */
#ifndef VGPU_VIEWER_OPTIONS_H
#define VGPU_VIEWER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "presenter.h"

/* Process exit codes (README, --help). */
enum viewer_exit {
	VIEWER_EXIT_OK = 0,
	VIEWER_EXIT_FAILURE = 1,
	VIEWER_EXIT_USAGE = 2,
	VIEWER_EXIT_NO_DEVICE = 3,	/* no such mdev or VM, or the VMM holds none */
	VIEWER_EXIT_BUSY = 4,		/* the group is held by another process */
	VIEWER_EXIT_PERMISSION = 5,	/* no ptrace rights over the VMM */
	VIEWER_EXIT_NOT_DISPLAY = 6,	/* the device has no display */
	VIEWER_EXIT_VMM_GONE = 7,	/* the VMM exited (without --reconnect) */
	VIEWER_EXIT_DISPLAY_GONE = 8,	/* the compositor went away or failed */
	VIEWER_EXIT_NO_OUTPUT = 9,	/* kms: no (such) connected output */
	VIEWER_EXIT_NO_MODE = 10,	/* kms: the output has no such mode */
	VIEWER_EXIT_DISPLAY_BUSY = 11,	/* kms: another DRM master has the card */
};

/* Where frames come from: the VMM's device, or the VM's display service. */
enum viewer_source {
	VIEWER_SOURCE_AUTO,		/* the service when its socket exists, else the device */
	VIEWER_SOURCE_DIRECT,		/* --direct */
	VIEWER_SOURCE_SERVICE,		/* --service */
};

/* Where the display services' sockets are: DIR/VM.sock. */
#define OPTIONS_SERVICE_DIR "/run/vgpu-viewer"

enum viewer_backend {
	VIEWER_BACKEND_AUTO,		/* wayland when WAYLAND_DISPLAY is set, else headless */
	VIEWER_BACKEND_HEADLESS,
	VIEWER_BACKEND_WAYLAND,
	VIEWER_BACKEND_KMS,
};

/* The KMS presenter's own options. */
struct kms_options {
	const char *device;		/* --drm-device, NULL: find one */
	const char *output;		/* --output, NULL: the first connected */
	uint32_t mode_w, mode_h;	/* --mode, 0: the preferred mode */
	uint32_t mode_mhz;		/* refresh in millihertz (59.94: 59940); 0: any */
};

struct viewer_options {
	int verbose;			/* times -v was given */
	pid_t pid;			/* --pid, 0: none */
	const char *mdev;		/* --mdev UUID */
	const char *vm;			/* --vm NAME (libvirt) */
	int device_fd;			/* --device-fd, -1: none */
	const char *fd_socket;		/* --fd-socket PATH */
	enum viewer_backend backend;
	bool poll;			/* --poll: never use the display IRQ */
	unsigned int poll_ms;		/* polling period (IRQ-less kernels or --poll) */
	const char *stats;		/* --stats FILE */
	bool wait;			/* --wait: wait for the VM or mdev to appear */
	bool reconnect;			/* --reconnect: re-attach when the VMM comes back */
	const char *connect;		/* --connect: qemu:///system or qemu:///session, NULL: default */
	const char *libvirt_dir;	/* --libvirt-dir: where NAME.pid and NAME.xml are, NULL: from @connect */
	struct presenter_options present;	/* --scale, --filter, --path, --fullscreen, --title */
	bool kiosk;			/* --kiosk: fullscreen, no hotkey leaves it */
	bool window_opts_on_cli;	/* one of the above was on the command line */
	struct kms_options kms;		/* --drm-device, --output, --mode */
	bool kms_opts_on_cli;
	const char *config;		/* --config FILE */
	bool serve;			/* --serve: be the VM's display service */
	const char *serve_path;		/* --serve=PATH; NULL: systemd's socket or the default */
	const char *viewers;		/* --viewers LIST: who may use the service */
	const char *controllers;	/* --controllers LIST: who may send it input; NULL: viewers */
	bool serve_opts_on_cli;		/* --viewers or --controllers was on the command line */
	enum viewer_source source;	/* --direct, --service */
	const char *service_path;	/* --service=PATH; NULL: the VM's default */
	bool input_off;			/* --input=off: view only */
	const char *qmp;		/* --qmp PATH; NULL: from QEMU's command line */
	const char *vnc;		/* --vnc ADDR: input through that VNC server instead */

	/* Values from configuration files, which options point into. */
	char **owned;
	size_t n_owned;
};

enum options_result {
	OPTIONS_RUN,		/* go on with @opts */
	OPTIONS_DONE,		/* --help or --version was written to @out: exit 0 */
	OPTIONS_USAGE,		/* one line was written to @err: exit VIEWER_EXIT_USAGE */
};

/*
 * Parses the command line into @opts (which it initialises first).  Help and
 * version text go to @out, a one-line usage error to @err.  Safe to call more
 * than once in a process (it resets getopt).
 */
enum options_result options_parse(struct viewer_options *opts, int argc, char *argv[],
				   FILE *out, FILE *err);

/*
 * Where the configuration files are: @sysconfdir/viewer.conf, then
 * @sysconfdir/VM.conf (with --vm), then $XDG_CONFIG_HOME/vgpu-viewer/config
 * ($HOME/.config when unset); the command line wins over all.  Tests point
 * these elsewhere; the default is the build's sysconfdir.
 */
extern const char *options_sysconfdir;

/*
 * What differs from @old in @new, for SIGHUP: what applies at once (log
 * level, scale, filter) into @applied, what needs a restart into @later;
 * each as "name a -> b, ..." or "" when nothing.
 */
void options_diff(const struct viewer_options *old, const struct viewer_options *new,
		  char *applied, size_t applied_len, char *later, size_t later_len);

/* "auto", "headless", ...; "auto", "nearest", "linear". */
const char *options_backend_name(enum viewer_backend b);
const char *options_filter_name(enum geom_filter f);

/* Frees what options_parse() kept for @opts. */
void options_finish(struct viewer_options *opts);

/* Writes --help, generated from the option table. */
void options_print_help(FILE *out);

#endif
