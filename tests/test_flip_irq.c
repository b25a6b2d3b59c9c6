// SPDX-License-Identifier: MIT
/*
 * flip_irq.c against real eventfds and timerfds, woken through epoll as
 * the viewer's loop is.  The VFIO device is faked at the ioctl() boundary
 * (this file defines ioctl(), which the linker prefers to libc's for the
 * code under test): a unit test has no device.  What the fake cannot
 * prove, the VM scenarios do with the real kernel ABI (kernel-irq-*).
 * The "kernel" signals by writing to the eventfd it was given, as
 * eventfd_signal() does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "flip_irq.h"
#include "test.h"
#include "vfio_uapi.h"

#define DISPLAY_INDEX 6
#define SLOTS 4

static struct {
	int fd;			/* the fake device */
	bool malformed_5;	/* index 5 has a chain pointing out of the reply */
	bool front_unseen;	/* the display cap follows the TYPE cap */
	int set_irqs_error;	/* SET_IRQS ACTION_TRIGGER fails with this */
	int trigger[SLOTS];	/* the eventfd armed on each slot, -1: none */
	unsigned int unmasks[SLOTS], disarms;
} fake = { .fd = -1 };

static int get_irq_info(void *arg)
{
	struct vfio_irq_info_ext info;
	struct vfio_irq_info_cap_type cap = {
		.header = { .id = VFIO_IRQ_INFO_CAP_TYPE, .version = 1 },
		.type = VFIO_IRQ_TYPE_GFX,
		.subtype = VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ,
	};
	struct vfio_irq_info_cap_gfx_display display = {
		.header = { .id = VFIO_IRQ_INFO_CAP_GFX_DISPLAY, .version = 1 },
		.flags = VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN,
	};
	uint32_t cap_at = 24, need = cap_at + (uint32_t)sizeof(cap);

	if (fake.front_unseen) {
		cap.header.next = need;
		need += (uint32_t)sizeof(display);
	}
	memcpy(&info, arg, sizeof(info));
	if (info.index != DISPLAY_INDEX && !(info.index == 5 && fake.malformed_5)) {
		errno = EINVAL;
		return -1;
	}
	if (info.argsz < need) {
		errno = EINVAL;
		return -1;
	}
	info.flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED |
		     VFIO_IRQ_INFO_FLAG_CAPS;
	info.count = SLOTS;
	info.argsz = need;
	info.cap_offset = info.index == 5 ? 4000 : cap_at;
	memcpy(arg, &info, sizeof(info));
	memcpy((char *)arg + cap_at, &cap, sizeof(cap));
	if (fake.front_unseen)
		memcpy((char *)arg + cap.header.next, &display, sizeof(display));
	return 0;
}

/* The kernel's rules for one slot at a time, as the viewer calls it. */
static int set_irqs(void *arg)
{
	struct vfio_irq_set set;
	int32_t efd;

	memcpy(&set, arg, sizeof(set));
	if (set.index != DISPLAY_INDEX || set.count != 1 || set.start >= SLOTS) {
		errno = EINVAL;
		return -1;
	}
	if (set.flags == (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)) {
		memcpy(&efd, (char *)arg + sizeof(set), sizeof(efd));
		if (efd == -1) {
			fake.trigger[set.start] = -1;
			fake.disarms++;
			return 0;
		}
		if (fake.set_irqs_error) {
			errno = fake.set_irqs_error;
			return -1;
		}
		if (fake.trigger[set.start] >= 0) {
			errno = EBUSY;
			return -1;
		}
		fake.trigger[set.start] = efd;
	} else if (set.flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK)) {
		fake.unmasks[set.start]++;
	} else {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake.fd || fd < 0)
		return (int)syscall(SYS_ioctl, fd, request, arg);
	if (request == VFIO_DEVICE_GET_IRQ_INFO)
		return get_irq_info(arg);
	if (request == VFIO_DEVICE_SET_IRQS)
		return set_irqs(arg);
	errno = ENOTTY;
	return -1;
}

static void fake_reset(void)
{
	if (fake.fd < 0)
		fake.fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fake.malformed_5 = false;
	fake.front_unseen = false;
	fake.set_irqs_error = 0;
	for (int i = 0; i < SLOTS; i++) {
		fake.trigger[i] = -1;
		fake.unmasks[i] = 0;
	}
	fake.disarms = 0;
}

static unsigned int total_unmasks(void)
{
	unsigned int n = 0;

	for (int i = 0; i < SLOTS; i++)
		n += fake.unmasks[i];
	return n;
}

/* Whether @fd becomes readable within @ms, through epoll as the viewer waits. */
static bool readable_within(int fd, int ms)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC), n;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		return false;
	n = epoll_wait(ep, &out, 1, ms);
	close(ep);
	return n == 1 && (out.events & EPOLLIN);
}

static void signal_display(int slot, int times)
{
	uint64_t one = 1;

	for (int i = 0; i < times; i++)
		if (write(fake.trigger[slot], &one, sizeof(one)) != sizeof(one))
			return;
}

static void expect_polling(struct flip_irq *irq);

