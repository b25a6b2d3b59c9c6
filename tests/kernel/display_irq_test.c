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
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "vfio_caps.h"
#include "vfio_mdev.h"
#include "vfio_uapi.h"

#define DISPLAY_IRQ VFIO_UAPI_FIRST_DEVICE_IRQ
#define SLOTS 4			/* the samples' consumer slots */
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

static int set_slots(int dev, uint32_t flags, uint32_t start, uint32_t count, const void *data,
		     size_t len)
{
	return set_irqs_raw(dev, (uint32_t)(sizeof(struct vfio_irq_set) + len), flags, DISPLAY_IRQ,
			    start, count, data, len);
}

static int set_irqs(int dev, uint32_t flags, uint32_t count, const void *data, size_t len)
{
	return set_slots(dev, flags, 0, count, data, len);
}

/* Arms (or with -1 disarms) consumer slot @slot. */
static int arm_slot(int dev, uint32_t slot, int32_t fd)
{
	return set_slots(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, slot, 1, &fd,
			 sizeof(fd));
}

static int arm(int dev, int32_t fd)
{
	return arm_slot(dev, 0, fd);
}

static int unmask_slot(int dev, uint32_t slot)
{
	return set_slots(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, slot, 1, NULL, 0);
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
			tap(ret == 0 && info.count == SLOTS &&
				    info.flags == (VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
						   VFIO_IRQ_INFO_AUTOMASKED) &&
				    info.argsz == 16 && untouched,
			    "argsz 16, index %u: count %d (slots), EVENTFD|MASKABLE|AUTOMASKED, no "
			    "CAPS, nothing written past count (ret %d, count %u, flags %#x, argsz %u)",
			    i, SLOTS, ret, info.count, info.flags, info.argsz);
	}
}

/* Whether mdev @uuid is of a type of the parent driver @parent ("mbochs", "mdpy"). */
static bool mdev_is(const char *uuid, const char *parent)
{
	char path[128], link[256];
	const char *type;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/mdev_type", uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	type = strrchr(link, '/');
	type = type ? type + 1 : link;
	return !strncmp(type, parent, strlen(parent)) && type[strlen(parent)] == '-';
}

static bool untouched_from(const unsigned char *buf, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++)
		if (buf[k] != GUARD)
			return false;
	return true;
}

