// SPDX-License-Identifier: MIT
/* Latency samples for a summary; see latency.h. */
#include <stdlib.h>
#include <string.h>

#include "latency.h"

void latency_add(struct latency *l, uint64_t ns)
{
	uint64_t us = ns / 1000;

	l->us[l->count % LATENCY_SAMPLES] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	l->count++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t latency_pct(const struct latency *l, unsigned int pct)
{
	uint32_t sorted[LATENCY_SAMPLES];
	size_t n = l->count < LATENCY_SAMPLES ? (size_t)l->count : LATENCY_SAMPLES;
	size_t rank;

	if (!n)
		return 0;
	memcpy(sorted, l->us, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	/* Nearest rank: the smallest sample with at least pct% at or below it. */
	rank = ((size_t)(pct > 100 ? 100 : pct) * n + 99) / 100;
	return sorted[rank ? rank - 1 : 0];
}
