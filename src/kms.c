// SPDX-License-Identifier: MIT
/*
 * The KMS presenter (kmsout_): the guest on a bare DRM/KMS output, for
 * kiosks without a compositor.  Atomic modesetting: the first commit sets
 * the mode (ALLOW_MODESET), every later one is a non-blocking page flip
 * whose event is the frame callback.  Per frame:
 *
 *   zero-copy  the guest dmabuf is imported as a framebuffer and scanned
 *              out by the primary plane (SRC_* / CRTC_* place and, where
 *              the driver scales, scale it)
 *   egl        composed with GLES2 into a GBM scanout buffer: the dmabuf
 *              as an EGLImage (egl_import.c), letterboxed per --scale
 *   shm        composed the same way from the CPU's mapping of the frame
 *              (region planes; software GL, which reads textures on the
 *              CPU anyway and cannot map imported dmabufs under kms_swrast)
 *
 * The guest cursor goes on the cursor plane, the statistics overlay on an
 * overlay plane.  On exit the CRTC, connector and planes get back the state
 * they had before.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gbm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "config.h"

#define LOG_MODULE "kms"
#include "egl_import.h"
#include "frame_stamp.h"
#include "geometry.h"
#include "kms_seat.h"
#include "log.h"
#include "options.h"
#include "placard.h"
#include "presenter.h"
#include "stats.h"
#if HAVE_LIBINPUT
#include "kms_input.h"
#endif

/* The plane properties a commit sets. */
enum {
	P_FB_ID, P_CRTC_ID, P_SRC_X, P_SRC_Y, P_SRC_W, P_SRC_H,
	P_CRTC_X, P_CRTC_Y, P_CRTC_W, P_CRTC_H, P_N
};

static const char *const plane_prop_names[P_N] = {
	"FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
	"CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
};

struct kplane {
	uint32_t id;			/* 0: the CRTC has no such plane */
	uint32_t prop[P_N];
	uint64_t saved[P_N];		/* before we came */
	uint32_t *formats;
	uint32_t n_formats;
};

/* A CPU-drawn buffer: the placard, the cursor, the statistics overlay. */
struct dumb {
	uint32_t handle, fb, width, height, stride;
	uint64_t size;
	void *map;
};

/* What the KMS presenter hangs on a guest dmabuf (plane_buf.user). */
struct kbuf {
	struct kmsout *k;
	uint32_t fb;			/* 0: not imported (yet) */
	bool fb_failed;			/* the import failed: compose */
	bool refused;			/* the plane refused it at @refused_layout */
	struct geom_layout refused_layout;
	bool taken;			/* a commit put it on the plane at @taken_layout */
	struct geom_layout taken_layout;
	struct egl_import_image *img;
	bool img_failed;
};

struct kmsout {
	struct presenter base;
	struct stats *stats;
	struct presenter_options opts;
	struct kms_options kopts;

	struct seat *seat;
	int fd;
	char card[32];
	int epfd;
#if HAVE_LIBINPUT
	struct kin *input;
#endif

	uint32_t conn_id, crtc_id;
	char conn_name[32];
	uint32_t conn_crtc_prop, crtc_mode_prop, crtc_active_prop;
	struct kplane primary, cursor, overlay;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	uint64_t cursor_w, cursor_h;
	bool modifiers;			/* DRM_CAP_ADDFB2_MODIFIERS */

	/* The state before us, put back at exit. */
	drmModeModeInfo saved_mode;
	bool saved_mode_valid;
	uint64_t saved_conn_crtc, saved_active;

	bool modeset;			/* the mode is set (first commit done) */
	bool flip_pending;		/* a commit waits for its page-flip event */
	bool dirty;			/* something changed while it waited */
	bool owed;			/* viewer.c waits for frame_done() */
	bool quit;
	int error;

	/* The frame to show (copies: the viewer's structs change). */
	bool have_frame, have_cursor;
	struct plane frame, cursor_plane;
	struct presenter_frame last;
	uint32_t last_seq;
	bool last_seq_valid, stamp_warned;

	/* Composition (egl, shm). */
	struct gbm_device *gbm;
	struct gbm_surface *gs;
	struct egl_import *egl;
	bool egl_failed;
	struct egl_import_image *upload;
	struct gbm_bo *bo_pending, *bo_front;

	struct dumb placard, cursor_buf, overlay_buf;
	char overlay_text[128];		/* what overlay_buf shows */
	bool stats_shown;
	bool overlay_warned;

	/* The guest buffer the commit being built scans out, and whether unasked. */
	struct kbuf *zc_buf;
	bool zc_untested;

	/* What is on screen, for the log and the statistics. */
	const char *shown_path;
	char why[160];
	struct stats_frame sf;		/* the frame to commit next */
	bool sf_valid;
	struct stats_frame sf_flip;	/* the frame of the commit in flight */
	bool sf_flip_valid;
	uint64_t frames_in_second, second_start_ns;
	double fps;
	double last_latency_ms;
};

/* ---- Properties ---- */

/* Looks up @n property ids by name on @obj, and their current values. */
static int get_props(int fd, uint32_t obj, uint32_t type, const char *const *names, int n,
		     uint32_t *ids, uint64_t *values)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	int found = 0;

	if (!props)
		return -errno;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (!p)
			continue;
		for (int j = 0; j < n; j++) {
			if (strcmp(p->name, names[j]) == 0) {
				ids[j] = p->prop_id;
				if (values)
					values[j] = props->prop_values[i];
				found++;
			}
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return found == n ? 0 : -ENOENT;
}

static uint64_t get_prop(int fd, uint32_t obj, uint32_t type, const char *name)
{
	const char *names[] = { name };
	uint32_t id;
	uint64_t v = 0;

	get_props(fd, obj, type, names, 1, &id, &v);
	return v;
}

/* ---- Buffers ---- */

static void dumb_destroy(struct kmsout *k, struct dumb *d)
{
	if (d->map)
		munmap(d->map, d->size);
	if (d->fb)
		drmModeRmFB(k->fd, d->fb);
	if (d->handle)
		drmModeDestroyDumbBuffer(k->fd, d->handle);
	*d = (struct dumb){ 0 };
}

