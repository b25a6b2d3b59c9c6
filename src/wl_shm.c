// SPDX-License-Identifier: MIT
/* wl_shm buffers; see wl_shm.h. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <wayland-client.h>

#include "wl_shm.h"

static void handle_release(void *data, struct wl_buffer *buffer)
{
	struct wlout_shm *b = data;

	b->busy = false;
}

static const struct wl_buffer_listener buffer_listener = {
	.release = handle_release,
};

void wlout_shm_finish(struct wlout_shm *b)
{
	if (b->buffer)
		wl_buffer_destroy(b->buffer);
	if (b->data)
		munmap(b->data, b->size);
	*b = (struct wlout_shm){ 0 };
}

int wlout_shm_init(struct wlout_shm *b, struct wl_shm *shm, uint32_t width, uint32_t height,
		   uint32_t format, uint32_t cpp)
{
	struct wl_shm_pool *pool;
	int fd, ret;

	wlout_shm_finish(b);
	b->stride = width * cpp;
	b->size = (size_t)b->stride * height;
	fd = memfd_create("vgpu-viewer", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)b->size) < 0) {
		ret = -errno;
		goto err_close;
	}
	b->data = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->data == MAP_FAILED) {
		b->data = NULL;
		ret = -errno;
		goto err_close;
	}
	pool = wl_shm_create_pool(shm, fd, (int32_t)b->size);
	b->buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)width, (int32_t)height,
					      (int32_t)b->stride, format);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(b->buffer, &buffer_listener, b);
	b->width = width;
	b->height = height;
	b->format = format;
	return 0;

err_close:
	close(fd);
	wlout_shm_finish(b);
	return ret;
}

struct wlout_shm *wlout_shm_pick(struct wlout_shm *bufs, size_t n, struct wl_shm *shm,
				 uint32_t width, uint32_t height, uint32_t format, uint32_t cpp)
{
	struct wlout_shm *spare = NULL;

	for (size_t i = 0; i < n; i++) {
		struct wlout_shm *b = &bufs[i];

		if (b->busy)
			continue;
		if (b->buffer && b->width == width && b->height == height && b->format == format)
			return b;
		spare = b;
	}
	if (spare && wlout_shm_init(spare, shm, width, height, format, cpp))
		return NULL;
	return spare;
}
