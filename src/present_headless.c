// SPDX-License-Identifier: MIT
/*
 * The headless presenter "shows" a frame by reading it: the stamp in its
 * first row says which guest frame it is and when the guest flipped it.  It
 * is a real backend for servers and benchmarks, and what the core's tests
 * check the viewer against.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "headless"
#include "frame_stamp.h"
#include "log.h"
#include "presenter.h"
#include "stats.h"

struct headless {
	struct presenter base;
	struct stats *stats;
	bool have_last, warned;
	uint32_t last_seq;
	struct plane last;
};

static int headless_present(struct presenter *base, const struct presenter_frame *f)
{
	struct headless *h = (struct headless *)base;
	struct stats_frame sf = { .wake_ns = f->wake_ns, .ready_ns = f->ready_ns };
	struct frame_stamp st;

	if (!f->plane) {
		h->have_last = false;
		return 1;
	}

	sf.stamped = presenter_read_stamp(f, &st, &h->warned);

	/* The same guest frame seen again (polling, a spurious signal): not a new frame. */
	if (h->have_last && plane_same_buffer(&h->last, f->plane) &&
	    (sf.stamped ? st.seq == h->last_seq : true)) {
		stats_repeat(h->stats);
		return 1;
	}
	if (sf.stamped)
		h->last_seq = st.seq;
	presenter_stats_init(f, &st, sf.stamped, &sf);
	sf.present_ns = stats_now_ns();
	stats_frame(h->stats, &sf);
	h->last = *f->plane;
	h->have_last = true;
	return 1;
}

static void headless_destroy(struct presenter *base)
{
	free(base);
}

static const struct presenter_ops headless_ops = {
	.name = "headless",
	.present = headless_present,
	.destroy = headless_destroy,
};

struct presenter *present_headless_create(struct stats *stats)
{
	struct headless *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->base.ops = &headless_ops;
	h->stats = stats;
	return &h->base;
}
