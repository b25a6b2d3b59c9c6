// SPDX-License-Identifier: MIT
/*
 * kmstool: what the KMS scenarios need to see and do on vkms.
 *
 *   kmstool grab [CARD] OUT.ppm
 *       reads back what the active CRTC scans out: every plane on it
 *       (framebuffer exported with GETFB2 + PRIME and mapped, its SRC and
 *       CRTC rectangles) composed the way vkms composes (black background,
 *       pre-multiplied alpha in 16 bits a channel), and checks that picture
 *       against vkms's own CRC of its output (debugfs crtc-N/crc): when they
 *       agree, OUT.ppm is exactly what vkms put out.  vkms's writeback
 *       connector cannot be used for this while the viewer's connector is
 *       on the only CRTC (the shared TESTBED.md), and only the DRM master could commit
 *       it; the CRC is vkms's word on the whole output.
 *   kmstool state [CARD]
 *       the CRTCs, connectors and planes as text (to compare before/after)
 *   kmstool hold [CARD] WxH [drop]
 *       becomes DRM master, shows a test pattern at WxH on the first
 *       connected output, says "held", and keeps it until stdin closes; with
 *       "drop" it lets go of master first (the state stays, another process
 *       may take over)
 *   kmstool keys
 *       a uinput keyboard: says "ready", then types each chord read from
 *       stdin ("ctrl+alt+s"), pressing the modifiers, the key, and letting go
 *
 * Exit 0, 1 when the check fails, 2 on errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/uinput.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "hotkeys.h"

static const char *card = "/dev/dri/card0";

static void die(const char *what)
{
	fprintf(stderr, "kmstool: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int open_card(void)
{
	int fd = open(card, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(card);
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1))
		die("atomic");
	return fd;
}

static uint64_t prop(int fd, uint32_t obj, uint32_t type, const char *name, uint32_t *ret_id)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint64_t v = 0;

	if (!props)
		return 0;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			v = props->prop_values[i];
			if (ret_id)
				*ret_id = p->prop_id;
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return v;
}

/* ---- state ---- */

static int cmd_state(void)
{
	int fd = open_card();
	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);

	if (!res || !pr)
		die("resources");
	for (int i = 0; i < res->count_crtcs; i++) {
		drmModeCrtc *c = drmModeGetCrtc(fd, res->crtcs[i]);

		printf("crtc %u active %" PRIu64 " mode %s\n", res->crtcs[i],
		       prop(fd, res->crtcs[i], DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL),
		       c && c->mode_valid ? c->mode.name : "none");
		drmModeFreeCrtc(c);
	}
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(fd, res->connectors[i]);

		if (!c)
			continue;
		printf("connector %u %s-%u crtc %" PRIu64 "\n", c->connector_id,
		       drmModeGetConnectorTypeName(c->connector_type), c->connector_type_id,
		       prop(fd, c->connector_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL));
		drmModeFreeConnector(c);
	}
	for (uint32_t i = 0; i < pr->count_planes; i++) {
		static const char *const names[] = { "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y", "SRC_W",
						     "SRC_H", "CRTC_X", "CRTC_Y", "CRTC_W",
						     "CRTC_H" };
		uint32_t id = pr->planes[i];

		printf("plane %u", id);
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			printf(" %s=%" PRId64, names[j],
			       (int64_t)prop(fd, id, DRM_MODE_OBJECT_PLANE, names[j], NULL));
		printf("\n");
	}
	return 0;
}

/* ---- grab ---- */

struct px16 {
	uint16_t a, r, g, b;
};

struct src_plane {
	uint32_t fourcc, pitch, fb_w, fb_h;
	int32_t sx, sy, sw, sh, dx, dy, dw, dh;
	uint8_t *map;
	size_t len;
};

static uint32_t crc_table[256];

static uint32_t crc32_le(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!crc_table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
			crc_table[i] = c;
		}
	}
	/* The kernel's crc32_le: no inversion before or after. */
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static uint16_t blend(uint16_t src, uint16_t dst, uint16_t alpha)
{
	uint32_t c = (uint32_t)src * 0xffff + (uint32_t)dst * (0xffffu - alpha);

	return (uint16_t)((c + 0xffff / 2) / 0xffff);
}

