/* SPDX-License-Identifier: MIT */
/*
 * The last LATENCY_SAMPLES latencies of one kind (latency_), for the
 * summary a module logs when it ends: how long QEMU took to answer an
 * input command, how long a key took from the kernel's timestamp to the
 * viewer's sink.  Fixed size, no allocation.
 */
#ifndef VGPU_VIEWER_LATENCY_H
#define VGPU_VIEWER_LATENCY_H

#include <stdint.h>

#define LATENCY_SAMPLES 1024

struct latency {
	uint32_t us[LATENCY_SAMPLES];	/* a ring: the newest overwrite the oldest */
	uint64_t count;			/* every sample ever added */
};

/* One sample of @ns nanoseconds (kept in microseconds, at most ~71 minutes). */
void latency_add(struct latency *l, uint64_t ns);

/*
 * The @pct percentile (0..100, nearest rank) of the samples kept, in
 * microseconds; 0 when there are none.
 */
uint32_t latency_pct(const struct latency *l, unsigned int pct);

#endif
