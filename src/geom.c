// SPDX-License-Identifier: MIT
#include "geom.h"

/* a * b / c rounded to nearest, without overflow for 32-bit inputs. */
static int32_t muldiv(uint32_t a, uint32_t b, uint32_t c)
{
	return (int32_t)(((uint64_t)a * b + c / 2) / c);
}

/* Centres an @n long span on an @m long one; crops it when it is longer. */
static void centre(uint32_t n, uint32_t m, int32_t *src_off, int32_t *src_len, int32_t *dst_off,
		   int32_t *dst_len)
{
	if (n <= m) {
		*src_off = 0;
		*src_len = (int32_t)n;
		*dst_off = (int32_t)(m - n) / 2;
		*dst_len = (int32_t)n;
	} else {
		*src_off = (int32_t)(n - m) / 2;
		*src_len = (int32_t)m;
		*dst_off = 0;
		*dst_len = (int32_t)m;
	}
}

/*
 * The largest rectangle of aspect @w:@h that fits in @bw x @bh, centred in
 * it, at least one pixel each way.
 */
static struct geom_rect inscribe(uint32_t w, uint32_t h, uint32_t bw, uint32_t bh)
{
	struct geom_rect r;

	/* Compare the aspects w/h and bw/bh without division. */
	if ((uint64_t)w * bh >= (uint64_t)bw * h) {
		r.w = (int32_t)bw;
		r.h = muldiv(h, bw, w);
	} else {
		r.h = (int32_t)bh;
		r.w = muldiv(w, bh, h);
	}
	if (!r.w)
		r.w = 1;
	if (!r.h)
		r.h = 1;
	r.x = ((int32_t)bw - r.w) / 2;
	r.y = ((int32_t)bh - r.h) / 2;
	return r;
}

bool geom_layout(enum geom_scale mode, uint32_t fw, uint32_t fh, uint32_t ow, uint32_t oh,
		 struct geom_layout *ret)
{
	struct geom_layout l = { 0 };
	uint32_t k;

	*ret = l;
	if (!fw || !fh || !ow || !oh)
		return false;

	switch (mode) {
	case GEOM_SCALE_FIT:	/* the frame's aspect, as large as the output holds */
		l.src = (struct geom_rect){ 0, 0, (int32_t)fw, (int32_t)fh };
		l.dst = inscribe(fw, fh, ow, oh);
		break;
	case GEOM_SCALE_FILL:	/* the output's aspect, as large as the frame holds */
		l.dst = (struct geom_rect){ 0, 0, (int32_t)ow, (int32_t)oh };
		l.src = inscribe(ow, oh, fw, fh);
		break;
	case GEOM_SCALE_INTEGER:
		k = ow / fw < oh / fh ? ow / fw : oh / fh;
		if (k > 1) {
			l.src = (struct geom_rect){ 0, 0, (int32_t)fw, (int32_t)fh };
			l.dst.w = (int32_t)(fw * k);
			l.dst.h = (int32_t)(fh * k);
			l.dst.x = ((int32_t)ow - l.dst.w) / 2;
			l.dst.y = ((int32_t)oh - l.dst.h) / 2;
			break;
		}
		/* fall through - 1:1, cropped if need be */
	case GEOM_SCALE_NONE:
		centre(fw, ow, &l.src.x, &l.src.w, &l.dst.x, &l.dst.w);
		centre(fh, oh, &l.src.y, &l.src.h, &l.dst.y, &l.dst.h);
		break;
	}
	*ret = l;
	return true;
}

bool geom_nearest(enum geom_filter f, const struct geom_layout *l)
{
	switch (f) {
	case GEOM_FILTER_NEAREST:
		return true;
	case GEOM_FILTER_LINEAR:
		return false;
	case GEOM_FILTER_AUTO:
		break;
	}
	if (!l->src.w || !l->src.h)
		return true;
	/* A whole ratio, the same both ways (1:1 included): every pixel stays sharp. */
	return l->dst.w % l->src.w == 0 && l->dst.h % l->src.h == 0 &&
	       l->dst.w / l->src.w == l->dst.h / l->src.h;
}

uint32_t geom_to_pixels(uint32_t logical, uint32_t scale120)
{
	return (uint32_t)(((uint64_t)logical * scale120 + 60) / 120);
}

uint32_t geom_to_logical(uint32_t pixels, uint32_t scale120)
{
	if (!scale120)
		return pixels;
	return (uint32_t)(((uint64_t)pixels * 120 + scale120 / 2) / scale120);
}

/* Rounds towards minus infinity: a cursor may hang off the left edge. */
static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool geom_cursor(const struct geom_layout *l, int32_t x, int32_t y, uint32_t cw, uint32_t ch,
		 struct geom_rect *ret)
{
	int64_t x0, y0, x1, y1;

	*ret = (struct geom_rect){ 0 };
	if (!l->src.w || !l->src.h || !cw || !ch)
		return false;
	/* Frame pixels relative to the shown part, scaled by dst/src. */
	x0 = ((int64_t)x - l->src.x) * l->dst.w;
	y0 = ((int64_t)y - l->src.y) * l->dst.h;
	x1 = x0 + (int64_t)cw * l->dst.w;
	y1 = y0 + (int64_t)ch * l->dst.h;
	x0 = l->dst.x + floordiv(x0, l->src.w);
	y0 = l->dst.y + floordiv(y0, l->src.h);
	x1 = l->dst.x + floordiv(x1, l->src.w);
	y1 = l->dst.y + floordiv(y1, l->src.h);
	if (x1 <= l->dst.x || y1 <= l->dst.y || x0 >= l->dst.x + l->dst.w ||
	    y0 >= l->dst.y + l->dst.h)
		return false;
	*ret = (struct geom_rect){ (int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0) };
	return true;
}

const char *geom_scale_name(enum geom_scale mode)
{
	static const char *const names[] = {
		[GEOM_SCALE_FIT] = "fit",
		[GEOM_SCALE_FILL] = "fill",
		[GEOM_SCALE_INTEGER] = "integer",
		[GEOM_SCALE_NONE] = "none",
	};

	return (unsigned int)mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "?";
}

enum geom_scale geom_scale_next(enum geom_scale mode)
{
	return mode == GEOM_SCALE_NONE ? GEOM_SCALE_FIT : (enum geom_scale)(mode + 1);
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool geom_to_frame(const struct geom_layout *l, double ox, double oy, double *fx, double *fy)
{
	if (l->dst.w <= 0 || l->dst.h <= 0 || l->src.w <= 0 || l->src.h <= 0)
		return false;
	ox = clamp(ox, l->dst.x, l->dst.x + l->dst.w);
	oy = clamp(oy, l->dst.y, l->dst.y + l->dst.h);
	*fx = l->src.x + (ox - l->dst.x) * l->src.w / l->dst.w;
	*fy = l->src.y + (oy - l->dst.y) * l->src.h / l->dst.h;
	return true;
}
