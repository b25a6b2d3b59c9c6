/* SPDX-License-Identifier: MIT */
/*
 * The KMS output (kms_output_): the card, the connector and its mode, the
 * CRTC and its primary, cursor and overlay planes with their atomic
 * properties, and the state they had before us, put back at the end.
 * kms.c builds the commits; this file finds what they address.
 */
#ifndef VGPU_VIEWER_KMS_OUTPUT_H
#define VGPU_VIEWER_KMS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include <xf86drmMode.h>

#include "geom.h"

struct kms_options;
struct kms_seat;

/* The plane properties a commit sets. */
enum kms_prop {
	KMS_PROP_FB_ID, KMS_PROP_CRTC_ID, KMS_PROP_SRC_X, KMS_PROP_SRC_Y, KMS_PROP_SRC_W,
	KMS_PROP_SRC_H, KMS_PROP_CRTC_X, KMS_PROP_CRTC_Y, KMS_PROP_CRTC_W, KMS_PROP_CRTC_H,
	KMS_PROP_N
};

struct kms_plane {
	uint32_t id;			/* 0: the CRTC has no such plane */
	uint32_t prop[KMS_PROP_N];
	uint64_t saved[KMS_PROP_N];	/* before we came */
	uint32_t *formats;
	uint32_t n_formats;
};

struct kms_output {
	struct kms_seat *seat;		/* who opened the card */
	int fd;				/* -1: not open */
	char card[32];
	char name[32];			/* the connector's, "Virtual-1" */
	uint32_t conn_id, crtc_id;
	uint32_t conn_crtc_prop, crtc_mode_prop, crtc_active_prop;
	struct kms_plane primary, cursor, overlay;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	uint64_t cursor_w, cursor_h;	/* the cursor plane's buffer size */
	bool modifiers;			/* DRM_CAP_ADDFB2_MODIFIERS */

	/* The state before us, put back by kms_output_restore(). */
	drmModeModeInfo saved_mode;
	bool saved_mode_valid;
	uint64_t saved_conn_crtc, saved_active;
};

/*
 * Opens the card (--drm-device, or the first with a connected or the named
 * output) through @seat and finds the connector, mode, CRTC and planes of
 * @kopts.  Returns 0, or -errno after logging why: -ENODEV no card or no
 * such connected output, -ERANGE the output has no such mode, -EBUSY
 * another process is DRM master; anything else is a failure.
 * kms_output_close() cleans up after either.
 */
int kms_output_open(struct kms_output *o, struct kms_seat *seat, const struct kms_options *kopts);
void kms_output_close(struct kms_output *o);

/* Plane @p showing the @src part of framebuffer @fb at @dst; @fb 0 turns it off. */
void kms_output_add_plane(const struct kms_output *o, drmModeAtomicReq *req,
			  const struct kms_plane *p, uint32_t fb, const struct geom_rect *src,
			  const struct geom_rect *dst);
/* The CRTC, connector and mode, for the first commit (ALLOW_MODESET). */
void kms_output_add_modeset(const struct kms_output *o, drmModeAtomicReq *req);

/* Puts back the CRTC, connector and planes as they were; blocking, logged. */
void kms_output_restore(const struct kms_output *o);

#endif
