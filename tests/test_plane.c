// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "plane.h"
#include "test.h"

#define XR24 0x34325258u

static struct vfio_device_gfx_plane_info good(void)
{
	return (struct vfio_device_gfx_plane_info){
		.argsz = sizeof(struct vfio_device_gfx_plane_info),
		.flags = VFIO_GFX_PLANE_TYPE_DMABUF,
		.drm_plane_type = 1,
		.drm_format = XR24,
		.width = 1024,
		.height = 768,
		.stride = 4096,
		.size = 4096 * 768,
		.dmabuf_id = 7,
	};
}

static void test_valid(void)
{
	struct vfio_device_gfx_plane_info q = good();
	const char *why;
	struct plane p;
	char name[5];

	CHECK_INT_EQ(plane_from_query(&q, PLANE_DMABUF, &p, &why), 0);
	CHECK(why == NULL);
	CHECK_INT_EQ(p.width, 1024);
	CHECK_INT_EQ(p.stride, 4096);
	CHECK_INT_EQ(p.id, 7);
	CHECK_INT_EQ(p.kind, PLANE_DMABUF);
	CHECK(strcmp(plane_format_name(p.fourcc, name), "XR24") == 0);
	CHECK_INT_EQ(plane_format_cpp(XR24), 4);
	CHECK_INT_EQ(plane_format_cpp(0x36314752u), 2);	/* RG16 */
}

static void test_off(void)
{
	struct vfio_device_gfx_plane_info q = { 0 };
	const char *why;
	struct plane p;

	CHECK_INT_EQ(plane_from_query(&q, PLANE_DMABUF, &p, &why), -ENODATA);
	q = good();
	q.size = 0;
	CHECK_INT_EQ(plane_from_query(&q, PLANE_DMABUF, &p, &why), -ENODATA);
}

static void test_malformed(void)
{
	static const struct {
		const char *what;
		uint32_t format, width, height, stride, size;
		uint64_t mod;
	} cases[] = {
		{ "unknown format", 0x20202020u, 1024, 768, 4096, 4096 * 768, 0 },
		{ "zero width", XR24, 0, 768, 4096, 4096 * 768, 0 },
		{ "zero height", XR24, 1024, 0, 4096, 4096 * 768, 0 },
		{ "huge width", XR24, 16385, 1, 65540, 65540, 0 },
		{ "stride below a row", XR24, 1024, 768, 4092, 4096 * 768, 0 },
		{ "stride*height beyond size", XR24, 1024, 768, 4096, 4096 * 767, 0 },
		{ "overflowing stride*height", XR24, 1024, 16384, 0xfffff000u, 1u << 30, 0 },
		{ "size beyond 1 GiB", XR24, 1024, 768, 4096, (1u << 30) + 4096, 0 },
		{ "zero stride with a modifier", XR24, 1024, 768, 0, 4096 * 768, 1 },
	};
	const char *why;
	struct plane p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vfio_device_gfx_plane_info q = good();

		q.drm_format = cases[i].format;
		q.width = cases[i].width;
		q.height = cases[i].height;
		q.stride = cases[i].stride;
		q.size = cases[i].size;
		q.drm_format_mod = cases[i].mod;
		if (plane_from_query(&q, PLANE_DMABUF, &p, &why) != -EINVAL || !why) {
			fprintf(stderr, "accepted: %s\n", cases[i].what);
			CHECK(0);
		}
	}
}

static void test_tiled_stride(void)
{
	struct vfio_device_gfx_plane_info q = good();
	const char *why;
	struct plane p;

	/* Y-tiled layouts describe the stride in tiles; only linear is checked per row. */
	q.drm_format_mod = 0x0100000000000002ull;
	q.stride = 512;
	CHECK_INT_EQ(plane_from_query(&q, PLANE_DMABUF, &p, &why), 0);
	CHECK(p.modifier == 0x0100000000000002ull);
}

static void test_same_buffer(void)
{
	struct vfio_device_gfx_plane_info q = good();
	struct plane a, b;
	const char *why;

	plane_from_query(&q, PLANE_DMABUF, &a, &why);
	b = a;
	b.x = 99;	/* a cursor move is the same buffer */
	CHECK(plane_same_buffer(&a, &b));
	b.id = 8;
	CHECK(!plane_same_buffer(&a, &b));
	b = a;
	b.width = 800;
	CHECK(!plane_same_buffer(&a, &b));
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int new_fd(void)
{
	int fd = memfd_create("plane", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, 4096 * 768))
		abort();
	return fd;
}

static struct plane plane_id(uint32_t id)
{
	struct vfio_device_gfx_plane_info q = good();
	const char *why;
	struct plane p;

