/* SPDX-License-Identifier: MIT */
/*
 * A client of a VM's display service (svcc_): connects to its socket,
 * registers a listener (org.qemu.Display1, peer to peer, doc/
 * display-service.md) and hands the frames it gets to its user, who says
 * when each is on screen (svcc_frame_done): that answer is what paces the
 * service, so the user's screen sets the rate and the newest frame wins.
 *
 * One epoll fd of its own (svcc_get_fd) for the caller's loop; svcc_prepare()
 * before each wait, svcc_dispatch() after.
 */
#ifndef VGPU_VIEWER_SVC_CLIENT_H
#define VGPU_VIEWER_SVC_CLIENT_H

#include "input.h"
#include "plane.h"

struct svcc;

struct svcc_listener {
	/* The display service took us: its VM's name and UUID. */
	void (*ready)(void *data, const char *vm_name, const char *uuid);
	/*
	 * A frame: a new dmabuf (@fd >= 0, ours to close) with @p its layout,
	 * or the buffer of the last one again (@fd -1, @pixels NULL); or a
	 * region plane's @pixels (@fd -1), mapped until the frame after next.
	 * Answer with svcc_frame_done() once it is on screen.
	 */
	void (*frame)(void *data, int fd, const void *pixels, const struct plane *p);
	/* The guest's display is off. */
	void (*off)(void *data);
	/* The service refused us (@why: its reason) or went away (@why NULL). */
	void (*closed)(void *data, const char *why);
};

/*
 * Connects to the service's socket at @path; NULL with -errno in *@ret_err
 * if it cannot (-ECONNREFUSED: nobody listens there), for the caller to say.
 */
struct svcc *svcc_connect(const char *path, const struct svcc_listener *l, void *data,
			  int *ret_err);
void svcc_destroy(struct svcc *c);

int svcc_get_fd(const struct svcc *c);
void svcc_prepare(struct svcc *c);
void svcc_dispatch(struct svcc *c);

/* The last frame is on screen: the service may send the next. */
void svcc_frame_done(struct svcc *c);

/*
 * The guest's cursor for the frame being shown (call it from the frame
 * callback): its picture as a plane_buf (no fd; @map is the picture),
 * valid until the next frame's call, and its plane in *@ret (the top left
 * in x and y, as int32_t).  NULL when there is none or it is off.
 */
struct plane_buf *svcc_cursor(struct svcc *c, struct plane *ret);

/*
 * The sink for input_set_sink(), with the svcc as its data: keys, buttons
 * and motion as Display1 Keyboard and Mouse calls, SetAbsPosition in the
 * pixels of the display last sent.  A service that refuses input (we may
 * view, not control) is said once; then every batch fails with -EACCES.
 */
extern const struct input_sink svcc_input_sink;

#endif
