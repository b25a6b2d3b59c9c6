// SPDX-License-Identifier: MIT
/*
 * guestsim: a running guest for the viewer to attach to.  It plays both the
 * VMM and the guest's display driver: it opens the mdev's group the way
 * QEMU does and keeps it open, programs modes through the bochs dispi
 * registers by pwrite() on the device fd (the path a trapped guest write
 * takes), draws frames into VRAM through the BAR0 mmap and page-flips
 * between buffers with Y_OFFSET writes, at a given rate.  Each frame carries
 * its sequence number and flip time (frame_stamp.h).  On mdpy it draws into
 * the framebuffer in place (no registers, no flips).
 *
 *   guestsim --mdev UUID [--mode WxH] [--rate HZ] [--count N] [--buffers N]
 *            [--log FILE] [--exit-after] [--serve-fd PATH] [--cdev]
 *
 * --cdev opens the device as QEMU >= 8.2 does with -object iommufd: its
 * vfio cdev bound to an iommufd, no group.
 *
 * Commands on stdin, one a line: "mode W H", "disable", "enable", "reset",
 * "rate HZ", "pause", "resume", "bogus bpp8|zero|toobig", "dump PATH" (the frame
 * on screen as a PPM), "cursor X Y [BOX]" (mbochs's cursor plane, at the
 * end of VRAM, shown with its image's top left at X, Y: a BOX (default
 * GUESTSIM_CURSOR_BOX) pixel square of opaque GUESTSIM_CURSOR_ARGB at the
 * image's top left, the rest transparent; hotspot GUESTSIM_CURSOR_HOT,
 * GUESTSIM_CURSOR_HOT),
 * "cursor off", "quit".
 * It prints "ready" once the first frame is shown, and "done SEQ" (the last
 * frame drawn) when it stops.  --log records "SEQ FLIP_NS WIDTH HEIGHT" per
 * frame.  Without --exit-after it keeps the device open after --count
 * frames until "quit" or a signal, like an idle guest.  --serve-fd plays a
 * launcher that shares the device: it sends its device fd (SCM_RIGHTS) to
 * each client of the unix socket PATH.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame_draw.h"
#include "frame_stamp.h"
#include "vfio_mdev.h"

struct sim {
	struct vfio_mdev m;
	bool mdpy;		/* region plane, no registers */
	uint16_t width, height;
	unsigned int buffers, cur;
	uint32_t seq;
	double rate;
	uint64_t count;		/* frames to draw, 0: no limit */
	bool paused, enabled, exit_after;
	FILE *log;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t stride(const struct sim *s)
{
	return (size_t)s->width * 4;
}

/*
 * Where buffer @b starts in VRAM: page-aligned, as GEM buffer objects are;
 * mbochs exports only page-aligned framebuffers.
 */
static size_t buffer_offset(const struct sim *s, unsigned int b)
{
	size_t off = (size_t)b * stride(s) * s->height;

	return (off + 4095) & ~(size_t)4095;
}

static uint32_t *buffer(const struct sim *s, unsigned int b)
{
	return (uint32_t *)((uint8_t *)s->m.vram + buffer_offset(s, b));
}

static int set_mode(struct sim *s, uint16_t w, uint16_t h)
{
	uint16_t old_w = s->width, old_h = s->height;
	size_t end, lines;
	int ret;

	if (s->mdpy)
		return -ENOTSUP;
	s->width = w;
	s->height = h;
	end = buffer_offset(s, s->buffers - 1) + stride(s) * h;
	lines = w ? (end + stride(s) - 1) / stride(s) : 0;
	if (!w || !h || end > s->m.bar0.size || lines > 0xffff) {
		fprintf(stderr, "guestsim: %ux%u x %u buffers do not fit in %llu bytes of VRAM\n",
			w, h, s->buffers, (unsigned long long)s->m.bar0.size);
		s->width = old_w;
		s->height = old_h;
		return -ENOSPC;
	}
	for (unsigned int b = 0; b < s->buffers; b++)
		frame_draw_background(buffer(s, b), s->width, s->height);
	ret = vfio_mdev_set_mode(&s->m, w, h, (uint16_t)lines);
	s->cur = 0;
	s->enabled = true;
	return ret;
}

