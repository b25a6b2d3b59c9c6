// SPDX-License-Identifier: MIT
/*
 * Conformance tests for the kernel half (kernel/patches): the GET_IRQ_INFO
 * capability chain, the GFX display IRQ of mbochs and mdpy, and the mbochs
 * and mdpy fixes.  Runs as root inside the test VM, against real sample
 * drivers, through the same device fd path a VMM uses.  Independent of the
 * daemon.  Output is TAP; the exit status is 1 when a check failed.
 *
 *   display-irq-test GROUP UUID [GROUP UUID]...
 *
 * GROUP is one of the names in the table at the end of this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "vfio_caps.h"
#include "vfio_mdev.h"
#include "vfio_uapi.h"

#define DISPLAY_IRQ VFIO_UAPI_FIRST_DEVICE_IRQ
#define DRM_PLANE_PRIMARY 1
#define GUARD 0xa5

static int tap_n, tap_failed;

static bool tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
	return ok;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- ioctl helpers ---- */

static int irq_info(int dev, uint32_t index, void *buf, uint32_t argsz)
{
	struct vfio_irq_info_ext info = { .argsz = argsz, .index = index };

	memcpy(buf, &info, argsz < sizeof(info) ? argsz : sizeof(info));
	return ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, buf) ? -errno : 0;
}

static int set_irqs_raw(int dev, uint32_t argsz, uint32_t flags, uint32_t index, uint32_t start,
			uint32_t count, const void *data, size_t len)
{
	unsigned char buf[sizeof(struct vfio_irq_set) + 16] = { 0 };
	struct vfio_irq_set set = {
		.argsz = argsz,
		.flags = flags,
		.index = index,
		.start = start,
		.count = count,
	};

	memcpy(buf, &set, sizeof(set));
	if (len)
		memcpy(buf + sizeof(set), data, len);
	return ioctl(dev, VFIO_DEVICE_SET_IRQS, buf) ? -errno : 0;
}

static int set_irqs(int dev, uint32_t flags, uint32_t count, const void *data, size_t len)
{
	return set_irqs_raw(dev, (uint32_t)(sizeof(struct vfio_irq_set) + len), flags, DISPLAY_IRQ,
			    0, count, data, len);
}

static int arm(int dev, int32_t fd)
{
	return set_irqs(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 1, &fd,
			sizeof(fd));
}

static int disarm_none(int dev)
{
	return set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL, 0);
}

static int unmask(int dev)
{
	return set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, 1, NULL, 0);
}

static int mask(int dev)
{
	return set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 1, NULL, 0);
}

static int action_bool(int dev, uint32_t action, uint8_t v)
{
	return set_irqs(dev, VFIO_IRQ_SET_DATA_BOOL | action, 1, &v, 1);
}

/* Waits up to @ms for the eventfd; returns its counter (0: nothing came). */
static uint64_t wait_signal(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) != 1)
		return 0;
	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int new_eventfd(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (efd < 0) {
		perror("eventfd");
		exit(2);
	}
	return efd;
}

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static int set_rate(const char *uuid, unsigned int hz)
{
	char path[128], val[16];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vendor/display_irq_hz", uuid);
	snprintf(val, sizeof(val), "%u", hz);
	return write_sysfs(path, val);
}

/* ---- test groups ---- */

struct ctx {
	const char *uuid;
	struct vfio_mdev m;
};

/*
 * Old binaries pass argsz 16: every index answers as it always did and
 * nothing past count is written.
 */
static void test_old_abi(struct ctx *c)
{
	int dev = c->m.device;

	tap(c->m.info.num_irqs == DISPLAY_IRQ + 1, "GET_INFO reports %u IRQs (want %d)",
	    c->m.info.num_irqs, DISPLAY_IRQ + 1);
	for (uint32_t i = 0; i < c->m.info.num_irqs; i++) {
		unsigned char buf[64];
		struct vfio_irq_info_ext info;
		bool untouched = true;
		int ret;

		memset(buf, GUARD, sizeof(buf));
		ret = irq_info(dev, i, buf, 16);
		memcpy(&info, buf, 16);
		for (size_t k = 16; k < sizeof(buf); k++)
			untouched &= buf[k] == GUARD;
		if (i < DISPLAY_IRQ)
			tap(ret == 0 && info.count == 0 && info.flags == 0 && info.argsz == 16 &&
				    untouched,
			    "argsz 16, index %u: count 0, flags 0, nothing written past count "
			    "(ret %d, count %u, flags %#x)", i, ret, info.count, info.flags);
		else
			tap(ret == 0 && info.count == 1 &&
				    info.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
						   VFIO_IRQ_INFO_AUTOMASKED) &&
				    info.argsz == 16 && untouched,
			    "argsz 16, index %u: count 1, EVENTFD|MASKABLE|AUTOMASKED, no CAPS, "
			    "nothing written past count (ret %d, flags %#x, argsz %u)", i, ret,
			    info.flags, info.argsz);
	}
}

