/* SPDX-License-Identifier: MIT */
/* drm_fourcc.h's values for unit tests, which must build without libdrm. */
#ifndef VGPU_VIEWER_TEST_FOURCC_H
#define VGPU_VIEWER_TEST_FOURCC_H

#include <stdint.h>

#ifndef FOURCC	/* plane.h has it too */
#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#endif
#define DRM_FORMAT_XRGB8888 FOURCC('X', 'R', '2', '4')
#define DRM_FORMAT_ARGB8888 FOURCC('A', 'R', '2', '4')
#define DRM_FORMAT_XBGR8888 FOURCC('X', 'B', '2', '4')
#define DRM_FORMAT_RGB565 FOURCC('R', 'G', '1', '6')
#define DRM_FORMAT_MOD_LINEAR 0ull

#endif
