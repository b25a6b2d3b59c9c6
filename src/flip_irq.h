/* SPDX-License-Identifier: MIT */
/*
 * What wakes the viewer when the guest display may have changed: the
 * device's GFX display IRQ (kernel/), armed with an eventfd, or, on a kernel
 * without it, a polling timer like QEMU's.
 */
#ifndef VGPU_VIEWER_FLIP_IRQ_H
#define VGPU_VIEWER_FLIP_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct flip_irq;

/*
 * Finds the display IRQ of the device @device_fd (an index at or above
 * VFIO_PCI_NUM_IRQS whose capability chain says GFX / DISPLAY_IRQ) and arms
 * an eventfd on a free consumer slot of it (slot 0, the VMM's by
 * convention, last).  Without one, when every slot is taken, or with
 * @force_poll, sets up a timer that fires every @poll_ms instead; which one
 * is logged once.  NULL on failure.
 */
struct flip_irq *flip_irq_create(int device_fd, uint32_t num_irqs, unsigned int poll_ms,
				 bool force_poll);

/* Disarms its slot, and only that, and closes the fd; NULL is a no-op. */
void flip_irq_destroy(struct flip_irq *irq);

/* Whether it polls (no display IRQ, or --poll) rather than sleeping on the IRQ. */
bool flip_irq_polling(const struct flip_irq *irq);

/* The fd to wait on (EPOLLIN). */
int flip_irq_fd(const struct flip_irq *irq);

/*
 * Reads the fd after a wake-up: the number of signals (or timer ticks) since
 * the last call into *@ret_count, 0 for a spurious wake-up.  0 or -errno.
 */
int flip_irq_drain(struct flip_irq *irq, uint64_t *ret_count);

/*
 * Ready for the next update: unmasks its AUTOMASKED slot, which signals at
 * once if an update came in meanwhile.  A no-op when polling.  0 or -errno.
 */
int flip_irq_unmask(struct flip_irq *irq);

/*
 * Finds the display IRQ index of @device_fd among @num_irqs: its index, or
 * -ENOENT.  Malformed capability chains are skipped with a warning.
 */
int flip_irq_find(int device_fd, uint32_t num_irqs);

#endif
