// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/input-event-codes.h>

#include "config.h"
#include "hotkeys.h"
#include "options.h"
#include "test.h"

static char cfg_root[64];

static void write_file(const char *rel, const char *text)
{
	test_write_file(cfg_root, rel, text);
}

/* A private sysconfdir and XDG_CONFIG_HOME, empty. */
static void config_setup(void)
{
	char path[256];

	snprintf(cfg_root, sizeof(cfg_root), "/tmp/vgpu-viewer-test-XXXXXX");
	if (!mkdtemp(cfg_root))
		abort();
	snprintf(path, sizeof(path), "%s/etc", cfg_root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/xdg", cfg_root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/xdg/vgpu-viewer", cfg_root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/etc", cfg_root);
	options_sysconfdir = strdup(path);
	snprintf(path, sizeof(path), "%s/xdg", cfg_root);
	setenv("XDG_CONFIG_HOME", path, 1);
}

static void remove_file(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cfg_root, rel);
	unlink(path);
}

/* The files test_config_* wrote: the other tests run without any. */
static void config_clean(void)
{
	remove_file("etc/viewer.conf");
	remove_file("etc/win10.conf");
	remove_file("xdg/vgpu-viewer/config");
	remove_file("mine.conf");
	remove_file("bad.conf");
}

static void config_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", cfg_root);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", cfg_root);
}

struct captured {
	char *out, *err;
	size_t out_len, err_len;
	enum options_result res;
	struct viewer_options opts;
};

static void parse(struct captured *c, int argc, char **argv)
{
	FILE *out = open_memstream(&c->out, &c->out_len);
	FILE *err = open_memstream(&c->err, &c->err_len);

	c->res = options_parse(&c->opts, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static void captured_finish(struct captured *c)
{
	free(c->out);
	free(c->err);
	options_finish(&c->opts);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define UUID "5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10"

static void test_no_target(void)
{
	char *argv[] = { "vgpu-viewer", NULL };
	struct captured c;

	parse(&c, 1, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "nothing to show");
	CHECK_INT_EQ(count_lines(c.err), 1);
	captured_finish(&c);
}

static void test_defaults(void)
{
	char *argv[] = { "vgpu-viewer", "--mdev", UUID, NULL };
	struct captured c;

	parse(&c, 3, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(strcmp(c.opts.mdev, UUID) == 0);
	CHECK_INT_EQ(c.opts.verbose, 0);
	CHECK_INT_EQ(c.opts.device_fd, -1);
	CHECK_INT_EQ(c.opts.pid, 0);
	CHECK(!c.opts.poll);
	CHECK_INT_EQ(c.opts.poll_ms, 16);
	CHECK(!c.opts.libvirt_dir);
	CHECK(!c.opts.connect);
	CHECK_INT_EQ(c.out_len + c.err_len, 0);
	captured_finish(&c);
}

static void test_targets(void)
{
	char *pid[] = { "vgpu-viewer", "--pid", "42", "-m", UUID, "--reconnect", NULL };
	char *vm[] = { "vgpu-viewer", "--vm", "win10", "--wait", NULL };
	char *fd[] = { "vgpu-viewer", "--device-fd", "3", NULL };
	struct captured c;

	parse(&c, 6, pid);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.pid, 42);
	CHECK(c.opts.reconnect);
	captured_finish(&c);
	parse(&c, 4, vm);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(strcmp(c.opts.vm, "win10") == 0 && c.opts.wait);
	captured_finish(&c);
	parse(&c, 3, fd);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.device_fd, 3);
	captured_finish(&c);
}

static void test_poll(void)
{
	char *bare[] = { "vgpu-viewer", "--mdev", UUID, "--poll", NULL };
	char *ms[] = { "vgpu-viewer", "--mdev", UUID, "--poll=30", NULL };
	struct captured c;

	parse(&c, 4, bare);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.poll);
	CHECK_INT_EQ(c.opts.poll_ms, 16);
	captured_finish(&c);
	parse(&c, 4, ms);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.poll_ms, 30);
	captured_finish(&c);
}

