/* SPDX-License-Identifier: MIT */
/*
 * What the KMS presenter draws itself (kms_compose_): the guest frame
 * composed with GLES2 into GBM scanout buffers when the plane cannot scan
 * the guest's buffer out (egl: the dmabuf as an EGLImage; shm: an upload
 * from the CPU's mapping), and the CPU-drawn dumb buffers: the "waiting"
 * placard, the cursor image and the statistics overlay.  Each hands back a
 * framebuffer for kms.c to put on a plane.
 */
#ifndef VGPU_VIEWER_KMS_COMPOSE_H
#define VGPU_VIEWER_KMS_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "geom.h"
#include "presenter.h"

struct egl_import;
struct egl_import_image;
struct gbm_bo;
struct gbm_device;
struct gbm_surface;
struct stats;

/* A CPU-drawn buffer. */
struct kms_dumb {
	uint32_t handle, fb, width, height, stride;
	uint64_t size;
	void *map;
};

struct kms_compose {
	int fd;				/* the card's, not ours */
	const char *card;
	uint32_t width, height;		/* the mode's */
	struct stats *stats;

	struct gbm_device *gbm;
	struct gbm_surface *gs;
	struct egl_import *egl;
	bool egl_failed;
	struct egl_import_image *upload;	/* shm: the frame's texture */
	struct gbm_bo *bo_pending;	/* composed, committed or not, not on screen yet */
	struct gbm_bo *bo_front;	/* on screen */

	struct kms_dumb placard, cursor, overlay;
	char overlay_text[128];		/* what @overlay shows */
};

/* Nothing is set up before it is needed: EGL only for the first composed frame. */
void kms_compose_init(struct kms_compose *c, int fd, const char *card, uint32_t width,
		      uint32_t height, struct stats *stats);
void kms_compose_finish(struct kms_compose *c);

/*
 * Draws frame @f letterboxed per @l into the next scanout buffer; returns
 * its framebuffer, or 0 (logged).  A dmabuf is imported into EGL unless
 * @want is shm, or EGL is software and @want is not egl (software GL reads
 * textures on the CPU anyway); *@img and *@img_failed cache that import for
 * the buffer.  *@path says "egl" or "shm".
 */
uint32_t kms_compose_frame(struct kms_compose *c, const struct presenter_frame *f,
			   struct egl_import_image **img, bool *img_failed,
			   enum presenter_path want, const struct geom_layout *l, bool nearest,
			   const char **path);
/* The commit of the composed buffer failed: it is free again. */
void kms_compose_drop(struct kms_compose *c);
/* A page flip completed: the composed buffer is on screen, the one before it free. */
void kms_compose_flipped(struct kms_compose *c);

/* The waiting placard, full screen, in *@ret_fb: 0 or -errno (logged). */
int kms_compose_placard(struct kms_compose *c, uint32_t *ret_fb);

/*
 * The cursor plane @p (its pixels in @buf) in a @w x @h ARGB buffer for the
 * cursor plane, unscaled and cut to that size: its framebuffer, or 0 when
 * it cannot be shown.
 */
uint32_t kms_compose_cursor(struct kms_compose *c, const struct plane *p, struct plane_buf *buf,
			    uint32_t w, uint32_t h);

/* @text in a @w x @h buffer for the overlay plane: its framebuffer, or 0. */
uint32_t kms_compose_overlay(struct kms_compose *c, const char *text, uint32_t w, uint32_t h);

#endif
