// SPDX-License-Identifier: MIT
/*
 * The KMS presenter (kms_): the guest on a bare DRM/KMS output, for kiosks
 * without a compositor.  Atomic modesetting: the first commit sets the mode
 * (ALLOW_MODESET), every later one is a non-blocking page flip whose event
 * says the frame is on screen.  Per frame (kms_path.h decides):
 *
 *   zero-copy  the guest dmabuf is imported as a framebuffer and scanned
 *              out by the primary plane (SRC_* / CRTC_* place and, where
 *              the driver scales, scale it)
 *   egl, shm   composed into a GBM scanout buffer (kms_compose.c)
 *
 * The guest cursor goes on the cursor plane, the statistics overlay on an
 * overlay plane.  The output and the state it had before are
 * kms_output.c's; the seat (logind or direct) kms_seat.c's; the keyboard
 * kms_input.c's.  Their fds and the card's wait in an epoll set of this
 * presenter, whose fd joins the viewer's loop.
 */
#include <errno.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "config.h"

#define LOG_MODULE "kms"
#include "egl_import.h"
#include "frame_stamp.h"
#include "input.h"
#include "kms.h"
#include "kms_compose.h"
#include "kms_output.h"
#include "kms_path.h"
#include "kms_seat.h"
#include "log.h"
#include "stats.h"
#if HAVE_LIBINPUT
#include "kms_input.h"
#endif

/* What waits in the presenter's epoll set (epoll_event.data.u32). */
enum kms_source {
	KMS_SRC_CARD,		/* page-flip events */
	KMS_SRC_SEAT,		/* logind: the session paused or resumed */
	KMS_SRC_INPUT,		/* libinput: hotkeys */
};

/* Where the commits stand.  Whether the seat is ours is the seat's to say. */
enum kms_state {
	KMS_UNSET,		/* the mode is not set: the next commit sets it */
	KMS_IDLE,		/* shown, nothing in flight */
	KMS_FLIPPING,		/* a commit waits for its page-flip event */
	KMS_FLIPPING_DIRTY,	/* ... and something changed meanwhile: commit again then */
};

/* What the KMS presenter hangs on a guest dmabuf (plane_buf.user). */
struct kms_buf {
	struct kms *k;
	uint32_t fb;			/* zero-copy: 0 until imported */
	struct kms_path_buf path;
	struct egl_import_image *img;	/* composed: the dmabuf in EGL */
	bool img_failed;
};

struct kms {
	struct presenter base;
	struct stats *stats;
	struct presenter_options opts;

	struct kms_seat *seat;
	struct kms_output out;
	struct kms_compose comp;
	int epfd;
#if HAVE_LIBINPUT
	struct kms_input *input;
#endif
	struct input *guest_input;	/* keys and pointer for the guest (viewer.c's) */
	struct geom_layout layout;	/* where the guest frame is on the output */
	double ptr_x, ptr_y;		/* the pointer, in output pixels */
	bool ptr_set;			/* ... once it moved: the guest's centre before */
	bool cursor_dirty;		/* it moved the cursor plane: commit that after the flip */
	bool cursor_warned;		/* ... and such a commit was refused: said once */
	enum kms_state state;
	bool quit;
	int error;

	/* The frame to show (copies: the viewer's structs change). */
	bool have_frame, have_cursor;
	struct plane frame, cursor_plane;
	struct presenter_frame last;
	struct presenter_last shown;
	bool stamp_warned;

	bool stats_shown, overlay_warned;

	/* The guest buffer the commit being built scans out, and whether unasked. */
	struct kms_buf *zc_buf;
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

/* ---- Guest buffers as framebuffers ---- */

/*
 * A framebuffer goes without taking the plane down with it: CLOSEFB (Linux
 * 6.8) leaves a plane that still scans it out alone until the next flip,
 * where RMFB would disable the plane.
 */
static void close_fb(int fd, uint32_t fb)
{
	if (fb && drmModeCloseFB(fd, fb) < 0)
		drmModeRmFB(fd, fb);
}

static void kms_buf_destroy(void *user)
{
	struct kms_buf *b = user;

	close_fb(b->k->out.fd, b->fb);
	egl_import_image_destroy(b->img);
	free(b);
}

static struct kms_buf *kms_buf_of(struct kms *k, struct plane_buf *buf)
{
	struct kms_buf *b = buf->user;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		b->k = k;
		buf->user = b;
		buf->user_destroy = kms_buf_destroy;
	}
	return b;
}