static void test_caps(struct ctx *c)
{
	/* mbochs does not watch its VRAM mapping and says so; mdpy assumes updates. */
	bool front_unseen = mdev_is(c->uuid, "mbochs");
	uint32_t type = 0, subtype = 0, need, flags = 0;
	struct vfio_irq_info_cap_gfx_display display;
	struct vfio_info_cap_header hdr;
	struct vfio_irq_info_ext info;
	unsigned char buf[4096];
	int ret;

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, 20);
	memcpy(&info, buf, sizeof(info));
	tap(ret == 0 && (info.flags & VFIO_IRQ_INFO_FLAG_CAPS) && info.argsz > 24 &&
		    info.cap_offset == 0 && untouched_from(buf, 20, 64),
	    "argsz 20: FLAG_CAPS, argsz raised to %u, cap_offset %u, nothing past it written",
	    info.argsz, info.cap_offset);
	need = info.argsz;
	if (need > sizeof(buf))
		need = sizeof(buf);

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, 24);
	memcpy(&info, buf, sizeof(info));
	tap(ret == 0 && info.argsz == need && info.cap_offset == 0 && info.pad == 0 &&
		    untouched_from(buf, 24, 64),
	    "argsz 24: argsz raised to %u, pad written 0, nothing past the struct", info.argsz);

	memset(buf, GUARD, sizeof(buf));
	ret = irq_info(c->m.device, DISPLAY_IRQ, buf, need);
	memcpy(&info, buf, sizeof(info));
	tap(ret == 0 && info.argsz == need && info.cap_offset == sizeof(info) && info.pad == 0,
	    "argsz %u: chain at cap_offset %u, right after the 24-byte struct", need,
	    info.cap_offset);
	ret = vfio_caps_irq_type(buf, need, &type, &subtype);
	tap(ret == 0 && type == VFIO_IRQ_TYPE_GFX && subtype == VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ,
	    "the chain parses to TYPE %u/%u (ret %d)", type, subtype, ret);
	if (info.cap_offset && info.cap_offset + sizeof(hdr) <= need) {
		memcpy(&hdr, buf + info.cap_offset, sizeof(hdr));
		tap(hdr.id == VFIO_IRQ_INFO_CAP_TYPE && hdr.version == 1,
		    "the TYPE capability comes first: id %u version %u", hdr.id, hdr.version);
		if (!front_unseen) {
			tap(hdr.next == 0 && need == sizeof(info) + 16,
			    "and it is the only one (next %u, argsz %u)", hdr.next, need);
		} else if (hdr.next && hdr.next + sizeof(display) <= need) {
			memcpy(&display, buf + hdr.next, sizeof(display));
			tap(display.header.id == VFIO_IRQ_INFO_CAP_GFX_DISPLAY &&
				    display.header.version == 1 && display.header.next == 0 &&
				    display.flags == VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN &&
				    display.pad == 0,
			    "then GFX_DISPLAY with FRONT_UNSEEN, the last (id %u version %u "
			    "flags %#x next %u)", display.header.id, display.header.version,
			    display.flags, display.header.next);
		} else {
			tap(false, "the GFX_DISPLAY capability follows (next %u)", hdr.next);
		}
	} else {
		tap(false, "a chain to read");
	}
	ret = vfio_caps_irq_display_flags(buf, need, &flags);
	tap(front_unseen ? ret == 0 && flags == VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN : ret == -ENOENT,
	    "%s (ret %d, flags %#x)",
	    front_unseen ? "mbochs: front-buffer drawing declared unseen"
			 : "mdpy: no display capability, the vblank covers every update",
	    ret, flags);

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
		tap(ret == 0 && info.count == 0 && !(info.flags & VFIO_IRQ_INFO_FLAG_CAPS),
		    "argsz 64, index %u: count 0, no caps", i);
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
	tap(arm(dev, efd2) == -EBUSY, "arming an armed slot with another eventfd is -EBUSY");
	vfio_mdev_flip(&c->m, W, 0);
	v = wait_signal(efd, 1000);
	tap(v == 1 && wait_signal(efd2, 100) == 0, "and the first eventfd is still the one signalled");
	unmask(dev);
	tap(arm(dev, -1) == 0 && arm(dev, efd2) == 0, "disarmed first, it takes the other eventfd");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd2, 1000) == 1 && wait_signal(efd, 100) == 0,
	    "only the new eventfd is signalled");
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
		{ "start past the slots", hdr, N | T, DISPLAY_IRQ, SLOTS, 1, NULL, 0, -EINVAL },
		{ "count past the slots", hdr, N | U, DISPLAY_IRQ, 0, SLOTS + 1, NULL, 0, -EINVAL },
		{ "start+count past the slots", hdr, N | M, DISPLAY_IRQ, SLOTS - 1, 2, NULL, 0,
		  -EINVAL },
		{ "arming the armed slot", hdr + 4, E | T, DISPLAY_IRQ, 0, 1, &good, 4, -EBUSY },
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

/*
 * With a rate set, mbochs signals what it saw at most that often: no update,
 * no signal; updates while every consumer is masked are kept for the unmask.
 */
static void test_mbochs_rate(struct ctx *c)
{
	int dev = c->m.device, efd = new_eventfd();
	unsigned int n = 0, flips = 0;
	double t0;

	tap(set_rate(c->uuid, 50) == 0, "display_irq_hz = 50");
	tap(set_rate(c->uuid, 1001) == -EINVAL, "display_irq_hz = 1001 is refused");
	setup_double_buffer(c);
	arm(dev, efd);
	wait_signal(efd, 200);	/* the mode set */
	unmask(dev);
	t0 = now_s();
	while (now_s() - t0 < 1.0) {
		n += wait_signal(efd, 100) ? 1 : 0;
		unmask(dev);
	}
	tap(n == 0, "50 Hz, no flips for 1 s: %u signals (a bound, not a tick)", n);

	n = 0;
	t0 = now_s();
	while (now_s() - t0 < 1.0) {
		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((flips++ % 2) * H)) * W * 4);
		if (wait_signal(efd, 0)) {
			n++;
			unmask(dev);
		}
	}
	tap(n >= 5 && n <= 55, "%u flips in 1 s at 50 Hz: %u signals (at most the rate)", flips,
	    n);
	wait_signal(efd, 100);
	unmask(dev);
	wait_signal(efd, 100);

	tap(mask(dev) == 0, "masked");
	for (int i = 0; i < 10; i++)
		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((i % 2) * H)) * W * 4);
	tap(wait_signal(efd, 300) == 0, "10 flips while masked: nothing for 300 ms");
	unmask(dev);
	tap(wait_signal(efd, 1000) == 1, "unmask: the kept update is signalled, once");
	unmask(dev);
	tap(wait_signal(efd, 300) == 0, "then nothing");

	tap(set_rate(c->uuid, 0) == 0, "display_irq_hz = 0");
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(efd, 1000) == 1, "rate 0: a flip signals at once");
	unmask(dev);
	tap(wait_signal(efd, 300) == 0, "rate 0, no flips: no signal in 300 ms");
	disarm_none(dev);
	close(efd);
}

