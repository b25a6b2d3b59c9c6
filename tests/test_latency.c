// SPDX-License-Identifier: MIT
/* latency.c: percentiles of the samples kept, and the ring's overwriting. */
#include "latency.h"
#include "test.h"

static void test_percentiles(void)
{
	static struct latency l;

	CHECK_INT_EQ(latency_pct(&l, 50), 0);	/* none */
	/* 1..100 ms, out of order. */
	for (int i = 100; i >= 1; i -= 2)
		latency_add(&l, (uint64_t)i * 1000000);
	for (int i = 1; i <= 99; i += 2)
		latency_add(&l, (uint64_t)i * 1000000);
	CHECK_INT_EQ(l.count, 100);
	CHECK_INT_EQ(latency_pct(&l, 50), 50000);
	CHECK_INT_EQ(latency_pct(&l, 90), 90000);
	CHECK_INT_EQ(latency_pct(&l, 100), 100000);
	CHECK_INT_EQ(latency_pct(&l, 0), 1000);
	CHECK_INT_EQ(latency_pct(&l, 200), 100000);
}

static void test_ring(void)
{
	static struct latency l;

	/* 1024 samples of 1 s, then 1024 of 1 ms: only the newest are kept. */
	for (int i = 0; i < LATENCY_SAMPLES; i++)
		latency_add(&l, 1000000000);
	for (int i = 0; i < LATENCY_SAMPLES; i++)
		latency_add(&l, 1000000);
	CHECK_INT_EQ(l.count, 2 * LATENCY_SAMPLES);
	CHECK_INT_EQ(latency_pct(&l, 100), 1000);
	/* Beyond what a microsecond count holds: the largest it holds. */
	latency_add(&l, UINT64_MAX);
	CHECK_INT_EQ(latency_pct(&l, 100), UINT32_MAX);
}

int main(void)
{
	RUN_TEST(test_percentiles);
	RUN_TEST(test_ring);
	return TEST_EXIT_STATUS();
}