/* Draws the next frame into the back buffer (or in place on mdpy) and shows it. */
static int next_frame(struct sim *s)
{
	unsigned int b = s->mdpy ? 0 : (s->cur + 1) % s->buffers;
	uint32_t *fb = buffer(s, b);
	struct frame_stamp st = { .seq = ++s->seq, .width = s->width, .height = s->height };
	int ret = 0;

	frame_draw(fb, s->width, s->height, st.seq);
	st.flip_ns = now_ns();
	frame_stamp_write(fb, stride(s), &st);
	if (!s->mdpy)
		ret = vfio_mdev_flip(&s->m, s->width, (uint32_t)buffer_offset(s, b));
	s->cur = b;
	if (s->log)
		fprintf(s->log, "%u %llu %u %u\n", st.seq, (unsigned long long)st.flip_ns, s->width,
			s->height);
	return ret;
}

static int write_regs(struct sim *s, const uint16_t (*regs)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = vfio_mdev_dispi_write(&s->m, regs[i][0], regs[i][1]);

		if (ret)
			return ret;
	}
	return 0;
}

/* Modes the device must refuse: the viewer sees the display off. */
static int bogus(struct sim *s, const char *what)
{
	static const uint16_t bpp8[][2] = {
		{ DISPI_BPP, 8 }, { DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED },
	};
	static const uint16_t zero[][2] = {
		{ DISPI_XRES, 0 }, { DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED },
	};
	static const uint16_t toobig[][2] = {
		{ DISPI_XRES, 4096 }, { DISPI_YRES, 4096 }, { DISPI_VIRT_WIDTH, 4096 },
		{ DISPI_ENABLE, DISPI_ENABLED | DISPI_LFB_ENABLED },
	};

	if (s->mdpy)
		return -ENOTSUP;
	if (!strcmp(what, "bpp8"))
		return write_regs(s, bpp8, sizeof(bpp8) / sizeof(bpp8[0]));
	if (!strcmp(what, "zero"))
		return write_regs(s, zero, sizeof(zero) / sizeof(zero[0]));
	if (!strcmp(what, "toobig"))
		return write_regs(s, toobig, sizeof(toobig) / sizeof(toobig[0]));
	return -EINVAL;
}

/* The frame on screen as a binary PPM (P6): what a viewer must show. */
static int dump(struct sim *s, const char *path)
{
	const uint32_t *fb = buffer(s, s->cur);
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "P6\n%u %u\n255\n", s->width, s->height);
	for (size_t i = 0; i < (size_t)s->width * s->height; i++) {
		uint8_t rgb[3] = { (uint8_t)(fb[i] >> 16), (uint8_t)(fb[i] >> 8), (uint8_t)fb[i] };

		fwrite(rgb, 1, 3, f);
	}
	return fclose(f) ? -errno : 0;
}

/* What "cursor X Y" shows (the scenarios look for it). */
#define GUESTSIM_CURSOR_ARGB 0xffff00ffu
#define GUESTSIM_CURSOR_BOX 24
#define GUESTSIM_CURSOR_HOT 4

static int cursor(struct sim *s, int x, int y, int box)
{
	uint64_t base = (s->m.bar0.size - MBOCHS_CURSOR_DIM * MBOCHS_CURSOR_DIM * 4) & ~4095ull;
	uint32_t *img;
	int ret;

	if (s->mdpy || !s->m.vram)
		return -ENOTSUP;
	if (x < 0)
		return vfio_mdev_mmio_write32(&s->m, MBOCHS_CURSOR_BASE, 0);
	if (base < buffer_offset(s, s->buffers - 1) + stride(s) * s->height || x > 0xffff ||
	    y < 0 || y > 0xffff)
		return -ENOSPC;
	img = (uint32_t *)((uint8_t *)s->m.vram + base);
	for (int i = 0; i < MBOCHS_CURSOR_DIM * MBOCHS_CURSOR_DIM; i++)
		img[i] = i % MBOCHS_CURSOR_DIM < box && i / MBOCHS_CURSOR_DIM < box ?
			 GUESTSIM_CURSOR_ARGB : 0;
	ret = vfio_mdev_mmio_write32(&s->m, MBOCHS_CURSOR_HOT,
				     GUESTSIM_CURSOR_HOT | GUESTSIM_CURSOR_HOT << 16);
	if (!ret)
		ret = vfio_mdev_mmio_write32(&s->m, MBOCHS_CURSOR_POS,
					     (uint32_t)x | (uint32_t)y << 16);
	if (!ret)
		ret = vfio_mdev_mmio_write32(&s->m, MBOCHS_CURSOR_BASE,
					     (uint32_t)base | MBOCHS_CURSOR_ENABLE);
	return ret;
}