static void test_caps(struct ctx *c)
{
	unsigned char buf[4096];
	struct vfio_irq_info_ext info;
	struct vfio_info_cap_header hdr;
	uint32_t type = 0, subtype = 0, need;
	bool untouched = true;
	int ret;

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, 20);
	memcpy(&info, buf, sizeof(info));
	for (size_t k = 20; k < 64; k++)
		untouched &= buf[k] == GUARD;
	tap(ret == 0 && (info.flags & VFIO_IRQ_INFO_FLAG_CAPS) && info.argsz > 20 &&
		    info.cap_offset == 0 && untouched,
	    "argsz 20: FLAG_CAPS, argsz raised to %u, cap_offset %u, nothing past it written",
	    info.argsz, info.cap_offset);
	need = info.argsz;
	if (need > sizeof(buf))
		need = sizeof(buf);

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, need);
	memcpy(&info, buf, sizeof(info));
	tap(ret == 0 && info.argsz == need && info.cap_offset >= sizeof(info) &&
		    info.cap_offset % 8 == 0,
	    "argsz %u: chain at cap_offset %u (aligned, after the struct)", need, info.cap_offset);
	ret = vfio_caps_irq_type(buf, need, &type, &subtype);
	tap(ret == 0 && type == VFIO_IRQ_TYPE_GFX && subtype == VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ,
	    "the chain parses to TYPE %u/%u (ret %d)", type, subtype, ret);
	if (info.cap_offset && info.cap_offset + sizeof(hdr) <= need) {
		memcpy(&hdr, buf + info.cap_offset, sizeof(hdr));
		tap(hdr.id == VFIO_IRQ_INFO_CAP_TYPE && hdr.version == 1 && hdr.next == 0,
		    "exactly one capability: id %u version %u next %u", hdr.id, hdr.version,
		    hdr.next);
	} else {
		tap(false, "exactly one capability: no chain");
	}

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, sizeof(buf));
	memcpy(&info, buf, sizeof(info));
	tap(ret == 0 && info.argsz == sizeof(buf) && vfio_caps_irq_type(buf, sizeof(buf), &type,
									  &subtype) == 0,
	    "argsz 4096: same chain, argsz left alone (%u)", info.argsz);

	for (uint32_t i = 0; i < DISPLAY_IRQ; i++) {
		memset(buf, GUARD, sizeof(buf));
		ret = irq_info(c->m.device, i, buf, 64);
		memcpy(&info, buf, sizeof(info));
		tap(ret == 0 && info.count == 0 && !(info.flags & VFIO_IRQ_INFO_FLAG_CAPS) &&
			    info.cap_offset == 0,
		    "argsz 64, index %u: no caps, cap_offset 0", i);
	}

	tap(irq_info(c->m.device, c->m.info.num_irqs, buf, 64) == -EINVAL,
	    "index num_irqs (%u) is -EINVAL", c->m.info.num_irqs);
	tap(irq_info(c->m.device, 0xffffffff, buf, 64) == -EINVAL, "index 0xffffffff is -EINVAL");
	tap(irq_info(c->m.device, DISPLAY_IRQ, buf, 15) == -EINVAL, "argsz 15 is -EINVAL");
}

/* The two buffers guestsim-style tests flip between. */
#define W 1024
#define H 768

static int setup_double_buffer(struct ctx *c)
{
	return vfio_mdev_set_mode(&c->m, W, H, 2 * H);
}

