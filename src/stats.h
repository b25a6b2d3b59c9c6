/* SPDX-License-Identifier: MIT */
/*
 * What the viewer did, for --stats (JSON lines) and for the summary the
 * benchmarks read: one record per frame shown, one per event (attach,
 * detach, display on and off), and a summary at the end.
 */
#ifndef VGPU_VIEWER_STATS_H
#define VGPU_VIEWER_STATS_H

#include <stdbool.h>
#include <stdint.h>

struct stats_frame {
	bool stamped;		/* seq and flip_ns come from the frame's stamp */
	uint32_t seq;
	uint64_t flip_ns;	/* the guest's flip (CLOCK_MONOTONIC) */
	uint64_t wake_ns;	/* the viewer woke up */
	uint64_t ready_ns;	/* the buffer was in hand (dmabuf fd or mapping) */
	uint64_t present_ns;	/* handed to the screen (headless: read; Wayland: committed) */
	uint64_t presented_ns;	/* on screen, as wp_presentation says; 0: unknown */
	const char *path;	/* how it was shown: "zero-copy", "egl", "shm"; NULL: headless */
	bool discarded;		/* the compositor never showed it (a newer frame won) */
	bool zero_copy;		/* wp_presentation: scanned out without a copy */
	uint32_t dmabuf_id;
	uint32_t width, height;
	uint32_t fourcc;
};

struct stats;

/* Records to @path when not NULL (truncated, close-on-exec); counts anyway. */
struct stats *stats_create(const char *path);

/* Writes the summary and closes; NULL is a no-op. */
void stats_destroy(struct stats *s);

/* Whether records are written (--stats): worth reading frame stamps for. */
bool stats_enabled(const struct stats *s);

/*
 * A "mark" record with the counters and CPU time so far (SIGUSR1): the
 * benchmark takes the difference between two marks.
 */
void stats_mark(struct stats *s);

/* Frames shown so far. */
uint64_t stats_frames(const struct stats *s);

void stats_wakeup(struct stats *s);
/* A full-frame CPU copy of @bytes (the shm path): the benchmark counts them. */
void stats_copy(struct stats *s, uint64_t bytes);
void stats_frame(struct stats *s, const struct stats_frame *f);
void stats_repeat(struct stats *s);

/* An event record: "event" and one optional string field. */
void stats_event(struct stats *s, const char *event, const char *key, const char *value);

uint64_t stats_now_ns(void);

#endif