	q.dmabuf_id = id;
	plane_from_query(&q, PLANE_DMABUF, &p, &why);
	return p;
}

static int destroyed;

static void count_destroy(void *user)
{
	destroyed += *(int *)user;
}

static void test_cache_lru(void)
{
	struct plane_cache *c = plane_cache_create(3);
	int fd[5], one = 1;
	struct plane p;

	for (int i = 0; i < 5; i++)
		fd[i] = new_fd();
	for (int i = 0; i < 3; i++) {
		p = plane_id((uint32_t)i + 1);
		CHECK(plane_cache_insert(c, &p, fd[i]) != NULL);
	}
	plane_cache_lookup(c, 1)->user = &one;
	plane_cache_lookup(c, 1)->user_destroy = count_destroy;
	CHECK_INT_EQ(plane_cache_count(c), 3);
	/* 1 was used last: 2 is the least recently used and goes. */
	p = plane_id(4);
	CHECK(plane_cache_insert(c, &p, fd[3]) != NULL);
	CHECK(!fd_open(fd[1]));
	CHECK(fd_open(fd[0]) && fd_open(fd[2]) && fd_open(fd[3]));
	CHECK(plane_cache_lookup(c, 2) == NULL);
	CHECK_INT_EQ(plane_cache_evictions(c), 1);

	/* Re-inserting a live id replaces and closes the old fd, and its import. */
	p = plane_id(1);
	CHECK(plane_cache_insert(c, &p, fd[4]) != NULL);
	CHECK(!fd_open(fd[0]));
	CHECK_INT_EQ(destroyed, 1);
	CHECK_INT_EQ(plane_cache_lookup(c, 1)->fd, fd[4]);
	CHECK_INT_EQ(plane_cache_count(c), 3);

	plane_cache_clear(c);
	CHECK_INT_EQ(plane_cache_count(c), 0);
	CHECK(!fd_open(fd[2]) && !fd_open(fd[3]) && !fd_open(fd[4]));
	plane_cache_destroy(c);
	plane_cache_destroy(NULL);
}

static void test_cache_map(void)
{
	struct plane_cache *c = plane_cache_create(2);
	struct plane p = plane_id(3);
	struct plane_buf *b;
	const uint8_t *m;
	int fd = new_fd();

	CHECK(pwrite(fd, "vgpu", 4, 100) == 4);
	b = plane_cache_insert(c, &p, fd);
	m = plane_buf_map(b);
	CHECK(m != NULL);
	CHECK(memcmp(m + 100, "vgpu", 4) == 0);
	CHECK(plane_buf_map(b) == m);	/* mapped once */
	CHECK(plane_cache_insert(c, &p, -1) == NULL);
	plane_cache_destroy(c);
	CHECK(!fd_open(fd));
}