/* A @w x @h buffer in *@d: 0 when it was there already, 1 when made (blank), or -errno. */
static int dumb_create(struct kmsout *k, struct dumb *d, uint32_t w, uint32_t h, uint32_t fourcc)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t offset;
	int ret;

	if (d->handle && d->width == w && d->height == h)
		return 0;
	dumb_destroy(k, d);
	ret = drmModeCreateDumbBuffer(k->fd, w, h, 32, 0, &d->handle, &d->stride, &d->size);
	if (ret)
		return ret;
	d->width = w;
	d->height = h;
	handles[0] = d->handle;
	pitches[0] = d->stride;
	ret = drmModeAddFB2(k->fd, w, h, fourcc, handles, pitches, offsets, &d->fb, 0);
	if (ret)
		goto err;
	ret = drmModeMapDumbBuffer(k->fd, d->handle, &offset);
	if (ret)
		goto err;
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, (off_t)offset);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		ret = -errno;
		goto err;
	}
	return 1;
err:
	dumb_destroy(k, d);
	return ret ? ret : -EIO;
}

/*
 * A framebuffer goes without taking the plane down with it: CLOSEFB (Linux
 * 6.8) leaves a plane that still scans it out alone until the next flip,
 * where RMFB would disable the plane.
 */
static void close_fb(struct kmsout *k, uint32_t fb)
{
	if (fb && drmModeCloseFB(k->fd, fb) < 0)
		drmModeRmFB(k->fd, fb);
}

static void kbuf_destroy(void *user)
{
	struct kbuf *b = user;

	close_fb(b->k, b->fb);
	egl_import_image_destroy(b->img);
	free(b);
}

static struct kbuf *kbuf_of(struct kmsout *k, struct plane_buf *buf)
{
	struct kbuf *b = buf->user;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->k = k;
		buf->user = b;
		buf->user_destroy = kbuf_destroy;
	}
	return b;
}

static bool plane_has_format(const struct kplane *p, uint32_t fourcc)
{
	for (uint32_t i = 0; i < p->n_formats; i++)
		if (p->formats[i] == fourcc)
			return true;
	return false;
}

/* The guest dmabuf as a framebuffer (the opaque twin of its format). */
static int import_fb(struct kmsout *k, struct plane_buf *buf, struct kbuf *b)
{
	const struct plane *p = &buf->plane;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t mods[4] = { 0 };
	uint32_t fourcc = plane_format_opaque(p->fourcc), handle;
	char name[5];
	int ret;

	if (!plane_has_format(&k->primary, fourcc)) {
		snprintf(k->why, sizeof(k->why), "the primary plane cannot scan out %s",
			 plane_format_name(fourcc, name));
		return -ENOTSUP;
	}
	if (p->modifier != DRM_FORMAT_MOD_LINEAR && !k->modifiers) {
		snprintf(k->why, sizeof(k->why), "the driver takes no modifiers (the plane's is 0x%" PRIx64 ")",
			 p->modifier);
		return -ENOTSUP;
	}
	ret = drmPrimeFDToHandle(k->fd, buf->fd, &handle);
	if (ret) {
		snprintf(k->why, sizeof(k->why), "the card cannot import the dmabuf: %s",
			 strerror(errno));
		return -ENOTSUP;
	}
	handles[0] = handle;
	pitches[0] = p->stride;
	mods[0] = p->modifier;
	ret = drmModeAddFB2WithModifiers(k->fd, p->width, p->height, fourcc, handles, pitches,
					 offsets, k->modifiers ? mods : NULL, &b->fb,
					 k->modifiers ? DRM_MODE_FB_MODIFIERS : 0);
	if (ret)
		snprintf(k->why, sizeof(k->why), "the card refuses the dmabuf as a framebuffer: %s",
			 strerror(errno));
	/* The framebuffer holds the buffer: the handle can go. */
	drmCloseBufferHandle(k->fd, handle);
	return ret ? -ENOTSUP : 0;
}

/* ---- Composition ---- */

/* What a GBM buffer carries: its framebuffer. */
struct bo_fb {
	struct kmsout *k;
	uint32_t fb;
};

static void bo_fb_destroy(struct gbm_bo *bo, void *data)
{
	struct bo_fb *d = data;

	drmModeRmFB(d->k->fd, d->fb);
	free(d);
}

/* The framebuffer of a GBM buffer, made once and kept with it. */
static uint32_t bo_fb(struct kmsout *k, struct gbm_bo *bo)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	struct bo_fb *d = gbm_bo_get_user_data(bo);
	uint32_t fb;

	if (d)
		return d->fb;
	handles[0] = gbm_bo_get_handle(bo).u32;
	pitches[0] = gbm_bo_get_stride(bo);
	if (drmModeAddFB2(k->fd, gbm_bo_get_width(bo), gbm_bo_get_height(bo),
			  gbm_bo_get_format(bo), handles, pitches, offsets, &fb, 0))
		return 0;
	d = malloc(sizeof(*d));
	if (!d) {
		drmModeRmFB(k->fd, fb);
		return 0;
	}
	d->k = k;
	d->fb = fb;
	gbm_bo_set_user_data(bo, d, bo_fb_destroy);
	return fb;
}

static int setup_egl(struct kmsout *k)
{
	uint64_t t0 = stats_now_ns();

	if (k->egl)
		return 0;
	if (k->egl_failed)
		return -ENOTSUP;
	k->gbm = gbm_create_device(k->fd);
	if (k->gbm)
		k->gs = gbm_surface_create(k->gbm, k->mode.hdisplay, k->mode.vdisplay,
					   EGL_IMPORT_GBM_FORMAT,
					   GBM_BO_USE_SCANOUT | GBM_BO_USE_RENDERING);
	if (k->gs)
		k->egl = egl_import_create(EGL_IMPORT_GBM, k->gbm);
	if (!k->egl) {
		LOG_ERR("cannot compose on %s: %s", k->card,
			!k->gbm ? "no GBM device" : !k->gs ? "no GBM scanout surface" :
								"EGL failed (above)");
		k->egl_failed = true;
		return -ENOTSUP;
	}
	LOG_INFO("EGL on GBM set up in %.0f ms (%s)", (double)(stats_now_ns() - t0) / 1e6,
		 egl_import_is_software(k->egl) ? "software: frames are uploaded" : "hardware");
	return 0;
}

