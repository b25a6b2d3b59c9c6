// SPDX-License-Identifier: MIT
/* The KMS presenter's path decisions; see kms_path.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kms_path.h"
#include "plane.h"

bool kms_path_can_import(const uint32_t *formats, uint32_t n, bool modifiers, uint32_t fourcc,
			 uint64_t modifier, char *why, size_t len)
{
	char name[5];
	uint32_t i;

	for (i = 0; i < n; i++)
		if (formats[i] == fourcc)
			break;
	if (i == n) {
		snprintf(why, len, "the primary plane cannot scan out %s",
			 plane_format_name(fourcc, name));
		return false;
	}
	/* DRM_FORMAT_MOD_LINEAR is 0: a driver without modifiers takes only that. */
	if (modifier != 0 && !modifiers) {
		snprintf(why, len, "the driver takes no modifiers (the plane's is 0x%" PRIx64 ")",
			 modifier);
		return false;
	}
	return true;
}

static bool same_layout(const struct geom_layout *a, const struct geom_layout *b)
{
	return !memcmp(a, b, sizeof(*a));
}

enum kms_path_plan kms_path_plan(enum presenter_path want, const struct kms_path_buf *b,
				 bool modeset, const struct geom_layout *l, char *why, size_t len)
{
	if (!b)
		snprintf(why, len, "a region plane (no dmabuf)");
	else if (want == PRESENTER_PATH_EGL || want == PRESENTER_PATH_SHM)
		snprintf(why, len, "--path %s", presenter_path_name(want));
	else if (b->fb && b->taken && modeset && same_layout(&b->taken_layout, l))
		return KMS_PLAN_SCANOUT;
	else if (b->fb && !(b->refused && same_layout(&b->refused_layout, l)))
		return KMS_PLAN_TEST;
	else if (b->fb)
		snprintf(why, len, "the plane cannot show this layout: composing");
	/* else: the import failed, and said why */

	return want == PRESENTER_PATH_ZERO_COPY ? KMS_PLAN_FAIL : KMS_PLAN_COMPOSE;
}