/* The format tables: opaque twins, wl_shm codes, bytes per pixel. */
static void test_format_tables(void)
{
	static const struct {
		const char *fourcc, *opaque;
		uint32_t shm;	/* of the opaque twin */
		unsigned int cpp;
	} cases[] = {
		{ "XR24", "XR24", 1, 4 },	/* wl_shm's two numbered formats */
		{ "AR24", "XR24", 1, 4 },
		{ "XB24", "XB24", 0, 4 },
		{ "AB24", "XB24", 0, 4 },
		{ "RX24", "RX24", 0, 4 },
		{ "BX24", "BX24", 0, 4 },
		{ "AR30", "XR30", 0, 4 },
		{ "AB30", "XB30", 0, 4 },
		{ "RG16", "RG16", 0, 2 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t f, o;

		memcpy(&f, cases[i].fourcc, 4);
		memcpy(&o, cases[i].opaque, 4);
		CHECK_INT_EQ(plane_format_cpp(f), cases[i].cpp);
		CHECK_INT_EQ(plane_format_opaque(f), o);
		/* others go to wl_shm by their fourcc */
		CHECK_INT_EQ(plane_format_wl_shm(o), cases[i].shm ? cases[i].shm : o);
	}
	CHECK_INT_EQ(plane_format_wl_shm(0x34325241u), 0);	/* AR24 is wl_shm 0 */
	CHECK_INT_EQ(plane_format_opaque(0x20202020u), 0);
	CHECK_INT_EQ(plane_format_cpp(0x20202020u), 0);
	CHECK_INT_EQ(plane_format_opaque(0), 0);
}

/* pixman's names for the formats, as pixman.h spells them out (hex). */
static void test_pixman_formats(void)
{
	static const struct {
		const char *fourcc;
		uint32_t pixman;
	} cases[] = {
		{ "XR24", 0x20020888 },	/* PIXMAN_x8r8g8b8 */
		{ "AR24", 0x20028888 },	/* PIXMAN_a8r8g8b8 */
		{ "XB24", 0x20030888 },	/* PIXMAN_x8b8g8r8 */
		{ "AB24", 0x20038888 },	/* PIXMAN_a8b8g8r8 */
		{ "RX24", 0x20090888 },	/* PIXMAN_r8g8b8x8 */
		{ "BX24", 0x20080888 },	/* PIXMAN_b8g8r8x8 */
		{ "XR30", 0x20020aaa },	/* PIXMAN_x2r10g10b10 */
		{ "AR30", 0x20022aaa },	/* PIXMAN_a2r10g10b10 */
		{ "XB30", 0x20030aaa },	/* PIXMAN_x2b10g10r10 */
		{ "AB30", 0x20032aaa },	/* PIXMAN_a2b10g10r10 */
		{ "RG16", 0x10020565 },	/* PIXMAN_r5g6b5 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t f;

		memcpy(&f, cases[i].fourcc, 4);
		CHECK_INT_EQ(plane_format_pixman(f), cases[i].pixman);
		CHECK_INT_EQ(plane_format_from_pixman(cases[i].pixman), f);
	}
	CHECK_INT_EQ(plane_format_pixman(0x20202020u), 0);
	CHECK_INT_EQ(plane_format_from_pixman(0x18020888), 0);	/* PIXMAN_r8g8b8: 24 bpp */
	CHECK_INT_EQ(plane_format_from_pixman(0), 0);
}

/* Rows between strides: every byte of each row, nothing of the padding. */
static void test_copy_rows(void)
{
	uint8_t src[3 * 7], dst[3 * 5];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)i;
	memset(dst, 0xee, sizeof(dst));
	plane_copy_rows(dst, 5, src, 7, 4, 3);
	for (int y = 0; y < 3; y++) {
		for (int x = 0; x < 4; x++)
			CHECK_INT_EQ(dst[y * 5 + x], y * 7 + x);
		CHECK_INT_EQ(dst[y * 5 + 4], 0xee);
	}
}

/*
 * Cursor pictures to QEMU's 0xAARRGGBB words: the four 32-bit RGB layouts
 * (bytes as DRM lays them out, blue first for ARGB8888), the stride's
 * padding skipped, "changed" only when a word did; others refused.
 */
static void test_cursor_to_argb(void)
{
	/* 2x2 pixels, a stride of 12 bytes: the last 4 of each row are padding. */
	static const uint8_t px[24] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0xee, 0xee, 0xee, 0xee,
		0x99, 0xaa, 0xbb, 0x00, 0x01, 0x02, 0x03, 0xff, 0xee, 0xee, 0xee, 0xee,
	};
	struct plane p = { .fourcc = 0x34325241, .width = 2, .height = 2, .stride = 12 };
	uint32_t out[4] = { 0 };

	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), 1);
	CHECK_INT_EQ(out[0], 0x44332211);
	CHECK_INT_EQ(out[1], 0x88776655);
	CHECK_INT_EQ(out[2], 0x00bbaa99);
	CHECK_INT_EQ(out[3], 0xff030201);
	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), 0);	/* the same again */

	p.fourcc = 0x34325258;	/* XRGB8888: opaque */
	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), 1);
	CHECK_INT_EQ(out[0], 0xff332211);
	CHECK_INT_EQ(out[2], 0xffbbaa99);

	p.fourcc = 0x34324241;	/* ABGR8888: red first */
	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), 1);
	CHECK_INT_EQ(out[0], 0x44112233);
	CHECK_INT_EQ(out[3], 0xff010203);

	p.fourcc = 0x34324258;	/* XBGR8888 */
	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), 1);
	CHECK_INT_EQ(out[1], 0xff556677);

	out[0] = 0x12345678;
	p.fourcc = 0x36314752;	/* RGB565: not a cursor we send */
	CHECK_INT_EQ(plane_cursor_to_argb(&p, px, out), -EINVAL);
	CHECK_INT_EQ(out[0], 0x12345678);
}

int main(void)
{
	RUN_TEST(test_copy_rows);
	RUN_TEST(test_valid);
	RUN_TEST(test_off);
	RUN_TEST(test_malformed);
	RUN_TEST(test_tiled_stride);
	RUN_TEST(test_same_buffer);
	RUN_TEST(test_cache_lru);
	RUN_TEST(test_cache_map);
	RUN_TEST(test_format_tables);
	RUN_TEST(test_pixman_formats);
	RUN_TEST(test_cursor_to_argb);
	return TEST_EXIT_STATUS();
}
