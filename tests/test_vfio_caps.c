// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "test.h"
#include "vfio_caps.h"
#include "vfio_uapi.h"

/* A GET_IRQ_INFO reply in an exactly-sized heap buffer, so that ASan sees overreads. */
struct reply {
	unsigned char *buf;
	size_t len;
};

static struct reply reply_new(size_t len)
{
	struct reply r = { .buf = calloc(1, len ? len : 1), .len = len };
	struct vfio_irq_info_ext info = { .argsz = (uint32_t)len, .index = 5, .count = 1 };

	if (len >= sizeof(info))
		memcpy(r.buf, &info, sizeof(info));
	return r;
}

static void reply_set_caps(struct reply *r, uint32_t cap_offset)
{
	struct vfio_irq_info_ext info;

	if (r->len < sizeof(info))
		return;
	memcpy(&info, r->buf, sizeof(info));
	info.flags |= VFIO_IRQ_INFO_FLAG_CAPS;
	info.cap_offset = cap_offset;
	memcpy(r->buf, &info, sizeof(info));
}

static void put_cap(struct reply *r, uint32_t off, uint16_t id, uint16_t version, uint32_t next,
		    uint32_t type, uint32_t subtype)
{
	struct vfio_irq_info_cap_type cap = {
		.header = { .id = id, .version = version, .next = next },
		.type = type,
		.subtype = subtype,
	};

	memcpy(r->buf + off, &cap, sizeof(cap) < r->len - off ? sizeof(cap) : r->len - off);
}

static int irq_type(struct reply *r, uint32_t *type, uint32_t *subtype)
{
	return vfio_caps_irq_type(r->buf, r->len, type, subtype);
}

static void test_single_type_cap(void)
{
	struct reply r = reply_new(40);
	uint32_t type = 0, subtype = 0;

	reply_set_caps(&r, 24);
	put_cap(&r, 24, VFIO_IRQ_INFO_CAP_TYPE, 1, 0, VFIO_IRQ_TYPE_GFX,
		VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), 0);
	CHECK_INT_EQ(type, VFIO_IRQ_TYPE_GFX);
	CHECK_INT_EQ(subtype, VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ);
	free(r.buf);
}

static void test_type_cap_second_in_chain(void)
{
	struct reply r = reply_new(64);
	uint32_t type = 0, subtype = 0;

	reply_set_caps(&r, 24);
	put_cap(&r, 24, 7, 1, 40, 0, 0);
	put_cap(&r, 40, VFIO_IRQ_INFO_CAP_TYPE, 2, 0, 3, 4);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), 0);
	CHECK_INT_EQ(type, 3);
	CHECK_INT_EQ(subtype, 4);
	free(r.buf);
}

static void test_no_caps(void)
{
	struct reply r = reply_new(40);
	uint32_t type, subtype;

	/* A cap in the buffer but no FLAG_CAPS: old kernel, ignore it. */
	put_cap(&r, 24, VFIO_IRQ_INFO_CAP_TYPE, 1, 0, 1, 1);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -ENOENT);
	/* FLAG_CAPS with cap_offset 0: the buffer was too small. */
	reply_set_caps(&r, 0);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -ENOENT);
	free(r.buf);

	/* A 16-byte (old ABI) reply. */
	r = reply_new(16);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -ENOENT);
	free(r.buf);
}

static void test_chain_without_type(void)
{
	struct reply r = reply_new(56);
	uint32_t type, subtype;

	reply_set_caps(&r, 24);
	put_cap(&r, 24, 9, 1, 40, 0, 0);
	put_cap(&r, 40, 10, 1, 0, 0, 0);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -ENOENT);
	free(r.buf);
}

static void test_malformed_offsets(void)
{
	static const struct {
		uint32_t cap_offset;
		size_t len;
	} cases[] = {
		{ 8, 64 },	/* inside the info struct */
		{ 20, 64 },	/* in its pad: the chain starts at 24 */
		{ 64, 64 },	/* at the end */
		{ 1000, 64 },	/* far beyond argsz */
		{ 58, 64 },	/* header does not fit */
		{ 50, 64 },	/* cap body (type/subtype) does not fit */
		{ 26, 64 },	/* misaligned */
		{ 0xfffffffc, 64 }, /* wraps if added carelessly */
	};
	uint32_t type, subtype;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply r = reply_new(cases[i].len);

		reply_set_caps(&r, cases[i].cap_offset);
		if (cases[i].cap_offset < r.len)
			put_cap(&r, cases[i].cap_offset, VFIO_IRQ_INFO_CAP_TYPE, 1, 0, 1, 1);
		if (irq_type(&r, &type, &subtype) != -EINVAL) {
			fprintf(stderr, "case %zu (cap_offset %u) accepted\n", i,
				cases[i].cap_offset);
			free(r.buf);
			CHECK(0);
		}
		free(r.buf);
	}
}

static void test_loops(void)
{
	struct reply r = reply_new(64);
	uint32_t type, subtype;

	reply_set_caps(&r, 24);
	put_cap(&r, 24, 9, 1, 24, 0, 0);	/* points at itself */
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -EINVAL);
	put_cap(&r, 24, 9, 1, 40, 0, 0);
	put_cap(&r, 40, 9, 1, 24, 0, 0);	/* points back */
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -EINVAL);
	free(r.buf);
}

