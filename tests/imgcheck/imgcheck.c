// SPDX-License-Identifier: MIT
/*
 * imgcheck: compares a compositor screenshot (PNG, from weston-screenshooter)
 * or a KMS scanout read back by kmstool (PPM) with the frame the guest
 * showed (PPM, from guestsim's "dump").  A test
 * tool, in C because the VM runs under TCG and a Python PNG decoder there
 * takes half a minute a screenshot.
 *
 *   imgcheck exact SHOT.png FRAME.ppm X Y
 *       the frame must appear pixel for pixel at (X, Y)
 *   imgcheck scaled SHOT.png FRAME.ppm X Y W H TOL
 *       the frame scaled to WxH at (X, Y): each screen pixel must lie within
 *       TOL of the range of the 2x2 frame pixels around its sample point
 *       (any sane filter, nearest or linear, stays inside it); the area
 *       outside the rectangle must be black (letterbox)
 *   imgcheck waiting SHOT.png X Y W H
 *       the rectangle holds the waiting placard: its two colours only, some text
 *   imgcheck guestframe SHOT.png X Y W H SEQ
 *       frame SEQ of a test guest (tests/lib/frame_draw.c), WxH, at (X, Y),
 *       pixel for pixel; its stamp rows carry the guest's clock, so they are
 *       read back instead, and must say SEQ (0: whichever frame the stamp
 *       names, for a guest that does not hold still)
 *
 *   imgcheck box SHOT X Y W H RRGGBB
 *       the pixels of colour RRGGBB (hex) are exactly the WxH rectangle at
 *       (X, Y), all of it (a guest cursor plane's picture, where it must be);
 *       with 0 0 0 0, there is no pixel of that colour
 *
 * Exit 0 when it matches, 1 when not (with the first differences), 2 on
 * bad input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "frame_draw.h"
#include "frame_stamp.h"
#include "placard.h"

struct image {
	uint32_t w, h;
	uint8_t *rgb;		/* w * h * 3 */
};

static void die(const char *what, const char *path)
{
	fprintf(stderr, "imgcheck: %s: %s\n", path, what);
	exit(2);
}

static uint8_t *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		die("cannot open", path);
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				die("out of memory", path);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	*ret_len = len;
	return buf;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* 8-bit RGB or RGBA, not interlaced: what cairo writes. */
static struct image load_png(const char *path)
{
	size_t len, pos = 8, idat_len = 0, raw_len;
	uint8_t *file = slurp(path, &len), *idat = NULL, *raw, *prev;
	uint32_t bpp = 0, rowlen;
	struct image img = { 0 };
	z_stream z = { 0 };

	if (len < 8 || memcmp(file, "\x89PNG\r\n\x1a\n", 8))
		die("not a PNG", path);
	while (pos + 12 <= len) {
		uint32_t n = be32(file + pos);
		const uint8_t *type = file + pos + 4, *data = file + pos + 8;

		if (pos + 12 + n > len)
			die("truncated", path);
		if (!memcmp(type, "IHDR", 4)) {
			img.w = be32(data);
			img.h = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12])
				die("not 8-bit RGB(A), non-interlaced", path);
			bpp = data[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			idat = realloc(idat, idat_len + n);
			memcpy(idat + idat_len, data, n);
			idat_len += n;
		}
		pos += 12 + n;
	}
	if (!bpp || !idat || !img.w || !img.h || img.w > 16384 || img.h > 16384)
		die("no image", path);
	rowlen = img.w * bpp;
	raw_len = (size_t)(rowlen + 1) * img.h;
	raw = malloc(raw_len);
	img.rgb = malloc((size_t)img.w * img.h * 3);
	prev = calloc(rowlen, 1);
	inflateInit(&z);
	z.next_in = idat;
	z.avail_in = (uInt)idat_len;
	z.next_out = raw;
	z.avail_out = (uInt)raw_len;
	if (inflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out != raw_len)
		die("bad compressed data", path);
	inflateEnd(&z);

	for (uint32_t y = 0; y < img.h; y++) {
		uint8_t *row = raw + (size_t)y * (rowlen + 1) + 1;
		uint8_t f = row[-1];

		for (uint32_t i = 0; i < rowlen; i++) {
			int a = i >= bpp ? row[i - bpp] : 0, b = prev[i];
			int c = i >= bpp ? prev[i - bpp] : 0;

			switch (f) {
			case 0: break;
			case 1: row[i] = (uint8_t)(row[i] + a); break;
			case 2: row[i] = (uint8_t)(row[i] + b); break;
			case 3: row[i] = (uint8_t)(row[i] + (a + b) / 2); break;
			case 4: row[i] = (uint8_t)(row[i] + paeth(a, b, c)); break;
			default: die("bad filter", path);
			}
		}
		for (uint32_t x = 0; x < img.w; x++)
			memcpy(img.rgb + ((size_t)y * img.w + x) * 3, row + x * bpp, 3);
		memcpy(prev, row, rowlen);
	}
	free(prev);
	free(raw);
	free(idat);
	free(file);
	return img;
}