static void test_set_irqs(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd(), efd2 = new_eventfd();
	uint64_t v;

	tap(setup_double_buffer(c) == 0, "mode set through the MMIO BAR");
	tap(arm(dev, efd) == 0, "arm with an eventfd");
	tap(set_irqs(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 1, NULL, 0) == 0 &&
		    wait_signal(efd, 1000) == 1,
	    "loopback trigger (DATA_NONE) signals");
	unmask(dev);
	tap(action_bool(dev, VFIO_IRQ_SET_ACTION_TRIGGER, 1) == 0 && wait_signal(efd, 1000) == 1,
	    "loopback trigger (DATA_BOOL 1) signals");
	unmask(dev);
	tap(action_bool(dev, VFIO_IRQ_SET_ACTION_TRIGGER, 0) == 0 && wait_signal(efd, 100) == 0,
	    "DATA_BOOL 0 trigger does nothing");

	tap(vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4) == 0 && wait_signal(efd, 1000) == 1,
	    "a page flip (Y_OFFSET write) signals");
	tap(unmask(dev) == 0 && wait_signal(efd, 100) == 0, "unmask with nothing pending is quiet");

	tap(arm(dev, -1) == 0, "disarm with fd -1");
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(efd, 200) == 0, "disarmed (fd -1): a flip signals nothing");

	arm(dev, efd);
	tap(disarm_none(dev) == 0, "disarm with DATA_NONE, count 0");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd, 200) == 0, "disarmed (count 0): a flip signals nothing");

	arm(dev, efd);
	tap(arm(dev, efd2) == 0, "re-arm with another eventfd");
	vfio_mdev_flip(&c->m, W, 0);
	v = wait_signal(efd2, 1000);
	tap(v == 1 && wait_signal(efd, 100) == 0, "only the new eventfd is signalled");
	unmask(dev);

	tap(mask(dev) == 0, "mask (DATA_NONE)");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd2, 200) == 0, "masked: a flip signals nothing");
	tap(unmask(dev) == 0 && wait_signal(efd2, 1000) == 1,
	    "unmask delivers the update latched while masked");
	unmask(dev);

	tap(action_bool(dev, VFIO_IRQ_SET_ACTION_MASK, 1) == 0, "mask (DATA_BOOL 1)");
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(efd2, 200) == 0, "masked (BOOL): nothing");
	tap(action_bool(dev, VFIO_IRQ_SET_ACTION_UNMASK, 0) == 0 && wait_signal(efd2, 200) == 0,
	    "unmask with DATA_BOOL 0 leaves it masked");
	tap(action_bool(dev, VFIO_IRQ_SET_ACTION_UNMASK, 1) == 0 && wait_signal(efd2, 1000) == 1,
	    "unmask (DATA_BOOL 1) delivers the latched update");
	unmask(dev);

	disarm_none(dev);
	close(efd);
	close(efd2);
}