/* One command line from stdin; returns false on "quit". */
static bool command(struct sim *s, char *line)
{
	unsigned int w, h;
	double hz;
	char word[16], path[256];
	int ret = 0, cx, cy, box, n;

	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "mode %u %u", &w, &h) == 2 && w <= 0xffff && h <= 0xffff)
		ret = set_mode(s, (uint16_t)w, (uint16_t)h);
	else if (sscanf(line, "rate %lf", &hz) == 1 && hz > 0)
		s->rate = hz;
	else if (!strcmp(line, "disable"))
		ret = s->mdpy ? -ENOTSUP : vfio_mdev_dispi_write(&s->m, DISPI_ENABLE, 0);
	else if (!strcmp(line, "enable"))
		ret = set_mode(s, s->width, s->height);
	else if (!strcmp(line, "reset"))
		ret = ioctl(s->m.device, VFIO_DEVICE_RESET) ? -errno : 0;
	else if (!strcmp(line, "pause"))
		s->paused = true;	/* the reply names the frame it stopped on */
	else if (!strcmp(line, "resume"))
		s->paused = false;
	else if (sscanf(line, "dump %255s", path) == 1)
		ret = dump(s, path);
	else if (sscanf(line, "bogus %15s", word) == 1)
		ret = bogus(s, word);
	else if (!strcmp(line, "cursor off"))
		ret = cursor(s, -1, -1, 0);
	else if ((n = sscanf(line, "cursor %d %d %d", &cx, &cy, &box)) >= 2)
		ret = cx < 0 || (n == 3 && (box < 1 || box > MBOCHS_CURSOR_DIM)) ? -EINVAL :
		      cursor(s, cx, cy, n == 3 ? box : GUESTSIM_CURSOR_BOX);
	else if (!strcmp(line, "quit"))
		return false;
	else if (line[0])
		ret = -EINVAL;
	if (!strcmp(line, "disable") || !strcmp(line, "reset") || !strncmp(line, "bogus", 5))
		s->enabled = false;
	if (!ret && !strcmp(line, "pause"))
		printf("%s: ok, frame %u\n", line, s->seq);
	else
		printf("%s: %s\n", line, ret ? strerror(-ret) : "ok");
	fflush(stdout);
	return true;
}

static int serve_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || strlen(path) >= sizeof(addr.sun_path))
		return -1;
	strcpy(addr.sun_path, path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 4)) {
		close(s);
		return -1;
	}
	return s;
}