/*
 * Consumer slots: independent consumers at different paces on one
 * device, all-or-nothing arming, per-slot disarm and loopback.
 */
static void test_slots(struct ctx *c)
{
	int dev = c->m.device, efd[SLOTS], extra = new_eventfd();
	int32_t fds[SLOTS];
	unsigned int fast = 0, lost = 0;
	uint64_t v;

	setup_double_buffer(c);
	for (int i = 0; i < SLOTS; i++)
		fds[i] = efd[i] = new_eventfd();
	tap(arm_slot(dev, 0, efd[0]) == 0, "slot 0 armed alone");
	tap(set_slots(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 1, SLOTS - 1,
		      &fds[1], sizeof(int32_t) * (SLOTS - 1)) == 0,
	    "slots 1-%d armed in one call", SLOTS - 1);
	for (int i = 0; i < SLOTS; i++)
		tap(arm_slot(dev, (uint32_t)i, extra) == -EBUSY,
		    "a further consumer finds slot %d taken (-EBUSY)", i);

	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	for (int i = 0; i < SLOTS; i++)
		tap(wait_signal(efd[i], 1000) == 1, "a flip signals slot %d", i);
	tap(wait_signal(extra, 0) == 0, "and not the refused eventfd");
	/* Each masked itself.  Slots 0 and 2 go on; 3 is unmasked and masked again. */
	unmask_slot(dev, 0);
	unmask_slot(dev, 2);
	unmask_slot(dev, 3);
	set_slots(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 3, 1, NULL, 0);

	/*
	 * 20 flips.  Slot 0 unmasks after each, slot 1 never, slot 2 after
	 * every fifth, slot 3 stays masked.
	 */
	for (int i = 0; i < 20; i++) {
		vfio_mdev_flip(&c->m, W, (uint32_t)((uint16_t)((i % 2) * H)) * W * 4);
		v = wait_signal(efd[0], 1000);
		fast += (unsigned int)v;
		lost += !v;
		unmask_slot(dev, 0);
		if (i % 5 == 4)
			unmask_slot(dev, 2);
	}
	tap(fast == 20 && lost == 0, "fast consumer: 20 flips, %u signals (%u missing)", fast, lost);
	v = wait_signal(efd[1], 0);
	tap(v == 0, "stalled consumer: nothing after its first signal (%llu)",
	    (unsigned long long)v);
	v = wait_signal(efd[2], 0);
	tap(v == 5, "consumer unmasking every 5th flip: 5 signals, the first flip's and one "
		    "per unmask (%llu)", (unsigned long long)v);
	v = wait_signal(efd[3], 0);
	tap(v == 0, "masked consumer: nothing (%llu)", (unsigned long long)v);
	unmask_slot(dev, 1);
	tap(wait_signal(efd[1], 1000) == 1, "stalled consumer unmasks: its kept update, once");
	unmask_slot(dev, 1);
	tap(wait_signal(efd[1], 100) == 0, "and then nothing");
	unmask_slot(dev, 2);
	unmask_slot(dev, 3);
	tap(wait_signal(efd[3], 1000) == 1 && wait_signal(efd[2], 100) == 0,
	    "masked consumer unmasks: one signal; slot 2 had nothing pending");
	unmask_slot(dev, 3);

	tap(arm_slot(dev, 2, -1) == 0, "slot 2 disarmed alone");
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(efd[2], 200) == 0 && wait_signal(efd[0], 1000) == 1 &&
		    wait_signal(efd[1], 1000) == 1 && wait_signal(efd[3], 1000) == 1,
	    "a flip signals slots 0, 1 and 3, not 2");
	for (int i = 0; i < SLOTS; i++)
		unmask_slot(dev, (uint32_t)i);

	fds[0] = extra;
	fds[1] = extra;
	tap(set_slots(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 2, 2, fds,
		      sizeof(int32_t) * 2) == -EBUSY,
	    "arming slots 2 (free) and 3 (taken) in one call is -EBUSY");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(extra, 200) == 0 && wait_signal(efd[3], 1000) == 1,
	    "and changed nothing: slot 2 free, slot 3 still its own");
	tap(arm_slot(dev, 2, extra) == 0, "slot 2 can be armed after that");
	for (int i = 0; i < SLOTS; i++) {
		wait_signal(efd[i], 0);
		unmask_slot(dev, (uint32_t)i);
	}

	{
		uint8_t which[SLOTS] = { 0, 1, 0, 0 };

		tap(set_slots(dev, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, 0, SLOTS,
			      which, sizeof(which)) == 0 &&
			    wait_signal(efd[1], 1000) == 1 && wait_signal(efd[0], 100) == 0 &&
			    wait_signal(extra, 0) == 0 && wait_signal(efd[3], 0) == 0,
		    "loopback DATA_BOOL {0,1,0,0} signals slot 1 only");
	}
	unmask_slot(dev, 1);

	tap(disarm_none(dev) == 0, "DATA_NONE, count 0 disarms every slot");
	vfio_mdev_flip(&c->m, W, 0);
	v = 0;
	for (int i = 0; i < SLOTS; i++)
		v += wait_signal(efd[i], i ? 0 : 200);
	tap(v == 0 && wait_signal(extra, 0) == 0, "then a flip signals nobody");
	for (int i = 0; i < SLOTS; i++)
		tap(arm_slot(dev, (uint32_t)i, efd[i]) == 0, "slot %d free again", i);
	disarm_none(dev);
	for (int i = 0; i < SLOTS; i++)
		close(efd[i]);
	close(extra);
}