/* The guest dmabuf as a framebuffer (the opaque twin of its format). */
static int import_fb(struct kms *k, struct plane_buf *buf, struct kms_buf *b)
{
	const struct plane *p = &buf->plane;
	const struct kms_output *o = &k->out;
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t mods[4] = { 0 };
	uint32_t fourcc = plane_format_opaque(p->fourcc), handle;
	int ret;

	if (!kms_path_can_import(o->primary.formats, o->primary.n_formats, o->modifiers, fourcc,
				 p->modifier, k->why, sizeof(k->why)))
		return -ENOTSUP;
	ret = drmPrimeFDToHandle(o->fd, buf->fd, &handle);
	if (ret) {
		snprintf(k->why, sizeof(k->why), "the card cannot import the dmabuf: %s",
			 strerror(errno));
		return -ENOTSUP;
	}
	handles[0] = handle;
	pitches[0] = p->stride;
	mods[0] = p->modifier;
	ret = drmModeAddFB2WithModifiers(o->fd, p->width, p->height, fourcc, handles, pitches,
					 offsets, o->modifiers ? mods : NULL, &b->fb,
					 o->modifiers ? DRM_MODE_FB_MODIFIERS : 0);
	if (ret)
		snprintf(k->why, sizeof(k->why), "the card refuses the dmabuf as a framebuffer: %s",
			 strerror(errno));
	/* The framebuffer holds the buffer: the handle can go. */
	drmCloseBufferHandle(o->fd, handle);
	return ret ? -ENOTSUP : 0;
}

/* ---- Commits ---- */

/* Whether the kiosk's pointer points for the guest (which has a tablet). */
static bool pointing(const struct kms *k)
{
	return k->ptr_set && k->guest_input && input_has_sink(k->guest_input) &&
	       !input_pointer_relative(k->guest_input);
}

/*
 * The guest's cursor plane: where the kiosk's pointer is while it points
 * for the guest (no wait for the guest to move its own), else where the
 * guest has it.
 */
static void add_cursor(struct kms *k, drmModeAtomicReq *req, const struct geom_layout *l)
{
	const struct kms_output *o = &k->out;
	const struct plane *c = &k->cursor_plane;
	struct geom_rect r = { 0 }, src = { 0, 0, (int32_t)o->cursor_w, (int32_t)o->cursor_h };
	uint32_t fb = 0;
	bool shown = false;

	if (!o->cursor.id)
		return;
	k->cursor_dirty = false;
	if (k->have_cursor && l && k->last.cursor_buf && pointing(k)) {
		int32_t hot_x, hot_y;

		plane_cursor_hot(c, &hot_x, &hot_y);
		r.x = (int32_t)k->ptr_x - hot_x;
		r.y = (int32_t)k->ptr_y - hot_y;
		shown = true;
	} else if (k->have_cursor && l && k->last.cursor_buf) {
		shown = geom_cursor(l, (int32_t)c->x, (int32_t)c->y, c->width, c->height, &r);
	}
	if (shown)
		fb = kms_compose_cursor(&k->comp, c, k->last.cursor_buf, (uint32_t)o->cursor_w,
					(uint32_t)o->cursor_h);
	/* The image unscaled, at the cursor's place. */
	r.w = src.w;
	r.h = src.h;
	kms_output_add_plane(o, req, &o->cursor, fb, &src, &r);
}