/* The texture for frame @f: the imported dmabuf, or an upload from its mapping. */
static struct egl_import_image *frame_texture(struct kmsout *k, const struct presenter_frame *f,
					      bool *uploaded)
{
	const void *px;
	int ret;

	*uploaded = false;
	if (f->buf && k->opts.path != PRESENTER_PATH_SHM &&
	    (k->opts.path == PRESENTER_PATH_EGL || !egl_import_is_software(k->egl))) {
		struct kbuf *b = kbuf_of(k, f->buf);

		if (b && !b->img && !b->img_failed) {
			b->img = egl_import_image_create(k->egl, &f->buf->plane, f->buf->fd, &ret);
			b->img_failed = !b->img;
		}
		if (b && b->img)
			return b->img;
	}
	px = f->buf ? plane_buf_map(f->buf) : f->pixels;
	if (!px) {
		LOG_ERR("cannot map the guest frame: %s", strerror(errno));
		return NULL;
	}
	plane_buf_sync_read(f->buf, true);
	ret = egl_import_image_upload(k->egl, &k->upload, f->plane, px);
	plane_buf_sync_read(f->buf, false);
	if (ret) {
		LOG_ERR("cannot upload the guest frame: %s", strerror(-ret));
		return NULL;
	}
	stats_copy(k->stats, (uint64_t)f->plane->width * f->plane->height * 4);
	*uploaded = true;
	return k->upload;
}

/* Draws @f letterboxed into the next GBM buffer; its framebuffer, or 0. */
static uint32_t compose(struct kmsout *k, const struct presenter_frame *f,
			const struct geom_layout *l, const char **path)
{
	struct egl_import_image *img;
	struct gbm_bo *bo;
	bool uploaded;
	uint32_t fb;

	if (setup_egl(k))
		return 0;
	img = frame_texture(k, f, &uploaded);
	if (!img)
		return 0;
	*path = uploaded ? "shm" : "egl";
	if (egl_import_draw_gbm(k->egl, k->gs, k->mode.hdisplay, k->mode.vdisplay, img, l,
				geom_nearest(k->opts.filter, l)))
		return 0;
	bo = gbm_surface_lock_front_buffer(k->gs);
	if (!bo) {
		LOG_ERR("%s", "no front buffer after the swap");
		return 0;
	}
	fb = bo_fb(k, bo);
	if (!fb) {
		gbm_surface_release_buffer(k->gs, bo);
		LOG_ERR("cannot make a framebuffer of the composed buffer: %s", strerror(errno));
		return 0;
	}
	if (k->bo_pending)	/* composed but never committed */
		gbm_surface_release_buffer(k->gs, k->bo_pending);
	k->bo_pending = bo;
	return fb;
}

/* ---- Commits ---- */

static void add_plane(drmModeAtomicReq *req, const struct kplane *p, uint32_t crtc, uint32_t fb,
		      const struct geom_rect *src, const struct geom_rect *dst)
{
	drmModeAtomicAddProperty(req, p->id, p->prop[P_FB_ID], fb);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_CRTC_ID], fb ? crtc : 0);
	if (!fb)
		return;
	drmModeAtomicAddProperty(req, p->id, p->prop[P_SRC_X], (uint64_t)src->x << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_SRC_Y], (uint64_t)src->y << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_SRC_W], (uint64_t)src->w << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_SRC_H], (uint64_t)src->h << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_CRTC_X], (uint64_t)(int64_t)dst->x);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_CRTC_Y], (uint64_t)(int64_t)dst->y);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_CRTC_W], (uint64_t)dst->w);
	drmModeAtomicAddProperty(req, p->id, p->prop[P_CRTC_H], (uint64_t)dst->h);
}

/* The CRTC, connector and mode, for the first commit. */
static void add_modeset(struct kmsout *k, drmModeAtomicReq *req)
{
	drmModeAtomicAddProperty(req, k->conn_id, k->conn_crtc_prop, k->crtc_id);
	drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_mode_prop, k->mode_blob);
	drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_active_prop, 1);
}

static void add_cursor(struct kmsout *k, drmModeAtomicReq *req, const struct geom_layout *l)
{
	const struct plane *c = &k->cursor_plane;
	struct geom_rect r, src = { 0, 0, 0, 0 };
	const uint8_t *px = NULL;
	uint32_t w, h;

	if (!k->cursor.id)
		return;
	if (!k->have_cursor || !l || !k->last.cursor_buf || plane_format_cpp(c->fourcc) != 4 ||
	    !geom_cursor(l, (int32_t)c->x, (int32_t)c->y, c->width, c->height, &r) ||
	    dumb_create(k, &k->cursor_buf, (uint32_t)k->cursor_w, (uint32_t)k->cursor_h,
			DRM_FORMAT_ARGB8888) < 0 ||
	    !(px = plane_buf_map(k->last.cursor_buf))) {
		add_plane(req, &k->cursor, k->crtc_id, 0, NULL, NULL);
		return;
	}
	/* The cursor image, unscaled and cut to the plane's size. */
	w = c->width < k->cursor_buf.width ? c->width : k->cursor_buf.width;
	h = c->height < k->cursor_buf.height ? c->height : k->cursor_buf.height;
	memset(k->cursor_buf.map, 0, k->cursor_buf.size);
	plane_buf_sync_read(k->last.cursor_buf, true);
	plane_copy_rows(k->cursor_buf.map, k->cursor_buf.stride, px, c->stride, (size_t)w * 4, h);
	plane_buf_sync_read(k->last.cursor_buf, false);
	src.w = (int32_t)k->cursor_buf.width;
	src.h = (int32_t)k->cursor_buf.height;
	r.w = src.w;
	r.h = src.h;
	add_plane(req, &k->cursor, k->crtc_id, k->cursor_buf.fb, &src, &r);
}

