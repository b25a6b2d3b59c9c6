/* SPDX-License-Identifier: MIT */
/*
 * The presenters (headless, Wayland, KMS) behind one ops struct, like
 * kmscube's drm->run: viewer.c hands each a frame and learns when it reached
 * the screen, which is when the display IRQ is unmasked.  A presenter with
 * an fd of its own (a compositor connection) joins viewer.c's epoll loop.
 */
#ifndef VGPU_VIEWER_PRESENTER_H
#define VGPU_VIEWER_PRESENTER_H

#include <stdbool.h>
#include <stdint.h>

#include "geom.h"
#include "hotkeys.h"
#include "plane.h"

struct stats;

/* How frames reach the screen (--path); each presenter says which it took. */
enum presenter_path {
	PRESENTER_PATH_AUTO,
	PRESENTER_PATH_ZERO_COPY,	/* the guest's buffer itself is shown */
	PRESENTER_PATH_EGL,		/* imported into EGL and drawn */
	PRESENTER_PATH_SHM,		/* copied or uploaded by the CPU */
};

/* The names, in the enum's order, NULL-terminated; and one of them. */
extern const char *const presenter_path_names[];
const char *presenter_path_name(enum presenter_path path);

/* What every presenter with a screen takes from the command line. */
struct presenter_options {
	const char *title;		/* the window title */
	const char *app_id;
	enum geom_scale scale;
	enum geom_filter filter;
	enum presenter_path path;
	bool fullscreen;
	struct hotkeys hotkeys;		/* --hotkeys; --kiosk clears toggle-fullscreen */
};

struct presenter_frame {
	const struct plane *plane;	/* the primary plane; NULL: the display is off */
	const struct plane *cursor;	/* the cursor plane; NULL: none or off */
	struct plane_buf *buf;		/* dmabuf planes: the cache entry */
	struct plane_buf *cursor_buf;	/* the cursor plane's cache entry */
	const void *pixels;		/* region planes: the mapping */
	uint64_t wake_ns;		/* when the viewer woke for it */
	uint64_t ready_ns;		/* when the buffer was in hand */
};

struct presenter;
struct frame_stamp;

/* presenter_ops.dispatch(): the user closed the window. */
#define PRESENTER_CLOSED 1

struct presenter_ops {
	const char *name;
	/*
	 * Shows @f.  Returns 1 when it is on screen already, 0 when
	 * presenter->frame_done() will be called once it is, or -errno.
	 */
	int (*present)(struct presenter *p, const struct presenter_frame *f);
	void (*destroy)(struct presenter *p);

	/* Optional: the fd to watch for EPOLLIN, or -1. */
	int (*get_fd)(struct presenter *p);
	/*
	 * Optional: called before every epoll_wait; returns the epoll events
	 * to wait for on the fd (EPOLLIN, | EPOLLOUT while output is queued),
	 * or -errno when the presenter cannot go on.
	 */
	int (*prepare)(struct presenter *p);
	/*
	 * Optional: called after every epoll_wait, first, with the fd's
	 * events (0 when it had none).  Returns 0, PRESENTER_CLOSED, or
	 * -errno when the presenter cannot go on (-EPIPE: its server is gone).
	 */
	int (*dispatch)(struct presenter *p, uint32_t events);
	/* Optional: new window options (SIGHUP re-read the configuration). */
	void (*set_options)(struct presenter *p, const struct presenter_options *opts);
};

struct presenter {
	const struct presenter_ops *ops;
	/* Set by viewer.c: the previous frame reached the screen. */
	void (*frame_done)(void *data);
	void *data;
};

/*
 * The frame's stamp (frame_stamp.h), read from a linear 32-bit plane the
 * CPU can map; false when there is none or it cannot be read (logged once
 * through *@warned).
 */
bool presenter_read_stamp(const struct presenter_frame *f, struct frame_stamp *ret,
			  bool *warned);

/* The frame a presenter showed last, for presenter_is_repeat(). */
struct presenter_last {
	bool valid;
	bool stamped;			/* @seq is the frame's stamp */
	uint32_t seq;
	struct plane plane;
};

/*
 * Whether frame @p (with the stamp @seq when @stamped) is the one @last
 * shows: the same buffer and the same stamp.  A frame without a stamp in
 * the same buffer is a repeat only with @unstamped_same: a presenter that
 * reads frames counts it once; one that shows the buffer's pixels must
 * draw it again (the guest may have drawn into the front buffer).
 */
bool presenter_is_repeat(const struct presenter_last *last, const struct plane *p, bool stamped,
			 uint32_t seq, bool unstamped_same);

/* Remembers @p as shown; NULL forgets (the display went off). */
void presenter_last_set(struct presenter_last *last, const struct plane *p, bool stamped,
			uint32_t seq);

struct stats_frame;

/*
 * Fills the statistics record @sf of frame @f (a primary plane): wake-up and
 * ready times, the guest buffer, and the stamp @st when @stamped.
 */
void presenter_stats_init(const struct presenter_frame *f, const struct frame_stamp *st,
			  bool stamped, struct stats_frame *sf);

#endif
