/* SPDX-License-Identifier: MIT */
/* The headless presenter's constructor; see headless.c. */
#ifndef VGPU_VIEWER_HEADLESS_H
#define VGPU_VIEWER_HEADLESS_H

#include "presenter.h"

/* Records frames (sequence and latency from their stamp) into @stats. */
struct presenter *headless_create(struct stats *stats);

#endif