static void test_too_long(void)
{
	size_t n = VFIO_CAPS_MAX + 1;
	struct reply r = reply_new(24 + 8 * n + 16);
	uint32_t type, subtype;

	reply_set_caps(&r, 24);
	for (size_t i = 0; i < n; i++) {
		struct vfio_info_cap_header h = { .id = 9, .version = 1,
						  .next = (uint32_t)(24 + 8 * (i + 1)) };
		memcpy(r.buf + 24 + 8 * i, &h, sizeof(h));
	}
	put_cap(&r, 24 + 8 * n, VFIO_IRQ_INFO_CAP_TYPE, 1, 0, 1, 1);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -EINVAL);
	free(r.buf);
}

static void test_version_zero(void)
{
	struct reply r = reply_new(40);
	uint32_t type, subtype;

	reply_set_caps(&r, 24);
	put_cap(&r, 24, VFIO_IRQ_INFO_CAP_TYPE, 0, 0, 1, 1);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), -EINVAL);
	free(r.buf);
}

static void test_display_flags(void)
{
	struct vfio_irq_info_cap_gfx_display display = {
		.header = { .id = VFIO_IRQ_INFO_CAP_GFX_DISPLAY, .version = 1 },
		.flags = VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN,
	};
	struct reply r = reply_new(56);
	uint32_t flags = 0, type = 0, subtype = 0;

	/* Only the TYPE cap: the IRQ covers every update. */
	reply_set_caps(&r, 24);
	put_cap(&r, 24, VFIO_IRQ_INFO_CAP_TYPE, 1, 0, VFIO_IRQ_TYPE_GFX,
		VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ);
	CHECK_INT_EQ(vfio_caps_irq_display_flags(r.buf, r.len, &flags), -ENOENT);

	/* TYPE, then the display cap: both found. */
	put_cap(&r, 24, VFIO_IRQ_INFO_CAP_TYPE, 1, 40, VFIO_IRQ_TYPE_GFX,
		VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ);
	memcpy(r.buf + 40, &display, sizeof(display));
	CHECK_INT_EQ(vfio_caps_irq_display_flags(r.buf, r.len, &flags), 0);
	CHECK_INT_EQ(flags, VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN);
	CHECK_INT_EQ(irq_type(&r, &type, &subtype), 0);
	CHECK_INT_EQ(subtype, VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ);

	/* Cut short: its flags lie past the reply. */
	r.len = 44;
	CHECK_INT_EQ(vfio_caps_irq_display_flags(r.buf, r.len, &flags), -EINVAL);
	r.len = 56;

	/* Version 0 is not a display cap. */
	display.header.version = 0;
	memcpy(r.buf + 40, &display, sizeof(display));
	CHECK_INT_EQ(vfio_caps_irq_display_flags(r.buf, r.len, &flags), -EINVAL);
	free(r.buf);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

/*
 * Random chains: mostly plausible offsets (small, often aligned, often
 * pointing inside the buffer), random ids and nexts.  The walker must never
 * read outside the buffer (ASan), and whatever it accepts must lie inside.
 */
static void test_fuzz(void)
{
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = 16 + rnd() % 112;
		struct reply r = reply_new(len);
		uint32_t type, subtype, off;
		int ret;

		for (size_t i = 16; i < len; i++)
			r.buf[i] = (unsigned char)rnd();
		/* Sprinkle plausible headers. */
		for (int k = 0; k < 4; k++) {
			uint32_t at = (rnd() % len) & ~3u;
			struct vfio_info_cap_header h = {
				.id = (uint16_t)(rnd() % 3),
				.version = (uint16_t)(rnd() % 3),
				.next = rnd() % 4 ? (rnd() % (len + 16)) & ~3u : rnd(),
			};

			if (at + sizeof(h) <= len)
				memcpy(r.buf + at, &h, sizeof(h));
		}
		reply_set_caps(&r, rnd() % 4 ? (rnd() % (len + 8)) & ~3u : rnd());

		ret = irq_type(&r, &type, &subtype);
		if (ret != 0 && ret != -ENOENT && ret != -EINVAL) {
			free(r.buf);
			CHECK_INT_EQ(ret, -EINVAL);
		}
		ret = vfio_caps_find(r.buf, r.len, 20, 20 + (rnd() % 16), 1, 16, &off);
		if (ret == 0 && (off < 20 || off + 16 > r.len)) {
			free(r.buf);
			CHECK(!"accepted a capability outside the buffer");
		}
		free(r.buf);
	}
}

int main(void)
{
	RUN_TEST(test_single_type_cap);
	RUN_TEST(test_type_cap_second_in_chain);
	RUN_TEST(test_no_caps);
	RUN_TEST(test_chain_without_type);
	RUN_TEST(test_malformed_offsets);
	RUN_TEST(test_loops);
	RUN_TEST(test_too_long);
	RUN_TEST(test_version_zero);
	RUN_TEST(test_display_flags);
	RUN_TEST(test_fuzz);
	return TEST_EXIT_STATUS();
}