static bool load_plane(int fd, uint32_t plane, struct src_plane *p)
{
	uint32_t fb = (uint32_t)prop(fd, plane, DRM_MODE_OBJECT_PLANE, "FB_ID", NULL);
	drmModeFB2 *f;
	int dfd;

	if (!fb)
		return false;
	f = drmModeGetFB2(fd, fb);
	if (!f || !f->handles[0])
		die("GETFB2 (root needed)");
	p->fourcc = f->pixel_format;
	p->pitch = f->pitches[0];
	p->fb_w = f->width;
	p->fb_h = f->height;
	if (f->modifier != DRM_FORMAT_MOD_LINEAR && f->modifier != DRM_FORMAT_MOD_INVALID) {
		errno = ENOTSUP;
		die("a tiled framebuffer");
	}
	if (drmPrimeHandleToFD(fd, f->handles[0], O_RDONLY | O_CLOEXEC, &dfd))
		die("PRIME export of the framebuffer");
	p->len = (size_t)f->pitches[0] * f->height + f->offsets[0];
	p->len = (p->len + 4095) & ~(size_t)4095;
	p->map = mmap(NULL, p->len, PROT_READ, MAP_SHARED, dfd, 0);
	if (p->map == MAP_FAILED)
		die("mmap of the framebuffer");
	p->map += f->offsets[0];
	close(dfd);
	drmCloseBufferHandle(fd, f->handles[0]);
	drmModeFreeFB2(f);
	p->sx = (int32_t)(prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_X", NULL) >> 16);
	p->sy = (int32_t)(prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_Y", NULL) >> 16);
	p->sw = (int32_t)(prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_W", NULL) >> 16);
	p->sh = (int32_t)(prop(fd, plane, DRM_MODE_OBJECT_PLANE, "SRC_H", NULL) >> 16);
	p->dx = (int32_t)prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_X", NULL);
	p->dy = (int32_t)prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y", NULL);
	p->dw = (int32_t)prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_W", NULL);
	p->dh = (int32_t)prop(fd, plane, DRM_MODE_OBJECT_PLANE, "CRTC_H", NULL);
	if (p->sw != p->dw || p->sh != p->dh) {
		fprintf(stderr, "kmstool: plane %u scales (vkms cannot)\n", plane);
		exit(2);
	}
	if (p->fourcc != DRM_FORMAT_XRGB8888 && p->fourcc != DRM_FORMAT_ARGB8888) {
		fprintf(stderr, "kmstool: plane %u: format %.4s not handled\n", plane,
			(char *)&p->fourcc);
		exit(2);
	}
	return true;
}

/* The CRTC's output as vkms composes it, and its CRC. */
static uint32_t compose(struct src_plane *planes, int n, uint32_t w, uint32_t h, struct px16 *out)
{
	uint32_t crc = 0;

	for (uint32_t y = 0; y < h; y++) {
		struct px16 *row = out + (size_t)y * w;

		for (uint32_t x = 0; x < w; x++)
			row[x] = (struct px16){ 0xffff, 0, 0, 0 };
		for (int i = 0; i < n; i++) {
			struct src_plane *p = &planes[i];
			int32_t sy = p->sy + ((int32_t)y - p->dy);

			if ((int32_t)y < p->dy || (int32_t)y >= p->dy + p->dh || sy < 0 ||
			    sy >= (int32_t)p->fb_h)
				continue;
			for (int32_t x = p->dx < 0 ? 0 : p->dx; x < p->dx + p->dw && x < (int32_t)w;
			     x++) {
				int32_t sx = p->sx + (x - p->dx);
				const uint8_t *s = p->map + (size_t)sy * p->pitch + (size_t)sx * 4;
				uint16_t a = p->fourcc == DRM_FORMAT_ARGB8888 ? s[3] * 257 : 0xffff;

				row[x].r = blend((uint16_t)(s[2] * 257), row[x].r, a);
				row[x].g = blend((uint16_t)(s[1] * 257), row[x].g, a);
				row[x].b = blend((uint16_t)(s[0] * 257), row[x].b, a);
			}
		}
		crc = crc32_le(crc, row, (size_t)w * sizeof(*row));
	}
	return crc;
}

/* Waits for vkms's CRC of a frame to be @want; the last one seen in *@ret_got. */
static bool crc_matches(int crtc_index, uint32_t want, uint32_t *ret_got)
{
	char path[96], line[64];
	FILE *f;
	int fd;
	bool ok = false;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/0/crtc-%d/crc/control", crtc_index);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "auto", 4) != 4)
		die(path);
	close(fd);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/0/crtc-%d/crc/data", crtc_index);
	f = fopen(path, "r");
	if (!f)
		die(path);
	/* A few frames: the first may still be the one before. */
	for (int i = 0; i < 8 && !ok && fgets(line, sizeof(line), f); i++) {
		unsigned int frame, crc;

		if (sscanf(line, "%x %x", &frame, &crc) == 2) {
			*ret_got = crc;
			ok = crc == want;
		}
	}
	fclose(f);
	return ok;
}

static int cmd_grab(const char *out_path)
{
	int fd = open_card();
	drmModeRes *res = drmModeGetResources(fd);
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	struct src_plane planes[4];
	uint32_t crtc = 0, w = 0, h = 0, crc = 0, got = 0;
	int crtc_index = -1, n = 0;
	struct px16 *img;
	FILE *f;

	if (!res || !pr)
		die("resources");
	for (int i = 0; i < res->count_crtcs && !crtc; i++) {
		drmModeCrtc *c = drmModeGetCrtc(fd, res->crtcs[i]);

		if (c && c->mode_valid && prop(fd, c->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL)) {
			crtc = c->crtc_id;
			crtc_index = i;
			w = c->mode.hdisplay;
			h = c->mode.vdisplay;
		}
		drmModeFreeCrtc(c);
	}
	if (!crtc) {
		fprintf(stderr, "kmstool: no active CRTC\n");
		return 1;
	}
	/* vkms blends primary, overlays, cursor: the plane list is in that order. */
	static const uint64_t order[] = { DRM_PLANE_TYPE_PRIMARY, DRM_PLANE_TYPE_OVERLAY,
					   DRM_PLANE_TYPE_CURSOR };

	for (int t = 0; t < 3; t++) {
		for (uint32_t i = 0; i < pr->count_planes && n < 4; i++) {
			uint32_t id = pr->planes[i];

			if (prop(fd, id, DRM_MODE_OBJECT_PLANE, "CRTC_ID", NULL) != crtc ||
			    prop(fd, id, DRM_MODE_OBJECT_PLANE, "type", NULL) != order[t])
				continue;
			if (load_plane(fd, id, &planes[n]))
				n++;
		}
	}
	img = malloc((size_t)w * h * sizeof(*img));
	if (!img)
		die("malloc");
	crc = compose(planes, n, w, h, img);
	if (!crc_matches(crtc_index, crc, &got)) {
		fprintf(stderr, "kmstool: vkms's CRC 0x%08x is not 0x%08x, the CRC of the planes "
			"(%d) as read back: vkms put out something else\n", got, crc, n);
		return 1;
	}
	f = fopen(out_path, "wb");
	if (!f)
		die(out_path);
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		uint8_t rgb[3] = { (uint8_t)(img[i].r >> 8), (uint8_t)(img[i].g >> 8),
				   (uint8_t)(img[i].b >> 8) };

		fwrite(rgb, 1, 3, f);
	}
	if (fclose(f))
		die(out_path);
	printf("grab: %ux%u, %d plane%s, crc 0x%08x matches vkms\n", w, h, n, n == 1 ? "" : "s",
	       crc);
	for (int i = 0; i < n; i++)
		printf("plane %d: %ux%u %.4s src %d,%d %dx%d at %d,%d\n", i, planes[i].fb_w,
		       planes[i].fb_h, (char *)&planes[i].fourcc, planes[i].sx, planes[i].sy,
		       planes[i].sw, planes[i].sh, planes[i].dx, planes[i].dy);
	return 0;
}

/* ---- hold ---- */

static int cmd_hold(const char *size, bool drop)
{
	int fd = open_card();
	drmModeRes *res = drmModeGetResources(fd);
	drmModeConnector *conn = NULL;
	drmModeModeInfo *mode = NULL;
	drmModePlaneRes *pr = drmModeGetPlaneResources(fd);
	uint32_t w, h, handle, pitch, fb, blob, primary = 0, crtc, p_mode, p_active, p_conn;
	uint32_t pid[10];
	uint64_t dsize, off;
	drmModeAtomicReq *req;
	uint8_t *map;
	char buf[16];

	if (sscanf(size, "%ux%u", &w, &h) != 2 || !res || !pr)
		die("usage or resources");
	if (drmSetMaster(fd))
		die("drmSetMaster");
	for (int i = 0; i < res->count_connectors && !mode; i++) {
		conn = drmModeGetConnector(fd, res->connectors[i]);
		for (int m = 0; conn && conn->connection == DRM_MODE_CONNECTED &&
				m < conn->count_modes; m++)
			if (conn->modes[m].hdisplay == w && conn->modes[m].vdisplay == h) {
				mode = &conn->modes[m];
				break;
			}
	}
	if (!mode) {
		errno = ENOENT;
		die("no connected output with that mode");
	}
	crtc = res->crtcs[0];
	for (uint32_t i = 0; i < pr->count_planes && !primary; i++)
		if (prop(fd, pr->planes[i], DRM_MODE_OBJECT_PLANE, "type", NULL) ==
		    DRM_PLANE_TYPE_PRIMARY)
			primary = pr->planes[i];
	if (drmModeCreateDumbBuffer(fd, w, h, 32, 0, &handle, &pitch, &dsize) ||
	    drmModeAddFB(fd, w, h, 24, 32, pitch, handle, &fb) ||
	    drmModeMapDumbBuffer(fd, handle, &off))
		die("dumb buffer");
	map = mmap(NULL, dsize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (map == MAP_FAILED)
		die("mmap");
	/* A pattern nothing else draws: diagonal bands of three colours. */
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			((uint32_t *)(map + (size_t)y * pitch))[x] =
				((x + y) / 32 % 3 == 0) ? 0x00c03020u :
				((x + y) / 32 % 3 == 1) ? 0x0020c030u : 0x003020c0u;
	if (drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob))
		die("blob");
	prop(fd, crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", &p_mode);
	prop(fd, crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", &p_active);
	prop(fd, conn->connector_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", &p_conn);
	{
		static const char *const names[] = { "FB_ID", "CRTC_ID", "SRC_X", "SRC_Y",
						     "SRC_W", "SRC_H", "CRTC_X", "CRTC_Y",
						     "CRTC_W", "CRTC_H" };
		uint64_t vals[] = { fb, crtc, 0, 0, (uint64_t)w << 16, (uint64_t)h << 16, 0, 0, w, h };

		req = drmModeAtomicAlloc();
		drmModeAtomicAddProperty(req, crtc, p_mode, blob);
		drmModeAtomicAddProperty(req, crtc, p_active, 1);
		drmModeAtomicAddProperty(req, conn->connector_id, p_conn, crtc);
		for (int i = 0; i < 10; i++) {
			prop(fd, primary, DRM_MODE_OBJECT_PLANE, names[i], &pid[i]);
			drmModeAtomicAddProperty(req, primary, pid[i], vals[i]);
		}
	}
	if (drmModeAtomicCommit(fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL))
		die("atomic commit");
	if (drop && drmDropMaster(fd))
		die("drmDropMaster");
	printf("held %ux%u fb %u%s\n", w, h, fb, drop ? " (master dropped)" : "");
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	return 0;
}

/* ---- keys ---- */

static void emit(int fd, uint16_t type, uint16_t code, int32_t value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };

	if (write(fd, &ev, sizeof(ev)) != sizeof(ev))
		die("uinput write");
}

static void key(int fd, uint32_t code, int down)
{
	struct timespec ts = { 0, 20000000 };

	emit(fd, EV_KEY, (uint16_t)code, down);
	emit(fd, EV_SYN, SYN_REPORT, 0);
	nanosleep(&ts, NULL);
}

static int cmd_keys(void)
{
	static const uint32_t modkeys[] = { KEY_LEFTSHIFT, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFTMETA };
	struct uinput_setup setup = { .id = { .bustype = BUS_VIRTUAL, .vendor = 0x1234,
					      .product = 0x5678 } };
	int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	char line[64];

	if (fd < 0)
		die("/dev/uinput");
	if (ioctl(fd, UI_SET_EVBIT, EV_KEY))
		die("UI_SET_EVBIT");
	for (int k = 1; k < 128; k++)	/* a whole keyboard's worth: udev calls it a keyboard */
		ioctl(fd, UI_SET_KEYBIT, k);
	snprintf(setup.name, sizeof(setup.name), "vgpu-viewer test keyboard");
	if (ioctl(fd, UI_DEV_SETUP, &setup) || ioctl(fd, UI_DEV_CREATE))
		die("uinput device");
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		struct hotkeys h = { 0 };
		const char *why;
		char arg[80];

		line[strcspn(line, "\n")] = '\0';
		snprintf(arg, sizeof(arg), "quit=%s", line);
		if (hotkeys_parse(arg, &h, &why) || !h.k[HOTKEY_QUIT].key) {
			fprintf(stderr, "kmstool: not a chord: %s\n", line);
			continue;
		}
		for (int m = 0; m < 4; m++)
			if (h.k[HOTKEY_QUIT].mods & (1u << m))
				key(fd, modkeys[m], 1);
		key(fd, h.k[HOTKEY_QUIT].key, 1);
		key(fd, h.k[HOTKEY_QUIT].key, 0);
		for (int m = 3; m >= 0; m--)
			if (h.k[HOTKEY_QUIT].mods & (1u << m))
				key(fd, modkeys[m], 0);
		printf("typed %s\n", line);
		fflush(stdout);
	}
	ioctl(fd, UI_DEV_DESTROY);
	return 0;
}

int main(int argc, char *argv[])
{
	int a = 2;

	if (argc >= 3 && !strncmp(argv[2], "/dev/", 5))
		card = argv[a++];
	if (argc == a + 1 && !strcmp(argv[1], "grab"))
		return cmd_grab(argv[a]);
	if (argc == a && !strcmp(argv[1], "state"))
		return cmd_state();
	if ((argc == a + 1 || argc == a + 2) && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[a], argc == a + 2 && !strcmp(argv[a + 1], "drop"));
	if (argc == 2 && !strcmp(argv[1], "keys"))
		return cmd_keys();
	fprintf(stderr, "usage: kmstool grab [CARD] OUT.ppm | state [CARD] | hold [CARD] WxH [drop] | keys\n");
	return 2;
}
