// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "vfio_dev.h"
#include "version.h"

#define PROG "vgpu-viewer"

enum option_key {
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_VERBOSE = 'v',
	OPT_PID = 'p',
	OPT_MDEV = 'm',
	OPT_BACKEND = 'b',
	OPT_WAIT = 'w',
	OPT_FULLSCREEN = 'f',
	OPT_VM = 256,
	OPT_DEVICE_FD,
	OPT_FD_SOCKET,
	OPT_POLL,
	OPT_STATS,
	OPT_RECONNECT,
	OPT_LIBVIRT_DIR,
	OPT_SCALE,
	OPT_FILTER,
	OPT_PATH,
	OPT_TITLE,
};

enum arg_kind { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

/*
 * The one definition of every option: getopt's table and --help are both
 * generated from it.
 */
static const struct option_def {
	const char *name;
	int key;		/* short option character, or a value >= 256 */
	enum arg_kind kind;
	const char *arg;	/* argument name in --help */
	const char *help;
} option_defs[] = {
	{ "vm", OPT_VM, ARG_REQUIRED, "NAME", "show libvirt VM NAME (its pid and mdev UUID)" },
	{ "pid", OPT_PID, ARG_REQUIRED, "PID", "attach to the mdev held by VMM process PID" },
	{ "mdev", OPT_MDEV, ARG_REQUIRED, "UUID",
	  "the mdev to show; alone: open it when nobody holds it" },
	{ "device-fd", OPT_DEVICE_FD, ARG_REQUIRED, "FD", "use the inherited VFIO device fd FD" },
	{ "fd-socket", OPT_FD_SOCKET, ARG_REQUIRED, "PATH",
	  "receive the VFIO device fd from unix socket PATH" },
	{ "backend", OPT_BACKEND, ARG_REQUIRED, "NAME",
	  "wayland (a window; default with WAYLAND_DISPLAY) or headless" },
	{ "fullscreen", OPT_FULLSCREEN, ARG_NONE, NULL, "start fullscreen (F11 toggles)" },
	{ "scale", OPT_SCALE, ARG_REQUIRED, "MODE",
	  "fit (default, letterboxed), fill (cropped), integer, none (1:1)" },
	{ "filter", OPT_FILTER, ARG_REQUIRED, "NAME",
	  "auto (default: nearest at whole ratios), nearest, linear" },
	{ "path", OPT_PATH, ARG_REQUIRED, "NAME",
	  "auto (default), zero-copy, egl, shm: how frames reach the compositor" },
	{ "title", OPT_TITLE, ARG_REQUIRED, "TEXT", "window title (default: the VM name or mdev)" },
	{ "poll", OPT_POLL, ARG_OPTIONAL, "MS",
	  "poll the planes every MS ms (default 16) instead of using the display IRQ" },
	{ "stats", OPT_STATS, ARG_REQUIRED, "FILE", "write per-frame records to FILE (JSON lines)" },
	{ "wait", OPT_WAIT, ARG_NONE, NULL, "wait for the VM or mdev to appear" },
	{ "reconnect", OPT_RECONNECT, ARG_NONE, NULL,
	  "when the VMM exits, wait for it to come back" },
	{ "libvirt-dir", OPT_LIBVIRT_DIR, ARG_REQUIRED, "DIR",
	  "libvirt's runtime directory (default /run/libvirt/qemu)" },
	{ "verbose", OPT_VERBOSE, ARG_NONE, NULL, "log more (repeat for debug output)" },
	{ "version", OPT_VERSION, ARG_NONE, NULL, "print the version and exit" },
	{ "help", OPT_HELP, ARG_NONE, NULL, "print this help and exit" },
};

#define N_OPTIONS (sizeof(option_defs) / sizeof(option_defs[0]))

void options_print_help(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]...\n"
		"Show a running guest's mediated vGPU (mdev) display.\n"
		"\n"
		"Options:\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_def *d = &option_defs[i];
		char arg[32] = "", left[64];

