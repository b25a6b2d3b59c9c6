// SPDX-License-Identifier: MIT
/* The Wayland presenter's path choice; see wl_path.h. */
#include <stdio.h>

#include "wl_path.h"

enum presenter_path wlout_path_choose(const struct wlout_path_input *in, char *why, size_t len)
{
	const struct plane *p = in->plane;
	const struct geom_layout *l = in->layout;
	enum presenter_path want = in->want;
	uint32_t opaque = plane_format_opaque(p->fourcc);
	char fourcc[5];

	if (p->kind == PLANE_REGION) {
		snprintf(why, len, "the frame is in a device region, not a dmabuf");
		return PRESENTER_PATH_SHM;
	}
	if ((want == PRESENTER_PATH_AUTO || want == PRESENTER_PATH_ZERO_COPY) && !in->buffer_failed) {
		if (!in->dmabuf_formats)
			snprintf(why, len, "the compositor has no linux-dmabuf");
		else if (!fmtset_has(in->dmabuf_formats, opaque, p->modifier))
			snprintf(why, len, "the compositor does not take %s modifier 0x%llx",
				 plane_format_name(opaque, fourcc), (unsigned long long)p->modifier);
		else if (want == PRESENTER_PATH_AUTO && in->filter != GEOM_FILTER_AUTO &&
			 (l->src.w != l->dst.w || l->src.h != l->dst.h))
			snprintf(why, len, "the compositor would scale with its own filter");
		else {
			snprintf(why, len, "the compositor takes the guest's dmabuf");
			return PRESENTER_PATH_ZERO_COPY;
		}
	} else if (in->buffer_failed) {
		snprintf(why, len, "the compositor refused the guest's dmabuf");
	} else if (want != PRESENTER_PATH_AUTO) {
		snprintf(why, len, "--path %s", presenter_path_name(want));
	}
	if (want != PRESENTER_PATH_SHM && !in->egl_failed && !in->image_failed) {
		if (want == PRESENTER_PATH_EGL)
			snprintf(why, len, "--path egl");
		return PRESENTER_PATH_EGL;
	}
	if (in->egl_failed && want != PRESENTER_PATH_SHM)
		snprintf(why, len, "EGL is not usable here");
	else if (in->image_failed)
		snprintf(why, len, "EGL cannot import the guest's dmabuf");
	return PRESENTER_PATH_SHM;
}