/* Each bad command line: exit 2 with one line naming the problem. */
static void test_bad_values(void)
{
	static const struct {
		const char *args[6];
		const char *says;
	} cases[] = {
		{ { "--pid", "0" }, "--pid takes a process id" },
		{ { "--pid", "12x" }, "--pid takes a process id" },
		{ { "--pid", "-5" }, "--pid takes a process id" },
		{ { "--mdev", "not-a-uuid" }, "--mdev takes an mdev UUID" },
		{ { "--mdev", UUID "0" }, "--mdev takes an mdev UUID" },
		{ { "--vm", "../etc" }, "'../etc' is not a VM name" },
		{ { "../etc" }, "'../etc' is not a VM name" },
		{ { "--device-fd", "x" }, "--device-fd takes a file descriptor" },
		{ { "--mdev", UUID, "--poll=0" }, "--poll takes a period" },
		{ { "--mdev", UUID, "--poll=99999" }, "--poll takes a period" },
		{ { "--mdev", UUID, "--backend", "x11" }, "unknown backend 'x11'" },
		{ { "--service" }, "--service needs the VM's name or the socket's path" },
		{ { "--service", "--pid", "4" }, "does not go with --pid" },
		{ { "--service=run/x.sock" }, "--service takes an absolute socket path" },
		{ { "--service=/run/x.sock", "--serve=/y" }, "--serve and --service exclude" },
		{ { "--vm", "a", "--viewers", "@wheel" }, "--viewers is for --serve" },
		{ { "--vm", "a", "--input=maybe" }, "--input takes on or off, not 'maybe'" },
		{ { "--vm", "a", "--controllers", "alice" }, "--controllers is for --serve" },
		{ { "--vm", "a", "--qmp", "" }, "--qmp takes a path" },
		{ { "--vm", "a", "--qmp", "/q", "--input", "off" }, "--input is off" },
		{ { "--vm", "a", "--vnc", "" }, "--vnc takes a unix socket path or a numeric IP:PORT, not ''" },
		{ { "--vm", "a", "--vnc", "localhost:5900" }, "IP:PORT, not 'localhost:5900'" },
		{ { "--vm", "a", "--vnc", "127.0.0.1:0" }, "IP:PORT, not '127.0.0.1:0'" },
		{ { "--vm", "a", "--vnc", "run/v.sock" }, "IP:PORT, not 'run/v.sock'" },
		{ { "--vm", "a", "--vnc", "/v", "--qmp", "/q" }, "--qmp and --vnc are two ways" },
		{ { "--vm", "a", "--vnc", "/v", "--input", "off" }, "--vnc is for input" },
		{ { "--vm", "a", "--serve=" }, "--serve takes an absolute socket path, not ''" },
		{ { "--vm", "a", "--serve=/run/" "0123456789" "0123456789" "0123456789" "0123456789"
		    "0123456789" "0123456789" "0123456789" "0123456789" "0123456789" "0123456789"
		    "0123456789" },
		  "is too long for a unix socket path" },
		{ { "--pid", "1", "--vm", "a" }, "exclude each other" },
		{ { "--device-fd", "3", "--fd-socket", "/s" }, "exclude each other" },
		{ { "--device-fd", "3", "--mdev", UUID }, "does not go with" },
		{ { "--device-fd", "3", "--reconnect" }, "--reconnect needs a VMM" },
		{ { "--stats" }, "needs an argument" },
		{ { "--mdev", UUID, "--scale", "zoom" }, "--scale takes fit, fill" },
		{ { "--mdev", UUID, "--filter", "cubic" }, "--filter takes auto" },
		{ { "--mdev", UUID, "--path", "dri" }, "--path takes auto, zero-copy" },
		{ { "--mdev", UUID, "--hotkeys", "toggle-fullscreen=f13" },
		  "--hotkeys: cannot read 'toggle-fullscreen=f13'" },
		{ { "--mdev", UUID, "--hotkeys", "quit=ctrl+alt+q,zoom-in=ctrl+alt+1" },
		  "--hotkeys: no action 'zoom-in' here (the actions: toggle-fullscreen, quit, "
		  "cycle-scale, toggle-stats, release-cursor, secure-attention)" },
		{ { "--mdev", UUID, "--hotkeys", "quit=ctrl+alt" }, "--hotkeys: cannot read 'quit=" },
		{ { "--mdev", UUID, "--hotkeys", "quit=ctrl+hyper+q" }, "--hotkeys: cannot read" },
		{ { "--mdev", UUID, "--hotkeys", "quit=ctrl+alt+" }, "--hotkeys: cannot read" },
		{ { "--mdev", UUID, "--hotkeys", "quit=ctrl+" }, "--hotkeys: cannot read" },
		{ { "--mdev", UUID, "--hotkeys", "quit" }, "--hotkeys: cannot read 'quit'" },
		{ { "--mdev", UUID, "--hotkeys", "quit=q+ctrl" }, "--hotkeys: cannot read" },
		{ { "--mdev", UUID, "--backend", "headless", "-f" }, "for the wayland and kms backends" },
		{ { "--mdev", UUID, "--backend", "headless", "--scale=none" },
		  "for the wayland and kms backends" },
		{ { "--mdev", UUID, "--output", "HDMI-A-1" }, "are for --backend kms" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "1024x" }, "--mode takes WIDTHxHEIGHT" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "0x768" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "1024x768@" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "1024x768@0" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "1024x768x" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", " 1024x768" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--mode", "99999x768" }, "--mode takes" },
		{ { "--mdev", UUID, "--backend", "kms", "--output=" }, "--output takes" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[8] = { "vgpu-viewer" };
		int argc = 1;
		struct captured c;

		for (int k = 0; k < 6 && cases[i].args[k]; k++)
			argv[argc++] = (char *)cases[i].args[k];
		parse(&c, argc, argv);
		if (c.res != OPTIONS_USAGE || !c.err || !strstr(c.err, cases[i].says) ||
		    count_lines(c.err) != 1) {
			fprintf(stderr, "case %zu: res %d, stderr: %s\n", i, c.res,
				c.err ? c.err : "");
			captured_finish(&c);
			CHECK(0);
		}
		captured_finish(&c);
	}
}

