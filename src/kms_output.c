// SPDX-License-Identifier: MIT
/*
 * The KMS output; see kms_output.h.  Everything here runs once at start-up
 * and once at exit; the commits of every frame are kms.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#define LOG_MODULE "kms"
#include "kms_output.h"
#include "kms_seat.h"
#include "log.h"
#include "options.h"

static const char *const prop_names[KMS_PROP_N] = {
	"FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W", "SRC_H",
	"CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H",
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

/* ---- Finding the output ---- */

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

/*
 * Whether mode @m refreshes at @mhz millihertz: whole hertz as DRM rounds
 * them (60 takes a 59.94 Hz mode, as xrandr does), a fraction to within
 * 5 mHz of the rate its timings give.
 */
static bool refresh_matches(const drmModeModeInfo *m, uint32_t mhz)
{
	uint64_t total = (uint64_t)m->htotal * m->vtotal, have;

	if (mhz % 1000 == 0)
		return m->vrefresh == mhz / 1000;
	if (!total)
		return false;
	have = ((uint64_t)m->clock * 1000000 + total / 2) / total;
	return have + 5 >= mhz && have <= (uint64_t)mhz + 5;
}

static int pick_mode(struct kms_output *o, drmModeConnector *c, const struct kms_options *want)
{
	char have[160] = "", hz[24] = "";
	size_t n = 0;
	int best = -1;

	for (int i = 0; i < c->count_modes; i++) {
		const drmModeModeInfo *m = &c->modes[i];
		bool preferred = m->type & DRM_MODE_TYPE_PREFERRED;

		if (want->mode_w) {
			if (m->hdisplay != want->mode_w || m->vdisplay != want->mode_h ||
			    (want->mode_mhz && !refresh_matches(m, want->mode_mhz)))
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
		if (want->mode_mhz % 1000)
			snprintf(hz, sizeof(hz), "@%u.%03u", want->mode_mhz / 1000,
				 want->mode_mhz % 1000);
		else if (want->mode_mhz)
			snprintf(hz, sizeof(hz), "@%u", want->mode_mhz / 1000);
		LOG_ERR("%s has no mode %ux%u%s (it has %s%s)", o->name, want->mode_w,
			want->mode_h, hz, have, c->count_modes > 8 ? ", ..." : "");
		return -ERANGE;
	}
	o->mode = c->modes[best];
	return 0;
}

static int pick_crtc(struct kms_output *o, const drmModeRes *res, drmModeConnector *c,
		     int *ret_index)
{
	uint32_t current = 0;
	drmModeEncoder *e;

	if (c->encoder_id && (e = drmModeGetEncoder(o->fd, c->encoder_id))) {
		current = e->crtc_id;
		drmModeFreeEncoder(e);
	}
	for (int j = 0; j < c->count_encoders; j++) {
		e = drmModeGetEncoder(o->fd, c->encoders[j]);
		if (!e)
			continue;
		for (int i = 0; i < res->count_crtcs; i++) {
			if (!(e->possible_crtcs & (1u << i)))
				continue;
			if (!current || res->crtcs[i] == current) {
				o->crtc_id = res->crtcs[i];
				*ret_index = i;
				drmModeFreeEncoder(e);
				return 0;
			}
		}
		drmModeFreeEncoder(e);
	}
	return -ENOENT;
}

static int load_plane(struct kms_output *o, struct kms_plane *p, drmModePlane *mp)
{
	p->id = mp->plane_id;
	p->formats = malloc(mp->count_formats * sizeof(uint32_t) + 1);
	if (!p->formats)
		return -ENOMEM;
	memcpy(p->formats, mp->formats, mp->count_formats * sizeof(uint32_t));
	p->n_formats = mp->count_formats;
	return get_props(o->fd, p->id, DRM_MODE_OBJECT_PLANE, prop_names, KMS_PROP_N, p->prop,
			 p->saved);
}

static int pick_planes(struct kms_output *o, int crtc_index)
{
	drmModePlaneRes *pr = drmModeGetPlaneResources(o->fd);
	int ret = 0;

	if (!pr)
		return -errno;
	for (uint32_t i = 0; i < pr->count_planes && ret == 0; i++) {
		drmModePlane *mp = drmModeGetPlane(o->fd, pr->planes[i]);
		struct kms_plane *p = NULL;
		uint64_t type;

		if (!mp)
			continue;
		type = get_prop(o->fd, mp->plane_id, DRM_MODE_OBJECT_PLANE, "type");
		/* Planes busy on another CRTC stay with it. */
		if ((mp->possible_crtcs & (1u << crtc_index)) &&
		    (!mp->crtc_id || mp->crtc_id == o->crtc_id)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !o->primary.id)
				p = &o->primary;
			else if (type == DRM_PLANE_TYPE_CURSOR && !o->cursor.id)
				p = &o->cursor;
			else if (type == DRM_PLANE_TYPE_OVERLAY && !o->overlay.id)
				p = &o->overlay;
		}
		if (p)
			ret = load_plane(o, p, mp);
		drmModeFreePlane(mp);
	}
	drmModeFreePlaneResources(pr);
	if (!ret && !o->primary.id)
		ret = -ENOENT;
	return ret;
}