static struct image load_ppm(const char *path)
{
	size_t len;
	uint8_t *file = slurp(path, &len);
	struct image img = { 0 };
	unsigned int w, h, max;
	int off = 0;

	if (sscanf((char *)file, "P6 %u %u %u%n", &w, &h, &max, &off) != 3 || max != 255 ||
	    !w || !h || w > 16384 || h > 16384 || (size_t)off + 1 + (size_t)w * h * 3 > len)
		die("not a binary PPM", path);
	img.w = w;
	img.h = h;
	img.rgb = malloc((size_t)w * h * 3);
	memcpy(img.rgb, file + off + 1, (size_t)w * h * 3);
	free(file);
	return img;
}

static const uint8_t *px(const struct image *im, uint32_t x, uint32_t y)
{
	return im->rgb + ((size_t)y * im->w + x) * 3;
}

static int check_exact(const struct image *shot, const struct image *fr, uint32_t x0, uint32_t y0)
{
	unsigned long bad = 0;

	if (x0 + fr->w > shot->w || y0 + fr->h > shot->h) {
		fprintf(stderr, "imgcheck: a %ux%u frame at %u,%u does not fit a %ux%u screenshot\n",
			fr->w, fr->h, x0, y0, shot->w, shot->h);
		return 1;
	}
	for (uint32_t y = 0; y < fr->h; y++)
		for (uint32_t x = 0; x < fr->w; x++) {
			const uint8_t *a = px(shot, x0 + x, y0 + y), *b = px(fr, x, y);

			if (memcmp(a, b, 3) && bad++ < 5)
				fprintf(stderr, "imgcheck: frame pixel %u,%u: screen %02x%02x%02x, "
						"guest %02x%02x%02x\n",
					x, y, a[0], a[1], a[2], b[0], b[1], b[2]);
		}
	printf("exact: %lu of %lu pixels differ\n", bad, (unsigned long)fr->w * fr->h);
	return bad ? 1 : 0;
}

static int check_scaled(const struct image *shot, const struct image *fr, uint32_t x0,
			uint32_t y0, uint32_t w, uint32_t h, int tol)
{
	unsigned long bad = 0, border_bad = 0, total = 0;
	uint32_t bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;

	if (x0 + w > shot->w || y0 + h > shot->h || !w || !h)
		return fprintf(stderr, "imgcheck: rectangle outside the screenshot\n"), 1;
	for (uint32_t y = 0; y < shot->h; y++)
		for (uint32_t x = 0; x < shot->w; x++) {
			const uint8_t *s = px(shot, x, y);

			if (x < x0 || y < y0 || x >= x0 + w || y >= y0 + h) {
				if ((s[0] | s[1] | s[2]) && border_bad++ < 3)
					fprintf(stderr, "imgcheck: letterbox pixel %u,%u is %02x%02x%02x\n",
						x, y, s[0], s[1], s[2]);
				continue;
			}
			/* The sample point in frame coordinates, and its 2x2 neighbourhood. */
			double fx = ((x - x0) + 0.5) * fr->w / w - 0.5;
			double fy = ((y - y0) + 0.5) * fr->h / h - 0.5;
			uint32_t ax = fx < 0 ? 0 : (uint32_t)fx, ay = fy < 0 ? 0 : (uint32_t)fy;
			uint32_t bx = ax + 1 < fr->w ? ax + 1 : ax, by = ay + 1 < fr->h ? ay + 1 : ay;
			int ok = 1;

			total++;
			for (int c = 0; c < 3; c++) {
				int v[4] = { px(fr, ax, ay)[c], px(fr, bx, ay)[c], px(fr, ax, by)[c],
					     px(fr, bx, by)[c] };
				int lo = v[0], hi = v[0];

				for (int i = 1; i < 4; i++) {
					lo = v[i] < lo ? v[i] : lo;
					hi = v[i] > hi ? v[i] : hi;
				}
				if (s[c] < lo - tol || s[c] > hi + tol)
					ok = 0;
			}
			if (ok)
				continue;
			bx0 = x < bx0 ? x : bx0;
			by0 = y < by0 ? y : by0;
			bx1 = x > bx1 ? x : bx1;
			by1 = y > by1 ? y : by1;
			if (bad++ < 5)
				fprintf(stderr, "imgcheck: screen %u,%u = %02x%02x%02x, frame near %u,%u = "
						"%02x%02x%02x\n",
					x, y, s[0], s[1], s[2], ax, ay, px(fr, ax, ay)[0],
					px(fr, ax, ay)[1], px(fr, ax, ay)[2]);
		}
	printf("scaled: %lu of %lu pixels outside tolerance %d, %lu letterbox pixels not black\n",
	       bad, total, tol, border_bad);
	if (bad)
		printf("scaled: the bad pixels lie within %u,%u-%u,%u\n", bx0, by0, bx1, by1);
	return bad || border_bad ? 1 : 0;
}

