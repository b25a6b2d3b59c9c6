/* SPDX-License-Identifier: MIT */
/*
 * A set of (DRM fourcc, modifier) pairs: what a compositor takes through
 * linux-dmabuf, from v3's modifier events or v4's format table.
 */
#ifndef VGPU_VIEWER_FMTSET_H
#define VGPU_VIEWER_FMTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fmtset_pair {
	uint32_t format;
	uint32_t pad;
	uint64_t modifier;
};

struct fmtset {
	struct fmtset_pair *pairs;
	size_t n, cap;
};

/* Frees the pairs; the set is empty and usable again. */
void fmtset_finish(struct fmtset *s);

/* Adds a pair (once).  Returns 0 or -ENOMEM. */
int fmtset_add(struct fmtset *s, uint32_t format, uint64_t modifier);

bool fmtset_has(const struct fmtset *s, uint32_t format, uint64_t modifier);

/*
 * Adds the pairs that @n 16-bit @indices name in a linux-dmabuf v4 format
 * table of @size bytes (16-byte entries: format, padding, modifier).
 * Indices beyond the table are skipped.  Returns how many were skipped.
 */
size_t fmtset_add_from_table(struct fmtset *s, const void *table, size_t size,
			     const uint16_t *indices, size_t n);

#endif
