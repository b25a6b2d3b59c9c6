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
#include "headless.h"
#include "log.h"
#include "presenter.h"
#include "stats.h"

struct headless {
	struct presenter base;
	struct stats *stats;
	bool warned;
	struct presenter_last last;
};

static int headless_present(struct presenter *base, const struct presenter_frame *f)
{
	struct headless *h = (struct headless *)base;
	struct stats_frame sf = { .wake_ns = f->wake_ns, .ready_ns = f->ready_ns };
	struct frame_stamp st = { 0 };

	if (!f->plane) {
		presenter_last_set(&h->last, NULL, false, 0);
		return 1;
	}

	sf.stamped = presenter_read_stamp(f, &st, &h->warned);
	/*
	 * The same guest frame seen again (polling, a spurious signal): not a
	 * new frame.  Without a stamp the same buffer counts once: this
	 * presenter records frames, it does not show pixels.
	 */
	if (presenter_is_repeat(&h->last, f->plane, sf.stamped, st.seq, true)) {
		stats_repeat(h->stats);
		return 1;
	}
	presenter_last_set(&h->last, f->plane, sf.stamped, st.seq);
	presenter_stats_init(f, &st, sf.stamped, &sf);
	sf.present_ns = stats_now_ns();
	stats_frame(h->stats, &sf);
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

struct presenter *headless_create(struct stats *stats)
{
	struct headless *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->base.ops = &headless_ops;
	h->stats = stats;
	return &h->base;
}