/*
 * Two opens of one device: a slot outlives the close of the file that
 * armed it, until its consumer disarms it or the last close.
 */
static void test_last_close(struct ctx *c)
{
	int a = c->m.device, efd_a = new_eventfd(), efd_b = new_eventfd(), b;

	if (!tap(c->m.group >= 0, "opened through the group"))
		return;
	b = ioctl(c->m.group, VFIO_GROUP_GET_DEVICE_FD, c->uuid);
	if (!tap(b >= 0, "a second device fd (%s)", b < 0 ? strerror(errno) : "ok"))
		return;
	setup_double_buffer(c);
	tap(arm_slot(a, 0, efd_a) == 0 && arm_slot(b, 1, efd_b) == 0,
	    "consumer A arms slot 0 on its fd, consumer B slot 1 on its own");
	close(b);
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(efd_a, 1000) == 1 && wait_signal(efd_b, 1000) == 1,
	    "B closed its fd without disarming: its slot is still armed, not the last close");
	tap(arm_slot(a, 1, efd_a) == -EBUSY, "and taken");
	tap(arm_slot(a, 1, -1) == 0 && arm_slot(a, 1, efd_a) == 0 && arm_slot(a, 1, -1) == 0,
	    "until disarmed, from any fd of the device");
	unmask_slot(a, 0);

	vfio_mdev_close(&c->m);	/* the last close */
	if (!tap(vfio_mdev_open(&c->m, c->uuid, false) == 0, "reopen after the last close"))
		goto out;
	setup_double_buffer(c);
	for (int i = 0; i < SLOTS; i++)
		tap(arm_slot(c->m.device, (uint32_t)i, efd_b) == 0, "slot %d free", i);
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(efd_a, 200) == 0, "A's eventfd is no longer signalled");
	disarm_none(c->m.device);
out:
	close(efd_a);
	close(efd_b);
}

/*
 * A slot whose eventfd is gone (its last file closed: the consumer closed it,
 * or was killed) is free, at once, while the device stays open.
 */