		if (d->kind == ARG_REQUIRED)
			snprintf(arg, sizeof(arg), "=%s", d->arg);
		else if (d->kind == ARG_OPTIONAL)
			snprintf(arg, sizeof(arg), "[=%s]", d->arg);
		if (d->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s", d->key, d->name, arg);
		else
			snprintf(left, sizeof(left), "    --%s%s", d->name, arg);
		fprintf(out, "  %-26s %s\n", left, d->help);
	}
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad command line, 3 no such device or VM,\n"
		"4 device in use, 5 no permission over the VMM, 6 not a display device,\n"
		"7 the VMM is not running or exited, 8 the compositor went away.\n");
}

static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*ret = strtoul(s, &end, 10);
	return !errno && !*end && *ret >= min && *ret <= max;
}

static enum options_result usage(FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum options_result usage(FILE *err, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, PROG ": ");
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fprintf(err, "; see '" PROG " --help'\n");
	return OPTIONS_USAGE;
}

/* The index of @arg in @names (NULL-terminated), or -1. */
static int keyword(const char *arg, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i]))
			return i;
	return -1;
}

static const char *const backend_names[] = { "auto", "headless", "wayland", NULL };
static const char *const scale_names[] = { "fit", "fill", "integer", "none", NULL };
static const char *const filter_names[] = { "auto", "nearest", "linear", NULL };
static const char *const path_names[] = { "auto", "zero-copy", "egl", "shm", NULL };

/* One option with its argument; OPTIONS_RUN to go on. */
static enum options_result apply(struct viewer_options *o, int key, const char *arg, FILE *err)
{
	unsigned long v;
	int k;

	switch (key) {
	case OPT_VERBOSE:
		o->verbose++;
		break;
	case OPT_PID:
		if (!parse_uint(arg, 1, INT_MAX, &v))
			return usage(err, "--pid takes a process id, not '%s'", arg);
		o->pid = (pid_t)v;
		break;
	case OPT_MDEV:
		if (!vfio_dev_is_uuid(arg))
			return usage(err, "--mdev takes an mdev UUID, not '%s'", arg);
		o->mdev = arg;
		break;
	case OPT_VM:
		if (!*arg || strchr(arg, '/'))
			return usage(err, "--vm takes a VM name, not '%s'", arg);
		o->vm = arg;
		break;
	case OPT_DEVICE_FD:
		if (!parse_uint(arg, 0, INT_MAX, &v))
			return usage(err, "--device-fd takes a file descriptor number, not '%s'", arg);
		o->device_fd = (int)v;
		break;
	case OPT_FD_SOCKET:
		o->fd_socket = arg;
		break;
	case OPT_BACKEND:
		k = keyword(arg, backend_names);
		if (k < 0 || (k == VIEWER_BACKEND_WAYLAND && !HAVE_WAYLAND))
			return usage(err, "unknown backend '%s' (this build has: %s)", arg,
				     HAVE_WAYLAND ? "auto, headless, wayland" : "auto, headless");
		o->backend = (enum viewer_backend)k;
		break;
	case OPT_FULLSCREEN:
		o->wl.fullscreen = true;
		break;
	case OPT_SCALE:
		k = keyword(arg, scale_names);
		if (k < 0)
			return usage(err, "--scale takes fit, fill, integer or none, not '%s'", arg);
		o->wl.scale = (enum geom_scale)k;
		break;
	case OPT_FILTER:
		k = keyword(arg, filter_names);
		if (k < 0)
			return usage(err, "--filter takes auto, nearest or linear, not '%s'", arg);
		o->wl.filter = (enum geom_filter)k;
		break;
	case OPT_PATH:
		k = keyword(arg, path_names);
		if (k < 0)
			return usage(err, "--path takes auto, zero-copy, egl or shm, not '%s'", arg);
		o->wl.path = (enum wlout_path)k;
		break;
	case OPT_TITLE:
		o->wl.title = arg;
		break;
	case OPT_POLL:
		o->poll = true;
		if (arg && !parse_uint(arg, 1, 10000, &v))
			return usage(err, "--poll takes a period of 1 to 10000 ms, not '%s'", arg);
		if (arg)
			o->poll_ms = (unsigned int)v;
		break;
	case OPT_STATS:
		o->stats = arg;
		break;
	case OPT_WAIT:
		o->wait = true;
		break;
	case OPT_RECONNECT:
		o->reconnect = true;
		break;
	case OPT_LIBVIRT_DIR:
		o->libvirt_dir = arg;
		break;
	}
	return OPTIONS_RUN;
}