static void test_display_irq(void)
{
	struct flip_irq *irq;
	uint64_t n = 99;

	fake_reset();
	irq = flip_irq_create(fake.fd, 8, 16, false);
	CHECK(irq);
	CHECK(!flip_irq_polling(irq));
	/* Slot 0 is the VMM's by convention: the viewer takes slot 1. */
	CHECK_INT_EQ(fake.trigger[0], -1);
	CHECK_INT_EQ(fake.trigger[1], flip_irq_fd(irq));

	/* Nothing yet: no wake-up, and a drain reads nothing (spurious). */
	CHECK(!readable_within(flip_irq_fd(irq), 0));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 0);

	/* Two updates before the viewer runs: one wake-up that counts both. */
	signal_display(1, 2);
	CHECK(readable_within(flip_irq_fd(irq), 1000));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 2);
	CHECK(!readable_within(flip_irq_fd(irq), 0));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 0);

	/* Shown: its own slot is unmasked, no other. */
	CHECK_INT_EQ(flip_irq_unmask(irq), 0);
	CHECK_INT_EQ(fake.unmasks[1], 1);
	CHECK_INT_EQ(total_unmasks(), 1);

	flip_irq_destroy(irq);
	CHECK_INT_EQ(fake.disarms, 1);
	CHECK_INT_EQ(fake.trigger[1], -1);
}

/* Slots others hold are skipped; the VMM's slot 0 is the last resort. */
static void test_slots_taken(void)
{
	struct flip_irq *irq, *irq2;
	int other = eventfd(0, EFD_CLOEXEC);

	fake_reset();
	fake.trigger[0] = fake.trigger[1] = other;
	irq = flip_irq_create(fake.fd, 8, 16, false);
	CHECK(irq && !flip_irq_polling(irq));
	CHECK_INT_EQ(fake.trigger[2], flip_irq_fd(irq));
	CHECK_INT_EQ(flip_irq_unmask(irq), 0);
	CHECK_INT_EQ(fake.unmasks[2], 1);

	/* The others' slots are left alone when it goes. */
	flip_irq_destroy(irq);
	CHECK_INT_EQ(fake.trigger[0], other);
	CHECK_INT_EQ(fake.trigger[1], other);
	CHECK_INT_EQ(fake.trigger[2], -1);

	/* Slot 0 free, 1-3 taken: slot 0. */
	fake_reset();
	fake.trigger[1] = fake.trigger[2] = fake.trigger[3] = other;
	irq = flip_irq_create(fake.fd, 8, 16, false);
	CHECK(irq && !flip_irq_polling(irq));
	CHECK_INT_EQ(fake.trigger[0], flip_irq_fd(irq));

	/* Every slot taken: the next viewer polls and disarms nothing. */
	irq2 = flip_irq_create(fake.fd, 8, 5, false);
	expect_polling(irq2);
	flip_irq_destroy(irq2);
	CHECK_INT_EQ(fake.disarms, 0);
	flip_irq_destroy(irq);
	close(other);
}

/* A device that does not see front-buffer drawing still gives its IRQ. */
static void test_front_unseen(void)
{
	struct flip_irq *irq;

	fake_reset();
	fake.front_unseen = true;
	CHECK_INT_EQ(flip_irq_find(fake.fd, 8), DISPLAY_INDEX);
	irq = flip_irq_create(fake.fd, 8, 16, false);
	CHECK(irq && !flip_irq_polling(irq));
	flip_irq_destroy(irq);
}

static void test_malformed_chain_skipped(void)
{
	fake_reset();
	fake.malformed_5 = true;
	/* Index 5's chain points past its reply: skipped, 6 is found. */
	CHECK_INT_EQ(flip_irq_find(fake.fd, 8), DISPLAY_INDEX);
	/* Not among the device's IRQs: none. */
	CHECK_INT_EQ(flip_irq_find(fake.fd, DISPLAY_INDEX), -ENOENT);
}

static void expect_polling(struct flip_irq *irq)
{
	uint64_t n = 0;

	CHECK(irq);
	CHECK(flip_irq_polling(irq));
	/* The timer wakes the loop; each wake-up counts the ticks since the last. */
	CHECK(readable_within(flip_irq_fd(irq), 1000));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK(n >= 1);
	/* Polling has nothing to unmask. */
	CHECK_INT_EQ(flip_irq_unmask(irq), 0);
	CHECK_INT_EQ(total_unmasks(), 0);
}

static void test_arming_fails_polls(void)
{
	struct flip_irq *irq;

	fake_reset();
	fake.set_irqs_error = EBUSY;
	irq = flip_irq_create(fake.fd, 8, 5, false);
	expect_polling(irq);
	flip_irq_destroy(irq);
	CHECK_INT_EQ(fake.disarms, 0);
}

static void test_no_irq_polls(void)
{
	struct flip_irq *irq;

	fake_reset();
	/* A kernel without the series: only vfio-pci's five IRQs. */
	irq = flip_irq_create(fake.fd, 5, 5, false);
	expect_polling(irq);
	flip_irq_destroy(irq);
}

static void test_forced_poll(void)
{
	struct flip_irq *irq;

	fake_reset();
	irq = flip_irq_create(fake.fd, 8, 5, true);
	expect_polling(irq);
	for (int i = 0; i < SLOTS; i++)
		CHECK_INT_EQ(fake.trigger[i], -1);
	flip_irq_destroy(irq);
}

int main(void)
{
	RUN_TEST(test_display_irq);
	RUN_TEST(test_slots_taken);
	RUN_TEST(test_front_unseen);
	RUN_TEST(test_malformed_chain_skipped);
	RUN_TEST(test_arming_fails_polls);
	RUN_TEST(test_no_irq_polls);
	RUN_TEST(test_forced_poll);
	return TEST_EXIT_STATUS();
}
