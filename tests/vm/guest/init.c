// SPDX-License-Identifier: MIT
/*
 * The real test guest's /init (static, in its initramfs): a Linux guest on
 * bochs-drm that first shows text on fbcon, as any booting guest does, then
 * sets a mode and page-flips frames with the picture and the stamp guestsim
 * draws (tests/lib/frame_draw.c, src/frame_stamp.h), so that a viewer's
 * screen can be checked pixel for pixel against the frame number it shows.
 *
 * From the kernel command line:
 *   vgpuguest.hz=N      flips per second (default 10; 0: one frame, then still)
 *   vgpuguest.text=S    seconds of console text before the first modeset (default 3)
 *   vgpuguest.mode=WxH  the mode (default: the connector's preferred one)
 *
 * It prints "vgpuguest: modeset WxH" and then every 10th flip
 * "vgpuguest: flip SEQ" on the console (the serial port too), and never
 * exits: a guest is stopped from outside.  Raw DRM ioctls, no libdrm: the
 * binary is static and the initramfs holds nothing else.
 *
 * A second process reports what the guest's input devices (a PS/2 or
 * virtio keyboard, a virtio tablet or mouse) deliver, as the guest's own
 * programs would read it, one line per evdev event:
 *   vgpuguest: input device eventN NAME
 *   vgpuguest: input eventN key|abs|rel CODE VALUE SEC.USEC
 *   vgpuguest: input eventN DROPPED     (evdev's buffer overflowed)
 * so that the input scenarios compare what they typed with what arrived.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/input.h>
#include <poll.h>
#include <sched.h>

#include <drm/drm.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_mode.h>

#include "frame_draw.h"
#include "frame_stamp.h"

#define BUFFERS 3

struct buf {
	uint32_t handle, fb;
	uint64_t size;
	uint32_t *map;
};

static struct {
	unsigned int hz, text_s;
	uint32_t want_w, want_h;
} cfg = { .hz = 10, .text_s = 3 };

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("vgpuguest: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/* Nothing to return to: an init that fails says why and stays. */
static void stay(const char *what)
{
	say("%s: %s; staying", what, strerror(errno));
	for (;;)
		pause();
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void read_cmdline(void)
{
	char line[1024], *tok, *save;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "vgpuguest.hz=", 13))
			cfg.hz = (unsigned int)strtoul(tok + 13, NULL, 10);
		else if (!strncmp(tok, "vgpuguest.text=", 15))
			cfg.text_s = (unsigned int)strtoul(tok + 15, NULL, 10);
		else if (!strncmp(tok, "vgpuguest.mode=", 15))
			sscanf(tok + 15, "%ux%u", &cfg.want_w, &cfg.want_h);
	}
}