static void add_overlay(struct kms *k, drmModeAtomicReq *req)
{
	const struct kms_output *o = &k->out;
	uint32_t w = o->mode.hdisplay < 720 ? o->mode.hdisplay : 720;
	uint32_t h = o->mode.vdisplay < 36 ? o->mode.vdisplay : 36;
	struct geom_rect r = { 0, 0, (int32_t)w, (int32_t)h };
	char text[128], name[5];
	uint32_t fb = 0;

	if (!o->overlay.id)
		return;
	if (k->stats_shown) {
		if (k->have_frame)
			snprintf(text, sizeof(text), "%ux%u %s %.1f FPS %s %.1f MS",
				 k->frame.width, k->frame.height,
				 plane_format_name(k->frame.fourcc, name), k->fps,
				 k->shown_path ? k->shown_path : "-", k->last_latency_ms);
		else
			snprintf(text, sizeof(text), "NO GUEST FRAME");
		for (char *c = text; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		fb = kms_compose_overlay(&k->comp, text, w, h);
	}
	kms_output_add_plane(o, req, &o->overlay, fb, &r, &r);
}

static void set_path(struct kms *k, const char *path)
{
	if (k->shown_path != path) {
		LOG_INFO("path %s%s%s", path, k->why[0] ? ": " : "", k->why);
		k->shown_path = path;
	}
}

/* The primary plane for the current frame: zero-copy when it can, composed otherwise. */
static int add_primary(struct kms *k, drmModeAtomicReq *req, uint32_t flags,
		       struct geom_layout *l)
{
	const struct kms_output *o = &k->out;
	const struct presenter_frame *f = &k->last;
	struct geom_rect whole = { 0, 0, o->mode.hdisplay, o->mode.vdisplay };
	const char *path = NULL;
	struct kms_buf *b = NULL;
	uint32_t fb;
	int cursor = drmModeAtomicGetCursor(req), ret;

	k->why[0] = '\0';
	if (!k->have_frame) {
		ret = kms_compose_placard(&k->comp, &fb);
		if (ret)
			return ret;
		kms_output_add_plane(o, req, &o->primary, fb, &whole, &whole);
		set_path(k, "placard");
		return 0;
	}
	geom_layout(k->opts.scale, f->plane->width, f->plane->height, o->mode.hdisplay,
		    o->mode.vdisplay, l);
	if (f->buf) {
		b = kms_buf_of(k, f->buf);
		if (!b)
			return -ENOMEM;
		if (k->opts.path != PRESENTER_PATH_EGL && k->opts.path != PRESENTER_PATH_SHM &&
		    !b->fb && !b->path.fb_failed) {
			b->path.fb_failed = import_fb(k, f->buf, b) != 0;
			b->path.fb = b->fb != 0;
		}
	}

	switch (kms_path_plan(k->opts.path, b ? &b->path : NULL, k->state != KMS_UNSET, l,
			      k->why, sizeof(k->why))) {
	case KMS_PLAN_SCANOUT:
		/* The plane took this buffer at this layout before: no need to ask. */
		kms_output_add_plane(o, req, &o->primary, b->fb, &l->src, &l->dst);
		k->zc_buf = b;
		k->zc_untested = true;
		set_path(k, "zero-copy");
		return 0;
	case KMS_PLAN_TEST:
		/* The dmabuf on the plane, letterboxed by the plane itself: ask first. */
		kms_output_add_plane(o, req, &o->primary, b->fb, &l->src, &l->dst);
		/* TEST_ONLY takes no event (and NONBLOCK means nothing to it). */
		if (drmModeAtomicCommit(o->fd, req, (flags & DRM_MODE_ATOMIC_ALLOW_MODESET) |
					DRM_MODE_ATOMIC_TEST_ONLY, NULL) == 0) {
			k->zc_buf = b;
			set_path(k, "zero-copy");
			return 0;
		}
		b->path.refused = true;
		b->path.refused_layout = *l;
		snprintf(k->why, sizeof(k->why),
			 "the plane cannot show %ux%u at %dx%d+%d+%d (%s): composing",
			 f->plane->width, f->plane->height, l->dst.w, l->dst.h, l->dst.x,
			 l->dst.y, strerror(errno));
		drmModeAtomicSetCursor(req, cursor);
		if (k->opts.path == PRESENTER_PATH_ZERO_COPY)
			break;
		/* fall through */
	case KMS_PLAN_COMPOSE:
		fb = kms_compose_frame(&k->comp, f, b ? &b->img : NULL, b ? &b->img_failed : NULL,
				       k->opts.path, l, geom_nearest(k->opts.filter, l), &path);
		if (!fb)
			return -EIO;
		kms_output_add_plane(o, req, &o->primary, fb, &whole, &whole);
		set_path(k, path);
		return 0;
	case KMS_PLAN_FAIL:
		break;
	}
	LOG_ERR("--path zero-copy: %s", k->why[0] ? k->why : "not possible");
	return -ENOTSUP;
}

/* The pointer at output pixel (@x, @y), kept inside the guest's part of the output. */
static void pointer_to(struct kms *k, double x, double y)
{
	const struct geom_rect *d = &k->layout.dst;
	double fx, fy;

	if (!geom_to_frame(&k->layout, x, y, &fx, &fy))
		return;
	k->ptr_x = x < d->x ? d->x : x > d->x + d->w - 1 ? d->x + d->w - 1 : x;
	k->ptr_y = y < d->y ? d->y : y > d->y + d->h - 1 ? d->y + d->h - 1 : y;
	geom_to_frame(&k->layout, k->ptr_x + 0.5, k->ptr_y + 0.5, &fx, &fy);
	input_pointer_abs(k->guest_input, fx, fy, (uint32_t)k->frame.width,
			  (uint32_t)k->frame.height);
}

/*
 * The guest is shown at @l now (NULL: not at all): a pointer that stays
 * where it is on the screen is somewhere else in the guest.
 */
static void set_layout(struct kms *k, const struct geom_layout *l)
{
	struct geom_layout none = { 0 };

	if (!l)
		l = &none;
	if (!memcmp(l, &k->layout, sizeof(*l)))
		return;
	k->layout = *l;
	if (k->ptr_set && l->dst.w)
		pointer_to(k, k->ptr_x, k->ptr_y);
}

/* Commits what there is to show; the page-flip event ends it. */
static int commit(struct kms *k)
{
	uint32_t flags = DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT;
	const struct kms_output *o = &k->out;
	struct geom_layout l;
	drmModeAtomicReq *req;
	int ret;

	req = drmModeAtomicAlloc();
	if (!req)
		return -ENOMEM;
	if (k->state == KMS_UNSET) {
		kms_output_add_modeset(o, req);
		flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
	}
	k->zc_buf = NULL;
	k->zc_untested = false;
	add_overlay(k, req);
	ret = add_primary(k, req, flags, &l);
	if (ret)
		goto out;
	add_cursor(k, req, k->have_frame ? &l : NULL);
	ret = drmModeAtomicCommit(o->fd, req, flags, k);
	if (ret && k->zc_untested) {
		/* Taken before, refused now (the overlay or cursor changed): ask. */
		k->zc_buf->path.taken = false;
		drmModeAtomicFree(req);
		return commit(k);
	}
	if (ret) {
		ret = -errno;
		LOG_ERR("atomic commit on %s failed: %s", o->name, strerror(errno));
		kms_compose_drop(&k->comp);
		goto out;
	}
	if (k->state == KMS_UNSET)
		LOG_INFO("%s: %ux%u@%u on CRTC %u", o->name, o->mode.hdisplay, o->mode.vdisplay,
			 o->mode.vrefresh, o->crtc_id);
	if (k->zc_buf) {
		k->zc_buf->path.taken = true;
		k->zc_buf->path.taken_layout = l;
	}
	set_layout(k, k->have_frame ? &l : NULL);
	k->state = KMS_FLIPPING;
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

/*
 * The cursor plane alone: the pointer moved it.  Refused, it is not worth
 * the kiosk: the cursor moves with the next frame's commit instead.
 */
static void commit_cursor(struct kms *k)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();

	if (!req)
		return;
	add_cursor(k, req, k->have_frame ? &k->layout : NULL);
	if (drmModeAtomicCommit(k->out.fd, req, DRM_MODE_ATOMIC_NONBLOCK |
				DRM_MODE_PAGE_FLIP_EVENT, k) == 0) {
		k->state = KMS_FLIPPING;
	} else if (!k->cursor_warned) {
		LOG_WARN("%s refuses a commit of the cursor plane alone (%s): the cursor moves "
			 "with the guest's frames only", k->out.name, strerror(errno));
		k->cursor_warned = true;
	}
	drmModeAtomicFree(req);
}

/* The cursor plane alone, again: now, or after the flip in flight. */
static void cursor_changed(struct kms *k)
{
	if (!k->out.cursor.id || !kms_seat_active(k->seat) || k->error || k->state == KMS_UNSET)
		return;
	if (k->state == KMS_IDLE)
		commit_cursor(k);
	else
		k->cursor_dirty = true;
}

#if HAVE_LIBINPUT
/* The pointer moved: the cursor plane follows, at most once a refresh. */
static void cursor_moved(struct kms *k)
{
	if (k->have_cursor && pointing(k))
		cursor_changed(k);
}
#endif

/* Something to show changed: commit now, or after the flip in flight. */
static void update(struct kms *k)
{
	if (!kms_seat_active(k->seat) || k->error)
		return;	/* the seat's enable() commits it all */
	if (k->state == KMS_FLIPPING || k->state == KMS_FLIPPING_DIRTY)
		k->state = KMS_FLIPPING_DIRTY;
	else
		k->error = commit(k);
}

static void record_second(struct kms *k, uint64_t t)
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
	struct kms *k = data;
	uint64_t t = (uint64_t)sec * 1000000000ull + (uint64_t)usec * 1000ull;
	bool dirty = k->state == KMS_FLIPPING_DIRTY;

	k->state = KMS_IDLE;
	kms_compose_flipped(&k->comp);
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
	if (!kms_seat_active(k->seat))
		return;
	if (dirty) {
		int ret = commit(k);

		if (ret && !k->error)
			k->error = ret;
		if (!ret)
			return;	/* frame_done() with that one's flip */
	} else if (k->cursor_dirty) {
		commit_cursor(k);
	}
	/* The newest frame is on screen: the viewer's pacing takes it from here. */
	if (k->base.frame_done)
		k->base.frame_done(k->base.data);
}

