/* SPDX-License-Identifier: MIT */
/*
 * The attacher (attacher_): the smallest part of a display service that
 * keeps the capabilities attaching needs (CAP_SYS_PTRACE to copy QEMU's fd
 * for the mdev, CAP_DAC_READ_SEARCH to read libvirt's status files), in a
 * process of its own.  The service forks it before it reads anything a
 * client sends, then drops every capability.  Asked by its parent over a
 * socketpair, the attacher finds the VMM, borrows its fd for the mdev (the
 * caller's function does, as it would in one process) and sends back the
 * device fd and the VMM's pidfd.  It reads one byte per request and nothing
 * else, and exits when its parent does.
 */
#ifndef VGPU_VIEWER_ATTACHER_H
#define VGPU_VIEWER_ATTACHER_H

#include "mdev_uuid.h"
#include "vfio_dev.h"

/* What one attach gave: the fds are the caller's; @why when it failed. */
struct attacher_result {
	int err;			/* 0, or what the attach function returned */
	int device_fd, vmm_pidfd;	/* -1 when none */
	char uuid[MDEV_UUID_LEN + 1];
	char why[320];
};

/*
 * In the attacher: attaches (its capabilities are there) and fills in
 * @ret's err, uuid and why; returns the device (NULL on failure).
 */
typedef struct vfio_dev *(*attacher_fn)(void *data, struct attacher_result *ret);

struct attacher;

/*
 * Forks the attacher, which keeps the capabilities in @keep (a privs mask)
 * and nothing else, and calls @fn(@data) for each request.  NULL (logged)
 * when it cannot.
 */
struct attacher *attacher_start(attacher_fn fn, void *data, unsigned long long keep);

/* Asks for a device; waits for the answer (bounded).  0 or -errno (@ret->err too). */
int attacher_attach(struct attacher *a, struct attacher_result *ret);

/* The attacher's pid, for tests and the log. */
pid_t attacher_pid(const struct attacher *a);

/* Ends the attacher and waits for it. */
void attacher_stop(struct attacher *a);

#endif