static void test_malformed(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const uint32_t hdr = sizeof(struct vfio_irq_set);
	const uint32_t T = VFIO_IRQ_SET_ACTION_TRIGGER, M = VFIO_IRQ_SET_ACTION_MASK,
		       U = VFIO_IRQ_SET_ACTION_UNMASK, N = VFIO_IRQ_SET_DATA_NONE,
		       B = VFIO_IRQ_SET_DATA_BOOL, E = VFIO_IRQ_SET_DATA_EVENTFD;
	int32_t good = efd, closed_fd = 1000, minus2 = -2, nullfd = devnull;
	const struct {
		const char *what;
		uint32_t argsz, flags, index, start, count;
		const void *data;
		size_t len;
		int err;
	} cases[] = {
		{ "no action", hdr, N, DISPLAY_IRQ, 0, 1, NULL, 0, -EINVAL },
		{ "two actions", hdr, N | M | U, DISPLAY_IRQ, 0, 1, NULL, 0, -EINVAL },
		{ "two data types", hdr + 1, N | B | T, DISPLAY_IRQ, 0, 1, "\1", 1, -EINVAL },
		{ "unknown flag bit", hdr, N | T | (1u << 6), DISPLAY_IRQ, 0, 1, NULL, 0, -EINVAL },
		{ "index past num_irqs", hdr, N | T, DISPLAY_IRQ + 1, 0, 1, NULL, 0, -EINVAL },
		{ "index 0xffffffff", hdr, N | T, 0xffffffff, 0, 1, NULL, 0, -EINVAL },
		{ "vfio-pci index with count 0", hdr, N | T, 4, 0, 0, NULL, 0, -EINVAL },
		{ "start 1", hdr, N | T, DISPLAY_IRQ, 1, 1, NULL, 0, -EINVAL },
		{ "count 2", hdr + 8, E | T, DISPLAY_IRQ, 0, 2, &good, 4, -EINVAL },
		{ "start+count overflow", hdr, N | T, DISPLAY_IRQ, 0xffffffff, 1, NULL, 0, -EINVAL },
		{ "count 0 with an eventfd", hdr, E | T, DISPLAY_IRQ, 0, 0, NULL, 0, -EINVAL },
		{ "count 0 mask", hdr, N | M, DISPLAY_IRQ, 0, 0, NULL, 0, -EINVAL },
		{ "eventfd with MASK", hdr + 4, E | M, DISPLAY_IRQ, 0, 1, &good, 4, -EINVAL },
		{ "eventfd with UNMASK", hdr + 4, E | U, DISPLAY_IRQ, 0, 1, &good, 4, -EINVAL },
		{ "argsz without the data", hdr, E | T, DISPLAY_IRQ, 0, 1, NULL, 0, -EINVAL },
		{ "argsz below the header", hdr - 1, N | T, DISPLAY_IRQ, 0, 1, NULL, 0, -EINVAL },
		{ "not an eventfd", hdr + 4, E | T, DISPLAY_IRQ, 0, 1, &nullfd, 4, -EINVAL },
		{ "closed fd", hdr + 4, E | T, DISPLAY_IRQ, 0, 1, &closed_fd, 4, -EBADF },
		{ "fd -2", hdr + 4, E | T, DISPLAY_IRQ, 0, 1, &minus2, 4, -EINVAL },
	};

	setup_double_buffer(c);
	arm(dev, efd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = set_irqs_raw(dev, cases[i].argsz, cases[i].flags, cases[i].index,
				       cases[i].start, cases[i].count, cases[i].data, cases[i].len);
		uint64_t v;

		/* Still armed with efd and unmasked: a flip signals it. */
		vfio_mdev_flip(&c->m, W, (uint32_t)((i % 2) ? 0 : H) * W * 4);
		v = wait_signal(efd, 1000);
		tap(ret == cases[i].err && v == 1, "%s: %s (ret %d), state unchanged (signal %llu)",
		    cases[i].what, strerror(-cases[i].err), ret, (unsigned long long)v);
		unmask(dev);
	}
	disarm_none(dev);
	close(devnull);
	close(efd);
}

/*
 * 1,000 flips between two buffers, the consumer reading and unmasking after
 * each: exactly one signal per flip, and the plane query right after each
 * flip returns that buffer's dmabuf on the first try.
 */
static void test_flips(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	uint32_t ids[2] = { 0, 0 };
	unsigned int signals = 0, extra = 0, bad_query = 0, lost = 0;
	struct vfio_device_gfx_plane_info p;
	double t0;

	setup_double_buffer(c);
	/* The mode set's writes are not what this test counts. */
	arm(dev, efd);
	t0 = now_s();
	for (int i = 0; i < 1000; i++) {
		int b = i % 2;
		uint64_t v;

		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)(b * H)) * W * 4);
		v = wait_signal(efd, 2000);
		if (!v && ++lost == 5) {
			diag("5 flips without a signal: giving up");
			break;
		}
		signals += (unsigned int)v;
		if (vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					  &p) ||
		    !p.dmabuf_id || p.width != W || p.height != H) {
			bad_query++;
		} else {
			if (!ids[b])
				ids[b] = p.dmabuf_id;
			if (p.dmabuf_id != ids[b])
				bad_query++;
		}
		unmask(dev);
		extra += wait_signal(efd, 0) ? 1 : 0;
	}
	diag("1000 flips in %.2f s", now_s() - t0);
	tap(lost == 0 && signals == 1000 && extra == 0,
	    "1000 flips: %u signals, %u lost, %u extra", signals, lost, extra);
	tap(bad_query == 0 && ids[0] && ids[1] && ids[0] != ids[1],
	    "each flip's first plane query returns that buffer (ids %u, %u; %u bad)", ids[0],
	    ids[1], bad_query);
	disarm_none(dev);
	close(efd);
}