/* Frame @f's cursor plane (copied: the viewer's structs change) is the one to show. */
static void take_cursor(struct kms *k, const struct presenter_frame *f)
{
	k->have_cursor = f->cursor != NULL;
	k->last.cursor_buf = f->cursor_buf;
	k->last.cursor = NULL;
	if (f->cursor) {
		k->cursor_plane = *f->cursor;
		k->last.cursor = &k->cursor_plane;
	}
}

/*
 * The frame on screen again, whose cursor may have moved or changed (the
 * guest's cursor plane changes without a new frame): the cursor plane
 * alone, now or after the flip in flight.
 */
static void repeat_cursor(struct kms *k, const struct presenter_frame *f)
{
	const struct plane *o = &k->cursor_plane, *n = f->cursor;
	bool same = k->have_cursor == (n != NULL) &&
		    (!n || (k->last.cursor_buf == f->cursor_buf &&
			    o->x == n->x && o->y == n->y && o->hot_x == n->hot_x &&
			    o->hot_y == n->hot_y && plane_same_buffer(o, n)));

	if (same)
		return;
	take_cursor(k, f);
	cursor_changed(k);
}

/* ---- Presenter ops ---- */

static int kms_present(struct presenter *base, const struct presenter_frame *f)
{
	struct kms *k = (struct kms *)base;
	struct frame_stamp st = { 0 };
	bool stamped = false;

	if (k->error)
		return k->error;
	if (f->plane && stats_enabled(k->stats))
		stamped = presenter_read_stamp(f, &st, &k->stamp_warned);
	/*
	 * The frame on screen again (a poll, a spurious wake-up).  Without a
	 * stamp it is drawn again: the guest may have drawn into it.
	 */
	if (f->plane && presenter_is_repeat(&k->shown, f->plane, stamped, st.seq, false)) {
		stats_repeat(k->stats);
		repeat_cursor(k, f);
		return 1;
	}
	presenter_last_set(&k->shown, f->plane, stamped, st.seq);

	k->last = *f;
	k->have_frame = f->plane != NULL;
	if (f->plane) {
		k->frame = *f->plane;
		k->last.plane = &k->frame;
	}
	take_cursor(k, f);
	if (k->sf_valid) {
		/* Queued behind a flip and never committed: a newer frame won. */
		k->sf.discarded = true;
		stats_frame(k->stats, &k->sf);
	}
	k->sf_valid = f->plane != NULL;
	if (f->plane)
		presenter_stats_init(f, &st, stamped, &k->sf);

	/* Paused (another session has the VT) or a flip in flight: later. */
	update(k);
	return k->error ? k->error : 0;
}