static void draw_overlay(struct kmsout *k)
{
	char text[128], name[5];

	if (k->have_frame)
		snprintf(text, sizeof(text), "%ux%u %s %.1f FPS %s %.1f MS", k->frame.width,
			 k->frame.height, plane_format_name(k->frame.fourcc, name), k->fps,
			 k->shown_path ? k->shown_path : "-", k->last_latency_ms);
	else
		snprintf(text, sizeof(text), "NO GUEST FRAME");
	for (char *c = text; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	/* Once a second at most, the text changes: redraw only then. */
	if (!strcmp(text, k->overlay_text))
		return;
	placard_text(k->overlay_buf.map, k->overlay_buf.width, k->overlay_buf.height,
		     k->overlay_buf.stride, text);
	snprintf(k->overlay_text, sizeof(k->overlay_text), "%s", text);
}

static void add_overlay(struct kmsout *k, drmModeAtomicReq *req)
{
	uint32_t w = k->mode.hdisplay < 720 ? k->mode.hdisplay : 720;
	uint32_t h = k->mode.vdisplay < 36 ? k->mode.vdisplay : 36;
	struct geom_rect r = { 0, 0, (int32_t)w, (int32_t)h };
	int ret;

	if (!k->overlay.id)
		return;
	ret = k->stats_shown ? dumb_create(k, &k->overlay_buf, w, h, DRM_FORMAT_XRGB8888) : -1;
	if (ret < 0) {
		add_plane(req, &k->overlay, k->crtc_id, 0, NULL, NULL);
		return;
	}
	if (ret == 1)
		k->overlay_text[0] = '\0';	/* a new, blank buffer */
	draw_overlay(k);
	add_plane(req, &k->overlay, k->crtc_id, k->overlay_buf.fb, &r, &r);
}

static void set_path(struct kmsout *k, const char *path)
{
	if (k->shown_path != path) {
		LOG_INFO("path %s%s%s", path, k->why[0] ? ": " : "", k->why);
		k->shown_path = path;
	}
}

/* The primary plane for the current frame: zero-copy when it can, composed otherwise. */
static int add_primary(struct kmsout *k, drmModeAtomicReq *req, uint32_t flags,
		       struct geom_layout *l)
{
	const struct presenter_frame *f = &k->last;
	struct geom_rect whole = { 0, 0, k->mode.hdisplay, k->mode.vdisplay };
	const char *path = NULL;
	struct kbuf *b = NULL;
	uint32_t fb;
	int cursor = drmModeAtomicGetCursor(req);

	if (!k->have_frame) {
		int ret = dumb_create(k, &k->placard, k->mode.hdisplay, k->mode.vdisplay,
				      DRM_FORMAT_XRGB8888);

		if (ret < 0) {
			LOG_ERR("cannot make a buffer for the placard: %s", strerror(-ret));
			return ret;
		}
		if (ret == 1)	/* drawn once a buffer */
			placard_draw(k->placard.map, k->placard.width, k->placard.height,
				     k->placard.stride, "WAITING FOR GUEST DISPLAY");
		add_plane(req, &k->primary, k->crtc_id, k->placard.fb, &whole, &whole);
		k->why[0] = '\0';
		set_path(k, "placard");
		return 0;
	}
	geom_layout(k->opts.scale, f->plane->width, f->plane->height, k->mode.hdisplay,
		    k->mode.vdisplay, l);

	k->why[0] = '\0';
	if (!f->buf)
		snprintf(k->why, sizeof(k->why), "a region plane (no dmabuf)");
	else if (k->opts.path == PRESENTER_PATH_EGL || k->opts.path == PRESENTER_PATH_SHM)
		snprintf(k->why, sizeof(k->why), "--path %s", presenter_path_name(k->opts.path));
	else if ((b = kbuf_of(k, f->buf)) && !b->fb && !b->fb_failed)
		b->fb_failed = import_fb(k, f->buf, b) != 0;

	if (b && b->fb && b->taken && k->modeset && !memcmp(&b->taken_layout, l, sizeof(*l))) {
		/* The plane took this buffer at this layout before: no need to ask. */
		add_plane(req, &k->primary, k->crtc_id, b->fb, &l->src, &l->dst);
		k->zc_buf = b;
		k->zc_untested = true;
		set_path(k, "zero-copy");
		return 0;
	}
	if (b && b->fb && !(b->refused && !memcmp(&b->refused_layout, l, sizeof(*l)))) {
		/* The dmabuf on the plane, letterboxed by the plane itself: ask first. */
		add_plane(req, &k->primary, k->crtc_id, b->fb, &l->src, &l->dst);
		/* TEST_ONLY takes no event (and NONBLOCK means nothing to it). */
		if (drmModeAtomicCommit(k->fd, req, (flags & DRM_MODE_ATOMIC_ALLOW_MODESET) |
					DRM_MODE_ATOMIC_TEST_ONLY, NULL) == 0) {
			k->zc_buf = b;
			set_path(k, "zero-copy");
			return 0;
		}
		b->refused = true;
		b->refused_layout = *l;
		snprintf(k->why, sizeof(k->why),
			 "the plane cannot show %ux%u at %dx%d+%d+%d (%s): composing",
			 f->plane->width, f->plane->height, l->dst.w, l->dst.h, l->dst.x,
			 l->dst.y, strerror(errno));
		drmModeAtomicSetCursor(req, cursor);
	} else if (b && b->refused) {
		snprintf(k->why, sizeof(k->why), "the plane cannot show this layout: composing");
	}
	if (k->opts.path == PRESENTER_PATH_ZERO_COPY) {
		LOG_ERR("--path zero-copy: %s", k->why[0] ? k->why : "not possible");
		return -ENOTSUP;
	}
	fb = compose(k, f, l, &path);
	if (!fb)
		return -EIO;
	add_plane(req, &k->primary, k->crtc_id, fb, &whole, &whole);
	set_path(k, path);
	return 0;
}

/* Commits what there is to show; the page-flip event ends it. */
static int commit(struct kmsout *k)
{
	uint32_t flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
	struct geom_layout l;
	drmModeAtomicReq *req;
	int ret;

	req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	if (!k->modeset) {
		add_modeset(k, req);
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	}
	k->zc_buf = NULL;
	k->zc_untested = false;
	add_overlay(k, req);
	ret = add_primary(k, req, flags, &l);
	if (ret)
		goto out;
	add_cursor(k, req, k->have_frame ? &l : NULL);
	ret = drmModeAtomicCommit(k->fd, req, flags, k);
	if (ret && k->zc_untested) {
		/* Taken before, refused now (the overlay or cursor changed): ask. */
		k->zc_buf->taken = false;
		drmModeAtomicFree(req);
		return commit(k);
	}
	if (ret) {
		ret = -errno;
		LOG_ERR("atomic commit on %s failed: %s", k->conn_name, strerror(errno));
		if (k->bo_pending) {
			gbm_surface_release_buffer(k->gs, k->bo_pending);
			k->bo_pending = NULL;
		}
		goto out;
	}
	if (!k->modeset)
		LOG_INFO("%s: %ux%u@%u on CRTC %u", k->conn_name, k->mode.hdisplay,
			 k->mode.vdisplay, k->mode.vrefresh, k->crtc_id);
	k->modeset = true;
	if (k->zc_buf) {
		k->zc_buf->taken = true;
		k->zc_buf->taken_layout = l;
	}
	k->flip_pending = true;
	k->dirty = false;
	/* The flip event of this commit says when the frame reached the screen. */
	k->sf_flip_valid = k->sf_valid;
	if (k->sf_valid) {
		k->sf_flip = k->sf;
		k->sf_flip.present_ns = stats_now_ns();
		k->sf_flip.path = k->shown_path;
		k->sf_valid = false;
	}
out:
	drmModeAtomicFree(req);
	return ret;
}

static void record_second(struct kmsout *k, uint64_t t)
{
	k->frames_in_second++;
	if (t - k->second_start_ns >= 1000000000ull) {
		k->fps = (double)k->frames_in_second * 1e9 / (double)(t - k->second_start_ns);
		k->frames_in_second = 0;
		k->second_start_ns = t;
	}
}

static void handle_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
			unsigned int crtc_id, void *data)
{
	struct kmsout *k = data;
	uint64_t t = (uint64_t)sec * 1000000000ull + (uint64_t)usec * 1000ull;

	k->flip_pending = false;
	/* The buffer shown before this flip is free again. */
	if (k->bo_front)
		gbm_surface_release_buffer(k->gs, k->bo_front);
	k->bo_front = k->bo_pending;
	k->bo_pending = NULL;

	if (k->sf_flip_valid) {
		struct stats_frame *sf = &k->sf_flip;

		sf->presented_ns = t;	/* DRM's clock is CLOCK_MONOTONIC */
		sf->zero_copy = sf->path && strcmp(sf->path, "zero-copy") == 0;
		if (sf->stamped && sf->flip_ns && t > sf->flip_ns)
			k->last_latency_ms = (double)(t - sf->flip_ns) / 1e6;
		stats_frame(k->stats, sf);
		record_second(k, t);
		k->sf_flip_valid = false;
	}
	if (!seat_active(k->seat))
		return;
	if (k->dirty) {
		int ret = commit(k);

		if (ret && !k->error)
			k->error = ret;
		if (!ret)
			return;	/* frame_done() with that one's flip */
	}
	if (k->owed) {
		k->owed = false;
		if (k->base.frame_done)
			k->base.frame_done(k->base.data);
	}
}