static void test_gone_eventfd(struct ctx *c)
{
	int dev = c->m.device, mine = new_eventfd(), efd = new_eventfd(), copy, ready[2], st;
	pid_t pid;
	char ch = 0;

	setup_double_buffer(c);
	copy = dup(efd);
	tap(arm_slot(dev, 2, efd) == 0 && copy >= 0, "slot 2 armed; its eventfd has a second fd");
	close(efd);
	tap(arm_slot(dev, 2, mine) == -EBUSY, "one fd of the eventfd closed: slot 2 still taken");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(copy, 1000) == 1, "and still signalled");
	close(copy);
	tap(arm_slot(dev, 2, mine) == 0, "its last fd closed: slot 2 is free at once");
	vfio_mdev_flip(&c->m, W, 0);
	tap(wait_signal(mine, 1000) == 1, "and signals its new consumer");
	arm_slot(dev, 2, -1);

	if (!tap(pipe(ready) == 0, "a pipe"))
		goto out;
	pid = fork();
	if (pid == 0) {
		int e = eventfd(0, EFD_CLOEXEC);

		ch = e >= 0 && arm_slot(dev, 3, e) == 0 ? 'y' : 'n';
		if (write(ready[1], &ch, 1) == 1)
			pause();
		_exit(1);
	}
	tap(pid > 0 && read(ready[0], &ch, 1) == 1 && ch == 'y', "a child arms slot 3");
	tap(arm_slot(dev, 3, mine) == -EBUSY, "slot 3 taken while the child lives");
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	tap(arm_slot(dev, 3, mine) == 0, "the child killed and reaped: slot 3 is free");
	vfio_mdev_flip(&c->m, W, (uint32_t)(H) * W * 4);
	tap(wait_signal(mine, 1000) == 1, "and signals its new consumer");
	arm_slot(dev, 3, -1);
	close(ready[0]);
	close(ready[1]);