static int check_waiting(const struct image *shot, uint32_t x0, uint32_t y0, uint32_t w,
			 uint32_t h)
{
	const uint8_t bg[3] = { PLACARD_BACKGROUND >> 16 & 0xff, PLACARD_BACKGROUND >> 8 & 0xff,
				PLACARD_BACKGROUND & 0xff };
	const uint8_t ink[3] = { PLACARD_INK >> 16 & 0xff, PLACARD_INK >> 8 & 0xff,
				 PLACARD_INK & 0xff };
	unsigned long n_bg = 0, n_ink = 0, other = 0;

	if (x0 + w > shot->w || y0 + h > shot->h)
		return fprintf(stderr, "imgcheck: rectangle outside the screenshot\n"), 1;
	for (uint32_t y = y0; y < y0 + h; y++)
		for (uint32_t x = x0; x < x0 + w; x++) {
			const uint8_t *s = px(shot, x, y);

			if (!memcmp(s, bg, 3))
				n_bg++;
			else if (!memcmp(s, ink, 3))
				n_ink++;
			else if (other++ < 3)
				fprintf(stderr, "imgcheck: %u,%u is %02x%02x%02x, not the placard's\n",
					x, y, s[0], s[1], s[2]);
		}
	printf("waiting: %lu background, %lu text, %lu other pixels\n", n_bg, n_ink, other);
	return other || n_ink < 100 ? 1 : 0;
}

static int check_box(const struct image *shot, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h,
		     uint32_t rgb)
{
	const uint8_t c[3] = { rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff };
	uint32_t bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;
	unsigned long n = 0;

	for (uint32_t y = 0; y < shot->h; y++)
		for (uint32_t x = 0; x < shot->w; x++) {
			if (memcmp(px(shot, x, y), c, 3))
				continue;
			n++;
			bx0 = x < bx0 ? x : bx0;
			by0 = y < by0 ? y : by0;
			bx1 = x > bx1 ? x : bx1;
			by1 = y > by1 ? y : by1;
		}
	if (!n) {
		printf("box: no pixel is %06x (want %ux%u at %u,%u)\n", rgb, w, h, x0, y0);
		return w || h ? 1 : 0;
	}
	printf("box: %lu pixels of %06x, within %ux%u at %u,%u (want %ux%u at %u,%u)\n", n, rgb,
	       bx1 - bx0 + 1, by1 - by0 + 1, bx0, by0, w, h, x0, y0);
	return bx0 == x0 && by0 == y0 && bx1 - bx0 + 1 == w && by1 - by0 + 1 == h &&
	       n == (unsigned long)w * h ? 0 : 1;
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || v > 100000)
		die("not a number", s);
	return (uint32_t)v;
}

/* A screenshot: PNG, or PPM by its magic. */
static struct image load_shot(const char *path)
{
	FILE *f = fopen(path, "rb");
	char magic[2] = { 0 };

