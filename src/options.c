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

#include <ini.h>

#include "hotkeys.h"

#include "config.h"
#include "options.h"
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
	OPT_CONFIG,
	OPT_KIOSK,
	OPT_HOTKEYS,
	OPT_DRM_DEVICE,
	OPT_OUTPUT,
	OPT_MODE,
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
	  "wayland (a window; default with WAYLAND_DISPLAY), kms (no compositor) or headless" },
	{ "fullscreen", OPT_FULLSCREEN, ARG_NONE, NULL, "start fullscreen (F11 toggles)" },
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
	  "libvirt's runtime directory (default /run/libvirt/qemu)" },
	{ "config", OPT_CONFIG, ARG_REQUIRED, "FILE",
	  "read options from FILE only (default: see FILES in vgpu-viewer(1))" },
	{ "verbose", OPT_VERBOSE, ARG_NONE, NULL, "log more (repeat for debug output)" },
	{ "version", OPT_VERSION, ARG_NONE, NULL, "print the version and exit" },
	{ "help", OPT_HELP, ARG_NONE, NULL, "print this help and exit" },
};

#define N_OPTIONS (sizeof(option_defs) / sizeof(option_defs[0]))

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

void options_print_help(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]...\n"
		"Show a running guest's mediated vGPU (mdev) display.\n"
		"Keyboard and mouse are not forwarded to the guest yet: the keyboard serves\n"
		"the hotkeys (quit, cycle-scale, toggle-stats, toggle-fullscreen) only.\n"
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
		"7 the VMM is not running or exited, 8 the compositor went away, 9 no such\n"
		"connected output, 10 no such mode, 11 the display is in use (another DRM master).\n");
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

/* "WxH" or "WxH@HZ". */
static bool parse_mode(const char *arg, struct kms_options *k)
{
	unsigned long w, h, hz = 0;

	if (!take_uint(&arg, 16384, &w) || *arg++ != 'x' || !take_uint(&arg, 16384, &h))
		return false;
	if (*arg == '@' && (++arg, !take_uint(&arg, 1000, &hz) || !hz))
		return false;
	if (*arg || !w || !h)
		return false;
	k->mode_w = (uint32_t)w;
	k->mode_h = (uint32_t)h;
	k->mode_hz = (uint32_t)hz;
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
	default: return NULL;
	}
}

/* One option with its argument; OPTIONS_RUN to go on. */
static enum options_result apply(struct viewer_options *o, int key, const char *arg, FILE *err)
{
	const char *why = arg;
	unsigned long v;
	int k;

	if (!cur_where && (key == OPT_DRM_DEVICE || key == OPT_OUTPUT || key == OPT_MODE))
		o->kms_opts_on_cli = true;
	/* Window options given with --backend headless are a mistake; in a file, a default. */
	if (!cur_where && (key == OPT_FULLSCREEN || key == OPT_SCALE || key == OPT_FILTER ||
			   key == OPT_PATH || key == OPT_TITLE || key == OPT_KIOSK ||
			   key == OPT_HOTKEYS))
		o->window_opts_on_cli = true;

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
		if (!mdev_uuid_valid(arg))
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
		if (k < 0 || (k == VIEWER_BACKEND_WAYLAND && !HAVE_WAYLAND) ||
		    (k == VIEWER_BACKEND_KMS && !HAVE_KMS))
			return usage(err, "unknown backend '%s' (this build has: auto, headless%s%s)",
				     arg, HAVE_WAYLAND ? ", wayland" : "", HAVE_KMS ? ", kms" : "");
		o->backend = (enum viewer_backend)k;
		break;
	case OPT_FULLSCREEN:
	case OPT_WAIT:
	case OPT_RECONNECT:
		*flag(o, key) = true;
		break;
	case OPT_SCALE:
		k = keyword(arg, scale_names);
		if (k < 0)
			return usage(err, "--scale takes fit, fill, integer or none, not '%s'", arg);
		o->present.scale = (enum geom_scale)k;
		break;
	case OPT_FILTER:
		k = keyword(arg, filter_names);
		if (k < 0)
			return usage(err, "--filter takes auto, nearest or linear, not '%s'", arg);
		o->present.filter = (enum geom_filter)k;
		break;
	case OPT_PATH:
		k = keyword(arg, presenter_path_names);
		if (k < 0)
			return usage(err, "--path takes auto, zero-copy, egl or shm, not '%s'", arg);
		o->present.path = (enum presenter_path)k;
		break;
	case OPT_TITLE:
		o->present.title = arg;
		break;
	case OPT_KIOSK:
		o->kiosk = true;
		o->present.fullscreen = true;
		o->present.hotkeys.k[HOTKEY_TOGGLE_FULLSCREEN].key = 0;
		break;
	case OPT_HOTKEYS:
		if (hotkeys_parse(arg, &o->present.hotkeys, &why))
			return usage(err, "--hotkeys: cannot read '%s' (ACTION=CHORD: quit, "
				     "cycle-scale, toggle-stats, toggle-fullscreen; a chord is "
				     "modifiers and a key, e.g. ctrl+alt+q)", why);
		break;
	case OPT_DRM_DEVICE:
		o->kms.device = arg;
		break;
	case OPT_OUTPUT:
		if (!*arg)
			return usage(err, "%s", "--output takes a connector name, e.g. HDMI-A-1");
		o->kms.output = arg;
		break;
	case OPT_MODE:
		if (!parse_mode(arg, &o->kms))
			return usage(err, "--mode takes WIDTHxHEIGHT or WIDTHxHEIGHT@HZ, not '%s'", arg);
		break;
	case OPT_CONFIG:
		break;	/* read before everything else, see options_parse() */
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
	if (o->backend == VIEWER_BACKEND_HEADLESS && o->window_opts_on_cli)
		return usage(err, "%s", "--fullscreen, --scale, --filter, --path and --title are for "
			     "the wayland and kms backends");
	if (o->backend != VIEWER_BACKEND_KMS && o->kms_opts_on_cli)
		return usage(err, "%s", "--drm-device, --output and --mode are for --backend kms");
	if (o->reconnect && (o->device_fd >= 0 || o->fd_socket))
		return usage(err, "%s", "--reconnect needs a VMM to wait for (--vm, --pid or --mdev)");
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

static int parse_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };

	if (keyword(v, yes) >= 0)
		return 1;
	if (keyword(v, no) >= 0)
		return 0;
	return -1;
}