static void test_window_options(void)
{
	char *argv[] = { "vgpu-viewer", "--mdev", UUID, "-f", "--scale", "integer", "--filter",
			 "nearest", "--path=egl", "--title", "win10", NULL };
	char *argv2[] = { "vgpu-viewer", "--mdev", UUID, NULL };
	struct captured c;

	parse(&c, 11, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.present.fullscreen);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_INTEGER);
	CHECK_INT_EQ(c.opts.present.filter, GEOM_FILTER_NEAREST);
	CHECK_INT_EQ(c.opts.present.path, PRESENTER_PATH_EGL);
	CHECK(strcmp(c.opts.present.title, "win10") == 0);
	captured_finish(&c);

	/* Defaults: the backend is chosen at run time, fit, auto, auto, windowed. */
	parse(&c, 3, argv2);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.backend, VIEWER_BACKEND_AUTO);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_FIT);
	CHECK_INT_EQ(c.opts.present.filter, GEOM_FILTER_AUTO);
	CHECK_INT_EQ(c.opts.present.path, PRESENTER_PATH_AUTO);
	CHECK(!c.opts.present.fullscreen && !c.opts.present.title);
	CHECK(strcmp(c.opts.present.app_id, "vgpu-viewer") == 0);
	captured_finish(&c);
}

static void test_hotkeys_and_kiosk(void)
{
	enum { CA = HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT };
#define RC { CA, 0 }		/* release-cursor: ctrl+alt */
#define SA { CA, KEY_END }	/* secure-attention: ctrl+alt+end */
	static const struct {
		const char *arg;
		struct hotkeys want;
	} cases[] = {
		/* Unlisted actions keep their defaults. */
		{ "toggle-fullscreen=f12", { { { 0, KEY_F12 }, { CA, KEY_Q }, { CA, KEY_S },
					       { CA, KEY_I }, RC, SA } } },
		{ "toggle-fullscreen=F1", { { { 0, KEY_F1 }, { CA, KEY_Q }, { CA, KEY_S },
					      { CA, KEY_I }, RC, SA } } },
		{ "quit=shift+super+Escape,cycle-scale=", {
			{ { 0, KEY_F11 }, { HOTKEY_MOD_SHIFT | HOTKEY_MOD_SUPER, KEY_ESC },
			  { 0, 0 }, { CA, KEY_I }, RC, SA } } },
		{ "toggle-stats=CTRL+F10,quit=alt+1", { { { 0, KEY_F11 }, { HOTKEY_MOD_ALT, KEY_1 },
						      { CA, KEY_S }, { HOTKEY_MOD_CTRL, KEY_F10 }, RC, SA } } },
		/* Modifiers alone, as virt-viewer's release-cursor=ctrl+alt. */
		{ "release-cursor=shift+super", { { { 0, KEY_F11 }, { CA, KEY_Q }, { CA, KEY_S },
			{ CA, KEY_I }, { HOTKEY_MOD_SHIFT | HOTKEY_MOD_SUPER, 0 }, SA } } },
		{ "", { { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } } } },
	};
	char *kiosk[] = { "vgpu-viewer", "--mdev", UUID, "--kiosk", NULL };
	struct captured c;
	char name[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "vgpu-viewer", "--mdev", UUID, "--hotkeys", (char *)cases[i].arg,
				 NULL };

		parse(&c, 5, argv);
		CHECK_INT_EQ(c.res, OPTIONS_RUN);
		for (int a = 0; a < HOTKEY_N; a++) {
			CHECK_INT_EQ(c.opts.present.hotkeys.k[a].key, cases[i].want.k[a].key);
			CHECK_INT_EQ(c.opts.present.hotkeys.k[a].mods, cases[i].want.k[a].mods);
		}
		captured_finish(&c);
	}
	parse(&c, 4, kiosk);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.kiosk && c.opts.present.fullscreen);
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_TOGGLE_FULLSCREEN].key, 0);	/* no way out */
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_QUIT].key, KEY_Q);	/* but quit is there */

	/* Matching: exactly the chord's modifiers, either side's key. */
	CHECK_INT_EQ(hotkeys_match(&c.opts.present.hotkeys, CA, KEY_Q), HOTKEY_QUIT);
	CHECK_INT_EQ(hotkeys_match(&c.opts.present.hotkeys, CA | HOTKEY_MOD_SHIFT, KEY_Q), -1);
	CHECK_INT_EQ(hotkeys_match(&c.opts.present.hotkeys, HOTKEY_MOD_CTRL, KEY_Q), -1);
	CHECK_INT_EQ(hotkeys_match(&c.opts.present.hotkeys, CA, KEY_S), HOTKEY_CYCLE_SCALE);
	CHECK_INT_EQ(hotkeys_match(&c.opts.present.hotkeys, 0, KEY_F11), -1);
	CHECK_INT_EQ(hotkeys_modifier(KEY_RIGHTALT), HOTKEY_MOD_ALT);
	CHECK_INT_EQ(hotkeys_modifier(KEY_LEFTMETA), HOTKEY_MOD_SUPER);
	CHECK_INT_EQ(hotkeys_modifier(KEY_Q), 0);
	CHECK(strcmp(hotkeys_chord_name(&c.opts.present.hotkeys.k[HOTKEY_QUIT], name, sizeof(name)),
		     "ctrl+alt+q") == 0);
	captured_finish(&c);
}

