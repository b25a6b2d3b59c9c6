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
#include <strings.h>
#include <fcntl.h>
#include <sys/un.h>

#include "conffile.h"
#include "hotkeys.h"

#include "config.h"
#include "options.h"
#include "sockbuf.h"
#include "mdev_uuid.h"
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
	OPT_RECONNECT = 'r',
	OPT_TITLE = 't',
	OPT_KIOSK = 'k',
	OPT_HOTKEYS = 'H',
	OPT_CONNECT = 'c',
	OPT_VM = 256,
	OPT_DEVICE_FD,
	OPT_FD_SOCKET,
	OPT_POLL,
	OPT_STATS,
	OPT_LIBVIRT_DIR,
	OPT_SCALE,
	OPT_FILTER,
	OPT_PATH,
	OPT_CONFIG,
	OPT_DEBUG,
	OPT_DRM_DEVICE,
	OPT_OUTPUT,
	OPT_MODE,
	OPT_SERVE,
	OPT_VIEWERS,
	OPT_SERVICE,
	OPT_DIRECT,
	OPT_INPUT,
	OPT_QMP,
	OPT_VNC,
	OPT_CONTROLLERS,
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
	const char *alias;	/* another long name (virt-viewer's), or NULL */
} option_defs[] = {
	{ "vm", OPT_VM, ARG_REQUIRED, "NAME",
	  "show libvirt VM NAME (or name it as the only argument)" },
	{ "connect", OPT_CONNECT, ARG_REQUIRED, "URI",
	  "libvirt: qemu:///system or qemu:///session (default: as virsh)" },
	{ "pid", OPT_PID, ARG_REQUIRED, "PID", "attach to the mdev held by VMM process PID" },
	{ "mdev", OPT_MDEV, ARG_REQUIRED, "UUID",
	  "the mdev to show; alone: open it when nobody holds it" },
	{ "device-fd", OPT_DEVICE_FD, ARG_REQUIRED, "FD", "use the inherited VFIO device fd FD" },
	{ "fd-socket", OPT_FD_SOCKET, ARG_REQUIRED, "PATH",
	  "receive the VFIO device fd from unix socket PATH" },
	{ "service", OPT_SERVICE, ARG_OPTIONAL, "PATH",
	  "show the VM through its display service (default " OPTIONS_SERVICE_DIR "/VM.sock; "
	  "used when it exists)" },
	{ "direct", OPT_DIRECT, ARG_NONE, NULL,
	  "attach to the VMM itself even when the VM has a display service" },
	{ "serve", OPT_SERVE, ARG_OPTIONAL, "PATH",
	  "be the VM's display service: serve its frames to local viewers on socket PATH "
	  "(default: systemd's, else " OPTIONS_SERVICE_DIR "/VM.sock)" },
	{ "viewers", OPT_VIEWERS, ARG_REQUIRED, "LIST",
	  "with --serve: who may view, users and @groups (default @vgpu-viewer; root may)" },
	{ "controllers", OPT_CONTROLLERS, ARG_REQUIRED, "LIST",
	  "with --serve: which viewers may also send keys and pointer (default: all)" },
	{ "backend", OPT_BACKEND, ARG_REQUIRED, "NAME",
	  "auto (default: wayland with WAYLAND_DISPLAY, else headless), wayland, kms, headless" },
	{ "fullscreen", OPT_FULLSCREEN, ARG_NONE, NULL, "start fullscreen (F11 toggles)",
	  "full-screen" },
	{ "scale", OPT_SCALE, ARG_REQUIRED, "MODE",
	  "fit (default, letterboxed), fill (cropped), integer, none (1:1)" },
	{ "filter", OPT_FILTER, ARG_REQUIRED, "NAME",
	  "auto (default: nearest at whole ratios), nearest, linear" },
	{ "path", OPT_PATH, ARG_REQUIRED, "NAME",
	  "auto (default), zero-copy, egl, shm: how frames reach the screen" },
	{ "title", OPT_TITLE, ARG_REQUIRED, "TEXT", "window title (default: the VM name or mdev)" },
	{ "kiosk", OPT_KIOSK, ARG_NONE, NULL, "fullscreen, and no hotkey leaves it (kiosk machines)" },
	{ "hotkeys", OPT_HOTKEYS, ARG_REQUIRED, "LIST",
	  "ACTION=CHORD,... e.g. quit=ctrl+alt+q (see vgpu-viewer(1)); empty: none" },
	{ "input", OPT_INPUT, ARG_REQUIRED, "on|off",
	  "keyboard and mouse to the guest (default on; off: view only)" },
	{ "qmp", OPT_QMP, ARG_REQUIRED, "PATH",
	  "QEMU's QMP socket for input (default: the one on its command line)" },
	{ "vnc", OPT_VNC, ARG_REQUIRED, "ADDR",
	  "input through QEMU's VNC server at PATH or IP:PORT (quicker than QMP)" },
	{ "drm-device", OPT_DRM_DEVICE, ARG_REQUIRED, "PATH",
	  "kms: the card (default: the first with a connected output)" },
	{ "output", OPT_OUTPUT, ARG_REQUIRED, "NAME",
	  "kms: the connector, e.g. HDMI-A-1 (default: the first connected)" },
	{ "mode", OPT_MODE, ARG_REQUIRED, "WxH[@HZ]", "kms: the mode (default: the preferred one)" },
	{ "poll", OPT_POLL, ARG_OPTIONAL, "MS",
	  "poll the planes every MS ms (default 16) instead of using the display IRQ" },
	{ "stats", OPT_STATS, ARG_REQUIRED, "FILE", "write per-frame records to FILE (JSON lines)" },
	{ "wait", OPT_WAIT, ARG_NONE, NULL, "wait for the VM or mdev to appear" },
	{ "reconnect", OPT_RECONNECT, ARG_NONE, NULL,
	  "when the VMM exits, wait for it to come back" },
	{ "libvirt-dir", OPT_LIBVIRT_DIR, ARG_REQUIRED, "DIR",
	  "libvirt's runtime directory (default: the --connect URI's)" },
	{ "config", OPT_CONFIG, ARG_REQUIRED, "FILE",
	  "read options from FILE only (default: see FILES in vgpu-viewer(1))" },
	{ "verbose", OPT_VERBOSE, ARG_NONE, NULL, "log more (repeat for debug output)" },
	{ "debug", OPT_DEBUG, ARG_NONE, NULL, "log everything (as -vv)" },
	{ "version", OPT_VERSION, ARG_NONE, NULL, "print the version and exit" },
	{ "help", OPT_HELP, ARG_NONE, NULL, "print this help and exit" },
};

