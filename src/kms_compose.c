// SPDX-License-Identifier: MIT
/* What the KMS presenter draws itself; see kms_compose.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <drm_fourcc.h>
#include <gbm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#define LOG_MODULE "kms"
#include "egl_import.h"
#include "kms_compose.h"
#include "log.h"
#include "placard.h"
#include "stats.h"

/* ---- Dumb buffers ---- */

static void dumb_destroy(int fd, struct kms_dumb *d)
{
	if (d->map)
		munmap(d->map, d->size);
	if (d->fb)
		drmModeRmFB(fd, d->fb);
	if (d->handle)
		drmModeDestroyDumbBuffer(fd, d->handle);
	*d = (struct kms_dumb){ 0 };
}

/* A @w x @h buffer in *@d: 0 when it was there already, 1 when made (blank), or -errno. */
static int dumb_create(int fd, struct kms_dumb *d, uint32_t w, uint32_t h, uint32_t fourcc)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t offset;
	int ret;

	if (d->handle && d->width == w && d->height == h)
		return 0;
	dumb_destroy(fd, d);
	ret = drmModeCreateDumbBuffer(fd, w, h, 32, 0, &d->handle, &d->stride, &d->size);
	if (ret)
		return ret;
	d->width = w;
	d->height = h;
	handles[0] = d->handle;
	pitches[0] = d->stride;
	ret = drmModeAddFB2(fd, w, h, fourcc, handles, pitches, offsets, &d->fb, 0);
	if (ret)
		goto err;
	ret = drmModeMapDumbBuffer(fd, d->handle, &offset);
	if (ret)
		goto err;
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)offset);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		ret = -errno;
		goto err;
	}
	return 1;
err:
	dumb_destroy(fd, d);
	return ret ? ret : -EIO;
}

int kms_compose_placard(struct kms_compose *c, uint32_t *ret_fb)
{
	struct kms_dumb *d = &c->placard;
	int ret = dumb_create(c->fd, d, c->width, c->height, DRM_FORMAT_XRGB8888);

	if (ret < 0) {
		LOG_ERR("cannot make a buffer for the placard: %s", strerror(-ret));
		return ret;
	}
	if (ret == 1)	/* drawn once a buffer */
		placard_draw(d->map, d->width, d->height, d->stride, "WAITING FOR GUEST DISPLAY");
	*ret_fb = d->fb;
	return 0;
}

uint32_t kms_compose_cursor(struct kms_compose *c, const struct plane *p, struct plane_buf *buf,
			    uint32_t w, uint32_t h)
{
	struct kms_dumb *d = &c->cursor;
	const uint8_t *px;

	if (plane_format_cpp(p->fourcc) != 4 ||
	    dumb_create(c->fd, d, w, h, DRM_FORMAT_ARGB8888) < 0 || !(px = plane_buf_map(buf)))
		return 0;
	w = p->width < d->width ? p->width : d->width;
	h = p->height < d->height ? p->height : d->height;
	memset(d->map, 0, d->size);
	plane_buf_sync_read(buf, true);
	plane_copy_rows(d->map, d->stride, px, p->stride, (size_t)w * 4, h);
	plane_buf_sync_read(buf, false);
	return d->fb;
}

uint32_t kms_compose_overlay(struct kms_compose *c, const char *text, uint32_t w, uint32_t h)
{
	struct kms_dumb *d = &c->overlay;
	int ret = dumb_create(c->fd, d, w, h, DRM_FORMAT_XRGB8888);

	if (ret < 0)
		return 0;
	if (ret == 1)
		c->overlay_text[0] = '\0';	/* a new, blank buffer */
	/* The text changes once a second at most: drawn only then. */
	if (strcmp(text, c->overlay_text)) {
		placard_text(d->map, d->width, d->height, d->stride, text);
		snprintf(c->overlay_text, sizeof(c->overlay_text), "%s", text);
	}
	return d->fb;
}

/* ---- GBM and EGL ---- */

/* What a GBM buffer carries: its framebuffer. */
struct bo_fb {
	int fd;
	uint32_t fb;
};

static void bo_fb_destroy(struct gbm_bo *bo, void *data)
{
	struct bo_fb *d = data;

	drmModeRmFB(d->fd, d->fb);
	free(d);
}

/* The framebuffer of a GBM buffer, made once and kept with it. */
static uint32_t bo_fb(struct kms_compose *c, struct gbm_bo *bo)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	struct bo_fb *d = gbm_bo_get_user_data(bo);
	uint32_t fb;

	if (d)
		return d->fb;
	handles[0] = gbm_bo_get_handle(bo).u32;
	pitches[0] = gbm_bo_get_stride(bo);
	if (drmModeAddFB2(c->fd, gbm_bo_get_width(bo), gbm_bo_get_height(bo),
			  gbm_bo_get_format(bo), handles, pitches, offsets, &fb, 0))
		return 0;
	d = malloc(sizeof(*d));
	if (!d) {
		drmModeRmFB(c->fd, fb);
		return 0;
	}
	d->fd = c->fd;
	d->fb = fb;
	gbm_bo_set_user_data(bo, d, bo_fb_destroy);
	return fb;
}