/* AUTOMASKED: updates while masked are latched into exactly one signal. */
static void test_latch(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();

	setup_double_buffer(c);
	arm(dev, efd);
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd, 1000) == 1, "first flip signals");
	for (int i = 0; i < 5; i++)
		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((i % 2) * H)) * W * 4);
	tap(wait_signal(efd, 200) == 0, "5 more flips before the unmask: automasked, nothing");
	unmask(dev);
	tap(wait_signal(efd, 1000) == 1, "unmask: one signal for the 5 latched flips");
	unmask(dev);
	tap(wait_signal(efd, 200) == 0, "unmask again: nothing pending, nothing signalled");
	disarm_none(dev);
	close(efd);
}

static void test_modeset_reset(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	struct vfio_device_gfx_plane_info p;
	uint16_t w = 800, h = 600;

	arm(dev, efd);
	vfio_mdev_set_mode(&c->m, w, h, h);
	tap(wait_signal(efd, 1000) >= 1, "a mode set signals");
	tap(vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p) == 0 &&
		    p.width == w && p.height == h && p.dmabuf_id,
	    "the first query after it shows %ux%u (got %ux%u id %u)", w, h, p.width, p.height,
	    p.dmabuf_id);
	unmask(dev);
	wait_signal(efd, 100);	/* the mode set's latched writes */
	unmask(dev);

	tap(ioctl(dev, VFIO_DEVICE_RESET) == 0 && wait_signal(efd, 1000) == 1, "a reset signals");
	tap(vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p) == 0 &&
		    p.drm_format == 0 && p.size == 0,
	    "after the reset the plane is off");
	unmask(dev);
	disarm_none(dev);
	close(efd);
}

/* The first plane query after a new mode or offset must succeed (6.1-6.12 mbochs: -ENOMEM). */
static void test_first_query(struct ctx *c)
{
	static const uint16_t modes[][2] = { { 640, 480 }, { 1024, 768 }, { 1280, 800 },
					     { 800, 600 } };
	struct vfio_device_gfx_plane_info p;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		uint16_t w = modes[i][0], h = modes[i][1];
		int ret;

		vfio_mdev_set_mode(&c->m, w, h, 2 * h);
		ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					    &p);
		tap(ret == 0 && p.width == w && p.dmabuf_id,
		    "new mode %ux%u: first query returns its dmabuf (ret %d)", w, h, ret);
		vfio_mdev_flip(&c->m, w, (uint32_t)(h) * w * 4);
		ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					    &p);
		tap(ret == 0 && p.dmabuf_id, "%ux%u, new offset: first query succeeds (ret %d)", w,
		    h, ret);
	}
}

static int get_dmabuf(struct ctx *c, uint32_t id)
{
	int fd = ioctl(c->m.device, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	return fd < 0 ? -errno : fd;
}

/* Reads the first and last byte of a dmabuf mapping; -errno when mmap fails. */
static int probe_dmabuf(int fd, size_t size, const unsigned char *want)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	ret = memcmp(p, want, size) ? -EIO : 0;
	munmap(p, size);
	return ret;
}