out:
	close(mine);
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
 * ---- racing threads ----
 *
 * Four threads on one device fd, each with its own seeded generator:
 * SET_IRQS on random slots (arm, disarm, mask, unmask, loopback, with
 * eventfds closed behind the kernel's back), the guest's side (flips, mode
 * sets, cursor registers, random register and region reads and writes),
 * plane queries and dma-buf exports with random arguments, and consumers
 * that read and unmask.  KASAN and lockdep watch; the runner fails the run
 * on any report.
 */
struct race {
	struct ctx *c;
	atomic_bool stop;
	uint32_t seed;
	int efd[SLOTS];
	atomic_uint calls, refused;
};

static uint32_t xrand(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

static void race_count(struct race *r, int ret)
{
	atomic_fetch_add(&r->calls, 1);
	if (ret)
		atomic_fetch_add(&r->refused, 1);
}

static void *race_irqs(void *arg)
{
	struct race *r = arg;
	int dev = r->c->m.device;
	uint32_t st = r->seed * 2654435761u + 1;

	while (!atomic_load(&r->stop)) {
		uint32_t slot = xrand(&st) % (SLOTS + 1), count = 1 + xrand(&st) % 2;
		int32_t fds[2] = { r->efd[slot % SLOTS], -1 };
		uint8_t bools[2] = { (uint8_t)(xrand(&st) & 1), 1 };
		int ret, tmp;

		switch (xrand(&st) % 8) {
		case 0:
			ret = set_slots(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
					slot, count, fds, sizeof(int32_t) * count);
			break;
		case 1:	/* an eventfd closed while armed */
			tmp = new_eventfd();
			ret = arm_slot(dev, slot, tmp);
			close(tmp);
			break;
		case 2:
			ret = arm_slot(dev, slot, -1);
			break;
		case 3:
			ret = set_slots(dev, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_MASK, slot,
					count, bools, count);
			break;
		case 4:
			ret = unmask_slot(dev, slot);
			break;
		case 5:
			ret = set_slots(dev, VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER, slot,
					count, bools, count);
			break;
		case 6:
			ret = xrand(&st) % 8 ? 0 : disarm_none(dev);
			break;
		default:
			ret = set_slots(dev, xrand(&st) & 0x3f, slot, xrand(&st) % 4, fds,
					sizeof(fds));
			break;
		}
		race_count(r, ret);
	}
	return NULL;
}

static void *race_guest(void *arg)
{
	struct race *r = arg;
	struct vfio_mdev *m = &r->c->m;
	uint32_t st = r->seed * 40503u + 7;
	unsigned char buf[64];

	while (!atomic_load(&r->stop)) {
		uint32_t k = xrand(&st);
		off_t off;
		ssize_t n;

		switch (k % 6) {
		case 0:
		case 1:
			race_count(r, vfio_mdev_flip(m, W, (uint32_t)((uint16_t)((k >> 8) % 2 * H)) *
							      W * 4));
			break;
		case 2:
			race_count(r, xrand(&st) % 16 ? 0 :
				   vfio_mdev_set_mode(m, (uint16_t)(64 + xrand(&st) % 1200),
						      (uint16_t)(64 + xrand(&st) % 900), H));
			break;
		case 3:
			race_count(r, vfio_mdev_mmio_write32(m, MBOCHS_CURSOR_BASE + 4 * ((k >> 4) % 3),
							     xrand(&st)));
			break;
		default:
			/* Anywhere in or past BAR0 or BAR2, any size up to 64, either way. */
			off = (off_t)((k & 1 ? m->bar2.offset : m->bar0.offset) +
				      xrand(&st) % (k & 1 ? 0x1000 + 64 : m->bar0.size + 64));
			n = (k & 2) ? pread(m->device, buf, 1 + xrand(&st) % 64, off)
				    : pwrite(m->device, buf, 1 + xrand(&st) % 64, off);
			race_count(r, n < 0);
			break;
		}
	}
	return NULL;
}

static void *race_planes(void *arg)
{
	struct race *r = arg;
	int dev = r->c->m.device, kept[4] = { -1, -1, -1, -1 };
	uint32_t st = r->seed * 69069u + 3, last_id = 0;

	while (!atomic_load(&r->stop)) {
		struct vfio_device_gfx_plane_info p = {
			.argsz = xrand(&st) % 8 ? sizeof(p) : xrand(&st) % (sizeof(p) + 8),
			.flags = xrand(&st) % 4 ? VFIO_GFX_PLANE_TYPE_DMABUF : xrand(&st) & 7,
			.drm_plane_type = xrand(&st) % 4,
		};
		uint32_t id;
		int fd, ret;

		ret = ioctl(dev, VFIO_DEVICE_QUERY_GFX_PLANE, &p) ? -errno : 0;
		race_count(r, ret);
		if (!ret && p.dmabuf_id)
			last_id = p.dmabuf_id;
		id = xrand(&st) % 4 ? last_id : xrand(&st) % 64;
		fd = ioctl(dev, VFIO_DEVICE_GET_GFX_DMABUF, &id);
		race_count(r, fd < 0);
		if (fd >= 0) {
			int i = (int)(xrand(&st) % 4);

			if (kept[i] >= 0)
				close(kept[i]);
			kept[i] = fd;
		}
	}
	for (int i = 0; i < 4; i++)
		if (kept[i] >= 0)
			close(kept[i]);
	return NULL;
}

static void *race_consumers(void *arg)
{
	struct race *r = arg;
	int dev = r->c->m.device;

	while (!atomic_load(&r->stop)) {
		for (int i = 0; i < SLOTS; i++) {
			if (wait_signal(r->efd[i], 0))
				unmask_slot(dev, (uint32_t)i);
		}
		race_count(r, 0);
		usleep(200);
	}
	return NULL;
}

static int race_start(struct race *r, pthread_t t[4])
{
	void *(*fn[4])(void *) = { race_irqs, race_guest, race_planes, race_consumers };

	atomic_store(&r->stop, false);
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fn[i], r))
			return -1;
	return 0;
}

