// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fmtset.h"

void fmtset_finish(struct fmtset *s)
{
	free(s->pairs);
	*s = (struct fmtset){ 0 };
}

bool fmtset_has(const struct fmtset *s, uint32_t format, uint64_t modifier)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->pairs[i].format == format && s->pairs[i].modifier == modifier)
			return true;
	return false;
}

int fmtset_add(struct fmtset *s, uint32_t format, uint64_t modifier)
{
	if (fmtset_has(s, format, modifier))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct fmtset_pair *p = realloc(s->pairs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->pairs = p;
		s->cap = cap;
	}
	s->pairs[s->n++] = (struct fmtset_pair){ .format = format, .modifier = modifier };
	return 0;
}

size_t fmtset_add_from_table(struct fmtset *s, const void *table, size_t size,
			     const uint16_t *indices, size_t n)
{
	size_t entries = size / sizeof(struct fmtset_pair), skipped = 0;

	for (size_t i = 0; i < n; i++) {
		struct fmtset_pair e;

		if (indices[i] >= entries) {
			skipped++;
			continue;
		}
		/* The table is a mapping of the compositor's: copy, no alignment assumed. */
		memcpy(&e, (const char *)table + indices[i] * sizeof(e), sizeof(e));
		if (fmtset_add(s, e.format, e.modifier))
			break;
	}
	return skipped;
}
