// SPDX-License-Identifier: MIT
/* What every presenter shares. */
#include <errno.h>
#include <string.h>

#define LOG_MODULE "present"
#include "frame_stamp.h"
#include "log.h"
#include "presenter.h"
#include "stats.h"

static const void *pixels_of(const struct presenter_frame *f, bool *warned)
{
	const void *p = f->buf ? plane_buf_map(f->buf) : f->pixels;

	if (!p && !*warned) {
		LOG_WARN("cannot map the guest plane for reading: %s; frames are counted, not read",
			 strerror(errno));
		*warned = true;
	}
	return p;
}

bool presenter_read_stamp(const struct presenter_frame *f, struct frame_stamp *ret,
			  bool *warned)
{
	const void *px;
	bool ok;

	/* Only linear XRGB-like layouts can be read by the CPU in place. */
	if (f->plane->modifier != 0 || plane_format_cpp(f->plane->fourcc) != 4)
		return false;
	px = pixels_of(f, warned);
	if (!px)
		return false;
	plane_buf_sync_read(f->buf, true);
	ok = frame_stamp_read(px, f->plane->stride, f->plane->width, 0, ret) == 0;
	plane_buf_sync_read(f->buf, false);
	return ok;
}

void presenter_stats_init(const struct presenter_frame *f, const struct frame_stamp *st,
			  bool stamped, struct stats_frame *sf)
{
	*sf = (struct stats_frame){
		.stamped = stamped,
		.wake_ns = f->wake_ns,
		.ready_ns = f->ready_ns,
		.dmabuf_id = f->plane->kind == PLANE_DMABUF ? f->plane->id : 0,
		.width = f->plane->width,
		.height = f->plane->height,
		.fourcc = f->plane->fourcc,
	};
	if (stamped) {
		sf->seq = st->seq;
		sf->flip_ns = st->flip_ns;
	}
}

/* In enum presenter_path's order; what --path takes. */
const char *const presenter_path_names[] = { "auto", "zero-copy", "egl", "shm", NULL };

const char *presenter_path_name(enum presenter_path path)
{
	return (unsigned int)path <= PRESENTER_PATH_SHM ? presenter_path_names[path] : "?";
}

bool presenter_is_repeat(const struct presenter_last *last, const struct plane *p, bool stamped,
			 uint32_t seq, bool unstamped_same)
{
	if (!last->valid || !plane_same_buffer(&last->plane, p))
		return false;
	if (stamped)
		return last->stamped && last->seq == seq;
	return unstamped_same && !last->stamped;
}

void presenter_last_set(struct presenter_last *last, const struct plane *p, bool stamped,
			uint32_t seq)
{
	if (!p) {
		last->valid = false;
		return;
	}
	*last = (struct presenter_last){
		.valid = true,
		.stamped = stamped,
		.seq = seq,
		.plane = *p,
	};
}
