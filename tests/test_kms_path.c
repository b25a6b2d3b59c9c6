// SPDX-License-Identifier: MIT
/* The KMS presenter's zero-copy decision (kms_path.c), without a card. */
#include <stdint.h>
#include <stdio.h>

#include "kms_path.h"
#include "test.h"
#include "test_fourcc.h"

static const uint32_t primary_formats[] = { DRM_FORMAT_XRGB8888, DRM_FORMAT_XBGR8888 };
static const struct geom_layout centred = {
	.src = { 0, 0, 1024, 768 }, .dst = { 128, 16, 1024, 768 },
};
static const struct geom_layout fitted = {
	.src = { 0, 0, 1024, 768 }, .dst = { 0, 0, 1280, 960 },
};

static void test_can_import(void)
{
	char why[128] = "";

	CHECK(kms_path_can_import(primary_formats, 2, false, DRM_FORMAT_XRGB8888,
				  DRM_FORMAT_MOD_LINEAR, why, sizeof(why)));
	CHECK(!kms_path_can_import(primary_formats, 2, true, DRM_FORMAT_RGB565,
				   DRM_FORMAT_MOD_LINEAR, why, sizeof(why)));
	CHECK_STR_CONTAINS(why, "cannot scan out RG16");
	/* A tiled buffer on a driver without modifiers: it would be read as linear. */
	CHECK(!kms_path_can_import(primary_formats, 2, false, DRM_FORMAT_XRGB8888,
				   0x0100000000000001ull, why, sizeof(why)));
	CHECK_STR_CONTAINS(why, "takes no modifiers");
	CHECK(kms_path_can_import(primary_formats, 2, true, DRM_FORMAT_XRGB8888,
				  0x0100000000000001ull, why, sizeof(why)));
	CHECK(!kms_path_can_import(primary_formats, 0, true, DRM_FORMAT_XRGB8888, 0, why,
				   sizeof(why)));
}

static void test_plan(void)
{
	struct kms_path_buf b = { .fb = true };
	char why[160] = "";

	/* First time, or before the mode is set: ask the plane. */
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, true, &centred, why, sizeof(why)),
		     KMS_PLAN_TEST);
	b.taken = true;
	b.taken_layout = centred;
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, false, &centred, why, sizeof(why)),
		     KMS_PLAN_TEST);
	/* Taken at this layout before: commit without asking. */
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, true, &centred, why, sizeof(why)),
		     KMS_PLAN_SCANOUT);
	/* Another layout (the scale changed): ask again. */
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, true, &fitted, why, sizeof(why)),
		     KMS_PLAN_TEST);
	/* Refused at that layout (vkms cannot scale): compose, and do not ask again... */
	b.refused = true;
	b.refused_layout = fitted;
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, true, &fitted, why, sizeof(why)),
		     KMS_PLAN_COMPOSE);
	CHECK_STR_CONTAINS(why, "cannot show this layout");
	/* ...but the layout it took still scans out. */
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &b, true, &centred, why, sizeof(why)),
		     KMS_PLAN_SCANOUT);
	/* --path zero-copy where it cannot be: an error, not a silent copy. */
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_ZERO_COPY, &b, true, &fitted, why, sizeof(why)),
		     KMS_PLAN_FAIL);
}

static void test_compose(void)
{
	struct kms_path_buf b = { .fb = true, .taken = true, .taken_layout = centred };
	struct kms_path_buf failed = { .fb_failed = true };
	char why[160] = "";

	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_EGL, &b, true, &centred, why, sizeof(why)),
		     KMS_PLAN_COMPOSE);
	CHECK_STR_CONTAINS(why, "--path egl");
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_SHM, &b, true, &centred, why, sizeof(why)),
		     KMS_PLAN_COMPOSE);
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, NULL, true, &centred, why, sizeof(why)),
		     KMS_PLAN_COMPOSE);
	CHECK_STR_CONTAINS(why, "region plane");
	/* The import failed: its reason stays in @why. */
	snprintf(why, sizeof(why), "the card refuses the dmabuf");
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_AUTO, &failed, true, &centred, why, sizeof(why)),
		     KMS_PLAN_COMPOSE);
	CHECK_STR_CONTAINS(why, "the card refuses");
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_ZERO_COPY, &failed, true, &centred, why,
				   sizeof(why)),
		     KMS_PLAN_FAIL);
	CHECK_INT_EQ(kms_path_plan(PRESENTER_PATH_ZERO_COPY, NULL, true, &centred, why, sizeof(why)),
		     KMS_PLAN_FAIL);
}

int main(void)
{
	RUN_TEST(test_can_import);
	RUN_TEST(test_plan);
	RUN_TEST(test_compose);
	return TEST_EXIT_STATUS();
}