static int kms_get_fd(struct presenter *base)
{
	return ((struct kms *)base)->epfd;
}

static int kms_prepare(struct presenter *base)
{
	struct kms *k = (struct kms *)base;

	/*
	 * logind's PauseDevice comes with the revocation of the input devices;
	 * libinput closes them at once, and sd-bus reads the signal while it
	 * waits for ReleaseDevice's reply.  Left in its queue, the pause would
	 * never be seen.
	 */
	if (!k->error && kms_seat_queued(k->seat))
		k->error = kms_seat_dispatch(k->seat);
	return k->error ? k->error : EPOLLIN;
}

#if HAVE_LIBINPUT
static void handle_action(void *data, enum hotkey_action a)
{
	struct kms *k = data;

	switch (a) {
	case HOTKEY_QUIT:
		k->quit = true;
		break;
	case HOTKEY_CYCLE_SCALE:
		k->opts.scale = geom_scale_next(k->opts.scale);
		LOG_INFO("scale: %s", geom_scale_name(k->opts.scale));
		if (k->state != KMS_UNSET)
			update(k);
		break;
	case HOTKEY_TOGGLE_STATS:
		k->stats_shown = !k->stats_shown;
		if (!k->out.overlay.id && !k->overlay_warned) {
			LOG_WARN("%s has no overlay plane for the statistics", k->out.card);
			k->overlay_warned = true;
		}
		LOG_INFO("statistics overlay %s", k->stats_shown ? "on" : "off");
		if (k->state != KMS_UNSET)
			update(k);
		break;
	case HOTKEY_SECURE_ATTENTION:
		input_secure_attention(k->guest_input);
		break;
	default:
		break;
	}
}