static void test_dmabuf(struct ctx *c)
{
	struct vfio_device_gfx_plane_info p;
	struct dma_buf_sync sync;
	unsigned char *vram = c->m.vram, *map;
	int fd1, fd2, fd3, ret;
	size_t size;

	vfio_mdev_set_mode(&c->m, W, H, 2 * H);
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p);
	if (ret == -ENOMEM)	/* unpatched mbochs; test_first_query reports it */
		ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					    &p);
	if (!tap(ret == 0 && p.dmabuf_id && vram, "plane for the dmabuf tests (ret %d)", ret))
		return;
	size = p.size;
	/* A pattern in VRAM at the plane's offset (one frame down). */
	for (size_t i = 0; i < size; i++)
		vram[(size_t)W * 4 * H + i] = (unsigned char)(i * 7 + i / 4096);
	const unsigned char *want = vram + (size_t)W * 4 * H;

	fd1 = get_dmabuf(c, p.dmabuf_id);
	tap(fd1 >= 0 && (fcntl(fd1, F_GETFD) & FD_CLOEXEC), "GET_GFX_DMABUF fd is close-on-exec");
	ret = probe_dmabuf(fd1, size, want);
	tap(ret == 0, "mmap(PROT_READ, MAP_SHARED) of the dmabuf shows the VRAM (%s)",
	    strerror(-ret));
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd1, 0);
	tap(map != MAP_FAILED, "mmap(PROT_READ|PROT_WRITE, MAP_SHARED) works (%s)",
	    map == MAP_FAILED ? strerror(errno) : "ok");
	if (map != MAP_FAILED) {
		sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		ret = ioctl(fd1, DMA_BUF_IOCTL_SYNC, &sync);
		map[5] ^= 0xff;
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		ret |= ioctl(fd1, DMA_BUF_IOCTL_SYNC, &sync);
		tap(ret == 0 && vram[(size_t)W * 4 * H + 5] == map[5],
		    "DMA_BUF_IOCTL_SYNC works and a write through the dmabuf lands in VRAM");
		map[5] ^= 0xff;
		munmap(map, size);
	}

	/* Two fds for the same live id, closed in both orders, then re-exported. */
	fd2 = get_dmabuf(c, p.dmabuf_id);
	tap(fd2 >= 0 && fd2 != fd1, "second GET_GFX_DMABUF for the live id");
	close(fd1);
	tap(probe_dmabuf(fd2, size, want) == 0, "the second fd works after the first is closed");
	close(fd2);
	fd3 = get_dmabuf(c, p.dmabuf_id);
	tap(fd3 >= 0 && probe_dmabuf(fd3, size, want) == 0, "re-export after release works");
	fd1 = get_dmabuf(c, p.dmabuf_id);
	close(fd1);	/* the other order: the newer fd first */
	tap(probe_dmabuf(fd3, size, want) == 0, "the older fd works after the newer is closed");
	close(fd3);
	for (int i = 0; i < 20; i++) {
		fd1 = get_dmabuf(c, p.dmabuf_id);
		fd2 = get_dmabuf(c, p.dmabuf_id);
		close(i % 2 ? fd1 : fd2);
		close(i % 2 ? fd2 : fd1);
	}
	fd1 = get_dmabuf(c, p.dmabuf_id);
	tap(fd1 >= 0 && probe_dmabuf(fd1, size, want) == 0,
	    "20 more export/close rounds, the buffer still reads right");
	close(fd1);
	tap(get_dmabuf(c, 0x7fffffff) == -ENOENT, "an unknown dmabuf id is -ENOENT");
}

/* VRAM through the device fd lands where the mmap sees it (6.12 mbochs: 2 pages off). */
static void test_vram_access(struct ctx *c)
{
	uint64_t size = c->m.bar0.size;
	const uint64_t offs[] = { 0, 4096 + 12, size / 2, size - 4 };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint32_t v = 0xc0ffee00u + (uint32_t)i, back = 0;
		ssize_t w = pwrite(c->m.device, &v, 4, (off_t)(c->m.bar0.offset + offs[i]));
		ssize_t r = pread(c->m.device, &back, 4, (off_t)(c->m.bar0.offset + offs[i]));
		uint32_t seen;

		memcpy(&seen, (unsigned char *)c->m.vram + offs[i], 4);
		tap(w == 4 && r == 4 && back == v && seen == v,
		    "VRAM offset %#llx: pwrite/pread through the fd match the mmap (%#x/%#x)",
		    (unsigned long long)offs[i], back, seen);
	}
}

/* With a rate set, mbochs signals like a vblank whatever the guest does. */
static void test_mbochs_rate(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	unsigned int n = 0, flips = 0;
	double t0, t;

	tap(set_rate(c->uuid, 50) == 0, "display_irq_hz = 50");
	tap(set_rate(c->uuid, 1001) == -EINVAL, "display_irq_hz = 1001 is refused");
	setup_double_buffer(c);
	arm(dev, efd);
	t0 = now_s();
	while ((t = now_s() - t0) < 2.0) {
		n += wait_signal(efd, 100) ? 1 : 0;
		unmask(dev);
	}
	tap(n >= 90 && n <= 110, "no flips, 2 s at 50 Hz: %u signals (want 100 +-10%%)", n);

	n = 0;
	t0 = now_s();
	while ((t = now_s() - t0) < 1.0) {
		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((flips++ % 2) * H)) * W * 4);
		n += wait_signal(efd, 0) ? 1 : 0;
		unmask(dev);
	}
	tap(n <= 56, "%u flips in 1 s at 50 Hz: %u signals (bounded by the rate)", flips, n);

	tap(set_rate(c->uuid, 0) == 0, "display_irq_hz = 0");
	wait_signal(efd, 50);
	unmask(dev);
	wait_signal(efd, 50);
	unmask(dev);
	tap(wait_signal(efd, 500) == 0, "rate 0, no flips: no signal in 500 ms");
	disarm_none(dev);
	close(efd);
}

