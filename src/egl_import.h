/* SPDX-License-Identifier: MIT */
/*
 * The EGL path: a guest dmabuf imported as an EGLImage
 * (EGL_EXT_image_dma_buf_import[_modifiers]), bound to a GLES2 texture
 * (GL_OES_EGL_image) and drawn, scaled and filtered, into a Wayland surface.
 * EGL is set up only when a frame needs it: the other paths never pay for it.
 */
#ifndef VGPU_VIEWER_EGL_IMPORT_H
#define VGPU_VIEWER_EGL_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "geometry.h"
#include "plane.h"

struct wl_display;
struct wl_surface;
struct egl_import;
struct egl_import_image;

/* EGL on @display; NULL (the reason logged) when it cannot import dmabufs. */
struct egl_import *egl_import_create(struct wl_display *display);
void egl_import_destroy(struct egl_import *e);

/*
 * Imports the dmabuf @fd laid out as @p.  Returns NULL (the reason in
 * *@ret_err, -errno) when EGL refuses it.  Images belong to the caller.
 */
struct egl_import_image *egl_import_image_create(struct egl_import *e, const struct plane *p,
						 int fd, int *ret_err);
void egl_import_image_destroy(struct egl_import_image *img);

/*
 * Draws @l.src of @img onto the whole of @surface, which is made
 * @l.dst.w x @l.dst.h pixels, and swaps (which commits @surface: request
 * its frame callback first).  Returns 0 or -errno.
 */
int egl_import_draw(struct egl_import *e, struct wl_surface *surface,
		    struct egl_import_image *img, const struct geom_layout *l, bool nearest);

#endif
