// SPDX-License-Identifier: MIT
/* linux-dmabuf format/modifier sets: v3 events and v4 format tables. */
#include <stdlib.h>

#include "fmtset.h"
#include "test.h"

#define XR24 0x34325258u
#define AR24 0x34325241u
#define LINEAR 0ull
#define X_TILED 0x0100000000000001ull
#define INVALID 0x00ffffffffffffffull

static void test_add_has(void)
{
	struct fmtset s = { 0 };

	CHECK(!fmtset_has(&s, XR24, LINEAR));
	CHECK_INT_EQ(fmtset_add(&s, XR24, LINEAR), 0);
	CHECK_INT_EQ(fmtset_add(&s, XR24, LINEAR), 0);	/* once */
	CHECK_INT_EQ(fmtset_add(&s, XR24, X_TILED), 0);
	CHECK_INT_EQ(s.n, 2);
	CHECK(fmtset_has(&s, XR24, LINEAR));
	CHECK(fmtset_has(&s, XR24, X_TILED));
	CHECK(!fmtset_has(&s, AR24, LINEAR));
	CHECK(!fmtset_has(&s, XR24, INVALID));
	for (uint32_t i = 0; i < 1000; i++)
		CHECK_INT_EQ(fmtset_add(&s, i, LINEAR), 0);
	CHECK(fmtset_has(&s, 999, LINEAR));
	fmtset_finish(&s);
	CHECK(s.n == 0 && s.pairs == NULL);
}

static void test_v4_table(void)
{
	const struct fmtset_pair table[3] = {
		{ .format = XR24, .modifier = LINEAR },
		{ .format = AR24, .modifier = X_TILED },
		{ .format = XR24, .modifier = INVALID },
	};
	/* A tranche naming entries 2 and 0, one past the end, and a huge index. */
	const uint16_t idx[] = { 2, 0, 3, 65535, 0 };
	struct fmtset s = { 0 };
	char *odd;

	CHECK_INT_EQ(fmtset_add_from_table(&s, table, sizeof(table), idx, 5), 2);
	CHECK_INT_EQ(s.n, 2);
	CHECK(fmtset_has(&s, XR24, LINEAR));
	CHECK(fmtset_has(&s, XR24, INVALID));
	CHECK(!fmtset_has(&s, AR24, X_TILED));
	fmtset_finish(&s);

	/* A table whose size is not a whole number of entries: the tail is not one. */
	CHECK_INT_EQ(fmtset_add_from_table(&s, table, sizeof(table) - 1, idx, 2), 1);
	CHECK(fmtset_has(&s, XR24, LINEAR) && !fmtset_has(&s, XR24, INVALID));
	fmtset_finish(&s);

	/* Unaligned mappings are read safely (UBSan would say otherwise). */
	odd = malloc(sizeof(table) + 1);
	CHECK(odd);
	memcpy(odd + 1, table, sizeof(table));
	CHECK_INT_EQ(fmtset_add_from_table(&s, odd + 1, sizeof(table), idx, 2), 0);
	CHECK(fmtset_has(&s, XR24, INVALID));
	free(odd);
	fmtset_finish(&s);
}

int main(void)
{
	RUN_TEST(test_add_has);
	RUN_TEST(test_v4_table);
	return TEST_EXIT_STATUS();
}