/* ---- Presenter ops ---- */

static int kmsout_present(struct presenter *base, const struct presenter_frame *f)
{
	struct kmsout *k = (struct kmsout *)base;
	struct frame_stamp st;
	bool stamped = false;

	if (k->error)
		return k->error;
	if (f->plane && stats_enabled(k->stats))
		stamped = presenter_read_stamp(f, &st, &k->stamp_warned);
	/* The frame on screen again (a poll, a spurious wake-up); not after the placard. */
	if (f->plane && stamped && k->have_frame && k->last_seq_valid && st.seq == k->last_seq &&
	    plane_same_buffer(&k->frame, f->plane)) {
		stats_repeat(k->stats);
		return 1;
	}

	k->last = *f;
	k->have_frame = f->plane != NULL;
	k->have_cursor = f->cursor != NULL;
	if (f->plane) {
		k->frame = *f->plane;
		k->last.plane = &k->frame;
	}
	if (f->cursor) {
		k->cursor_plane = *f->cursor;
		k->last.cursor = &k->cursor_plane;
	}
	k->last_seq_valid = stamped;
	if (k->sf_valid) {
		/* Queued behind a flip and never committed: a newer frame won. */
		k->sf.discarded = true;
		stats_frame(k->stats, &k->sf);
	}
	k->sf_valid = f->plane != NULL;
	if (f->plane) {
		presenter_stats_init(f, &st, stamped, &k->sf);
		if (stamped)
			k->last_seq = st.seq;
	}

	/* Paused (another session has the VT), or a flip in flight: later. */
	k->owed = true;
	if (!seat_active(k->seat) || k->flip_pending) {
		k->dirty = true;
		return 0;
	}
	k->error = commit(k);
	if (k->error) {
		k->owed = false;
		return k->error;
	}
	return 0;
}

static int kmsout_get_fd(struct presenter *base)
{
	return ((struct kmsout *)base)->epfd;
}

static int kmsout_prepare(struct presenter *base)
{
	struct kmsout *k = (struct kmsout *)base;

	return k->error ? k->error : EPOLLIN;
}

static void redraw(struct kmsout *k)
{
	if (!seat_active(k->seat) || !k->modeset)
		return;
	if (k->flip_pending) {
		k->dirty = true;
		return;
	}
	k->error = commit(k);
}

#if HAVE_LIBINPUT
static void handle_action(void *data, enum hotkey_action a)
{
	struct kmsout *k = data;

	switch (a) {
	case HOTKEY_QUIT:
		k->quit = true;
		break;
	case HOTKEY_CYCLE_SCALE:
		k->opts.scale = geom_scale_next(k->opts.scale);
		LOG_INFO("scale: %s", geom_scale_name(k->opts.scale));
		redraw(k);
		break;
	case HOTKEY_TOGGLE_STATS:
		k->stats_shown = !k->stats_shown;
		if (!k->overlay.id && !k->overlay_warned) {
			LOG_WARN("%s has no overlay plane for the statistics", k->card);
			k->overlay_warned = true;
		}
		LOG_INFO("statistics overlay %s", k->stats_shown ? "on" : "off");
		redraw(k);
		break;
	default:
		break;
	}
}

