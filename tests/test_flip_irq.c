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
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "flip_irq.h"
#include "test.h"
#include "vfio_uapi.h"

#define DISPLAY_INDEX 6

static struct {
	int fd;			/* the fake device */
	bool malformed_5;	/* index 5 has a chain pointing out of the reply */
	int set_irqs_error;	/* SET_IRQS ACTION_TRIGGER fails with this */
	int trigger;		/* the armed eventfd, -1: none */
	unsigned int unmasks, disarms;
} fake = { .fd = -1, .trigger = -1 };

static int get_irq_info(void *arg)
{
	struct vfio_irq_info_ext info;
	struct vfio_irq_info_cap_type cap = {
		.header = { .id = VFIO_IRQ_INFO_CAP_TYPE, .version = 1 },
		.type = VFIO_IRQ_TYPE_GFX,
		.subtype = VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ,
	};
	uint32_t cap_at = 24, need = cap_at + (uint32_t)sizeof(cap);

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
	info.count = 1;
	info.argsz = need;
	info.cap_offset = info.index == 5 ? 4000 : cap_at;
	memcpy(arg, &info, sizeof(info));
	memcpy((char *)arg + cap_at, &cap, sizeof(cap));
	return 0;
}

static int set_irqs(void *arg)
{
	struct vfio_irq_set set;
	int32_t efd;

	memcpy(&set, arg, sizeof(set));
	if (set.index != DISPLAY_INDEX) {
		errno = EINVAL;
		return -1;
	}
	if (set.flags == (VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)) {
		if (fake.set_irqs_error) {
			errno = fake.set_irqs_error;
			return -1;
		}
		memcpy(&efd, (char *)arg + sizeof(set), sizeof(efd));
		fake.trigger = efd;
	} else if (set.flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK)) {
		fake.unmasks++;
	} else if (set.flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER) &&
		   set.count == 0) {
		fake.trigger = -1;
		fake.disarms++;
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
	fake.set_irqs_error = 0;
	fake.trigger = -1;
	fake.unmasks = fake.disarms = 0;
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

static void signal_display(int times)
{
	uint64_t one = 1;

	for (int i = 0; i < times; i++)
		if (write(fake.trigger, &one, sizeof(one)) != sizeof(one))
			return;
}

static void test_display_irq(void)
{
	struct flip_irq *irq;
	uint64_t n = 99;

	fake_reset();
	irq = flip_irq_create(fake.fd, 8, 16, false);
	CHECK(irq);
	CHECK(!flip_irq_polling(irq));
	/* The eventfd armed on the device is the one the viewer waits on. */
	CHECK_INT_EQ(fake.trigger, flip_irq_fd(irq));

	/* Nothing yet: no wake-up, and a drain reads nothing (spurious). */
	CHECK(!readable_within(flip_irq_fd(irq), 0));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 0);

	/* Two updates before the viewer runs: one wake-up that counts both. */
	signal_display(2);
	CHECK(readable_within(flip_irq_fd(irq), 1000));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 2);
	CHECK(!readable_within(flip_irq_fd(irq), 0));
	CHECK_INT_EQ(flip_irq_drain(irq, &n), 0);
	CHECK_INT_EQ(n, 0);

	/* Shown: the AUTOMASKED IRQ is unmasked. */
	CHECK_INT_EQ(flip_irq_unmask(irq), 0);
	CHECK_INT_EQ(fake.unmasks, 1);

	flip_irq_destroy(irq);
	CHECK_INT_EQ(fake.disarms, 1);
	CHECK_INT_EQ(fake.trigger, -1);
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
	CHECK_INT_EQ(fake.unmasks, 0);
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
	CHECK_INT_EQ(fake.trigger, -1);
	flip_irq_destroy(irq);
}

int main(void)
{
	RUN_TEST(test_display_irq);
	RUN_TEST(test_malformed_chain_skipped);
	RUN_TEST(test_arming_fails_polls);
	RUN_TEST(test_no_irq_polls);
	RUN_TEST(test_forced_poll);
	return TEST_EXIT_STATUS();
}