/* --backend kms and its options. */
static void test_kms_options(void)
{
	char *argv[] = { "vgpu-viewer", "--mdev", UUID, "--backend", "kms", "--output",
			 "HDMI-A-1", "--mode", "1920x1080@60", "--drm-device", "/dev/dri/card1",
			 "--scale", "integer", NULL };
	char *argv2[] = { "vgpu-viewer", "--mdev", UUID, "--backend=kms", "--mode=800x600", NULL };
	struct captured c;

	parse(&c, 13, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.backend, VIEWER_BACKEND_KMS);
	CHECK(strcmp(c.opts.kms.output, "HDMI-A-1") == 0);
	CHECK(strcmp(c.opts.kms.device, "/dev/dri/card1") == 0);
	CHECK_INT_EQ(c.opts.kms.mode_w, 1920);
	CHECK_INT_EQ(c.opts.kms.mode_h, 1080);
	CHECK_INT_EQ(c.opts.kms.mode_mhz, 60000);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_INTEGER);
	captured_finish(&c);
	parse(&c, 5, argv2);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.kms.mode_w, 800);
	CHECK_INT_EQ(c.opts.kms.mode_h, 600);
	CHECK_INT_EQ(c.opts.kms.mode_mhz, 0);
	CHECK(!c.opts.kms.output && !c.opts.kms.device);
	captured_finish(&c);
}

/* /etc, then /etc/VM.conf, then the user's file, then the command line. */
static void test_config_layers(void)
{
	char *argv[] = { "vgpu-viewer", "--vm", "win10", "--filter", "linear", NULL };
	struct captured c;

	write_file("etc/viewer.conf", "# site defaults\n[viewer]\nscale = integer\nfullscreen = yes\n"
				      "poll = 20\nfilter = nearest\ntitle = site\n");
	write_file("etc/win10.conf", "scale = none\npoll = false\ntitle = win10 at the desk\n");
	write_file("xdg/vgpu-viewer/config", "fullscreen = no\nverbose = 2\n");
	parse(&c, 5, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_NONE);		/* VM file over site */
	CHECK(!c.opts.present.fullscreen);				/* user over site */
	CHECK(!c.opts.poll);					/* VM file: poll = false */
	CHECK_INT_EQ(c.opts.poll_ms, 20);
	CHECK_INT_EQ(c.opts.present.filter, GEOM_FILTER_LINEAR);	/* command line over all */
	CHECK(strcmp(c.opts.present.title, "win10 at the desk") == 0);
	CHECK_INT_EQ(c.opts.verbose, 2);
	CHECK(strcmp(c.opts.vm, "win10") == 0);
	captured_finish(&c);
	/* Window options from a file do not make --backend headless an error. */
	{
		char *argv2[] = { "vgpu-viewer", "--vm", "win10", "--backend", "headless", NULL };

		parse(&c, 5, argv2);
		CHECK_INT_EQ(c.res, OPTIONS_RUN);
		captured_finish(&c);
	}
}

/* --config FILE replaces the layers; it must exist. */
static void test_config_explicit(void)
{
	char path[256], *argv[] = { "vgpu-viewer", "--config", path, "--mdev", UUID, NULL };
	struct captured c;

	write_file("etc/viewer.conf", "scale = fill\n");
	write_file("mine.conf", "wait = true\n");
	snprintf(path, sizeof(path), "%s/mine.conf", cfg_root);
	parse(&c, 5, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.wait);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_FIT);	/* the site file was not read */
	captured_finish(&c);

	snprintf(path, sizeof(path), "%s/missing.conf", cfg_root);
	parse(&c, 5, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "cannot read");
	CHECK_STR_CONTAINS(c.err, "missing.conf: No such file or directory");
	captured_finish(&c);
}