static const struct kin_listener kin_listener = { .action = handle_action };
#endif

static int kmsout_dispatch(struct presenter *base, uint32_t events)
{
	struct kmsout *k = (struct kmsout *)base;
	drmEventContext ev = { .version = 3, .page_flip_handler2 = handle_flip };
	struct epoll_event e[4];
	int n;

	if (!events)
		return k->quit ? PRESENTER_CLOSED : k->error;
	n = epoll_wait(k->epfd, e, 4, 0);
	for (int i = 0; i < n; i++) {
		int ret = 0;

		if (e[i].data.u32 == 0)
			ret = drmHandleEvent(k->fd, &ev) ? -errno : 0;
		else if (e[i].data.u32 == 1)
			ret = seat_dispatch(k->seat);
#if HAVE_LIBINPUT
		else if (e[i].data.u32 == 2)
			ret = kin_dispatch(k->input);
#endif
		if (ret < 0 && ret != -EAGAIN && !k->error)
			k->error = ret;
	}
	if (k->error)
		return k->error;
	return k->quit ? PRESENTER_CLOSED : 0;
}

static void kmsout_set_options(struct presenter *base, const struct presenter_options *opts)
{
	struct kmsout *k = (struct kmsout *)base;

	if (k->opts.scale == opts->scale && k->opts.filter == opts->filter)
		return;
	k->opts.scale = opts->scale;
	k->opts.filter = opts->filter;
	redraw(k);
}

/* Puts back the CRTC, connector and planes as they were; blocking. */
static void restore(struct kmsout *k)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	const struct kplane *planes[] = { &k->primary, &k->cursor, &k->overlay };
	uint32_t blob = 0;
	int ret;

	if (!req)
		return;
	for (int attempt = 0; attempt < 2; attempt++) {
		drmModeAtomicSetCursor(req, 0);
		if (k->saved_active && k->saved_mode_valid &&
		    drmModeCreatePropertyBlob(k->fd, &k->saved_mode, sizeof(k->saved_mode),
					      &blob) == 0) {
			drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_mode_prop, blob);
			drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_active_prop, 1);
		} else {
			drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_mode_prop, 0);
			drmModeAtomicAddProperty(req, k->crtc_id, k->crtc_active_prop, 0);
		}
		drmModeAtomicAddProperty(req, k->conn_id, k->conn_crtc_prop, k->saved_conn_crtc);
		for (size_t i = 0; i < 3; i++) {
			if (!planes[i]->id)
				continue;
			for (int p = 0; p < P_N; p++) {
				uint64_t v = planes[i]->saved[p];

				/* Second attempt: the old framebuffers are gone, planes off. */
				if (attempt && (p == P_FB_ID || p == P_CRTC_ID))
					v = 0;
				drmModeAtomicAddProperty(req, planes[i]->id, planes[i]->prop[p], v);
			}
		}
		ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
		if (blob)
			drmModeDestroyPropertyBlob(k->fd, blob);
		blob = 0;
		if (ret == 0) {
			LOG_INFO("%s: the previous state is back%s", k->conn_name,
				 attempt ? " (without its planes: their framebuffers are gone)" : "");
			break;
		}
		if (attempt)
			LOG_WARN("cannot restore the state before us on %s: %s", k->conn_name,
				 strerror(errno));
	}
	drmModeAtomicFree(req);
}

static void kmsout_destroy(struct presenter *base)
{
	struct kmsout *k = (struct kmsout *)base;

	if (k->fd >= 0 && k->modeset && seat_active(k->seat)) {
		/* A flip in flight finishes before the state goes back. */
		if (k->flip_pending) {
			drmEventContext ev = { .version = 3, .page_flip_handler2 = handle_flip };
			struct timespec ts = { 0, 100000000 };

			k->dirty = false;
			k->owed = false;
			for (int i = 0; i < 10 && k->flip_pending; i++) {
				nanosleep(&ts, NULL);
				drmHandleEvent(k->fd, &ev);
			}
		}
		restore(k);
	}
#if HAVE_LIBINPUT
	kin_destroy(k->input);
#endif
	egl_import_image_destroy(k->upload);
	egl_import_destroy(k->egl);
	if (k->gs) {
		if (k->bo_front)
			gbm_surface_release_buffer(k->gs, k->bo_front);
		if (k->bo_pending)
			gbm_surface_release_buffer(k->gs, k->bo_pending);
		gbm_surface_destroy(k->gs);
	}
	if (k->gbm)
		gbm_device_destroy(k->gbm);
	if (k->fd >= 0) {
		dumb_destroy(k, &k->placard);
		dumb_destroy(k, &k->cursor_buf);
		dumb_destroy(k, &k->overlay_buf);
		if (k->mode_blob)
			drmModeDestroyPropertyBlob(k->fd, k->mode_blob);
		seat_close(k->seat, k->fd);
	}
	free(k->primary.formats);
	free(k->cursor.formats);
	free(k->overlay.formats);
	seat_destroy(k->seat);
	if (k->epfd >= 0)
		close(k->epfd);
	free(k);
}

static const struct presenter_ops kmsout_ops = {
	.name = "kms",
	.present = kmsout_present,
	.destroy = kmsout_destroy,
	.get_fd = kmsout_get_fd,
	.prepare = kmsout_prepare,
	.dispatch = kmsout_dispatch,
	.set_options = kmsout_set_options,
};

/* ---- Seat pause and resume ---- */

static void seat_disable(void *data)
{
	struct kmsout *k = data;

#if HAVE_LIBINPUT
	if (k->input)
		kin_suspend(k->input);
#endif
	(void)k;
}

static void seat_enable(void *data)
{
	struct kmsout *k = data;

#if HAVE_LIBINPUT
	if (k->input)
		kin_resume(k->input);
#endif
	/* Another session may have changed anything: set the mode again. */
	k->modeset = false;
	k->flip_pending = false;
	k->dirty = false;
	k->error = commit(k);
}

static const struct seat_listener seat_listener = {
	.disable = seat_disable,
	.enable = seat_enable,
};

/* ---- Set-up ---- */