struct config_ctx {
	struct viewer_options *o;
	FILE *f;
	const char *path;
	int line;		/* of the line inih read last */
	int fail_line;		/* of the first key the handler refused, 0: none */
	char *msg;		/* its message */
	size_t msg_len;
	FILE *msg_f;
};

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
		if (!strcmp(option_defs[i].name, name))
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
			return usage(err, "%s takes true or false, not '%s'", name, value);
		if (b)
			return apply(o, d->key, NULL, err);
		if (flag(o, d->key))
			*flag(o, d->key) = false;	/* back to the default */
		return OPTIONS_RUN;
	case ARG_OPTIONAL:	/* poll: true, false, or a period */
		b = parse_bool(value);
		if (b == 0) {
			o->poll = false;
			return OPTIONS_RUN;
		}
		return apply(o, d->key, b == 1 ? NULL : value, err);
	case ARG_REQUIRED:
		break;
	}
	arg = keep(o, value);
	if (!arg)
		return usage(err, "%s", "out of memory");
	return apply(o, d->key, arg, err);
}

/* inih's line reader: fgets, counting lines so that errors can say where. */
static char *config_reader(char *str, int num, void *stream)
{
	struct config_ctx *c = stream;
	char *ret = fgets(str, num, c->f);

	if (ret)
		c->line++;
	return ret;
}

static int config_handler(void *user, const char *section, const char *name, const char *value)
{
	struct config_ctx *c = user;
	char where[PATH_MAX + 16];

	if (c->fail_line)
		return 0;	/* only the first error is reported */
	snprintf(where, sizeof(where), "%s:%d", c->path, c->line);
	cur_where = where;
	if (config_apply(c->o, c->msg_f, section, name, value) != OPTIONS_RUN)
		c->fail_line = c->line;
	cur_where = NULL;
	return !c->fail_line;
}

/*
 * Applies one configuration file.  A missing file is no error unless
 * @must_exist; a bad line is, reported as FILE:LINE.
 */
static enum options_result load_config(struct viewer_options *o, const char *path,
				       bool must_exist, FILE *err)
{
	struct config_ctx c = { .o = o, .path = path };
	char where[PATH_MAX + 16];
	int line;

	c.f = fopen(path, "re");
	if (!c.f) {
		if (!must_exist && errno == ENOENT)
			return OPTIONS_RUN;
		return usage(err, "cannot read %s: %s", path, strerror(errno));
	}
	c.msg_f = open_memstream(&c.msg, &c.msg_len);
	if (!c.msg_f) {
		fclose(c.f);
		return usage(err, "%s", "out of memory");
	}
	line = ini_parse_stream(config_reader, &c, config_handler, &c);
	fclose(c.msg_f);
	fclose(c.f);

	if (line && (!c.fail_line || line < c.fail_line)) {
		/* inih's own complaint: a line that is neither [section] nor key = value. */
		snprintf(where, sizeof(where), "%s:%d", path, line);
		cur_where = where;
		usage(err, "%s", "expected 'key = value' or '[section]'");
		cur_where = NULL;
	} else if (c.fail_line) {
		fputs(c.msg, err);
	}
	free(c.msg);
	return line || c.fail_line ? OPTIONS_USAGE : OPTIONS_RUN;
}

/* The files of options_sysconfdir and the user's, in order; or --config alone. */
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

/* --config and --vm, found before the files are read (the files come first). */
static void prescan(int argc, char *argv[], const char **ret_config, const char **ret_vm)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--config") && i + 1 < argc)
			*ret_config = argv[++i];
		else if (!strncmp(a, "--config=", 9))
			*ret_config = a + 9;
		else if (!strcmp(a, "--vm") && i + 1 < argc)
			*ret_vm = argv[++i];
		else if (!strncmp(a, "--vm=", 5))
			*ret_vm = a + 5;
	}
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

	const char *config = NULL, *vm = NULL;

	*opts = (struct viewer_options){
		.device_fd = -1,
		.poll_ms = 16,
		.libvirt_dir = "/run/libvirt/qemu",
		.present = { .app_id = "vgpu-viewer" },
	};
	hotkeys_default(&opts->present.hotkeys);

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

	/* The files first, so that the command line wins. */
	prescan(argc, argv, &config, &vm);
	for (int i = 1; i < argc; i++)	/* --help and --version need no files */
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ||
		    !strcmp(argv[i], "--version") || !strcmp(argv[i], "-V"))
			config = "", vm = NULL;
	if (!config || *config) {
		res = load_configs(opts, config, vm, err);
		if (res != OPTIONS_RUN)
			return res;
	}
	opts->config = config;

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
