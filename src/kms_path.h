/* SPDX-License-Identifier: MIT */
/*
 * The KMS presenter's choice of path for a frame (kms_path_), as pure
 * functions: whether the primary plane may scan the guest's buffer out
 * itself (zero-copy), must be asked first (an atomic TEST_ONLY commit), or
 * the frame is composed with EGL.  kms.c does what it says; the unit tests
 * check the decisions without a card.
 */
#ifndef VGPU_VIEWER_KMS_PATH_H
#define VGPU_VIEWER_KMS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "geom.h"
#include "presenter.h"

/* What the presenter learnt about one guest dmabuf on this output. */
struct kms_path_buf {
	bool fb;			/* imported as a framebuffer */
	bool fb_failed;			/* the import failed (@why said why) */
	bool refused;			/* the plane refused it at @refused_layout */
	struct geom_layout refused_layout;
	bool taken;			/* a commit put it on the plane at @taken_layout */
	struct geom_layout taken_layout;
};

enum kms_path_plan {
	KMS_PLAN_SCANOUT,	/* on the plane, as it was taken before: no need to ask */
	KMS_PLAN_TEST,		/* on the plane, after a TEST_ONLY commit says yes */
	KMS_PLAN_COMPOSE,	/* drawn with EGL into a buffer of ours */
	KMS_PLAN_FAIL,		/* --path zero-copy, and it cannot be */
};

/*
 * Whether the primary plane (its @n formats) and the driver (@modifiers:
 * DRM_CAP_ADDFB2_MODIFIERS) can take a buffer of @fourcc (the opaque twin
 * of the guest's format) and @modifier as a framebuffer at all.  When not,
 * says why in @why.
 */
bool kms_path_can_import(const uint32_t *formats, uint32_t n, bool modifiers, uint32_t fourcc,
			 uint64_t modifier, char *why, size_t len);

/*
 * The plan for a frame at layout @l: @b is what is known of its dmabuf
 * (NULL: a region plane, which has none), @want the --path, @modeset
 * whether the mode is set (the first commit always asks).  @why gets the
 * reason it composes, or stays as it was.
 */
enum kms_path_plan kms_path_plan(enum presenter_path want, const struct kms_path_buf *b,
				 bool modeset, const struct geom_layout *l, char *why, size_t len);

#endif
