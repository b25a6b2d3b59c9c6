// SPDX-License-Identifier: MIT
/* The Wayland presenter's path choice (wl_path.c), without a compositor. */
#include <stdint.h>
#include <stdio.h>

#include "test.h"
#include "test_fourcc.h"
#include "wl_path.h"

#define MOD_X_TILED 0x0100000000000001ull	/* I915_FORMAT_MOD_X_TILED */

static const struct geom_layout one_to_one = {
	.src = { 0, 0, 1024, 768 }, .dst = { 0, 0, 1024, 768 },
};
static const struct geom_layout scaled = {
	.src = { 0, 0, 1024, 768 }, .dst = { 0, 0, 1920, 1440 },
};

static struct plane dmabuf_plane(uint32_t fourcc, uint64_t modifier)
{
	return (struct plane){
		.kind = PLANE_DMABUF, .fourcc = fourcc, .modifier = modifier,
		.width = 1024, .height = 768, .stride = 4096, .size = 4096 * 768, .id = 1,
	};
}

/* A compositor taking linear XRGB8888 (what weston offers mbochs' buffers). */
static struct fmtset linear_xrgb(void)
{
	struct fmtset s = { 0 };

	fmtset_add(&s, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	return s;
}

static enum presenter_path choose(struct wlout_path_input in, char *why)
{
	return wlout_path_choose(&in, why, 128);
}

static void test_zero_copy(void)
{
	struct fmtset s = linear_xrgb();
	struct plane p = dmabuf_plane(DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	struct plane argb = dmabuf_plane(DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR);
	char why[128];

	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &scaled,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_ZERO_COPY);
	CHECK_STR_CONTAINS(why, "takes the guest's dmabuf");
	/* A primary plane is shown opaque: ARGB goes as XRGB. */
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &argb, .layout = &one_to_one,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_ZERO_COPY);
	/* A filter of our own, 1:1: the compositor does not filter, zero-copy stays. */
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .filter = GEOM_FILTER_NEAREST,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_ZERO_COPY);
	fmtset_finish(&s);
}

static void test_egl_when_the_compositor_cannot(void)
{
	struct fmtset s = linear_xrgb();
	struct plane tiled = dmabuf_plane(DRM_FORMAT_XRGB8888, MOD_X_TILED);
	struct plane p = dmabuf_plane(DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	char why[128];

	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &tiled, .layout = &one_to_one,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_EGL);
	CHECK_STR_CONTAINS(why, "does not take XR24 modifier 0x100000000000001");
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one }, why),
		     PRESENTER_PATH_EGL);
	CHECK_STR_CONTAINS(why, "has no linux-dmabuf");
	/* --filter with scaling: the compositor's filter is not ours. */
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &scaled,
						     .filter = GEOM_FILTER_LINEAR,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_EGL);
	CHECK_STR_CONTAINS(why, "scale with its own filter");
	/* ...unless zero-copy was asked for by name. */
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &scaled,
						     .filter = GEOM_FILTER_LINEAR,
						     .want = PRESENTER_PATH_ZERO_COPY,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_ZERO_COPY);
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .buffer_failed = true,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_EGL);
	CHECK_STR_CONTAINS(why, "refused the guest's dmabuf");
	fmtset_finish(&s);
}

static void test_shm(void)
{
	struct fmtset s = linear_xrgb();
	struct plane p = dmabuf_plane(DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	struct plane region = p;
	char why[128];

	region.kind = PLANE_REGION;
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &region, .layout = &one_to_one,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_SHM);
	CHECK_STR_CONTAINS(why, "device region");
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .buffer_failed = true, .egl_failed = true,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_SHM);
	CHECK_STR_CONTAINS(why, "EGL is not usable");
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .buffer_failed = true, .image_failed = true,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_SHM);
	CHECK_STR_CONTAINS(why, "EGL cannot import");
	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .want = PRESENTER_PATH_SHM,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_SHM);
	CHECK_STR_CONTAINS(why, "--path shm");
	fmtset_finish(&s);
}

static void test_forced_egl(void)
{
	struct fmtset s = linear_xrgb();
	struct plane p = dmabuf_plane(DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR);
	char why[128];

	CHECK_INT_EQ(choose((struct wlout_path_input){ .plane = &p, .layout = &one_to_one,
						     .want = PRESENTER_PATH_EGL,
						     .dmabuf_formats = &s }, why),
		     PRESENTER_PATH_EGL);
	CHECK_STR_CONTAINS(why, "--path egl");
	fmtset_finish(&s);
}

int main(void)
{
	RUN_TEST(test_zero_copy);
	RUN_TEST(test_egl_when_the_compositor_cannot);
	RUN_TEST(test_shm);
	RUN_TEST(test_forced_egl);
	return TEST_EXIT_STATUS();
}