#define N_OPTIONS (sizeof(option_defs) / sizeof(option_defs[0]))
/* getopt's table: every name and alias. */
#define N_LONGOPTS (2 * N_OPTIONS + 1)

/* Options that make no sense in a file: they are about this one process. */
static bool config_key(int key)
{
	switch (key) {
	case OPT_HELP:
	case OPT_VERSION:
	case OPT_CONFIG:
	case OPT_DEVICE_FD:
	case OPT_PID:
		return false;
	default:
		return true;
	}
}

/* Where the option being applied came from: NULL for the command line, or "FILE:LINE". */
static const char *cur_where;

static const struct option_def *def_of(int key)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (option_defs[i].key == key)
			return &option_defs[i];
	return NULL;
}

/* How the user spelt option @key where it came from: "--scale" or, in a file, "scale". */
static const char *spelt(int key)
{
	static char buf[2][32];
	static int i;
	const struct option_def *d = def_of(key);

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", cur_where ? "" : "--", d ? d->name : "?");
	return buf[i];
}

void options_print_help(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]... [VM]\n"
		"Show the display of a running guest's mediated vGPU (mdev): of the libvirt\n"
		"VM named VM, or of the guest --pid, --mdev, --device-fd or --fd-socket name.\n"
		"Keys and the pointer go to the guest (through QEMU's QMP socket, the VM's\n"
		"VNC server or its display service), but the hotkeys; --input=off: view only.\n"
		"Long options may be shortened to any unique prefix.\n"
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
		fprintf(out, "  %-26s %s", left, d->help);
		if (d->alias)
			fprintf(out, " (or --%s)", d->alias);
		fputc('\n', out);
	}
	fprintf(out,
		"\n"
		"Configuration: %s/viewer.conf,\n"
		"then VM.conf there, then $XDG_CONFIG_HOME/vgpu-viewer/config; the command\n"
		"line wins (or --config FILE alone).  A commented example: viewer.conf.example.\n",
		options_sysconfdir);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad command line, 3 no such device or VM,\n"
		"4 device in use, 5 no permission over the VMM (or a libvirt file only root may\n"
		"read), 6 not a display device, 7 the VM is not running or its VMM exited,\n"
		"8 the compositor went away, 9 no such connected output, 10 no such mode,\n"
		"11 the display is in use (another DRM master).\n");
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
	if (cur_where)
		fprintf(err, "%s: ", cur_where);
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