static void send_device_fd(int listener, int device)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	char byte = 'V';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

	if (client < 0)
		return;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &device, sizeof(int));
	if (sendmsg(client, &msg, 0) < 0)
		perror("guestsim: sendmsg");
	close(client);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: guestsim --mdev UUID [--mode WxH] [--rate HZ] [--count N] "
		   "[--buffers N] [--log FILE] [--exit-after] [--serve-fd PATH] [--hold] [--cdev]\n"
		   "  --hold   draw the first frame, then wait for \"resume\" on stdin\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "mdev", required_argument, NULL, 'm' },
		{ "mode", required_argument, NULL, 'M' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'l' },
		{ "exit-after", no_argument, NULL, 'x' },
		{ "serve-fd", required_argument, NULL, 's' },
		{ "hold", no_argument, NULL, 'H' },
		{ "cdev", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sim s = { .rate = 60, .buffers = 2, .width = 1024, .height = 768 };
	struct vfio_device_gfx_plane_info p;
	const char *uuid = NULL, *log_path = NULL, *serve_path = NULL;
	int listener = -1;
	uint64_t next, period;
	bool ready = false, in_open = true, hold = false, cdev = false;
	unsigned int w, h;
	char line[128];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': uuid = optarg; break;
		case 'M':
			if (sscanf(optarg, "%ux%u", &w, &h) != 2 || w > 0xffff || h > 0xffff) {
				usage(stderr);
				return 2;
			}
			s.width = (uint16_t)w;
			s.height = (uint16_t)h;
			break;
		case 'r': s.rate = strtod(optarg, NULL); break;
		case 'c': s.count = strtoull(optarg, NULL, 10); break;
		case 'b': s.buffers = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'l': log_path = optarg; break;
		case 'x': s.exit_after = true; break;
		case 's': serve_path = optarg; break;
		case 'H': hold = true; break;
		case 'C': cdev = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!uuid || s.rate <= 0 || s.buffers < 1 || s.buffers > 8) {
		usage(stderr);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if (vfio_mdev_open(&s.m, uuid, cdev))
		return 1;
	if (!s.m.vram) {
		fprintf(stderr, "guestsim: BAR0 of %s cannot be mapped\n", uuid);
		return 1;
	}
	if (log_path) {
		s.log = fopen(log_path, "we");
		if (!s.log) {
			perror(log_path);
			return 1;
		}
		setvbuf(s.log, NULL, _IOLBF, 0);
	}

	/* mbochs takes a mode through registers; mdpy has a fixed region plane. */
	if (vfio_mdev_query_plane(&s.m, VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION, 1,
				  &p) == 0) {
		s.mdpy = true;
		if (vfio_mdev_query_plane(&s.m, VFIO_GFX_PLANE_TYPE_REGION, 1, &p) ||
		    p.stride != p.width * 4) {
			fprintf(stderr, "guestsim: unexpected mdpy plane\n");
			return 1;
		}
		s.width = (uint16_t)p.width;
		s.height = (uint16_t)p.height;
		s.buffers = 1;
		s.enabled = true;
		frame_draw_background(buffer(&s, 0), s.width, s.height);
	} else if (set_mode(&s, s.width, s.height)) {
		return 1;
	}

	if (serve_path) {
		listener = serve_socket(serve_path);
		if (listener < 0) {
			perror(serve_path);
			return 1;
		}
	}

	period = (uint64_t)(1e9 / s.rate);
	next = now_ns();
	while (!stop) {
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = listener, .events = POLLIN },
		};
		uint64_t t = now_ns();
		int timeout;

		if (!s.paused && s.enabled && (!s.count || s.seq < s.count) && t >= next) {
			if (next_frame(&s)) {
				fprintf(stderr, "guestsim: flip failed\n");
				break;
			}
			if (!ready) {
				printf("ready\n");
				fflush(stdout);
				ready = true;
				s.paused = hold;
			}
			period = (uint64_t)(1e9 / s.rate);
			next += period;
			if (next < t)	/* fell behind: do not burst */
				next = t + period;
			continue;
		}
		if (s.count && s.seq >= s.count && s.exit_after)
			break;

		timeout = (s.paused || !s.enabled || (s.count && s.seq >= s.count)) ? -1 :
			  (int)((next - t) / 1000000);
		if (!in_open)
			pfd[0].fd = -1;
		if (poll(pfd, 2, timeout) <= 0)
			continue;
		if (pfd[1].revents & POLLIN)
			send_device_fd(listener, s.m.device);
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			if (!fgets(line, sizeof(line), stdin)) {
				in_open = false;	/* stdin closed: run on */
				continue;
			}
			if (!command(&s, line))
				break;
			next = now_ns();
		}
	}

	if (listener >= 0) {
		close(listener);
		unlink(serve_path);
	}
	printf("done %u\n", s.seq);
	fflush(stdout);
	if (s.log)
		fclose(s.log);
	vfio_mdev_close(&s.m);
	return 0;
}