static int drm(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/* The first connected connector, its mode and a CRTC for it. */
static void find_output(int fd, uint32_t *conn_id, uint32_t *crtc_id,
			struct drm_mode_modeinfo *mode)
{
	uint32_t conns[16], crtcs[16], encs[16];
	struct drm_mode_card_res res = { 0 };

	if (drm(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		stay("GETRESOURCES");
	if (res.count_connectors > 16 || res.count_crtcs > 16 || res.count_encoders > 16) {
		errno = E2BIG;
		stay("GETRESOURCES");
	}
	res.connector_id_ptr = (uintptr_t)conns;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.encoder_id_ptr = (uintptr_t)encs;
	res.count_fbs = 0;
	if (drm(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		stay("GETRESOURCES");
	for (uint32_t i = 0; i < res.count_connectors; i++) {
		struct drm_mode_modeinfo modes[64];
		struct drm_mode_get_connector c = { .connector_id = conns[i] };
		int best = -1;

		if (drm(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c) || c.connection != 1 ||
		    !c.count_modes)
			continue;
		if (c.count_modes > 64)
			c.count_modes = 64;
		c.modes_ptr = (uintptr_t)modes;
		c.count_props = 0;
		c.count_encoders = 0;
		if (drm(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c))
			continue;
		for (uint32_t m = 0; m < c.count_modes; m++) {
			if (cfg.want_w && modes[m].hdisplay == cfg.want_w &&
			    modes[m].vdisplay == cfg.want_h)
				best = (int)m;
			if (best < 0 && !cfg.want_w && (modes[m].type & DRM_MODE_TYPE_PREFERRED))
				best = (int)m;
		}
		*mode = modes[best < 0 ? 0 : best];
		*conn_id = conns[i];
		*crtc_id = crtcs[0];
		return;
	}
	errno = ENODEV;
	stay("no connected output");
}

static void make_buffer(int fd, struct buf *b, uint32_t w, uint32_t h)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd2 f = { .width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888 };
	struct drm_mode_map_dumb m = { 0 };

	if (drm(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		stay("CREATE_DUMB");
	if (c.pitch != w * 4) {
		errno = EINVAL;
		stay("a pitch with padding");	/* frame_draw() writes packed rows */
	}
	f.handles[0] = c.handle;
	f.pitches[0] = c.pitch;
	if (drm(fd, DRM_IOCTL_MODE_ADDFB2, &f))
		stay("ADDFB2");
	m.handle = c.handle;
	if (drm(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		stay("MAP_DUMB");
	b->map = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m.offset);
	if (b->map == MAP_FAILED)
		stay("mmap");
	b->handle = c.handle;
	b->fb = f.fb_id;
	b->size = c.size;
}

/* ---- input: what the guest receives, reported ---- */

#define INPUT_MAX 16
#define REPORT_MAX (1 << 20)

/*
 * The report is written without blocking, from a buffer of its own: the
 * serial port drains slowly under TCG in TCG, and a reader that waited for
 * it would let evdev's buffer (64 events per reader) overflow.
 */
static struct {
	int fd;
	char buf[REPORT_MAX];
	size_t len;
} out = { .fd = -1 };

static void report(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out.len > REPORT_MAX - 256)
		return;		/* not seen in practice: said by the gap in the report */
	n = snprintf(out.buf + out.len, REPORT_MAX - out.len, "vgpuguest: ");
	va_start(ap, fmt);
	n += vsnprintf(out.buf + out.len + n, REPORT_MAX - out.len - (size_t)n, fmt, ap);
	va_end(ap);
	out.buf[out.len + (size_t)n] = '\n';
	out.len += (size_t)n + 1;
}

static void report_flush(void)
{
	ssize_t n = out.len ? write(out.fd, out.buf, out.len) : 0;

	if (n > 0) {
		out.len -= (size_t)n;
		memmove(out.buf, out.buf + n, out.len);
	}
}

static void report_input(void)
{
	struct sched_param rt = { .sched_priority = 10 };
	struct pollfd pfd[INPUT_MAX + 1];
	int num[INPUT_MAX];
	unsigned int n = 0;

	/* Ahead of the drawing loop, and on a console file of its own, non-blocking. */
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		say("input: no real-time priority: %s", strerror(errno));
	out.fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (out.fd < 0)
		stay("/dev/console for the input report");

	/* Built-in drivers: the devices are there before init runs; looked for once a second. */
	for (;;) {
		for (int i = 0; i < INPUT_MAX && n < INPUT_MAX; i++) {
			char path[32], name[96] = "";
			bool have = false;
			int fd;

			for (unsigned int j = 0; j < n; j++)
				have |= num[j] == i;
			snprintf(path, sizeof(path), "/dev/input/event%d", i);
			if (have || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			ioctl(fd, EVIOCGNAME(sizeof(name) - 1), name);
			report("input device event%d %s", i, name);
			pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
			num[n++] = i;
		}
		pfd[n] = (struct pollfd){ .fd = out.fd, .events = out.len ? POLLOUT : 0 };
		if (poll(pfd, n + 1, 1000) <= 0)
			continue;
		for (unsigned int j = 0; j < n; j++) {
			struct input_event ev[64];
			ssize_t len;

			if (!(pfd[j].revents & POLLIN))
				continue;
			len = read(pfd[j].fd, ev, sizeof(ev));
			for (ssize_t k = 0; k < len / (ssize_t)sizeof(ev[0]); k++) {
				const char *type = ev[k].type == EV_KEY ? "key" :
						   ev[k].type == EV_ABS ? "abs" :
						   ev[k].type == EV_REL ? "rel" : NULL;

				if (ev[k].type == EV_SYN && ev[k].code == SYN_DROPPED)
					report("input event%d DROPPED", num[j]);
				else if (type)
					report("input event%d %s %u %d %ld.%06ld", num[j], type,
					       ev[k].code, ev[k].value, (long)ev[k].input_event_sec,
					       (long)ev[k].input_event_usec);
			}
		}
		report_flush();
	}
}

/* Waits for the page-flip event of the flip before. */
static void wait_flip(int fd)
{
	char ev[256];

	while (read(fd, ev, sizeof(ev)) < 0)
		if (errno != EINTR)
			stay("reading DRM events");
}

int main(void)
{
	struct drm_mode_modeinfo mode;
	struct buf bufs[BUFFERS];
	struct utsname u;
	uint32_t conn, crtc, w, h, seq = 0;
	uint64_t next = 0;
	int fd;

	/*
	 * As every init does: Ctrl+Alt+Del is a signal to us (ignored), not a
	 * reboot by the kernel; the input scenarios send it.
	 */
	reboot(RB_DISABLE_CAD);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	read_cmdline();
	uname(&u);
	if (fork() == 0)
		report_input();

	/* What a person looking at the window sees first: a Linux console. */
	say("the vgpu-viewer test guest, Linux %s on %s", u.release, u.machine);
	say("page-flipping at %u/s in %u s", cfg.hz, cfg.text_s);
	for (unsigned int i = cfg.text_s; i > 0; i--) {
		say("%u...", i);
		sleep(1);
	}

	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		stay("/dev/dri/card0");
	find_output(fd, &conn, &crtc, &mode);
	w = mode.hdisplay;
	h = mode.vdisplay;
	for (int i = 0; i < BUFFERS; i++) {
		make_buffer(fd, &bufs[i], w, h);
		frame_draw_background(bufs[i].map, w, h);
	}

	/* Frame 1 with the modeset, then a flip per period, each awaited. */
	for (;;) {
		struct buf *b = &bufs[seq % BUFFERS];
		struct frame_stamp st = { .seq = ++seq, .width = (uint16_t)w, .height = (uint16_t)h };

		frame_draw(b->map, w, h, st.seq);
		st.flip_ns = now_ns();
		frame_stamp_write(b->map, (size_t)w * 4, &st);
		if (seq == 1) {
			struct drm_mode_crtc set = {
				.crtc_id = crtc, .fb_id = b->fb, .set_connectors_ptr = (uintptr_t)&conn,
				.count_connectors = 1, .mode = mode, .mode_valid = 1,
			};

			if (drm(fd, DRM_IOCTL_MODE_SETCRTC, &set))
				stay("SETCRTC");
			say("modeset %ux%u", w, h);
			next = now_ns();
		} else {
			struct drm_mode_crtc_page_flip flip = {
				.crtc_id = crtc, .fb_id = b->fb, .flags = DRM_MODE_PAGE_FLIP_EVENT,
			};

			if (drm(fd, DRM_IOCTL_MODE_PAGE_FLIP, &flip))
				stay("PAGE_FLIP");
			wait_flip(fd);
			if (seq % 10 == 0)
				say("flip %u", seq);
		}
		if (!cfg.hz) {
			for (;;)
				pause();
		}
		next += 1000000000ull / cfg.hz;
		for (uint64_t t = now_ns(); t < next; t = now_ns()) {
			struct timespec ts = { 0, (long)(next - t) };

			if (next - t >= 1000000000ull)
				ts = (struct timespec){ 1, 0 };
			nanosleep(&ts, NULL);
		}
	}
}