static const char *const backend_names[] = { "auto", "headless", "wayland", "kms", NULL };
static const char *const scale_names[] = { "fit", "fill", "integer", "none", NULL };
static const char *const filter_names[] = { "auto", "nearest", "linear", NULL };

const char *options_backend_name(enum viewer_backend b)
{
	return (unsigned int)b <= VIEWER_BACKEND_KMS ? backend_names[b] : "?";
}

const char *options_filter_name(enum geom_filter f)
{
	return (unsigned int)f <= GEOM_FILTER_LINEAR ? filter_names[f] : "?";
}

/* A decimal number at *@s (digits only), moving *@s past it. */
static bool take_uint(const char **s, unsigned long max, unsigned long *ret)
{
	char *end;

	if (!isdigit((unsigned char)**s))
		return false;
	errno = 0;
	*ret = strtoul(*s, &end, 10);
	*s = end;
	return errno == 0 && *ret <= max;
}

/* "WxH", "WxH@HZ" or "WxH@HZ.FRACTION" (up to millihertz). */
static bool parse_mode(const char *arg, struct kms_options *k)
{
	unsigned long w, h, hz = 0, frac = 0, scale = 1000;

	if (!take_uint(&arg, 16384, &w) || *arg++ != 'x' || !take_uint(&arg, 16384, &h))
		return false;
	if (*arg == '@') {
		arg++;
		if (!take_uint(&arg, 1000, &hz))
			return false;
		if (*arg == '.') {
			const char *digits = ++arg;

			if (!take_uint(&arg, 999, &frac) || arg - digits > 3)
				return false;
			for (long n = arg - digits; n > 0; n--)
				scale /= 10;
			frac *= scale;
		}
		if (!hz && !frac)
			return false;
	}
	if (*arg || !w || !h)
		return false;
	k->mode_w = (uint32_t)w;
	k->mode_h = (uint32_t)h;
	k->mode_mhz = (uint32_t)(hz * 1000 + frac);
	return true;
}

/* The field of an on/off option (a configuration file may turn it off again), or NULL. */
static bool *flag(struct viewer_options *o, int key)
{
	switch (key) {
	case OPT_FULLSCREEN: return &o->present.fullscreen;
	case OPT_WAIT: return &o->wait;
	case OPT_RECONNECT: return &o->reconnect;
	case OPT_KIOSK: return &o->kiosk;
	case OPT_SERVE: return &o->serve;
	default: return NULL;
	}
}

/* A copy of @value that lives as long as @o; NULL when out of memory. */
static const char *keep(struct viewer_options *o, const char *value);

/* A non-empty argument, or NULL. */
static bool nonempty(const char *arg)
{
	return arg && *arg;
}

