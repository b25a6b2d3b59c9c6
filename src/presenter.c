// SPDX-License-Identifier: MIT
/* What every presenter shares. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/dma-buf.h>

#define LOG_MODULE "present"
#include "frame_stamp.h"
#include "log.h"
#include "presenter.h"

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
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	const void *px;
	bool ok;

	/* Only linear XRGB-like layouts can be read by the CPU in place. */
	if (f->plane->modifier != 0 || plane_format_cpp(f->plane->fourcc) != 4)
		return false;
	px = pixels_of(f, warned);
	if (!px)
		return false;
	if (f->buf)
		ioctl(f->buf->fd, DMA_BUF_IOCTL_SYNC, &sync);
	ok = frame_stamp_read(px, f->plane->stride, f->plane->width, 0, ret) == 0;
	if (f->buf) {
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ioctl(f->buf->fd, DMA_BUF_IOCTL_SYNC, &sync);
	}
	return ok;
}