static void race_stop(struct race *r, pthread_t t[4])
{
	atomic_store(&r->stop, true);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

static void test_fuzz_race(struct ctx *c)
{
	struct race r = { .c = c };
	pthread_t t[4];

	setup_double_buffer(c);
	for (int i = 0; i < SLOTS; i++)
		r.efd[i] = new_eventfd();
	for (uint32_t seed = 1; seed <= 3; seed++) {
		r.seed = seed;
		atomic_store(&r.calls, 0);
		atomic_store(&r.refused, 0);
		if (!tap(race_start(&r, t) == 0, "seed %u: four threads", seed))
			return;
		usleep(1500 * 1000);
		race_stop(&r, t);
		diag("seed %u: %u calls, %u refused", seed, atomic_load(&r.calls),
		     atomic_load(&r.refused));
		tap(atomic_load(&r.calls) > 1000 && atomic_load(&r.refused) > 0,
		    "seed %u: %u racing calls for 1.5 s (kernel log checked by the runner)", seed,
		    atomic_load(&r.calls));
		disarm_none(c->m.device);
	}
	for (int i = 0; i < SLOTS; i++)
		close(r.efd[i]);
}

struct remover {
	const char *uuid;
	int ret;
};

static void *remove_mdev(void *arg)
{
	struct remover *rm = arg;
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", rm->uuid);
	rm->ret = write_sysfs(path, "1");
	return NULL;
}

/*
 * The mdev removed while the four threads run: removal waits for the
 * device fd, which is closed after the threads stop; a dma-buf kept from
 * before is read after.
 */
static void test_fuzz_remove(struct ctx *c)
{
	struct remover rm = { .uuid = c->uuid, .ret = 1 };
	struct vfio_device_gfx_plane_info p;
	struct race r = { .c = c, .seed = 99 };
	pthread_t t[4], rt;
	unsigned char *map;
	int kept = -1;

	setup_double_buffer(c);
	vfio_mdev_flip(&c->m, W, 0);
	if (vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p) == 0)
		kept = get_dmabuf(c, p.dmabuf_id);
	tap(kept >= 0, "a dma-buf kept across the removal");
	for (int i = 0; i < SLOTS; i++)
		r.efd[i] = new_eventfd();
	if (!tap(race_start(&r, t) == 0, "four threads"))
		return;
	usleep(300 * 1000);
	tap(pthread_create(&rt, NULL, remove_mdev, &rm) == 0, "the mdev removed meanwhile");
	usleep(700 * 1000);
	race_stop(&r, t);
	diag("remove: %u calls, %u refused", atomic_load(&r.calls), atomic_load(&r.refused));
	vfio_mdev_close(&c->m);
	pthread_join(rt, NULL);
	tap(rm.ret == 0, "removal finished once the device was closed (%s)", strerror(-rm.ret));
	if (kept >= 0) {
		map = mmap(NULL, p.size, PROT_READ, MAP_SHARED, kept, 0);
		if (tap(map != MAP_FAILED, "the kept dma-buf maps after it")) {
			volatile unsigned char last = map[p.size - 1];

			(void)last;
			munmap(map, p.size);
		}
		close(kept);
	}
	for (int i = 0; i < SLOTS; i++)
		close(r.efd[i]);
}

/*
 * A dmabuf that outlives its device and mdev: using and closing it must not
 * touch freed memory, with mbochs's debug messages on (they name the
 * device).  KASAN watches; the runner fails the run on a report.
 */
static void test_dmabuf_outlives_mdev(struct ctx *c)
{
	static const char ctl[] = "/proc/dynamic_debug/control";
	struct vfio_device_gfx_plane_info p;
	struct dma_buf_sync sync;
	unsigned char *map;
	char path[128];
	int fd, ret;

	tap(write_sysfs(ctl, "module mbochs +p") == 0, "mbochs's debug messages on (%s)", ctl);
	vfio_mdev_set_mode(&c->m, 640, 480, 480);
	ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY, &p);
	if (ret == -ENOMEM)
		ret = vfio_mdev_query_plane(&c->m, VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_PRIMARY,
					    &p);
	fd = ret ? ret : get_dmabuf(c, p.dmabuf_id);
	if (!tap(fd >= 0, "dmabuf exported (%d)", fd))
		goto out;
	vfio_mdev_close(&c->m);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", c->uuid);
	tap(write_sysfs(path, "1") == 0, "device closed and the mdev removed while the dmabuf lives");

	/* mmap (an mbochs op that logs), fault a page in, sync, unmap. */
	map = mmap(NULL, p.size, PROT_READ, MAP_SHARED, fd, 0);
	if (tap(map != MAP_FAILED, "the orphaned dmabuf maps (%s)",
		map == MAP_FAILED ? strerror(errno) : "ok")) {
		volatile unsigned char first = map[0], last = map[p.size - 1];

		(void)first;
		(void)last;
		sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ret |= ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
		tap(ret == 0, "read and synced through the mapping");
		munmap(map, p.size);
	}
	/* The release logs too. */
	tap(close(fd) == 0, "the dmabuf closed last");