	if (f) {
		if (fread(magic, 1, 2, f) != 2)
			magic[0] = 0;
		fclose(f);
	}
	return magic[0] == 'P' && magic[1] == '6' ? load_ppm(path) : load_png(path);
}

static int check_guestframe(const struct image *shot, uint32_t x0, uint32_t y0, uint32_t w,
			    uint32_t h, uint32_t seq)
{
	uint32_t *fb = malloc((size_t)w * h * 4), *row = malloc((size_t)w * 4);
	unsigned long bad = 0;
	struct frame_stamp st;
	bool stamped;
	int ret = 1;

	if (!fb || !row)
		die("out of memory", "guestframe");
	if (!w || !h || x0 + w > shot->w || y0 + h > shot->h || h <= FRAME_STAMP_ROWS) {
		fprintf(stderr, "imgcheck: a %ux%u frame at %u,%u does not fit a %ux%u screenshot\n",
			w, h, x0, y0, shot->w, shot->h);
		goto out;
	}
	/* The stamp, as the screen shows it. */
	for (uint32_t x = 0; x < w; x++) {
		const uint8_t *p = px(shot, x0 + x, y0);

		row[x] = 0xff000000u | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	}
	stamped = frame_stamp_read(row, (size_t)w * 4, w, 0, &st) == 0;
	if (stamped && !seq)
		seq = st.seq;
	if (!stamped || st.seq != seq) {
		if (stamped)
			fprintf(stderr, "imgcheck: the screen's stamp is frame %u, not %u\n", st.seq,
				seq);
		else
			fprintf(stderr, "imgcheck: the screen's stamp is unreadable\n");
		goto out;
	}
	frame_draw_background(fb, w, h);
	frame_draw(fb, w, h, seq);
	for (uint32_t y = FRAME_STAMP_ROWS; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const uint8_t *a = px(shot, x0 + x, y0 + y);
			uint32_t v = fb[(size_t)y * w + x];
			uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

			if (memcmp(a, b, 3) && bad++ < 5)
				fprintf(stderr, "imgcheck: frame pixel %u,%u: screen %02x%02x%02x, "
						"guest %02x%02x%02x\n",
					x, y, a[0], a[1], a[2], b[0], b[1], b[2]);
		}
	printf("guestframe %u: stamp read back, %lu of %lu other pixels differ\n", seq, bad,
	       (unsigned long)w * (h - FRAME_STAMP_ROWS));
	ret = bad ? 1 : 0;
out:
	free(fb);
	free(row);
	return ret;
}

int main(int argc, char *argv[])
{
	struct image shot, fr;

	if (argc == 6 && !strcmp(argv[1], "exact")) {
		shot = load_shot(argv[2]);
		fr = load_ppm(argv[3]);
		return check_exact(&shot, &fr, num(argv[4]), num(argv[5]));
	}
	if (argc == 9 && !strcmp(argv[1], "scaled")) {
		shot = load_shot(argv[2]);
		fr = load_ppm(argv[3]);
		return check_scaled(&shot, &fr, num(argv[4]), num(argv[5]), num(argv[6]),
				    num(argv[7]), (int)num(argv[8]));
	}
	if (argc == 7 && !strcmp(argv[1], "waiting")) {
		shot = load_shot(argv[2]);
		return check_waiting(&shot, num(argv[3]), num(argv[4]), num(argv[5]), num(argv[6]));
	}
	if (argc == 8 && !strcmp(argv[1], "guestframe")) {
		shot = load_shot(argv[2]);
		return check_guestframe(&shot, num(argv[3]), num(argv[4]), num(argv[5]),
					num(argv[6]), num(argv[7]));
	}
	if (argc == 8 && !strcmp(argv[1], "box")) {
		shot = load_shot(argv[2]);
		return check_box(&shot, num(argv[3]), num(argv[4]), num(argv[5]), num(argv[6]),
				 (uint32_t)strtoul(argv[7], NULL, 16));
	}
	fprintf(stderr, "usage: imgcheck exact SHOT FRAME X Y | scaled SHOT FRAME X Y W H TOL | "
			"waiting SHOT X Y W H | guestframe SHOT X Y W H SEQ | "
			"box SHOT X Y W H RRGGBB\n");
	return 2;
}
