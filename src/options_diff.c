// SPDX-License-Identifier: MIT
/* What a configuration reload changes (SIGHUP); see options_diff() in options.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

/* Appends "name" (and " a -> b" when given) to the list in @buf. */
static void diff_add(char *buf, size_t len, const char *name, const char *a, const char *b)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s%s%s%s%s", n ? ", " : "", name, a ? " " : "",
			 a ? a : "", b ? " -> " : "", b ? b : "");
}

static bool str_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

void options_diff(const struct viewer_options *old, const struct viewer_options *new,
		  char *applied, size_t applied_len, char *later, size_t later_len)
{
	const struct presenter_options *a = &old->present, *b = &new->present;
	char va[16], vb[16];

	applied[0] = later[0] = '\0';
	if (old->verbose != new->verbose) {
		snprintf(va, sizeof(va), "%d", old->verbose);
		snprintf(vb, sizeof(vb), "%d", new->verbose);
		diff_add(applied, applied_len, "verbose", va, vb);
	}
	if (a->scale != b->scale)
		diff_add(applied, applied_len, "scale", geom_scale_name(a->scale),
			 geom_scale_name(b->scale));
	if (a->filter != b->filter)
		diff_add(applied, applied_len, "filter", options_filter_name(a->filter),
			 options_filter_name(b->filter));

	if (str_differ(old->vm, new->vm) || str_differ(old->mdev, new->mdev) ||
	    old->pid != new->pid || str_differ(old->connect, new->connect) ||
	    str_differ(old->libvirt_dir, new->libvirt_dir))
		diff_add(later, later_len, "the guest", NULL, NULL);
	if (old->backend != new->backend)
		diff_add(later, later_len, "backend", options_backend_name(old->backend),
			 options_backend_name(new->backend));
	if (a->path != b->path)
		diff_add(later, later_len, "path", presenter_path_name(a->path),
			 presenter_path_name(b->path));
	if (old->poll != new->poll || (new->poll && old->poll_ms != new->poll_ms))
		diff_add(later, later_len, "poll", NULL, NULL);
	if (str_differ(a->title, b->title) || a->fullscreen != b->fullscreen ||
	    old->kiosk != new->kiosk || memcmp(&a->hotkeys, &b->hotkeys, sizeof(a->hotkeys)))
		diff_add(later, later_len, "the window (title, fullscreen, kiosk, hotkeys)", NULL,
			 NULL);
	if (str_differ(old->kms.device, new->kms.device) ||
	    str_differ(old->kms.output, new->kms.output) || old->kms.mode_w != new->kms.mode_w ||
	    old->kms.mode_h != new->kms.mode_h || old->kms.mode_mhz != new->kms.mode_mhz)
		diff_add(later, later_len, "the output (drm-device, output, mode)", NULL, NULL);
	if (str_differ(old->stats, new->stats) || old->wait != new->wait ||
	    old->reconnect != new->reconnect)
		diff_add(later, later_len, "stats, wait, reconnect", NULL, NULL);
}