out:
	write_sysfs(ctl, "module mbochs -p");
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

	/* Two consumers: one unmasks at once, the other never. */
	{
		int stalled = new_eventfd();

		tap(arm_slot(dev, 0, efd) == 0 && arm_slot(dev, 1, stalled) == 0,
		    "two consumers armed");
		n = count_signals(dev, efd, 1.0);
		tap(n >= 54 && n <= 66 && wait_signal(stalled, 0) == 1,
		    "60 Hz: the unmasking consumer gets %u signals in 1 s, the stalled one 1", n);
		unmask_slot(dev, 1);
		tap(wait_signal(stalled, 100) == 1,
		    "the stalled one unmasks: the vblanks it missed, once, at once");
		disarm_none(dev);
		close(stalled);
	}
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

/* ---- mtty ---- */

/* A VMM may ask for IRQ info and set IRQs without an earlier GET_INFO. */
static void test_mtty_no_get_info(struct ctx *c)
{
	struct vfio_irq_info info;
	struct vfio_mdev m;
	int efd = new_eventfd(), ret;
	int32_t fd = efd;

	if (!tap(vfio_mdev_attach(&m, c->uuid) == 0, "device fd, no other ioctl yet"))
		return;
	memset(&info, 0, sizeof(info));
	info.argsz = 16;
	info.index = VFIO_PCI_INTX_IRQ_INDEX;
	ret = ioctl(m.device, VFIO_DEVICE_GET_IRQ_INFO, &info) ? -errno : 0;
	tap(ret == 0 && info.count == 1 && (info.flags & VFIO_IRQ_INFO_EVENTFD),
	    "GET_IRQ_INFO for INTx before any GET_INFO: count %u (ret %d)", info.count, ret);
	ret = set_irqs_raw(m.device, sizeof(struct vfio_irq_set) + 4,
			   VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_INTX_IRQ_INDEX, 0, 1, &fd, sizeof(fd));
	tap(ret == 0, "SET_IRQS arms INTx before any GET_INFO (ret %d)", ret);
	ret = set_irqs_raw(m.device, sizeof(struct vfio_irq_set),
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_INTX_IRQ_INDEX, 0, 1, NULL, 0);
	tap(ret == 0 && wait_signal(efd, 1000) == 1, "its loopback trigger signals (ret %d)", ret);
	ret = set_irqs_raw(m.device, sizeof(struct vfio_irq_set) + 8,
			   VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_INTX_IRQ_INDEX, 0, 2, (int32_t[]){ efd, efd }, 8);
	tap(ret == -EINVAL, "INTx with count 2 is -EINVAL: it has one vector (ret %d)", ret);
	ret = set_irqs_raw(m.device, sizeof(struct vfio_irq_set),
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0);
	tap(ret == -EINVAL, "MSI-X, which mtty lacks, is -EINVAL (ret %d)", ret);
	info.argsz = 16;
	info.index = VFIO_PCI_NUM_IRQS;
	ret = ioctl(m.device, VFIO_DEVICE_GET_IRQ_INFO, &info) ? -errno : 0;
	tap(ret == -EINVAL, "GET_IRQ_INFO index %d is -EINVAL (ret %d)", VFIO_PCI_NUM_IRQS, ret);
	set_irqs_raw(m.device, sizeof(struct vfio_irq_set),
		     VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX,
		     0, 0, NULL, 0);
	vfio_mdev_close(&m);
	close(efd);
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
	{ "slots", true, test_slots },
	{ "last-close", true, test_last_close },
	{ "gone-eventfd", true, test_gone_eventfd },
	{ "fuzz", true, test_fuzz },
	{ "fuzz-race", true, test_fuzz_race },
	{ "fuzz-remove", true, test_fuzz_remove },
	{ "dmabuf-outlives-mdev", true, test_dmabuf_outlives_mdev },
	{ "mdpy-irq-info-first", false, test_mdpy_irq_info_first },
	{ "mdpy-rate", true, test_mdpy_rate },
	{ "mdpy-fb-access", true, test_mdpy_fb_access },
	{ "mtty-no-get-info", false, test_mtty_no_get_info },
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