static void connector_name(int fd, drmModeConnector *c, char *buf, size_t len)
{
	const char *type = drmModeGetConnectorTypeName(c->connector_type);

	snprintf(buf, len, "%s-%u", type ? type : "Unknown", c->connector_type_id);
}

/*
 * The connector to use on @fd: --output, or the first connected one.
 * Returns it, or NULL with the reason in @why (NULL: not even a KMS card).
 */
static drmModeConnector *find_connector(int fd, const drmModeRes *res, const char *want,
					char *why, size_t len)
{
	char name[32], connected[128] = "";
	size_t n = 0;

	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);

		if (!c)
			continue;
		connector_name(fd, c, name, sizeof(name));
		if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			if (!want || strcmp(want, name) == 0)
				return c;
			n += (size_t)snprintf(connected + n, n < sizeof(connected) ?
					      sizeof(connected) - n : 0, "%s%s", n ? ", " : "", name);
		} else if (want && strcmp(want, name) == 0) {
			snprintf(why, len, "output %s is not connected", name);
			drmModeFreeConnector(c);
			return NULL;
		}
		drmModeFreeConnector(c);
	}
	if (want)
		snprintf(why, len, "no output named %s (connected: %s)", want,
			 n ? connected : "none");
	else
		snprintf(why, len, "no connected output");
	return NULL;
}

static int pick_mode(struct kmsout *k, drmModeConnector *c)
{
	const struct kms_options *o = &k->kopts;
	char have[160] = "";
	size_t n = 0;
	int best = -1;

	for (int i = 0; i < c->count_modes; i++) {
		const drmModeModeInfo *m = &c->modes[i];
		bool preferred = m->type & DRM_MODE_TYPE_PREFERRED;

		if (o->mode_w) {
			if (m->hdisplay != o->mode_w || m->vdisplay != o->mode_h ||
			    (o->mode_hz && m->vrefresh != o->mode_hz))
				continue;
		}
		if (best < 0 || (preferred && !(c->modes[best].type & DRM_MODE_TYPE_PREFERRED)))
			best = i;
	}
	if (best < 0) {
		for (int i = 0; i < c->count_modes && i < 8; i++)
			n += (size_t)snprintf(have + n, n < sizeof(have) ? sizeof(have) - n : 0,
					      "%s%ux%u@%u", i ? ", " : "", c->modes[i].hdisplay,
					      c->modes[i].vdisplay, c->modes[i].vrefresh);
		LOG_ERR("%s has no mode %ux%u%s%.0u (it has %s%s)", k->conn_name, o->mode_w,
			o->mode_h, o->mode_hz ? "@" : "", o->mode_hz, have,
			c->count_modes > 8 ? ", ..." : "");
		return -ENOENT;
	}
	k->mode = c->modes[best];
	return 0;
}

static int pick_crtc(struct kmsout *k, const drmModeRes *res, drmModeConnector *c,
		     int *ret_index)
{
	uint32_t current = 0;
	drmModeEncoder *e;

	if (c->encoder_id && (e = drmModeGetEncoder(k->fd, c->encoder_id))) {
		current = e->crtc_id;
		drmModeFreeEncoder(e);
	}
	for (int j = 0; j < c->count_encoders; j++) {
		e = drmModeGetEncoder(k->fd, c->encoders[j]);
		if (!e)
			continue;
		for (int i = 0; i < res->count_crtcs; i++) {
			if (!(e->possible_crtcs & (1u << i)))
				continue;
			if (!current || res->crtcs[i] == current) {
				k->crtc_id = res->crtcs[i];
				*ret_index = i;
				drmModeFreeEncoder(e);
				return 0;
			}
		}
		drmModeFreeEncoder(e);
	}
	return -ENOENT;
}

static int load_plane(struct kmsout *k, struct kplane *p, drmModePlane *mp)
{
	p->id = mp->plane_id;
	p->formats = malloc(mp->count_formats * sizeof(uint32_t) + 1);
	if (!p->formats)
		return -ENOMEM;
	memcpy(p->formats, mp->formats, mp->count_formats * sizeof(uint32_t));
	p->n_formats = mp->count_formats;
	return get_props(k->fd, p->id, DRM_MODE_OBJECT_PLANE, plane_prop_names, P_N, p->prop,
			 p->saved);
}

static int pick_planes(struct kmsout *k, int crtc_index)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(k->fd);
	int ret = 0;

	if (!pr)
		return -errno;
	for (uint32_t i = 0; i < pr->count_planes && ret == 0; i++) {
		drmModePlane *mp = drmModeGetPlane(k->fd, pr->planes[i]);
		struct kplane *p = NULL;
		uint64_t type;

		if (!mp)
			continue;
		type = get_prop(k->fd, mp->plane_id, DRM_MODE_OBJECT_PLANE, "type");
		/* Planes busy on another CRTC stay with it. */
		if ((mp->possible_crtcs & (1u << crtc_index)) &&
		    (!mp->crtc_id || mp->crtc_id == k->crtc_id)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !k->primary.id)
				p = &k->primary;
			else if (type == DRM_PLANE_TYPE_CURSOR && !k->cursor.id)
				p = &k->cursor;
			else if (type == DRM_PLANE_TYPE_OVERLAY && !k->overlay.id)
				p = &k->overlay;
		}
		if (p)
			ret = load_plane(k, p, mp);
		drmModeFreePlane(mp);
	}
	drmModeFreePlaneResources(pr);
	if (!ret && !k->primary.id)
		ret = -ENOENT;
	return ret;
}

/* Whether @path is a KMS card with the output we want; the reason if not. */
static bool card_fits(const char *path, const char *want, char *why, size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	drmModeConnector *c = NULL;
	drmModeRes *res;

	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return false;
	}
	res = drmModeGetResources(fd);
	if (res) {
		c = find_connector(fd, res, want, why, len);
		drmModeFreeResources(res);
	} else {
		snprintf(why, len, "%s has no KMS outputs", path);
	}
	if (c)
		drmModeFreeConnector(c);
	close(fd);
	return c != NULL;
}