/* One option with its argument; OPTIONS_RUN to go on. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return 0;
	return -1;
}

static enum options_result apply(struct viewer_options *o, int key, const char *arg, FILE *err)
{
	const char *why = arg, *name = spelt(key);
	unsigned long v;
	char *lower;
	int k;

	if (!cur_where && (key == OPT_DRM_DEVICE || key == OPT_OUTPUT || key == OPT_MODE))
		o->kms_opts_on_cli = true;
	/* Window options given with --backend headless are a mistake; in a file, a default. */
	if (!cur_where && (key == OPT_FULLSCREEN || key == OPT_SCALE || key == OPT_FILTER ||
			   key == OPT_PATH || key == OPT_TITLE || key == OPT_KIOSK ||
			   key == OPT_HOTKEYS))
		o->window_opts_on_cli = true;
	/* The service's own: in a VM's file, which its viewers read too, not theirs to refuse. */
	if (!cur_where && (key == OPT_VIEWERS || key == OPT_CONTROLLERS))
		o->serve_opts_on_cli = true;

	switch (key) {
	case OPT_VERBOSE:
		o->verbose++;
		break;
	case OPT_DEBUG:
		o->verbose = o->verbose > 2 ? o->verbose : 2;
		break;
	case OPT_PID:
		if (!parse_uint(arg, 1, INT_MAX, &v))
			return usage(err, "%s takes a process id, not '%s'", name, arg);
		o->pid = (pid_t)v;
		break;
	case OPT_MDEV:
		if (!mdev_uuid_valid(arg))
			return usage(err, "%s takes an mdev UUID, not '%s'", name, arg);
		/* sysfs names mdevs in lower case; a UUID is the same in either. */
		o->mdev = keep(o, arg);
		if (!o->mdev)
			return usage(err, "%s", "out of memory");
		for (lower = (char *)o->mdev; *lower; lower++)
			*lower = (char)tolower((unsigned char)*lower);
		break;
	case OPT_VM:
		if (!*arg || strchr(arg, '/') || *arg == '-')
			return usage(err, "'%s' is not a VM name", arg);
		o->vm = arg;
		break;
	case OPT_CONNECT:
		if (strcmp(arg, "qemu:///system") && strcmp(arg, "qemu:///session"))
			return usage(err, "%s takes qemu:///system or qemu:///session, not '%s' "
				     "(only local QEMU domains can be shown)", name, arg);
		o->connect = arg;
		break;
	case OPT_DEVICE_FD:
		if (!parse_uint(arg, 0, INT_MAX, &v))
			return usage(err, "%s takes a file descriptor number, not '%s'", name, arg);
		if (fcntl((int)v, F_GETFD) < 0)
			return usage(err, "%s %lu: no such open file descriptor (it must be "
				     "inherited from the process that starts " PROG ")", name, v);
		o->device_fd = (int)v;
		break;
	case OPT_VNC:
		if (!sockbuf_addr_valid(arg))
			return usage(err, "%s takes a unix socket path or a numeric IP:PORT, "
				     "not '%s'", name, arg);
		o->vnc = arg;
		break;
	case OPT_FD_SOCKET:
	case OPT_STATS:
	case OPT_DRM_DEVICE:
	case OPT_LIBVIRT_DIR:
	case OPT_QMP:
		if (!nonempty(arg))
			return usage(err, "%s takes a path, not an empty string", name);
		if (key == OPT_QMP && strlen(arg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return usage(err, "%s: '%s' is too long for a unix socket path", name, arg);
		if (key == OPT_QMP)
			o->qmp = arg;
		else if (key == OPT_FD_SOCKET)
			o->fd_socket = arg;
		else if (key == OPT_STATS)
			o->stats = arg;
		else if (key == OPT_DRM_DEVICE)
			o->kms.device = arg;
		else
			o->libvirt_dir = arg;
		break;
	case OPT_BACKEND:
		k = keyword(arg, backend_names);
		if (k < 0 || (k == VIEWER_BACKEND_WAYLAND && !HAVE_WAYLAND) ||
		    (k == VIEWER_BACKEND_KMS && !HAVE_KMS))
			return usage(err, "unknown backend '%s' (this build has: auto, headless%s%s)",
				     arg, HAVE_WAYLAND ? ", wayland" : "", HAVE_KMS ? ", kms" : "");
		o->backend = (enum viewer_backend)k;
		break;
	case OPT_FULLSCREEN:
	case OPT_WAIT:
	case OPT_RECONNECT:
	case OPT_KIOSK:
		*flag(o, key) = true;	/* --kiosk's other effects: see check() */
		break;
	case OPT_SCALE:
		k = keyword(arg, scale_names);
		if (k < 0)
			return usage(err, "%s takes fit, fill, integer or none, not '%s'", name, arg);
		o->present.scale = (enum geom_scale)k;
		break;
	case OPT_FILTER:
		k = keyword(arg, filter_names);
		if (k < 0)
			return usage(err, "%s takes auto, nearest or linear, not '%s'", name, arg);
		o->present.filter = (enum geom_filter)k;
		break;
	case OPT_PATH:
		k = keyword(arg, presenter_path_names);
		if (k < 0)
			return usage(err, "%s takes auto, zero-copy, egl or shm, not '%s'", name, arg);
		o->present.path = (enum presenter_path)k;
		break;
	case OPT_TITLE:
		o->present.title = arg;
		break;
	case OPT_INPUT:
		k = parse_bool(arg);
		if (k < 0)
			return usage(err, "%s takes on or off, not '%s'", name, arg);
		o->input_off = !k;
		break;
	case OPT_HOTKEYS:
		k = hotkeys_parse(arg, &o->present.hotkeys, &why);
		if (k == -ENOENT)
			return usage(err, "%s: no action '%.*s' here (the actions: %s)", name,
				     (int)strcspn(why, "=,"), why, hotkeys_action_list());
		if (k)
			return usage(err, "%s: cannot read '%s' (ACTION=CHORD,...; a chord is "
				     "modifiers and a key, e.g. ctrl+alt+q)", name, why);
		break;
	case OPT_OUTPUT:
		if (!*arg)
			return usage(err, "%s takes a connector name, e.g. HDMI-A-1", name);
		o->kms.output = arg;
		break;
	case OPT_MODE:
		if (!parse_mode(arg, &o->kms))
			return usage(err, "%s takes WIDTHxHEIGHT or WIDTHxHEIGHT@HZ (HZ may have "
				     "decimals, e.g. 59.94), not '%s'", name, arg);
		break;
	case OPT_SERVE:
	case OPT_SERVICE:
		if (arg && (!*arg || *arg != '/'))
			return usage(err, "%s takes an absolute socket path, not '%s'", name, arg);
		if (arg && strlen(arg) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return usage(err, "%s: '%s' is too long for a unix socket path", name, arg);
		if (key == OPT_SERVE) {
			o->serve = true;
			o->serve_path = arg;
		} else {
			o->source = VIEWER_SOURCE_SERVICE;
			o->service_path = arg;
		}
		break;
	case OPT_DIRECT:
		o->source = VIEWER_SOURCE_DIRECT;
		o->service_path = NULL;
		break;
	case OPT_VIEWERS:
		o->viewers = arg;
		break;
	case OPT_CONTROLLERS:
		o->controllers = arg;
		break;
	case OPT_CONFIG:
		break;	/* read before everything else, see options_parse() */
	case OPT_POLL:
		o->poll = true;
		if (arg && !parse_uint(arg, 1, 10000, &v))
			return usage(err, "%s takes a period of 1 to 10000 ms, not '%s'", name, arg);
		if (arg)
			o->poll_ms = (unsigned int)v;
		break;
	}
	return OPTIONS_RUN;
}

/* Whole-command-line rules, and what options do together. */
static enum options_result check(struct viewer_options *o, FILE *err)
{
	int sources = (o->pid > 0) + (o->vm != NULL) + (o->device_fd >= 0) + (o->fd_socket != NULL);
	enum hotkey_action a, b;
	char chord[48];

	if (o->source == VIEWER_SOURCE_SERVICE) {
		if (o->pid > 0 || o->mdev || o->device_fd >= 0 || o->fd_socket)
			return usage(err, "%s", "--service shows a VM's display service: it does not "
				     "go with --pid, --mdev, --device-fd or --fd-socket");
		if (!o->vm && !o->service_path)
			return usage(err, "%s", "--service needs the VM's name or the socket's path "
				     "(--service=PATH)");
		if (o->serve)
			return usage(err, "%s", "--serve and --service exclude each other");
		if (o->reconnect && !o->vm && !o->service_path)
			return usage(err, "%s", "--reconnect needs a VM to wait for");
		sources = 1;
	}
	if (o->source == VIEWER_SOURCE_SERVICE && !HAVE_SYSTEMD)
		return usage(err, "%s", "--service: this build has no display service client (it "
			     "needs libsystemd's sd-bus)");
	if (o->serve_opts_on_cli && !o->serve)
		return usage(err, "%s", o->viewers ? "--viewers is for --serve" :
			     "--controllers is for --serve");
	if (!o->serve)
		o->viewers = o->controllers = NULL;
	if (o->serve && !HAVE_SYSTEMD)
		return usage(err, "%s", "--serve: this build has no display service (it needs "
			     "libsystemd's sd-bus)");
	if (sources > 1)
		return usage(err, "%s", "a VM, --pid, --device-fd and --fd-socket exclude each other");
	if (!sources && !o->mdev)
		return usage(err, "%s", "nothing to show: name a VM, or give --pid, --mdev, "
			     "--device-fd or --fd-socket");
	if (o->mdev && (o->device_fd >= 0 || o->fd_socket))
		return usage(err, "%s", "--mdev does not go with --device-fd or --fd-socket");
	if (o->backend == VIEWER_BACKEND_HEADLESS && o->window_opts_on_cli)
		return usage(err, "%s", "--fullscreen, --scale, --filter, --path, --title, --kiosk "
			     "and --hotkeys are for the wayland and kms backends");
	if (o->backend != VIEWER_BACKEND_KMS && o->kms_opts_on_cli)
		return usage(err, "%s", "--drm-device, --output and --mode are for --backend kms");
	if (o->reconnect && (o->device_fd >= 0 || o->fd_socket))
		return usage(err, "%s", "--reconnect needs a VMM to wait for (a VM, --pid or --mdev)");
	if ((o->connect || o->libvirt_dir) && !o->vm)
		return usage(err, "%s", "--connect and --libvirt-dir are for a libvirt VM");
	if ((o->qmp || o->vnc) && o->input_off)
		return usage(err, "%s is for input, and --input is off", o->qmp ? "--qmp" : "--vnc");
	if (o->qmp && o->vnc)
		return usage(err, "%s", "--qmp and --vnc are two ways for input: give one");
	/* Whatever the order: no hotkey leaves a kiosk's fullscreen. */
	if (o->kiosk) {
		o->present.fullscreen = true;
		o->present.hotkeys.k[HOTKEY_TOGGLE_FULLSCREEN] = (struct hotkey){ 0, 0 };
	}
	if (hotkeys_conflict(&o->present.hotkeys, &a, &b))
		return usage(err, "hotkeys: %s and %s are both %s (give one of them another chord, "
			     "or none: %s=)", hotkeys_action_name(a), hotkeys_action_name(b),
			     hotkeys_chord_name(&o->present.hotkeys.k[a], chord, sizeof(chord)),
			     hotkeys_action_name(b));
	return OPTIONS_RUN;
}

const char *options_sysconfdir = VGPU_VIEWER_SYSCONFDIR;

void options_finish(struct viewer_options *o)
{
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	free(o->owned);
	o->owned = NULL;
	o->n_owned = 0;
}

static const char *keep(struct viewer_options *o, const char *value)
{
	char **owned = realloc(o->owned, (o->n_owned + 1) * sizeof(*owned));
	char *copy = strdup(value);

	if (!owned || !copy) {
		free(copy);
		if (owned)
			o->owned = owned;
		return NULL;
	}
	o->owned = owned;
	o->owned[o->n_owned++] = copy;
	return copy;
}

/* One "key = value" of a configuration file. */
static enum options_result config_apply(struct viewer_options *o, FILE *err, const char *section,
					const char *name, const char *value)
{
	const struct option_def *d = NULL;
	const char *arg;
	unsigned long v;
	int b;

	if (*section && strcmp(section, "viewer"))
		return usage(err, "unknown section [%s] (options go in [viewer] or before any "
			     "section)", section);
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (!strcmp(option_defs[i].name, name) ||
		    (option_defs[i].alias && !strcmp(option_defs[i].alias, name)))
			d = &option_defs[i];
	if (!d || !config_key(d->key))
		return usage(err, d ? "'%s' cannot be set in a file" : "unknown key '%s'", name);

	switch (d->kind) {
	case ARG_NONE:
		if (d->key == OPT_VERBOSE) {
			if (!parse_uint(value, 0, 3, &v))
				return usage(err, "verbose takes 0 to 3, not '%s'", value);
			o->verbose = (int)v;
			return OPTIONS_RUN;
		}
		b = parse_bool(value);
		if (b < 0)
			return usage(err, "%s takes true or false (or yes/no, on/off, 1/0), not '%s'",
				     name, value);
		if (b)
			return apply(o, d->key, NULL, err);
		if (flag(o, d->key))
			*flag(o, d->key) = false;	/* back to the default */
		else if (d->key == OPT_DIRECT && o->source == VIEWER_SOURCE_DIRECT)
			o->source = VIEWER_SOURCE_AUTO;
		return OPTIONS_RUN;
	case ARG_OPTIONAL:	/* true, false, or a value: a period, a path */
		b = parse_bool(value);
		if (b == 0) {
			if (d->key == OPT_POLL) {
				o->poll = false;
			} else if (d->key == OPT_SERVE) {
				o->serve = false;
				o->serve_path = NULL;
			} else if (o->source == VIEWER_SOURCE_SERVICE) {
				o->source = VIEWER_SOURCE_AUTO;
				o->service_path = NULL;
			}
			return OPTIONS_RUN;
		}
		if (b == 1)
			return apply(o, d->key, NULL, err);
		arg = keep(o, value);
		if (!arg)
			return usage(err, "%s", "out of memory");
		return apply(o, d->key, arg, err);
	case ARG_REQUIRED:
		break;
	}
	arg = keep(o, value);
	if (!arg)
		return usage(err, "%s", "out of memory");
	return apply(o, d->key, arg, err);
}

/* conffile's handler: @where is FILE:LINE for the messages. */
static int config_key_value(void *data, const char *where, const char *section, const char *key,
			    const char *value, FILE *msg)
{
	enum options_result res;

	cur_where = where;
	res = config_apply(data, msg, section, key, value);
	cur_where = NULL;
	return res == OPTIONS_RUN ? 0 : -1;
}

static void config_complain(FILE *err, const char *where, const char *what)
{
	cur_where = where;
	usage(err, "%s", what);
	cur_where = NULL;
}

/*
 * Applies one configuration file.  A missing file is no error unless
 * @must_exist; a bad line is, reported as FILE:LINE.
 */
static enum options_result load_config(struct viewer_options *o, const char *path,
				       bool must_exist, FILE *err)
{
	int ret = conffile_read(path, config_key_value, o, err, config_complain);

	if (ret == -ENOENT && must_exist)
		return usage(err, "cannot read %s: %s", path, strerror(ENOENT));
	return ret && ret != -ENOENT ? OPTIONS_USAGE : OPTIONS_RUN;
}

/*
 * The files of options_sysconfdir and the user's, in order; or --config
 * alone.  VM.conf is for the VM of the command line, or else the one
 * viewer.conf names (a kiosk's).
 */
static enum options_result load_configs(struct viewer_options *o, const char *config,
					const char *vm, FILE *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[PATH_MAX];
	enum options_result res;

	if (config)
		return load_config(o, config, true, err);
	snprintf(path, sizeof(path), "%s/viewer.conf", options_sysconfdir);
	res = load_config(o, path, false, err);
	if (!vm)
		vm = o->vm;
	if (res == OPTIONS_RUN && vm && *vm && !strchr(vm, '/')) {
		snprintf(path, sizeof(path), "%s/%s.conf", options_sysconfdir, vm);
		res = load_config(o, path, false, err);
	}
	if (res != OPTIONS_RUN)
		return res;
	if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/vgpu-viewer/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.config/vgpu-viewer/config", home);
	else
		return OPTIONS_RUN;
	return load_config(o, path, false, err);
}

/* Every digit, at least one. */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* One option of the command line, kept to apply after the files. */
struct cli_opt {
	int key;
	const char *arg;
};

/*
 * The command line in two passes: getopt reads it all first (any spelling
 * it accepts: abbreviations, -xVALUE, --x=VALUE), which tells --config and
 * the VM; then the files are read; then the command line's options are
 * applied over them, in order.
 */
enum options_result options_parse(struct viewer_options *opts, int argc, char *argv[],
				  FILE *out, FILE *err)
{
	static const int has_arg[] = {
		[ARG_NONE] = no_argument,
		[ARG_REQUIRED] = required_argument,
		[ARG_OPTIONAL] = optional_argument,
	};
	struct option longopts[N_LONGOPTS];
	char shortopts[3 * N_OPTIONS + 3];
	const char *config = NULL, *vm = NULL;
	enum options_result res = OPTIONS_RUN;
	struct cli_opt *cli;
	size_t n = 0, nl = 0, ncli = 0;
	bool positional = false;
	int c;

	*opts = (struct viewer_options){
		.device_fd = -1,
		.poll_ms = 16,
		.present = { .app_id = "vgpu-viewer" },
	};
	hotkeys_default(&opts->present.hotkeys);

	/*
	 * '-': arguments that are no option come back in order as key 1 (a
	 * VM name, or the period of a --poll before them); ':': a missing
	 * argument is reported as ':'.
	 */
	shortopts[n++] = '-';
	shortopts[n++] = ':';
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_def *d = &option_defs[i];

		longopts[nl++] = (struct option){ d->name, has_arg[d->kind], NULL, d->key };
		if (d->alias)
			longopts[nl++] = (struct option){ d->alias, has_arg[d->kind], NULL, d->key };
		if (d->key < 256) {
			shortopts[n++] = (char)d->key;
			if (d->kind == ARG_REQUIRED)
				shortopts[n++] = ':';
		}
	}
	longopts[nl] = (struct option){ 0 };
	shortopts[n] = '\0';

	cli = calloc((size_t)argc + 1, sizeof(*cli));
	if (!cli)
		return usage(err, "%s", "out of memory");
	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while (res == OPTIONS_RUN && (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			options_print_help(out);
			res = OPTIONS_DONE;
			break;
		case OPT_VERSION:
			fprintf(out, PROG " " VGPU_VIEWER_VERSION " (" VGPU_VIEWER_VCS_VERSION ")\n");
			res = OPTIONS_DONE;
			break;
		case ':':
			res = usage(err, "option '%s' needs an argument", argv[optind - 1]);
			break;
		case '?':
			if (optopt && optopt < 256) {
				char o[3] = { '-', (char)optopt, '\0' };

				res = usage(err, "unknown option '%s'", o);
			} else {
				res = usage(err, "unknown or ambiguous option '%s'", argv[optind - 1]);
			}
			break;
		case 1:
			/* "--poll 16" as well as "--poll=16". */
			if (ncli && cli[ncli - 1].key == OPT_POLL && !cli[ncli - 1].arg &&
			    all_digits(optarg)) {
				cli[ncli - 1].arg = optarg;
				break;
			}
			/* "--serve /run/x.sock" too: a VM name has no '/'. */
			if (ncli && (cli[ncli - 1].key == OPT_SERVE ||
				     cli[ncli - 1].key == OPT_SERVICE) &&
			    !cli[ncli - 1].arg && *optarg == '/') {
				cli[ncli - 1].arg = optarg;
				break;
			}
			if (positional) {
				res = usage(err, "unexpected argument '%s' (one VM at a time)", optarg);
				break;
			}
			positional = true;
			cli[ncli++] = (struct cli_opt){ OPT_VM, optarg };
			vm = optarg;
			break;
		case OPT_CONFIG:
			if (!*optarg)
				res = usage(err, "%s", "--config takes a file");
			config = optarg;
			break;
		default:
			if (c == OPT_VM) {
				if (vm) {
					res = usage(err, "%s", "name the VM once (NAME or --vm NAME)");
					break;
				}
				vm = optarg;
			}
			cli[ncli++] = (struct cli_opt){ c, optarg };
		}
	}

	/* The files first, so that the command line wins. */
	if (res == OPTIONS_RUN)
		res = load_configs(opts, config, vm, err);
	opts->config = config;
	for (size_t i = 0; i < ncli && res == OPTIONS_RUN; i++)
		res = apply(opts, cli[i].key, cli[i].arg, err);
	free(cli);
	if (res != OPTIONS_RUN)
		return res;
	return check(opts, err);
}
