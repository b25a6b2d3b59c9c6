/* SPDX-License-Identifier: MIT */
/*
 * The presenters (headless now; Wayland and KMS later) behind one ops
 * struct, like kmscube's drm->run: viewer.c hands each a frame and learns
 * when it reached the screen, which is when the display IRQ is unmasked.
 */
#ifndef VGPU_VIEWER_PRESENTER_H
#define VGPU_VIEWER_PRESENTER_H

#include <stdint.h>

#include "plane.h"

struct stats;

struct presenter_frame {
	const struct plane *plane;	/* the primary plane; NULL: the display is off */
	const struct plane *cursor;	/* the cursor plane; NULL: none or off */
	struct plane_buf *buf;		/* dmabuf planes: the cache entry */
	const void *pixels;		/* region planes: the mapping */
	uint64_t wake_ns;		/* when the viewer woke for it */
	uint64_t ready_ns;		/* when the buffer was in hand */
};

struct presenter;

struct presenter_ops {
	const char *name;
	/*
	 * Shows @f.  Returns 1 when it is on screen already, 0 when
	 * presenter->frame_done() will be called once it is, or -errno.
	 */
	int (*present)(struct presenter *p, const struct presenter_frame *f);
	void (*destroy)(struct presenter *p);
};

struct presenter {
	const struct presenter_ops *ops;
	/* Set by viewer.c: the previous frame reached the screen. */
	void (*frame_done)(void *data);
	void *data;
};

/* Records frames (sequence and latency from their stamp) into @stats. */
struct presenter *present_headless_create(struct stats *stats);

#endif
