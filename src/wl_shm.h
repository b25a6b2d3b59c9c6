/* SPDX-License-Identifier: MIT */
/*
 * wl_shm buffers of the Wayland presenter (wlout_shm_): one memfd each,
 * busy from attach until the compositor releases it.
 */
#ifndef VGPU_VIEWER_WL_SHM_H
#define VGPU_VIEWER_WL_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_buffer;
struct wl_shm;

struct wlout_shm {
	struct wl_buffer *buffer;	/* NULL: none yet */
	void *data;
	size_t size;
	uint32_t width, height, stride, format;
	bool busy;			/* with the compositor */
};

/* (Re)makes @b a @width x @height buffer of wl_shm @format, @cpp bytes a pixel: 0 or -errno. */
int wlout_shm_init(struct wlout_shm *b, struct wl_shm *shm, uint32_t width, uint32_t height,
		   uint32_t format, uint32_t cpp);
void wlout_shm_finish(struct wlout_shm *b);

/*
 * Of the @n buffers @bufs, one the compositor is not using, of that size
 * and format (made so if need be); NULL when all are busy or it cannot be
 * made.
 */
struct wlout_shm *wlout_shm_pick(struct wlout_shm *bufs, size_t n, struct wl_shm *shm,
				 uint32_t width, uint32_t height, uint32_t format, uint32_t cpp);

#endif