/* Closing the device disarms the IRQ: a later opener's flips reach nobody. */
static void test_close_disarms(struct ctx *c)
{
	int efd = new_eventfd();

	arm(c->m.device, efd);
	vfio_mdev_close(&c->m);
	if (!tap(vfio_mdev_open(&c->m, c->uuid, false) == 0, "reopen the device"))
		return;
	setup_double_buffer(c);
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd, 300) == 0, "after close and reopen the old eventfd is not signalled");
	close(efd);
}

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 1;
}

/* Random GET_IRQ_INFO and SET_IRQS arguments; the kernel log must stay clean. */
static void test_fuzz(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd(), devnull = open("/dev/null", O_RDONLY);
	unsigned char buf[256];
	unsigned int ok = 0, failed = 0;

	for (int i = 0; i < 4000; i++) {
		int ret;

		if (rnd() % 2) {
			uint32_t index = rnd() % 4 ? rnd() % 9 : rnd();
			uint32_t argsz = rnd() % 4 ? rnd() % 72 : rnd();

			/* A large argsz is safe: the kernel writes what the chain needs. */
			memset(buf, (int)(rnd() & 0xff), sizeof(buf));
			ret = irq_info(dev, index, buf, argsz);
		} else {
			int32_t fds[] = { efd, -1, -2, devnull, (int32_t)(rnd() % 64), 9999 };
			unsigned char data[16];
			uint32_t flags = rnd() % 8 ? 1u << (rnd() % 3) | 1u << (3 + rnd() % 3)
						   : rnd() & 0x7f;
			uint32_t count = rnd() % 4 ? 1 : rnd() % 3;

			for (size_t k = 0; k < sizeof(data); k += 4)
				memcpy(data + k, &fds[rnd() % 6], 4);
			ret = set_irqs_raw(dev,
					   rnd() % 8 ? (uint32_t)(sizeof(struct vfio_irq_set) +
								  rnd() % 17)
						     : rnd() % 40,
					   flags, rnd() % 4 ? DISPLAY_IRQ : rnd() % 8,
					   rnd() % 6 ? 0 : rnd() % 3, count, data, sizeof(data));
		}
		if (ret)
			failed++;
		else
			ok++;
		if (rnd() % 16 == 0)
			vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((rnd() % 2) * H)) * W * 4);
		if (rnd() % 32 == 0)
			wait_signal(efd, 0);
	}
	disarm_none(dev);
	diag("fuzz: %u calls accepted, %u refused", ok, failed);
	tap(ok > 0 && failed > 0, "4000 random GET_IRQ_INFO/SET_IRQS calls (kernel log checked "
				  "by the runner)");
	close(devnull);
	close(efd);
}

/*
 * A dmabuf that outlives its device and mdev: closing it last must not
 * touch freed memory (KASAN watches; the runner fails on a report).
 */
static void test_dmabuf_outlives_mdev(struct ctx *c)
{
	struct vfio_device_gfx_plane_info p;
	char path[128];
	int fd, ret;

	vfio_mdev_set_mode(&c->m, 640, 480, 480);
	ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p);
	if (ret == -ENOMEM)
		ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					    &p);
	fd = ret ? ret : get_dmabuf(c, p.dmabuf_id);
	if (!tap(fd >= 0, "dmabuf exported (%d)", fd))
		return;
	vfio_mdev_close(&c->m);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", c->uuid);
	tap(write_sysfs(path, "1") == 0, "device closed and the mdev removed while the dmabuf lives");
	/* KASAN watches this release; the runner fails the run on a report. */
	tap(close(fd) == 0, "the dmabuf closed last");
}

/* ---- mdpy ---- */

static void test_mdpy_irq_info_first(struct ctx *c)
{
	unsigned char buf[64];
	struct vfio_mdev m;
	int ret;

	if (!tap(vfio_mdev_attach(&m, c->uuid) == 0, "device fd, no other ioctl yet"))
		return;
	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(m.device, 0, buf, 16);
	tap(ret == 0, "GET_IRQ_INFO before any GET_INFO answers (ret %d)", ret);
	vfio_mdev_close(&m);
}

