// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define LOG_MODULE "flip_irq"
#include "flip_irq.h"
#include "log.h"
#include "vfio_caps.h"
#include "vfio_uapi.h"

/* No sane chain is this long; a kernel asking for more is not believed. */
#define MAX_IRQ_INFO 4096
#define MAX_IRQ_INDEX 64
/* Nor this many consumer slots (the kernel's drivers have 4). */
#define MAX_SLOTS 64

struct flip_irq {
	int device;
	int fd;		/* eventfd, or timerfd when polling */
	int index;	/* -1 when polling */
	uint32_t slot;	/* the consumer slot armed */
};

/* What GET_IRQ_INFO says of a display IRQ. */
struct found {
	uint32_t slots;		/* count: consumer slots */
	uint32_t display_flags;	/* VFIO_IRQ_GFX_DISPLAY_*: what it does not cover */
};

static int find(int device_fd, uint32_t num_irqs, struct found *f)
{
	for (uint32_t i = VFIO_UAPI_FIRST_DEVICE_IRQ; i < num_irqs && i < MAX_IRQ_INDEX; i++) {
		unsigned char buf[MAX_IRQ_INFO] = { 0 };
		struct vfio_irq_info_ext info = { .argsz = sizeof(buf), .index = i };
		uint32_t type, subtype;
		int ret;

		/* A buffer any sane chain fits in: one call, no argsz round trip. */
		memcpy(buf, &info, sizeof(info));
		if (ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, buf))
			continue;
		memcpy(&info, buf, sizeof(info));
		if (!(info.flags & VFIO_IRQ_INFO_FLAG_CAPS))
			continue;
		if (info.argsz > sizeof(buf)) {
			LOG_WARN("IRQ %u: capability chain of %u bytes, ignoring", i, info.argsz);
			continue;
		}
		ret = vfio_caps_irq_type(buf, sizeof(buf), &type, &subtype);
		if (ret == -EINVAL)
			LOG_WARN("IRQ %u: malformed capability chain, ignoring", i);
		if (ret || type != VFIO_IRQ_TYPE_GFX || subtype != VFIO_IRQ_SUBTYPE_GFX_DISPLAY_IRQ ||
		    !(info.flags & VFIO_IRQ_INFO_EVENTFD) || info.count < 1)
			continue;
		f->slots = info.count < MAX_SLOTS ? info.count : MAX_SLOTS;
		f->display_flags = 0;
		ret = vfio_caps_irq_display_flags(buf, sizeof(buf), &f->display_flags);
		if (ret == -EINVAL) {
			LOG_WARN("IRQ %u: malformed display capability, ignoring", i);
			continue;
		}
		return (int)i;
	}
	return -ENOENT;
}

int flip_irq_find(int device_fd, uint32_t num_irqs)
{
	struct found f;

	return find(device_fd, num_irqs, &f);
}

static int set_irqs(struct flip_irq *irq, uint32_t flags, uint32_t start, int32_t fd)
{
	unsigned char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set set = {
		.argsz = sizeof(set) + ((flags & VFIO_IRQ_SET_DATA_EVENTFD) ? sizeof(fd) : 0),
		.flags = flags,
		.index = (uint32_t)irq->index,
		.start = start,
		.count = 1,
	};

	memcpy(buf, &set, sizeof(set));
	memcpy(buf + sizeof(set), &fd, sizeof(fd));
	return ioctl(irq->device, VFIO_DEVICE_SET_IRQS, buf) ? -errno : 0;
}

/*
 * Takes a free consumer slot: the VMM conventionally has slot 0, so the
 * others first and 0 last.  Arming a taken slot is -EBUSY and changes
 * nothing, so trying them in turn is race-free.  0, -EBUSY when every slot
 * is taken, or another -errno.
 */
static int take_slot(struct flip_irq *irq, uint32_t slots)
{
	for (uint32_t k = 1; k <= slots; k++) {
		uint32_t slot = k % slots;
		int ret = set_irqs(irq, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, slot,
				   irq->fd);

		if (ret != -EBUSY) {
			irq->slot = slot;
			return ret;
		}
	}
	return -EBUSY;
}

static int arm_timer(struct flip_irq *irq, unsigned int poll_ms)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = poll_ms / 1000, .tv_nsec = (poll_ms % 1000) * 1000000L },
	};

	its.it_value = its.it_interval;
	irq->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (irq->fd < 0 || timerfd_settime(irq->fd, 0, &its, NULL))
		return -errno;
	return 0;
}

struct flip_irq *flip_irq_create(int device_fd, uint32_t num_irqs, unsigned int poll_ms,
				 bool force_poll)
{
	struct flip_irq *irq = calloc(1, sizeof(*irq));
	struct found f = { 0 };
	int ret;

	if (!irq)
		return NULL;
	irq->device = device_fd;
	irq->fd = -1;
	irq->index = force_poll ? -ENOENT : find(device_fd, num_irqs, &f);
	if (!poll_ms)
		poll_ms = 16;

	if (irq->index >= 0) {
		irq->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (irq->fd < 0)
			goto err_errno;
		ret = take_slot(irq, f.slots);
		if (!ret) {
			LOG_INFO("display IRQ at index %d, consumer slot %u of %u", irq->index,
				 irq->slot, f.slots);
			if (f.display_flags & VFIO_IRQ_GFX_DISPLAY_FRONT_UNSEEN)
				LOG_INFO("the device does not signal drawing into a frame already on "
					 "screen; for a guest that draws so, use --poll");
			if (f.display_flags & VFIO_IRQ_GFX_DISPLAY_CURSOR_UNSEEN)
				LOG_INFO("the device does not signal cursor changes: the cursor moves "
					 "with the next frame; --poll shows it at once");
			return irq;
		}
		if (ret == -EBUSY)
			LOG_WARN("all %u consumer slots of the display IRQ at index %d are taken, "
				 "polling instead", f.slots, irq->index);
		else
			LOG_ERRNO(ret, "arming the display IRQ at index %d, polling instead",
				  irq->index);
		close(irq->fd);
		irq->index = -1;
	} else if (force_poll) {
		LOG_INFO("polling every %u ms (--poll)", poll_ms);
	} else {
		LOG_INFO("polling every %u ms (the kernel has no display IRQ for this device)",
			 poll_ms);
	}
	irq->index = -1;
	ret = arm_timer(irq, poll_ms);
	if (!ret)
		return irq;
	errno = -ret;
err_errno:
	LOG_ERRNO(errno, "creating the wake-up fd");
	flip_irq_destroy(irq);
	return NULL;
}

void flip_irq_destroy(struct flip_irq *irq)
{
	if (!irq)
		return;
	/* Its own slot only: the other consumers' stay armed. */
	if (irq->index >= 0)
		set_irqs(irq, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, irq->slot,
			 -1);
	if (irq->fd >= 0)
		close(irq->fd);
	free(irq);
}

bool flip_irq_polling(const struct flip_irq *irq)
{
	return irq->index < 0;
}

int flip_irq_fd(const struct flip_irq *irq)
{
	return irq->fd;
}

int flip_irq_drain(struct flip_irq *irq, uint64_t *ret_count)
{
	uint64_t v;

	*ret_count = 0;
	if (read(irq->fd, &v, sizeof(v)) == sizeof(v)) {
		*ret_count = v;
		return 0;
	}
	return errno == EAGAIN ? 0 : -errno;
}

int flip_irq_unmask(struct flip_irq *irq)
{
	if (irq->index < 0)
		return 0;
	return set_irqs(irq, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, irq->slot, -1);
}
