/* SPDX-License-Identifier: MIT */
/*
 * Which presenter shows the guest (backend_): --backend, or for "auto" the
 * Wayland window when there is a Wayland session and the headless
 * presenter otherwise, said in the log with the reason.  The one place
 * that knows every presenter's constructor.
 */
#ifndef VGPU_VIEWER_BACKEND_H
#define VGPU_VIEWER_BACKEND_H

#include "options.h"
#include "presenter.h"

struct input;
struct stats;

/*
 * What --backend auto means here: wayland with $WAYLAND_DISPLAY (and a
 * build with the Wayland presenter), headless otherwise; @why says why.
 */
enum viewer_backend backend_resolve(enum viewer_backend want, char *why, size_t len);

/*
 * Creates the presenter of @o (its title defaulting to the VM's name).
 * NULL when it cannot (logged), with the exit status in *@ret_exit: no
 * window for window options, no compositor, no KMS output, ...  A presenter
 * with a seat sends keys and the pointer to @input.
 */
struct presenter *backend_create(const struct viewer_options *o, struct stats *stats,
				 struct input *input, int *ret_exit);

#endif