static unsigned int count_signals(int dev, int efd, double secs)
{
	unsigned int n = 0;
	double t0 = now_s();

	while (now_s() - t0 < secs) {
		if (wait_signal(efd, 100)) {
			n++;
			unmask(dev);
		}
	}
	return n;
}

static void test_mdpy_rate(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	unsigned int n;

	tap(arm(dev, efd) == 0, "arm the mdpy display IRQ");
	n = count_signals(dev, efd, 2.0);
	tap(n >= 108 && n <= 132, "default 60 Hz: %u signals in 2 s (want 120 +-10%%)", n);
	tap(set_rate(c->uuid, 30) == 0, "display_irq_hz = 30");
	tap(set_rate(c->uuid, 0) == -EINVAL, "display_irq_hz = 0 is refused");
	wait_signal(efd, 100);
	unmask(dev);
	n = count_signals(dev, efd, 2.0);
	tap(n >= 54 && n <= 66, "30 Hz: %u signals in 2 s (want 60 +-10%%)", n);

	wait_signal(efd, 100);	/* now masked */
	tap(wait_signal(efd, 400) == 0, "masked: no signal in 400 ms");
	unmask(dev);
	tap(wait_signal(efd, 100) == 1, "unmask after missed vblanks: one signal at once");
	tap(disarm_none(dev) == 0, "disarm");
	tap(wait_signal(efd, 400) == 0, "disarmed: no signal in 400 ms");
	set_rate(c->uuid, 60);
	close(efd);
}

static void test_mdpy_fb_access(struct ctx *c)
{
	const uint64_t offs[] = { 0, 8192 + 4, c->m.bar0.size - 4 };

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		uint32_t v = 0xbeef0000u + (uint32_t)i, back = 0, seen;
		ssize_t w = pwrite(c->m.device, &v, 4, (off_t)(c->m.bar0.offset + offs[i]));
		ssize_t r = pread(c->m.device, &back, 4, (off_t)(c->m.bar0.offset + offs[i]));

		memcpy(&seen, (unsigned char *)c->m.vram + offs[i], 4);
		tap(w == 4 && r == 4 && back == v && seen == v,
		    "framebuffer offset %#llx: pwrite/pread match the mmap (%#x/%#x)",
		    (unsigned long long)offs[i], back, seen);
	}
}

static const struct group {
	const char *name;
	bool open;	/* needs vfio_mdev_open() first */
	void (*run)(struct ctx *c);
} groups[] = {
	{ "old-abi", true, test_old_abi },
	{ "caps", true, test_caps },
	{ "set-irqs", true, test_set_irqs },
	{ "malformed", true, test_malformed },
	{ "flips", true, test_flips },
	{ "latch", true, test_latch },
	{ "modeset-reset", true, test_modeset_reset },
	{ "first-query", true, test_first_query },
	{ "dmabuf", true, test_dmabuf },
	{ "vram-access", true, test_vram_access },
	{ "mbochs-rate", true, test_mbochs_rate },
	{ "close-disarms", true, test_close_disarms },
	{ "fuzz", true, test_fuzz },
	{ "dmabuf-outlives-mdev", true, test_dmabuf_outlives_mdev },
	{ "mdpy-irq-info-first", false, test_mdpy_irq_info_first },
	{ "mdpy-rate", true, test_mdpy_rate },
	{ "mdpy-fb-access", true, test_mdpy_fb_access },
};

int main(int argc, char *argv[])
{
	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: %s GROUP UUID [GROUP UUID]...\ngroups:", argv[0]);
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			fprintf(stderr, " %s", groups[g].name);
		fputc('\n', stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (int a = 1; a < argc; a += 2) {
		const struct group *g = NULL;
		struct ctx c = {
			.uuid = argv[a + 1],
			.m = { .container = -1, .group = -1, .device = -1, .iommufd = -1 },
		};

		for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
			if (!strcmp(groups[k].name, argv[a]))
				g = &groups[k];
		if (!g) {
			fprintf(stderr, "unknown group '%s'\n", argv[a]);
			return 2;
		}
		diag("%s (%s)", g->name, c.uuid);
		if (g->open && vfio_mdev_open(&c.m, c.uuid, false)) {
			tap(false, "%s: open mdev %s", g->name, c.uuid);
			continue;
		}
		g->run(&c);
		vfio_mdev_close(&c.m);
	}
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