/* Whole-command-line rules. */
static enum options_result check(struct viewer_options *o, FILE *err)
{
	int sources = (o->pid > 0) + (o->vm != NULL) + (o->device_fd >= 0) + (o->fd_socket != NULL);

	if (sources > 1)
		return usage(err, "%s", "--vm, --pid, --device-fd and --fd-socket exclude each other");
	if (!sources && !o->mdev)
		return usage(err, "%s", "nothing to show: give --vm, --pid, --mdev, --device-fd or --fd-socket");
	if (o->mdev && (o->device_fd >= 0 || o->fd_socket))
		return usage(err, "%s", "--mdev does not go with --device-fd or --fd-socket");
	if (o->backend == VIEWER_BACKEND_HEADLESS &&
	    (o->wl.fullscreen || o->wl.title || o->wl.scale || o->wl.filter || o->wl.path))
		return usage(err, "%s", "--fullscreen, --scale, --filter, --path and --title are for "
			     "the wayland backend");
	if (o->reconnect && (o->device_fd >= 0 || o->fd_socket))
		return usage(err, "%s", "--reconnect needs a VMM to wait for (--vm, --pid or --mdev)");
	return OPTIONS_RUN;
}

enum options_result options_parse(struct viewer_options *opts, int argc, char *argv[],
				  FILE *out, FILE *err)
{
	static const int has_arg[] = {
		[ARG_NONE] = no_argument,
		[ARG_REQUIRED] = required_argument,
		[ARG_OPTIONAL] = optional_argument,
	};
	struct option longopts[N_OPTIONS + 1];
	char shortopts[3 * N_OPTIONS + 2];
	enum options_result res;
	size_t n = 0;
	int c;

	*opts = (struct viewer_options){
		.device_fd = -1,
		.poll_ms = 16,
		.libvirt_dir = "/run/libvirt/qemu",
		.wl = { .app_id = "vgpu-viewer" },
	};

	shortopts[n++] = ':';	/* report a missing argument as ':' */
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_def *d = &option_defs[i];

		longopts[i] = (struct option){
			.name = d->name,
			.has_arg = has_arg[d->kind],
			.val = d->key,
		};
		if (d->key < 256) {
			shortopts[n++] = (char)d->key;
			if (d->kind == ARG_REQUIRED)
				shortopts[n++] = ':';
		}
	}
	longopts[N_OPTIONS] = (struct option){ 0 };
	shortopts[n] = '\0';

	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			options_print_help(out);
			return OPTIONS_DONE;
		case OPT_VERSION:
			fprintf(out, PROG " " VGPU_VIEWER_VERSION " (" VGPU_VIEWER_VCS_VERSION ")\n");
			return OPTIONS_DONE;
		case ':':
			return usage(err, "option '%s' needs an argument", argv[optind - 1]);
		case '?':
			if (optopt && optopt < 256) {
				char s[3] = { '-', (char)optopt, '\0' };

				return usage(err, "unknown option '%s'", s);
			}
			return usage(err, "unknown option '%s'", argv[optind - 1]);
		default:
			res = apply(opts, c, optarg, err);
			if (res != OPTIONS_RUN)
				return res;
		}
	}
	if (optind < argc)
		return usage(err, "unexpected argument '%s'", argv[optind]);
	return check(opts, err);
}