/* Every error names the file and the line, on one line of its own. */
static void test_config_errors(void)
{
	static const struct {
		const char *text;
		int line;
		const char *says;
	} cases[] = {
		{ "scale = fit\nscal = fit\n", 2, "unknown key 'scal'" },
		{ "\n\n[display]\nscale = fit\n", 4, "unknown section [display]" },
		{ "scale = zoom\n", 1, ": scale takes fit, fill, integer or none, not 'zoom'" },
		{ "fullscreen = maybe\n", 1,
		  "fullscreen takes true or false (or yes/no, on/off, 1/0), not 'maybe'" },
		{ "vm = \"win10\n", 1, "vm: a quote is not closed" },
		{ "vm = \"win\"10\n", 1, "vm: a quote is not closed, or text follows it" },
		{ "# c\nhelp = 1\n", 2, "'help' cannot be set in a file" },
		{ "pid = 12\n", 1, "'pid' cannot be set in a file" },
		{ "poll = 99999\n", 1, ": poll takes a period" },
		{ "verbose = 9\n", 1, "verbose takes 0 to 3" },
		{ "scale = fit\nthis is not ini\nscale = nope\n", 2,
		  "expected 'key = value' or '[section]'" },
		{ "mdev = nope\n", 1, ": mdev takes an mdev UUID, not 'nope'" },
	};
	char path[256], where[300];
	char *argv[] = { "vgpu-viewer", "--config", path, "--mdev", UUID, NULL };

	snprintf(path, sizeof(path), "%s/bad.conf", cfg_root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct captured c;

		write_file("bad.conf", cases[i].text);
		parse(&c, 5, argv);
		snprintf(where, sizeof(where), "%s:%d: ", path, cases[i].line);
		if (c.res != OPTIONS_USAGE || !c.err || !strstr(c.err, where) ||
		    !strstr(c.err, cases[i].says) || count_lines(c.err) != 1) {
			fprintf(stderr, "case %zu: res %d, stderr: %s\n", i, c.res,
				c.err ? c.err : "");
			captured_finish(&c);
			CHECK(0);
		}
		captured_finish(&c);
	}
}

static void test_help_lists_every_option(void)
{
	char *argv[] = { "vgpu-viewer", "--help", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_DONE);
	CHECK_STR_CONTAINS(c.out, "Usage: vgpu-viewer");
	CHECK_STR_CONTAINS(c.out, "-h, --help");
	CHECK_STR_CONTAINS(c.out, "-V, --version");
	CHECK_STR_CONTAINS(c.out, "-v, --verbose");
	CHECK_STR_CONTAINS(c.out, "--poll[=MS]");
	CHECK_STR_CONTAINS(c.out, "-p, --pid=PID");
	CHECK_STR_CONTAINS(c.out, "7 the VM is not running or its VMM exited");
	CHECK_INT_EQ(c.err_len, 0);
	captured_finish(&c);
}

static void test_version(void)
{
	char *argv[] = { "vgpu-viewer", "-V", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_DONE);
	CHECK(strncmp(c.out, "vgpu-viewer ", 12) == 0);
	CHECK_INT_EQ(count_lines(c.out), 1);
	captured_finish(&c);
}

static void test_verbose_counts(void)
{
	char *argv[] = { "vgpu-viewer", "-vv", "--verbose", "-m", UUID, NULL };
	struct captured c;

	parse(&c, 5, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.verbose, 3);
	captured_finish(&c);
}

