/* SPDX-License-Identifier: MIT */
/*
 * The Wayland presenter (wlout_: wl_ is libwayland's): an xdg-shell window
 * showing the guest, by one of three paths chosen per frame:
 *
 *   zero-copy  the guest's dmabuf itself is the wl_buffer (linux-dmabuf);
 *              the compositor scales it (wp_viewporter)
 *   egl        the dmabuf imported into EGL and drawn with GLES2 into the
 *              window (egl_import.c): any scaling and filter
 *   shm        the CPU copies the frame into wl_shm buffers: region planes
 *              (mdpy) and dmabufs nothing else can take
 *
 * The window is a black (or "waiting") background surface with the frame
 * and the cursor plane on subsurfaces above it.
 */
#ifndef VGPU_VIEWER_WL_SURFACE_H
#define VGPU_VIEWER_WL_SURFACE_H

#include <stdbool.h>

#include "presenter.h"

struct input;

/*
 * A window on the Wayland compositor of $WAYLAND_DISPLAY; NULL when it fails
 * (logged).  Keys, buttons and the pointer over the guest go to @input (kept).
 */
struct presenter *wlout_create(const struct presenter_options *opts, struct stats *stats,
			       struct input *input);

#endif
