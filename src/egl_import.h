/* SPDX-License-Identifier: MIT */
/*
 * The EGL path: a guest dmabuf imported as an EGLImage
 * (EGL_EXT_image_dma_buf_import[_modifiers]), bound to a GLES2 texture
 * (GL_OES_EGL_image) and drawn, scaled and filtered, into a Wayland surface
 * or a GBM scanout surface (the KMS presenter).  Where an import cannot be
 * used, the texture is filled from the CPU's mapping instead.  EGL is set
 * up only when a frame needs it: the other paths never pay for it.
 */
#ifndef VGPU_VIEWER_EGL_IMPORT_H
#define VGPU_VIEWER_EGL_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "geom.h"
#include "plane.h"

struct gbm_surface;
struct wl_surface;
struct egl_import;
struct egl_import_image;

enum egl_import_platform {
	EGL_IMPORT_WAYLAND,	/* native display: a wl_display */
	EGL_IMPORT_GBM,		/* native display: a gbm_device */
};

/* The format of GBM surfaces drawn into (GBM_FORMAT_XRGB8888). */
#define EGL_IMPORT_GBM_FORMAT 0x34325258u

/* EGL on @native_display; NULL (the reason logged) when it cannot import dmabufs. */
struct egl_import *egl_import_create(enum egl_import_platform platform, void *native_display);
void egl_import_destroy(struct egl_import *e);

/*
 * Imports the dmabuf @fd laid out as @p.  Returns NULL (the reason in
 * *@ret_err, -errno) when EGL refuses it.  Images belong to the caller.
 */
struct egl_import_image *egl_import_image_create(struct egl_import *e, const struct plane *p,
						 int fd, int *ret_err);
void egl_import_image_destroy(struct egl_import_image *img);

/*
 * Fills *@imgp (made, or remade for a new size, when needed) from the CPU
 * mapping @pixels of a 32-bit RGB plane @p.  Returns 0, -ENOTSUP for
 * another format, or -errno.
 */
int egl_import_image_upload(struct egl_import *e, struct egl_import_image **imgp,
			    const struct plane *p, const void *pixels);

/*
 * Whether GL renders on the CPU (llvmpipe): its texture reads are CPU reads
 * anyway, and Mesa's kms_swrast cannot map imported dmabufs, so uploading
 * from the mapping is the path to take.
 */
bool egl_import_is_software(const struct egl_import *e);

/*
 * Draws @l.src of @img onto the whole of @surface, which is made
 * @l.dst.w x @l.dst.h pixels, and swaps (which commits @surface: request
 * its frame callback first).  Returns 0 or -errno.
 */
int egl_import_draw(struct egl_import *e, struct wl_surface *surface,
		    struct egl_import_image *img, const struct geom_layout *l, bool nearest);

/*
 * Draws @l.src of @img into @l.dst of the @w x @h GBM @surface, black
 * around it, and swaps: the new front buffer is the caller's to lock.
 */
int egl_import_draw_gbm(struct egl_import *e, struct gbm_surface *surface, uint32_t w,
			uint32_t h, struct egl_import_image *img, const struct geom_layout *l,
			bool nearest);

#endif