static void test_unknown_long_option(void)
{
	char *argv[] = { "vgpu-viewer", "--frobnicate", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unknown or ambiguous option '--frobnicate'");
	CHECK_INT_EQ(count_lines(c.err), 1);
	CHECK_INT_EQ(c.out_len, 0);
	captured_finish(&c);
}

static void test_unknown_short_option(void)
{
	char *argv[] = { "vgpu-viewer", "-q", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unknown option '-q'");
	CHECK_INT_EQ(count_lines(c.err), 1);
	captured_finish(&c);
}

static void test_stray_argument(void)
{
	char *argv[] = { "vgpu-viewer", "-v", "win10", "extra", NULL };
	struct captured c;

	parse(&c, 4, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unexpected argument 'extra'");
	captured_finish(&c);
}

static void test_flag_with_value_rejected(void)
{
	char *argv[] = { "vgpu-viewer", "--verbose=3", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_INT_EQ(count_lines(c.err), 1);
	captured_finish(&c);
}

static void test_reparse_resets_state(void)
{
	char *bad[] = { "vgpu-viewer", "--nope", NULL };
	char *good[] = { "vgpu-viewer", "-v", "--mdev", UUID, NULL };
	struct captured c;

	parse(&c, 2, bad);
	captured_finish(&c);
	parse(&c, 4, good);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.verbose, 1);
	captured_finish(&c);
}

/* Parses @args (NULL-terminated, after the program name) into @c. */
static void parse_args(struct captured *c, const char *const *args)
{
	char *argv[16] = { "vgpu-viewer" };
	int argc = 1;

	while (*args && argc < 15)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	parse(c, argc, argv);
}

/* Every spelling getopt takes works the same, --config included. */
static void test_abbreviations(void)
{
	char path[256];
	struct captured c;

	write_file("mine.conf", "scale = fill\n");
	snprintf(path, sizeof(path), "%s/mine.conf", cfg_root);
	parse_args(&c, (const char *[]){ "--conf", path, "--md", UUID, NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_FILL);
	CHECK(c.opts.mdev && !strcmp(c.opts.mdev, UUID));
	CHECK(c.opts.config && !strcmp(c.opts.config, path));
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--con=", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);	/* --con: --config or --connect */
	CHECK_STR_CONTAINS(c.err, "ambiguous");
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--confi=", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "--config takes a file");
	captured_finish(&c);
	/* The VM's file is found whichever way the VM is named. */
	write_file("etc/win10.conf", "scale = integer\n");
	parse_args(&c, (const char *[]){ "--v=win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);	/* --vm, --verbose, --version */
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--vm=win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_INTEGER);
	captured_finish(&c);
}

/* What virt-viewer users type. */
static void test_virt_viewer_habits(void)
{
	struct captured c;

	write_file("etc/win10.conf", "scale = integer\n");
	parse_args(&c, (const char *[]){ "win10", "-r", "-t", "desk", "-H", "quit=ctrl+alt+x", "-k",
					 "--full-screen", "--debug", "-c", "qemu:///session",
					 "-w", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.vm && !strcmp(c.opts.vm, "win10"));
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_INTEGER);	/* win10.conf was read */
	CHECK(c.opts.reconnect && c.opts.kiosk && c.opts.present.fullscreen && c.opts.wait);
	CHECK(!strcmp(c.opts.present.title, "desk"));
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_QUIT].key, KEY_X);
	CHECK_INT_EQ(c.opts.verbose, 2);
	CHECK(!strcmp(c.opts.connect, "qemu:///session"));
	captured_finish(&c);
	/* Options after the name too, and the name given twice is refused. */
	parse_args(&c, (const char *[]){ "--wait", "win10", "--reconnect", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.wait && c.opts.reconnect);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--vm", "win11", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "name the VM once");
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "-c", "qemu+ssh://host/system", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "--connect takes qemu:///system or qemu:///session");
	captured_finish(&c);
	/* virt-viewer's actions: the two that mean something here are kept... */
	parse_args(&c, (const char *[]){ "win10", "--hotkeys",
					 "release-cursor=shift+f12,secure-attention=ctrl+alt+delete",
					 NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_RELEASE_CURSOR].key, KEY_F12);
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_SECURE_ATTENTION].key, KEY_DELETE);
	captured_finish(&c);
	/* ...the others are refused by name. */
	parse_args(&c, (const char *[]){ "win10", "--hotkeys", "zoom-out=ctrl+minus", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "no action 'zoom-out' here");
	captured_finish(&c);
}

/* The small ones of the command line. */
static void test_small_ones(void)
{
	char dir[256];
	struct captured c;

	parse_args(&c, (const char *[]){ "--poll", "20", "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.poll);
	CHECK_INT_EQ(c.opts.poll_ms, 20);
	CHECK(!strcmp(c.opts.vm, "win10"));
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--poll", "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.poll);
	CHECK_INT_EQ(c.opts.poll_ms, 16);
	CHECK(!strcmp(c.opts.vm, "win10"));
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--backend", "kms", "--mode", "1920x1080@59.94",
					 NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.kms.mode_mhz, 59940);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--backend", "kms", "--mode", "640x480@59.9999",
					 NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	captured_finish(&c);
	static const char *const empty[] = { "--stats", "--fd-socket", "--drm-device",
					     "--libvirt-dir" };
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		parse_args(&c, (const char *[]){ "win10", "--backend=kms", empty[i], "", NULL });
		CHECK_INT_EQ(c.res, OPTIONS_USAGE);
		CHECK_STR_CONTAINS(c.err, "takes a path, not an empty string");
		captured_finish(&c);
	}
	snprintf(dir, sizeof(dir), "%s/etc", cfg_root);
	parse_args(&c, (const char *[]){ "--config", dir, "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "is a directory, not a configuration file");
	captured_finish(&c);
	/* --kiosk wins over --hotkeys in either order. */
	parse_args(&c, (const char *[]){ "win10", "--kiosk", "--hotkeys", "toggle-fullscreen=f12",
					 NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_TOGGLE_FULLSCREEN].key, 0);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--hotkeys", "toggle-fullscreen=f12", "--kiosk",
					 NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.present.hotkeys.k[HOTKEY_TOGGLE_FULLSCREEN].key, 0);
	captured_finish(&c);
	/* One chord, two actions (here: with quit's default). */
	parse_args(&c, (const char *[]){ "win10", "--hotkeys", "cycle-scale=ctrl+alt+q", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "quit and cycle-scale are both ctrl+alt+q");
	captured_finish(&c);
	/* sysfs has the UUID in lower case. */
	parse_args(&c, (const char *[]){ "--mdev", "5B8F1C2E-0D6A-4E0B-9A55-3F1C2B7D9E10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(!strcmp(c.opts.mdev, UUID));
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--device-fd", "999", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "--device-fd 999: no such open file descriptor");
	captured_finish(&c);
}

/* Values in files as the man page says; a VM named in viewer.conf gets its file. */
/* The display service: serving it, and using it (--service, --direct). */
static void test_service(void)
{
	struct captured c;

	if (!HAVE_SYSTEMD) {	/* sd-bus is what serves */
		parse_args(&c, (const char *[]){ "win10", "--serve", NULL });
		CHECK_INT_EQ(c.res, OPTIONS_USAGE);
		CHECK_STR_CONTAINS(c.err, "this build has no display service");
		captured_finish(&c);
		parse_args(&c, (const char *[]){ "win10", "--service", NULL });
		CHECK_INT_EQ(c.res, OPTIONS_USAGE);
		CHECK_STR_CONTAINS(c.err, "this build has no display service client");
		captured_finish(&c);
		return;
	}

	parse_args(&c, (const char *[]){ "win10", "--serve", "--viewers", "alice @users", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.serve && !c.opts.serve_path && !strcmp(c.opts.viewers, "alice @users"));
	CHECK_INT_EQ(c.opts.source, VIEWER_SOURCE_AUTO);
	captured_finish(&c);
	/* A path after --serve or --service, with or without '='. */
	parse_args(&c, (const char *[]){ "--serve", "/run/a.sock", "--pid", "7", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.serve && !strcmp(c.opts.serve_path, "/run/a.sock") && c.opts.pid == 7);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "--service", "/run/a.sock", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.source, VIEWER_SOURCE_SERVICE);
	CHECK(!strcmp(c.opts.service_path, "/run/a.sock") && !c.opts.vm);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--service", "--reconnect", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.source == VIEWER_SOURCE_SERVICE && !c.opts.service_path);
	captured_finish(&c);
	/* The last of --direct and --service wins; a file may say either. */
	parse_args(&c, (const char *[]){ "win10", "--service", "--direct", NULL });
	CHECK_INT_EQ(c.opts.source, VIEWER_SOURCE_DIRECT);
	captured_finish(&c);
	write_file("etc/win10.conf", "service = /run/w.sock\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.source == VIEWER_SOURCE_SERVICE && !strcmp(c.opts.service_path, "/run/w.sock"));
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--direct", NULL });
	CHECK_INT_EQ(c.opts.source, VIEWER_SOURCE_DIRECT);
	captured_finish(&c);
	write_file("etc/win10.conf", "serve = yes\nviewers = @vgpu\nservice = no\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.serve && c.opts.source == VIEWER_SOURCE_AUTO);
	captured_finish(&c);
	remove_file("etc/win10.conf");
}

/* Input: on by default, off for signage, QMP's socket from the line or a file. */
static void test_input(void)
{
	struct captured c;

	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK(c.res == OPTIONS_RUN && !c.opts.input_off && !c.opts.qmp);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--input=off", NULL });
	CHECK(c.res == OPTIONS_RUN && c.opts.input_off);
	captured_finish(&c);
	write_file("etc/win10.conf", "input = off\n");
	parse_args(&c, (const char *[]){ "win10", "--input", "on", "--qmp", "/run/q.sock", NULL });
	CHECK(c.res == OPTIONS_RUN && !c.opts.input_off && !strcmp(c.opts.qmp, "/run/q.sock"));
	captured_finish(&c);
	write_file("etc/win10.conf", "qmp = /run/w.qmp\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK(c.res == OPTIONS_RUN && !strcmp(c.opts.qmp, "/run/w.qmp") && !c.opts.vnc);
	captured_finish(&c);
	/* VNC instead: a unix socket, or a numeric address and port. */
	write_file("etc/win10.conf", "vnc = /run/w.vnc\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK(c.res == OPTIONS_RUN && !strcmp(c.opts.vnc, "/run/w.vnc") && !c.opts.qmp);
	captured_finish(&c);
	parse_args(&c, (const char *[]){ "win10", "--vnc", "[::1]:5901", NULL });
	CHECK(c.res == OPTIONS_RUN && !strcmp(c.opts.vnc, "[::1]:5901"));
	captured_finish(&c);
	remove_file("etc/win10.conf");
	/* The service's keys in the VM's file: its viewers read it too, and pass them by. */
	write_file("etc/win10.conf", "viewers = @vgpu-viewer\ncontrollers = root\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK(c.res == OPTIONS_RUN && !c.opts.viewers && !c.opts.controllers);
	captured_finish(&c);
	if (HAVE_SYSTEMD) {	/* --serve needs sd-bus */
		parse_args(&c, (const char *[]){ "win10", "--serve", NULL });
		CHECK(c.res == OPTIONS_RUN && !strcmp(c.opts.viewers, "@vgpu-viewer") &&
		      !strcmp(c.opts.controllers, "root"));
		captured_finish(&c);
	}
	remove_file("etc/win10.conf");
}

static void test_config_values(void)
{
	struct captured c;

	write_file("etc/viewer.conf", "vm = kiosk1   # the desk's VM\nfullscreen = True\n"
				      "title = \"VM #1\"\nreconnect = ON\n");
	write_file("etc/kiosk1.conf", "scale = integer ; per VM\nwait = '1'\n");
	parse_args(&c, (const char *[]){ NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(c.opts.vm && !strcmp(c.opts.vm, "kiosk1"));
	CHECK(c.opts.present.fullscreen && c.opts.reconnect && c.opts.wait);
	CHECK(c.opts.present.title && !strcmp(c.opts.present.title, "VM #1"));
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_INTEGER);
	captured_finish(&c);
	/* The command line's VM, not the file's, picks VM.conf. */
	write_file("etc/win10.conf", "scale = none\n");
	parse_args(&c, (const char *[]){ "win10", NULL });
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK(!strcmp(c.opts.vm, "win10"));
	CHECK_INT_EQ(c.opts.present.scale, GEOM_SCALE_NONE);
	captured_finish(&c);
	remove_file("etc/kiosk1.conf");
}

/* SIGHUP says what changed, and what waits for a restart. */
static void test_diff(void)
{
	char applied[256], later[256];
	struct captured a, b;

	parse_args(&a, (const char *[]){ "win10", "--scale", "fit", NULL });
	parse_args(&b, (const char *[]){ "win10", "--scale", "fit", NULL });
	options_diff(&a.opts, &b.opts, applied, sizeof(applied), later, sizeof(later));
	CHECK(!applied[0] && !later[0]);
	captured_finish(&b);
	parse_args(&b, (const char *[]){ "win10", "--scale", "fill", "-v", NULL });
	options_diff(&a.opts, &b.opts, applied, sizeof(applied), later, sizeof(later));
	CHECK(!strcmp(applied, "verbose 0 -> 1, scale fit -> fill"));
	CHECK(!later[0]);
	captured_finish(&b);
	parse_args(&b, (const char *[]){ "win11", "--path", "egl", "--poll", NULL });
	options_diff(&a.opts, &b.opts, applied, sizeof(applied), later, sizeof(later));
	CHECK(!applied[0]);
	CHECK(!strcmp(later, "the guest, path auto -> egl, poll"));
	captured_finish(&b);
	captured_finish(&a);
}

int main(void)
{
	/* --device-fd 3 must name an open fd: make sure 3 is one. */
	if (fcntl(3, F_GETFD) < 0 && open("/dev/null", O_RDONLY) != 3)
		return 1;
	config_setup();
	atexit(config_teardown);
	RUN_TEST(test_no_target);
	RUN_TEST(test_defaults);
	RUN_TEST(test_targets);
	RUN_TEST(test_poll);
	RUN_TEST(test_bad_values);
	RUN_TEST(test_window_options);
	RUN_TEST(test_hotkeys_and_kiosk);
	RUN_TEST(test_kms_options);
	RUN_TEST(test_config_layers);
	config_clean();
	RUN_TEST(test_config_explicit);
	config_clean();
	RUN_TEST(test_config_errors);
	config_clean();
	RUN_TEST(test_abbreviations);
	config_clean();
	RUN_TEST(test_virt_viewer_habits);
	config_clean();
	RUN_TEST(test_small_ones);
	config_clean();
	RUN_TEST(test_config_values);
	config_clean();
	RUN_TEST(test_service);
	RUN_TEST(test_input);
	config_clean();
	RUN_TEST(test_diff);
	RUN_TEST(test_help_lists_every_option);
	RUN_TEST(test_version);
	RUN_TEST(test_verbose_counts);
	RUN_TEST(test_unknown_long_option);
	RUN_TEST(test_unknown_short_option);
	RUN_TEST(test_stray_argument);
	RUN_TEST(test_flag_with_value_rejected);
	RUN_TEST(test_reparse_resets_state);
	return TEST_EXIT_STATUS();
}