/*
 * Whether @path is a KMS card with the output we want; the reason if not.
 * A kiosk in a logind session may not open cards itself (they are root's
 * and the video group's): it looks through logind, and keeps the card it
 * took in *@taken when it fits.  Giving a card back and taking it again
 * would not do: logind answers ReleaseDevice with PauseDevice "gone",
 * which would arrive when we hold the card again.
 */
static bool card_fits(struct kms_seat *seat, const char *path, const char *want, char *why,
		      size_t len, int *taken)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool by_seat = false;
	drmModeConnector *c = NULL;
	drmModeRes *res;

	if (fd < 0 && (errno == EACCES || errno == EPERM) &&
	    !strcmp(kms_seat_kind(seat), "logind")) {
		fd = kms_seat_open(seat, path);
		by_seat = fd >= 0;
		if (fd < 0)
			errno = -fd;
	}
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
	if (by_seat && c)
		*taken = fd;
	else if (by_seat)
		kms_seat_close(seat, fd);
	else
		close(fd);
	return c != NULL;
}

/*
 * --drm-device, or the first card with a connected (or the named) output.
 * o->fd is the card if logind gave it to us on the way.
 */
static int find_card(struct kms_output *o, const struct kms_options *kopts, char *why, size_t len)
{
	if (kopts->device) {
		snprintf(o->card, sizeof(o->card), "%s", kopts->device);
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		if (access(path, F_OK))
			continue;
		if (card_fits(o->seat, path, kopts->output, why, len, &o->fd)) {
			snprintf(o->card, sizeof(o->card), "%s", path);
			return 0;
		}
	}
	if (!why[0])
		snprintf(why, len, "no DRM card (/dev/dri/card*)");
	return -ENODEV;
}

int kms_output_open(struct kms_output *o, struct kms_seat *seat, const struct kms_options *kopts)
{
	static const char *const crtc_props[] = { "MODE_ID", "ACTIVE" };
	drmModeConnector *c = NULL;
	drmModeRes *res = NULL;
	drmModeCrtc *crtc;
	uint32_t ids[2];
	uint64_t vals[2], cap = 0;
	char why[200] = "";
	int crtc_index = 0, ret;

	o->seat = seat;
	ret = find_card(o, kopts, why, sizeof(why));
	if (ret) {
		LOG_ERR("%s", why);
		return ret;
	}
	if (o->fd < 0)
		o->fd = kms_seat_open(o->seat, o->card);
	if (o->fd < 0) {
		ret = o->fd;
		if (ret == -EBUSY)
			LOG_ERR("%s is in use: another process is its DRM master", o->card);
		else
			LOG_ERR("cannot open %s: %s", o->card, strerror(-ret));
		/* Only "busy" means more than "failed" to the caller. */
		return ret == -EBUSY ? ret : -EIO;
	}
	if (drmSetClientCap(o->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(o->fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		LOG_ERR("%s has no atomic modesetting", o->card);
		return -ENOTSUP;
	}
	o->modifiers = drmGetCap(o->fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap;
	o->cursor_w = o->cursor_h = 64;
	drmGetCap(o->fd, DRM_CAP_CURSOR_WIDTH, &o->cursor_w);
	drmGetCap(o->fd, DRM_CAP_CURSOR_HEIGHT, &o->cursor_h);

	res = drmModeGetResources(o->fd);
	if (!res) {
		LOG_ERR("%s has no KMS outputs", o->card);
		return -ENODEV;
	}
	c = find_connector(o->fd, res, kopts->output, why, sizeof(why));
	if (!c) {
		LOG_ERR("%s: %s", o->card, why);
		ret = -ENODEV;
		goto out;
	}
	o->conn_id = c->connector_id;
	connector_name(o->fd, c, o->name, sizeof(o->name));
	ret = pick_mode(o, c, kopts);
	if (ret)
		goto out;
	ret = pick_crtc(o, res, c, &crtc_index);
	if (ret) {
		LOG_ERR("no CRTC can drive %s", o->name);
		goto out;
	}
	ret = pick_planes(o, crtc_index);
	if (ret) {
		LOG_ERR("no primary plane for CRTC %u (%s)", o->crtc_id, strerror(-ret));
		goto out;
	}
	{
		const char *names[] = { "CRTC_ID" };

		ret = get_props(o->fd, o->conn_id, DRM_MODE_OBJECT_CONNECTOR, names, 1,
				&o->conn_crtc_prop, &o->saved_conn_crtc);
	}
	if (!ret)
		ret = get_props(o->fd, o->crtc_id, DRM_MODE_OBJECT_CRTC, crtc_props, 2, ids, vals);
	if (ret) {
		LOG_ERR("%s lacks the atomic properties it should have", o->card);
		goto out;
	}
	o->crtc_mode_prop = ids[0];
	o->crtc_active_prop = ids[1];
	o->saved_active = vals[1];
	crtc = drmModeGetCrtc(o->fd, o->crtc_id);
	if (crtc) {
		o->saved_mode = crtc->mode;
		o->saved_mode_valid = crtc->mode_valid;
		drmModeFreeCrtc(crtc);
	}
	ret = drmModeCreatePropertyBlob(o->fd, &o->mode, sizeof(o->mode), &o->mode_blob);
	if (ret) {
		ret = -errno;
		goto out;
	}
	LOG_INFO("%s (%s seat): %s %ux%u@%u, planes: primary %u%s%s", o->card, kms_seat_kind(o->seat),
		 o->name, o->mode.hdisplay, o->mode.vdisplay, o->mode.vrefresh,
		 o->primary.id, o->cursor.id ? ", cursor" : "", o->overlay.id ? ", overlay" : "");
out:
	if (c)
		drmModeFreeConnector(c);
	drmModeFreeResources(res);
	return ret;
}

/* ---- Commits ---- */

void kms_output_add_plane(const struct kms_output *o, drmModeAtomicReq *req,
			  const struct kms_plane *p, uint32_t fb, const struct geom_rect *src,
			  const struct geom_rect *dst)
{
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_FB_ID], fb);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_CRTC_ID], fb ? o->crtc_id : 0);
	if (!fb)
		return;
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_SRC_X], (uint64_t)src->x << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_SRC_Y], (uint64_t)src->y << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_SRC_W], (uint64_t)src->w << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_SRC_H], (uint64_t)src->h << 16);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_CRTC_X], (uint64_t)(int64_t)dst->x);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_CRTC_Y], (uint64_t)(int64_t)dst->y);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_CRTC_W], (uint64_t)dst->w);
	drmModeAtomicAddProperty(req, p->id, p->prop[KMS_PROP_CRTC_H], (uint64_t)dst->h);
}