static void handle_motion(void *data, double dx, double dy)
{
	struct kms *k = data;

	if (!k->ptr_set) {
		k->ptr_x = k->layout.dst.x + k->layout.dst.w / 2;
		k->ptr_y = k->layout.dst.y + k->layout.dst.h / 2;
		k->ptr_set = true;
	}
	pointer_to(k, k->ptr_x + dx, k->ptr_y + dy);
	cursor_moved(k);
}

static void handle_motion_abs(void *data, double x, double y)
{
	struct kms *k = data;

	k->ptr_set = true;
	pointer_to(k, x * k->out.mode.hdisplay, y * k->out.mode.vdisplay);
	cursor_moved(k);
}

static const struct kms_input_listener input_listener = {
	.action = handle_action,
	.motion = handle_motion,
	.motion_abs = handle_motion_abs,
};
#endif

static int dispatch_source(struct kms *k, enum kms_source src)
{
	drmEventContext ev = { .version = 3, .page_flip_handler2 = handle_flip };

	switch (src) {
	case KMS_SRC_CARD:
		return drmHandleEvent(k->out.fd, &ev) ? -errno : 0;
	case KMS_SRC_SEAT:
		return kms_seat_dispatch(k->seat);
	case KMS_SRC_INPUT:
#if HAVE_LIBINPUT
		return kms_input_dispatch(k->input);
#else
		break;
#endif
	}
	return 0;
}

static int kms_dispatch(struct presenter *base, uint32_t events)
{
	struct kms *k = (struct kms *)base;
	struct epoll_event e[4];
	int n;

	if (!events)
		return k->quit ? PRESENTER_CLOSED : k->error;
	n = epoll_wait(k->epfd, e, 4, 0);
	for (int i = 0; i < n; i++) {
		int ret = dispatch_source(k, (enum kms_source)e[i].data.u32);

		if (ret < 0 && ret != -EAGAIN && !k->error)
			k->error = ret;
	}
	if (k->error)
		return k->error;
	return k->quit ? PRESENTER_CLOSED : 0;
}

static void kms_set_options(struct presenter *base, const struct presenter_options *opts)
{
	struct kms *k = (struct kms *)base;

	if (k->opts.scale == opts->scale && k->opts.filter == opts->filter)
		return;
	k->opts.scale = opts->scale;
	k->opts.filter = opts->filter;
	if (k->state != KMS_UNSET)
		update(k);
}

