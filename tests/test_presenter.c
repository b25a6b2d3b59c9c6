// SPDX-License-Identifier: MIT
/* The one repeat-frame check every presenter uses (presenter.c). */
#include "presenter.h"
#include "test.h"

static struct plane frame(uint32_t id)
{
	return (struct plane){
		.kind = PLANE_DMABUF, .id = id, .fourcc = 0x34325258, .width = 640, .height = 480,
		.stride = 2560, .size = 2560 * 480,
	};
}

static void test_nothing_shown(void)
{
	struct presenter_last last = { 0 };
	struct plane p = frame(1);

	CHECK(!presenter_is_repeat(&last, &p, true, 7, true));
	CHECK(!presenter_is_repeat(&last, &p, false, 0, true));
}

static void test_stamped(void)
{
	struct presenter_last last = { 0 };
	struct plane p = frame(1), q = frame(2);

	presenter_last_set(&last, &p, true, 7);
	CHECK(presenter_is_repeat(&last, &p, true, 7, false));
	CHECK(presenter_is_repeat(&last, &p, true, 7, true));
	/* The guest drew a new frame into the same buffer. */
	CHECK(!presenter_is_repeat(&last, &p, true, 8, false));
	/* The same stamp in another buffer (the guest copied it): a new buffer to show. */
	CHECK(!presenter_is_repeat(&last, &q, true, 7, false));
	/* The stamp could not be read this time: not the same as a stamped one. */
	CHECK(!presenter_is_repeat(&last, &p, false, 0, true));
}

static void test_unstamped(void)
{
	struct presenter_last last = { 0 };
	struct plane p = frame(1), q = frame(2);

	presenter_last_set(&last, &p, false, 0);
	/* A presenter that reads frames counts the buffer once... */
	CHECK(presenter_is_repeat(&last, &p, false, 0, true));
	/* ...one that shows pixels draws it again: it may have new contents. */
	CHECK(!presenter_is_repeat(&last, &p, false, 0, false));
	CHECK(!presenter_is_repeat(&last, &q, false, 0, true));
	/* A stamp appears (the guest started stamping): a new frame. */
	CHECK(!presenter_is_repeat(&last, &p, true, 0, true));
}

static void test_layout_change(void)
{
	struct presenter_last last = { 0 };
	struct plane p = frame(1), wide = frame(1);

	wide.width = 800;
	wide.stride = 3200;
	presenter_last_set(&last, &p, true, 3);
	/* Same buffer id, new mode: never a repeat. */
	CHECK(!presenter_is_repeat(&last, &wide, true, 3, true));
}

static void test_forget(void)
{
	struct presenter_last last = { 0 };
	struct plane p = frame(1);

	presenter_last_set(&last, &p, true, 3);
	presenter_last_set(&last, NULL, false, 0);	/* the display went off */
	CHECK(!presenter_is_repeat(&last, &p, true, 3, true));
}

int main(void)
{
	RUN_TEST(test_nothing_shown);
	RUN_TEST(test_stamped);
	RUN_TEST(test_unstamped);
	RUN_TEST(test_layout_change);
	RUN_TEST(test_forget);
	return TEST_EXIT_STATUS();
}