void kms_output_add_modeset(const struct kms_output *o, drmModeAtomicReq *req)
{
	drmModeAtomicAddProperty(req, o->conn_id, o->conn_crtc_prop, o->crtc_id);
	drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_mode_prop, o->mode_blob);
	drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_active_prop, 1);
}

void kms_output_restore(const struct kms_output *o)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	const struct kms_plane *planes[] = { &o->primary, &o->cursor, &o->overlay };
	uint32_t blob = 0;
	int ret;

	if (!req)
		return;
	for (int attempt = 0; attempt < 2; attempt++) {
		drmModeAtomicSetCursor(req, 0);
		if (o->saved_active && o->saved_mode_valid &&
		    drmModeCreatePropertyBlob(o->fd, &o->saved_mode, sizeof(o->saved_mode),
					      &blob) == 0) {
			drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_mode_prop, blob);
			drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_active_prop, 1);
		} else {
			drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_mode_prop, 0);
			drmModeAtomicAddProperty(req, o->crtc_id, o->crtc_active_prop, 0);
		}
		drmModeAtomicAddProperty(req, o->conn_id, o->conn_crtc_prop, o->saved_conn_crtc);
		for (size_t i = 0; i < 3; i++) {
			if (!planes[i]->id)
				continue;
			for (int p = 0; p < KMS_PROP_N; p++) {
				uint64_t v = planes[i]->saved[p];

				/* Second attempt: the old framebuffers are gone, planes off. */
				if (attempt && (p == KMS_PROP_FB_ID || p == KMS_PROP_CRTC_ID))
					v = 0;
				drmModeAtomicAddProperty(req, planes[i]->id, planes[i]->prop[p], v);
			}
		}
		ret = drmModeAtomicCommit(o->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
		if (blob)
			drmModeDestroyPropertyBlob(o->fd, blob);
		blob = 0;
		if (ret == 0) {
			LOG_INFO("%s: the previous state is back%s", o->name,
				 attempt ? " (without its planes: their framebuffers are gone)" : "");
			break;
		}
		if (attempt)
			LOG_WARN("cannot restore the state before us on %s: %s", o->name,
				 strerror(errno));
	}
	drmModeAtomicFree(req);
}


void kms_output_close(struct kms_output *o)
{
	if (o->fd >= 0) {
		if (o->mode_blob)
			drmModeDestroyPropertyBlob(o->fd, o->mode_blob);
		kms_seat_close(o->seat, o->fd);
	}
	free(o->primary.formats);
	free(o->cursor.formats);
	free(o->overlay.formats);
	*o = (struct kms_output){ .fd = -1 };
}