static void kms_destroy(struct presenter *base)
{
	struct kms *k = (struct kms *)base;

	/* Nothing reaches the viewer from here on. */
	k->base.frame_done = NULL;
	if (k->out.fd >= 0 && k->state != KMS_UNSET && kms_seat_active(k->seat)) {
		/* A flip in flight finishes before the state goes back. */
		drmEventContext ev = { .version = 3, .page_flip_handler2 = handle_flip };
		struct timespec ts = { 0, 100000000 };

		if (k->state == KMS_FLIPPING_DIRTY)
			k->state = KMS_FLIPPING;
		for (int i = 0; i < 10 && k->state == KMS_FLIPPING; i++) {
			nanosleep(&ts, NULL);
			drmHandleEvent(k->out.fd, &ev);
		}
		kms_output_restore(&k->out);
	}
#if HAVE_LIBINPUT
	kms_input_destroy(k->input);
#endif
	kms_compose_finish(&k->comp);
	kms_output_close(&k->out);
	kms_seat_destroy(k->seat);
	if (k->epfd >= 0)
		close(k->epfd);
	free(k);
}

static const struct presenter_ops kms_ops = {
	.name = "kms",
	.present = kms_present,
	.destroy = kms_destroy,
	.get_fd = kms_get_fd,
	.prepare = kms_prepare,
	.dispatch = kms_dispatch,
	.set_options = kms_set_options,
};

/* ---- Seat pause and resume ---- */

static void seat_disable(void *data)
{
	struct kms *k = data;

#if HAVE_LIBINPUT
	if (k->input)
		kms_input_suspend(k->input);
#endif
	(void)k;
}

static void seat_enable(void *data)
{
	struct kms *k = data;

#if HAVE_LIBINPUT
	if (k->input)
		kms_input_resume(k->input);
#endif
	/* Another session may have changed anything: set the mode again. */
	k->state = KMS_UNSET;
	k->error = commit(k);
}

static const struct kms_seat_listener seat_listener = {
	.disable = seat_disable,
	.enable = seat_enable,
};

/* ---- Set-up ---- */

static int watch(struct kms *k, int fd, enum kms_source src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = src };

	return fd < 0 ? 0 : epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev);
}

struct presenter *kms_create(const struct presenter_options *opts, const struct kms_options *kopts,
			     struct stats *stats, struct input *input, int *ret_err)
{
	struct kms *k = calloc(1, sizeof(*k));
	int ret = -ENOMEM;

	if (!k)
		goto fail;
	k->base.ops = &kms_ops;
	k->stats = stats;
	k->opts = *opts;
	k->guest_input = input;
	k->out.fd = -1;
	k->comp.fd = -1;
	k->second_start_ns = stats_now_ns();
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (k->epfd < 0) {
		ret = LOG_ERRNO(errno, "epoll_create1");
		goto err;
	}
	k->seat = kms_seat_create(&seat_listener, k);
	if (!k->seat) {
		ret = -EIO;
		goto err;
	}
	ret = kms_output_open(&k->out, k->seat, kopts);
	if (ret)
		goto err;
	kms_compose_init(&k->comp, k->out.fd, k->out.card, k->out.mode.hdisplay,
			 k->out.mode.vdisplay, stats);
	if (watch(k, k->out.fd, KMS_SRC_CARD) ||
	    watch(k, kms_seat_get_fd(k->seat), KMS_SRC_SEAT)) {
		ret = LOG_ERRNO(errno, "epoll_ctl");
		goto err;
	}
#if HAVE_LIBINPUT
	k->input = kms_input_create(k->seat, input, &input_listener, k);
	if (k->input && watch(k, kms_input_get_fd(k->input), KMS_SRC_INPUT)) {
		ret = LOG_ERRNO(errno, "epoll_ctl");
		goto err;
	}
#else
	LOG_WARN("%s", "built without libinput: no hotkeys");
#endif
	/* The placard until the first guest frame. */
	if (kms_seat_active(k->seat)) {
		ret = commit(k);
		if (ret)
			goto err;
	}
	*ret_err = 0;
	return &k->base;
err:
	kms_destroy(&k->base);
fail:
	*ret_err = ret;
	return NULL;
}
