/* SPDX-License-Identifier: MIT */
/*
 * The Wayland presenter's choice of path for a frame (wlout_path_), as a
 * pure function the unit tests call without a compositor:
 *
 *   zero-copy  the compositor takes the guest's dmabuf (format and
 *              modifier in its linux-dmabuf set) and no filter of ours
 *              was asked for where the compositor would scale
 *   egl        the dmabuf through EGL, drawn by us
 *   shm        copied by the CPU: region planes, and what nothing else takes
 *
 * A path that turns out not to work is marked failed and the choice made
 * again: the order is always zero-copy, egl, shm.
 */
#ifndef VGPU_VIEWER_WL_PATH_H
#define VGPU_VIEWER_WL_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmtset.h"
#include "geom.h"
#include "plane.h"
#include "presenter.h"

struct wlout_path_input {
	const struct plane *plane;
	enum presenter_path want;		/* --path */
	enum geom_filter filter;		/* --filter */
	const struct geom_layout *layout;	/* where the frame goes */
	const struct fmtset *dmabuf_formats;	/* NULL: no linux-dmabuf */
	bool buffer_failed;			/* the compositor refused this dmabuf */
	bool image_failed;			/* EGL could not import it */
	bool egl_failed;			/* EGL is not usable at all */
};

/* The path for the frame; @why says why (for the log). */
enum presenter_path wlout_path_choose(const struct wlout_path_input *in, char *why, size_t len);

#endif
