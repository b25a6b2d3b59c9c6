// SPDX-License-Identifier: MIT
/* Which presenter shows the guest; see backend.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

#define LOG_MODULE "viewer"
#include "backend.h"
#include "headless.h"
#include "log.h"
#if HAVE_KMS
#include "kms.h"
#endif
#if HAVE_WAYLAND
#include "wl_surface.h"
#endif

enum viewer_backend backend_resolve(enum viewer_backend want, char *why, size_t len)
{
	const char *display = getenv("WAYLAND_DISPLAY");

	if (want != VIEWER_BACKEND_AUTO) {
		snprintf(why, len, "--backend");
		return want;
	}
	if (HAVE_WAYLAND && display && *display) {
		snprintf(why, len, "--backend auto: WAYLAND_DISPLAY=%s", display);
		return VIEWER_BACKEND_WAYLAND;
	}
	snprintf(why, len, "--backend auto: %s", !HAVE_WAYLAND ?
		 "this build has no Wayland presenter" : "WAYLAND_DISPLAY is not set");
	return VIEWER_BACKEND_HEADLESS;
}

#if HAVE_WAYLAND
static struct presenter *create_wayland(const struct viewer_options *o, struct stats *stats,
					struct input *input)
{
	static char title[128];
	struct presenter_options present = o->present;

	if (!present.title) {
		snprintf(title, sizeof(title), "%s - vgpu-viewer",
			 o->vm ? o->vm : o->mdev ? o->mdev : "guest");
		present.title = title;
	}
	return wlout_create(&present, stats, input);
}
#endif

#if HAVE_KMS
/* The exit status for a KMS output that could not be set up. */
static int kms_exit_code_for(int err)
{
	switch (err) {
	case -ENODEV: return VIEWER_EXIT_NO_OUTPUT;
	case -ERANGE: return VIEWER_EXIT_NO_MODE;
	case -EBUSY: return VIEWER_EXIT_DISPLAY_BUSY;
	default: return VIEWER_EXIT_FAILURE;
	}
}

static struct presenter *create_kms(const struct viewer_options *o, struct stats *stats,
				    struct input *input, int *ret_exit)
{
	struct presenter *p;
	int err;

	p = kms_create(&o->present, &o->kms, stats, input, &err);
	if (!p)
		*ret_exit = kms_exit_code_for(err);
	return p;
}
#endif

struct presenter *backend_create(const struct viewer_options *o, struct stats *stats,
				 struct input *input, int *ret_exit)
{
	enum viewer_backend b;
	char why[96];

	b = backend_resolve(o->backend, why, sizeof(why));
	switch (b) {
	case VIEWER_BACKEND_WAYLAND:
		LOG_INFO("backend wayland (%s)", why);
		*ret_exit = VIEWER_EXIT_DISPLAY_GONE;
#if HAVE_WAYLAND
		return create_wayland(o, stats, input);
#else
		return NULL;	/* options.c refuses it */
#endif
	case VIEWER_BACKEND_KMS:
		LOG_INFO("backend kms (%s)", why);
		*ret_exit = VIEWER_EXIT_FAILURE;
#if HAVE_KMS
		return create_kms(o, stats, input, ret_exit);
#else
		return NULL;	/* options.c refuses it */
#endif
	case VIEWER_BACKEND_AUTO:
	case VIEWER_BACKEND_HEADLESS:
		break;
	}
	if (o->backend == VIEWER_BACKEND_AUTO && o->window_opts_on_cli) {
		/* --fullscreen and the like were meant for a window: none will come. */
		LOG_ERR("no window to show the guest in (%s)%s; --backend kms shows it on a "
			"console", why, getenv("SUDO_USER") ?
			": sudo drops the session's variables, sudo --preserve-env="
			"WAYLAND_DISPLAY,XDG_RUNTIME_DIR keeps them" : "");
		*ret_exit = VIEWER_EXIT_USAGE;
		return NULL;
	}
	if (o->backend == VIEWER_BACKEND_AUTO && getenv("SUDO_USER"))
		LOG_NOTICE("backend headless (%s): frames are recorded, not shown; sudo drops the "
			   "session's variables, sudo --preserve-env=WAYLAND_DISPLAY,"
			   "XDG_RUNTIME_DIR keeps them", why);
	else
		LOG_INFO("backend headless (%s): frames are recorded, not shown", why);
	*ret_exit = VIEWER_EXIT_FAILURE;
	return headless_create(stats);
}