static int setup_egl(struct kms_compose *c)
{
	uint64_t t0 = stats_now_ns();

	if (c->egl)
		return 0;
	if (c->egl_failed)
		return -ENOTSUP;
	c->gbm = gbm_create_device(c->fd);
	if (c->gbm)
		c->gs = gbm_surface_create(c->gbm, c->width, c->height, EGL_IMPORT_GBM_FORMAT,
					   GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
	if (c->gs)
		c->egl = egl_import_create(EGL_IMPORT_GBM, c->gbm);
	if (!c->egl) {
		LOG_ERR("cannot compose on %s: %s", c->card,
			!c->gbm ? "no GBM device" : !c->gs ? "no GBM scanout surface" :
								"EGL failed (above)");
		c->egl_failed = true;
		return -ENOTSUP;
	}
	LOG_INFO("EGL on GBM set up in %.0f ms (%s)", (double)(stats_now_ns() - t0) / 1e6,
		 egl_import_is_software(c->egl) ? "software: frames are uploaded" : "hardware");
	return 0;
}

/* The texture for frame @f: the imported dmabuf, or an upload from its mapping. */
static struct egl_import_image *frame_texture(struct kms_compose *c,
					      const struct presenter_frame *f,
					      struct egl_import_image **img, bool *img_failed,
					      enum presenter_path want, bool *uploaded)
{
	const void *px;
	int ret;

	*uploaded = false;
	if (f->buf && want != PRESENTER_PATH_SHM &&
	    (want == PRESENTER_PATH_EGL || !egl_import_is_software(c->egl))) {
		if (!*img && !*img_failed) {
			*img = egl_import_image_create(c->egl, &f->buf->plane, f->buf->fd, &ret);
			*img_failed = !*img;
		}
		if (*img)
			return *img;
	}
	px = f->buf ? plane_buf_map(f->buf) : f->pixels;
	if (!px) {
		LOG_ERR("cannot map the guest frame: %s", strerror(errno));
		return NULL;
	}
	plane_buf_sync_read(f->buf, true);
	ret = egl_import_image_upload(c->egl, &c->upload, f->plane, px);
	plane_buf_sync_read(f->buf, false);
	if (ret) {
		LOG_ERR("cannot upload the guest frame: %s", strerror(-ret));
		return NULL;
	}
	stats_copy(c->stats, (uint64_t)f->plane->width * f->plane->height * 4);
	*uploaded = true;
	return c->upload;
}

uint32_t kms_compose_frame(struct kms_compose *c, const struct presenter_frame *f,
			   struct egl_import_image **img, bool *img_failed,
			   enum presenter_path want, const struct geom_layout *l, bool nearest,
			   const char **path)
{
	struct egl_import_image *tex;
	struct gbm_bo *bo;
	bool uploaded;
	uint32_t fb;

	if (setup_egl(c))
		return 0;
	tex = frame_texture(c, f, img, img_failed, want, &uploaded);
	if (!tex)
		return 0;
	*path = uploaded ? "shm" : "egl";
	if (egl_import_draw_gbm(c->egl, c->gs, c->width, c->height, tex, l, nearest))
		return 0;
	bo = gbm_surface_lock_front_buffer(c->gs);
	if (!bo) {
		LOG_ERR("%s", "no front buffer after the swap");
		return 0;
	}
	fb = bo_fb(c, bo);
	if (!fb) {
		gbm_surface_release_buffer(c->gs, bo);
		LOG_ERR("cannot make a framebuffer of the composed buffer: %s", strerror(errno));
		return 0;
	}
	kms_compose_drop(c);	/* composed before but never committed */
	c->bo_pending = bo;
	return fb;
}

void kms_compose_drop(struct kms_compose *c)
{
	if (c->bo_pending)
		gbm_surface_release_buffer(c->gs, c->bo_pending);
	c->bo_pending = NULL;
}

void kms_compose_flipped(struct kms_compose *c)
{
	if (c->bo_front)
		gbm_surface_release_buffer(c->gs, c->bo_front);
	c->bo_front = c->bo_pending;
	c->bo_pending = NULL;
}

void kms_compose_init(struct kms_compose *c, int fd, const char *card, uint32_t width,
		      uint32_t height, struct stats *stats)
{
	*c = (struct kms_compose){
		.fd = fd,
		.card = card,
		.width = width,
		.height = height,
		.stats = stats,
	};
}

void kms_compose_finish(struct kms_compose *c)
{
	egl_import_image_destroy(c->upload);
	egl_import_destroy(c->egl);
	if (c->gs) {
		if (c->bo_front)
			gbm_surface_release_buffer(c->gs, c->bo_front);
		kms_compose_drop(c);
		gbm_surface_destroy(c->gs);
	}
	if (c->gbm)
		gbm_device_destroy(c->gbm);
	if (c->fd >= 0) {
		dumb_destroy(c->fd, &c->placard);
		dumb_destroy(c->fd, &c->cursor);
		dumb_destroy(c->fd, &c->overlay);
	}
	*c = (struct kms_compose){ .fd = -1 };
}