/* --drm-device, or the first card with a connected (or the named) output. */
static int find_card(struct kmsout *k, char *why, size_t len)
{
	if (k->kopts.device) {
		snprintf(k->card, sizeof(k->card), "%s", k->kopts.device);
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		if (access(path, F_OK))
			continue;
		if (card_fits(path, k->kopts.output, why, len)) {
			snprintf(k->card, sizeof(k->card), "%s", path);
			return 0;
		}
	}
	if (!why[0])
		snprintf(why, len, "no DRM card (/dev/dri/card*)");
	return -ENOENT;
}

static int setup_output(struct kmsout *k, int *ret_exit)
{
	static const char *const crtc_props[] = { "MODE_ID", "ACTIVE" };
	drmModeConnector *c = NULL;
	drmModeRes *res = NULL;
	drmModeCrtc *crtc;
	uint32_t ids[2];
	uint64_t vals[2], cap = 0;
	char why[200] = "";
	int crtc_index = 0, ret;

	*ret_exit = VIEWER_EXIT_NO_OUTPUT;
	ret = find_card(k, why, sizeof(why));
	if (ret) {
		LOG_ERR("%s", why);
		return ret;
	}
	k->fd = seat_open(k->seat, k->card);
	if (k->fd < 0) {
		ret = k->fd;
		if (ret == -EBUSY) {
			*ret_exit = VIEWER_EXIT_DISPLAY_BUSY;
			LOG_ERR("%s is in use: another process is its DRM master", k->card);
		} else {
			*ret_exit = VIEWER_EXIT_FAILURE;
			LOG_ERR("cannot open %s: %s", k->card, strerror(-ret));
		}
		return ret;
	}
	*ret_exit = VIEWER_EXIT_FAILURE;
	if (drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		LOG_ERR("%s has no atomic modesetting", k->card);
		return -ENOTSUP;
	}
	k->modifiers = drmGetCap(k->fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap;
	k->cursor_w = k->cursor_h = 64;
	drmGetCap(k->fd, DRM_CAP_CURSOR_WIDTH, &k->cursor_w);
	drmGetCap(k->fd, DRM_CAP_CURSOR_HEIGHT, &k->cursor_h);

	*ret_exit = VIEWER_EXIT_NO_OUTPUT;
	res = drmModeGetResources(k->fd);
	if (!res) {
		LOG_ERR("%s has no KMS outputs", k->card);
		return -ENOENT;
	}
	c = find_connector(k->fd, res, k->kopts.output, why, sizeof(why));
	if (!c) {
		LOG_ERR("%s: %s", k->card, why);
		ret = -ENOENT;
		goto out;
	}
	k->conn_id = c->connector_id;
	connector_name(k->fd, c, k->conn_name, sizeof(k->conn_name));
	*ret_exit = VIEWER_EXIT_NO_MODE;
	ret = pick_mode(k, c);
	if (ret)
		goto out;
	*ret_exit = VIEWER_EXIT_FAILURE;
	ret = pick_crtc(k, res, c, &crtc_index);
	if (ret) {
		LOG_ERR("no CRTC can drive %s", k->conn_name);
		goto out;
	}
	ret = pick_planes(k, crtc_index);
	if (ret) {
		LOG_ERR("no primary plane for CRTC %u (%s)", k->crtc_id, strerror(-ret));
		goto out;
	}
	{
		const char *names[] = { "CRTC_ID" };

		ret = get_props(k->fd, k->conn_id, DRM_MODE_OBJECT_CONNECTOR, names, 1,
				&k->conn_crtc_prop, &k->saved_conn_crtc);
	}
	if (!ret)
		ret = get_props(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, crtc_props, 2, ids, vals);
	if (ret) {
		LOG_ERR("%s lacks the atomic properties it should have", k->card);
		goto out;
	}
	k->crtc_mode_prop = ids[0];
	k->crtc_active_prop = ids[1];
	k->saved_active = vals[1];
	crtc = drmModeGetCrtc(k->fd, k->crtc_id);
	if (crtc) {
		k->saved_mode = crtc->mode;
		k->saved_mode_valid = crtc->mode_valid;
		drmModeFreeCrtc(crtc);
	}
	ret = drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &k->mode_blob);
	if (ret) {
		ret = -errno;
		goto out;
	}
	LOG_INFO("%s (%s seat): %s %ux%u@%u, planes: primary %u%s%s", k->card, seat_kind(k->seat),
		 k->conn_name, k->mode.hdisplay, k->mode.vdisplay, k->mode.vrefresh,
		 k->primary.id, k->cursor.id ? ", cursor" : "", k->overlay.id ? ", overlay" : "");
	*ret_exit = VIEWER_EXIT_OK;
out:
	if (c)
		drmModeFreeConnector(c);
	drmModeFreeResources(res);
	return ret;
}

static int watch(struct kmsout *k, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return fd < 0 ? 0 : epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct presenter *kmsout_create(const struct presenter_options *opts, const struct kms_options *kopts,
				struct stats *stats, int *ret_exit)
{
	struct kmsout *k = calloc(1, sizeof(*k));

	*ret_exit = VIEWER_EXIT_FAILURE;
	if (!k)
		return NULL;
	k->base.ops = &kmsout_ops;
	k->stats = stats;
	k->opts = *opts;
	k->kopts = *kopts;
	k->fd = -1;
	k->second_start_ns = stats_now_ns();
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (k->epfd < 0)
		goto err;
	k->seat = seat_create(&seat_listener, k);
	if (!k->seat)
		goto err;
	if (setup_output(k, ret_exit))
		goto err;
	*ret_exit = VIEWER_EXIT_FAILURE;
	if (watch(k, k->fd, 0) || watch(k, seat_get_fd(k->seat), 1))
		goto err;
#if HAVE_LIBINPUT
	k->input = kin_create(k->seat, &k->opts.hotkeys, &kin_listener, k);
	if (k->input && watch(k, kin_get_fd(k->input), 2))
		goto err;
#else
	LOG_WARN("%s", "built without libinput: no hotkeys");
#endif
	/* The placard until the first guest frame. */
	if (seat_active(k->seat) && commit(k)) {
		*ret_exit = VIEWER_EXIT_FAILURE;
		goto err;
	}
	*ret_exit = VIEWER_EXIT_OK;
	return &k->base;
err:
	kmsout_destroy(&k->base);
	return NULL;
}
