/* SPDX-License-Identifier: MIT */
/*
 * The KMS presenter's constructor; see kms.c for how it shows frames.
 */
#ifndef VGPU_VIEWER_KMS_H
#define VGPU_VIEWER_KMS_H

#include "options.h"
#include "presenter.h"

struct input;

/*
 * The guest on a DRM/KMS output; NULL when it fails (logged), with *@ret_err
 * set: -ENODEV no card or no (such) connected output, -ERANGE no such mode,
 * -EBUSY another process is DRM master, anything else a failure.  Keys,
 * buttons and the pointer over the guest go to @input (kept).
 */
struct presenter *kms_create(const struct presenter_options *opts, const struct kms_options *kopts,
			     struct stats *stats, struct input *input, int *ret_err);

#endif
