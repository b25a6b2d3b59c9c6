// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

#include "config.h"
#if HAVE_WAYLAND
#include <wayland-egl.h>
#endif

#define LOG_MODULE "egl"
#include "egl_import.h"
#include "log.h"
#include "notify.h"

struct egl_import {
	EGLDisplay dpy;
	EGLConfig config;
	EGLContext ctx;
	bool modifiers;		/* EGL_EXT_image_dma_buf_import_modifiers */
	bool software;		/* llvmpipe/softpipe: the CPU samples textures */

	/* The one window surface, bound to one wl_surface or gbm_surface. */
	void *surface;
	struct wl_egl_window *window;
	EGLSurface egl_surface;
	int32_t width, height;

	GLuint program;
	GLint u_tex, u_src, u_swap;
	PFNEGLCREATEIMAGEKHRPROC create_image;
	PFNEGLDESTROYIMAGEKHRPROC destroy_image;
	PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
};

struct egl_import_image {
	struct egl_import *e;
	EGLImageKHR image;	/* EGL_NO_IMAGE_KHR: filled by egl_import_image_upload() */
	GLuint tex;
	uint32_t width, height;
	bool swap_rb;		/* uploaded BGRA bytes: swap red and blue when sampling */
};

static const char vertex_src[] =
	"attribute vec2 pos;\n"
	"uniform vec4 src;\n"	/* x, y, w, h of the shown part, 0..1 */
	"varying vec2 uv;\n"
	"void main() {\n"
	"	uv = src.xy + pos * src.zw;\n"
	"	gl_Position = vec4(pos.x * 2.0 - 1.0, 1.0 - pos.y * 2.0, 0.0, 1.0);\n"
	"}\n";

/*
 * Primary planes are opaque: whatever the alpha bits hold is not shown.
 * Uploaded XRGB8888 bytes (B, G, R, X) arrive as RGBA: swap = 1 swaps back.
 */
static const char fragment_src[] =
	"precision highp float;\n"
	"uniform sampler2D tex;\n"
	"uniform float swap;\n"
	"varying vec2 uv;\n"
	"void main() {\n"
	"	vec3 c = texture2D(tex, uv).rgb;\n"
	"	gl_FragColor = vec4(mix(c, c.bgr, swap), 1.0);\n"
	"}\n";

static bool has_ext(const char *list, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *p = list; p && (p = strstr(p, ext)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static GLuint compile(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;
	char log[256];

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		LOG_ERR("shader: %s", log);
		glDeleteShader(s);
		return 0;
	}
	return s;
}

static bool make_program(struct egl_import *e)
{
	GLuint vs = compile(GL_VERTEX_SHADER, vertex_src);
	GLuint fs = compile(GL_FRAGMENT_SHADER, fragment_src);
	GLint ok = 0;

	if (vs && fs) {
		e->program = glCreateProgram();
		glAttachShader(e->program, vs);
		glAttachShader(e->program, fs);
		glBindAttribLocation(e->program, 0, "pos");
		glLinkProgram(e->program);
		glGetProgramiv(e->program, GL_LINK_STATUS, &ok);
	}
	glDeleteShader(vs);
	glDeleteShader(fs);
	if (!ok)
		return false;
	e->u_tex = glGetUniformLocation(e->program, "tex");
	e->u_src = glGetUniformLocation(e->program, "src");
	e->u_swap = glGetUniformLocation(e->program, "swap");
	return true;
}

/* A config for the platform's windows: GBM's must be the surface's format. */
static bool choose_config(struct egl_import *e, enum egl_import_platform platform)
{
	static const EGLint config_attribs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 0,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_NONE,
	};
	EGLConfig configs[64];
	EGLint n = 0, id;

	if (!eglChooseConfig(e->dpy, config_attribs, configs, 64, &n) || n < 1)
		return false;
	if (platform != EGL_IMPORT_GBM) {
		e->config = configs[0];
		return true;
	}
	for (EGLint i = 0; i < n; i++) {
		if (eglGetConfigAttrib(e->dpy, configs[i], EGL_NATIVE_VISUAL_ID, &id) &&
		    (uint32_t)id == EGL_IMPORT_GBM_FORMAT) {
			e->config = configs[i];
			return true;
		}
	}
	return false;
}

struct egl_import *egl_import_create(enum egl_import_platform platform, void *native_display)
{
	static const EGLint ctx_attribs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
	static const struct {
		EGLenum platform;
		const char *ext, *ext2;
	} platforms[] = {
		[EGL_IMPORT_WAYLAND] = { 0x31D8 /* EGL_PLATFORM_WAYLAND_EXT */,
					 "EGL_EXT_platform_wayland", "EGL_KHR_platform_wayland" },
		[EGL_IMPORT_GBM] = { 0x31D7 /* EGL_PLATFORM_GBM_KHR */,
				     "EGL_MESA_platform_gbm", "EGL_KHR_platform_gbm" },
	};
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display;
	struct egl_import *e = calloc(1, sizeof(*e));
	const char *exts, *renderer;
	EGLint major, minor;

	if (!e)
		return NULL;
	/*
	 * Setting EGL up blocks the loop, for seconds with a software
	 * renderer on a slow machine (7 s under the test bed's TCG): it gets
	 * a whole WatchdogSec= of its own, and so does the first frame after.
	 */
	notify_watchdog();
	exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	get_platform_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress(
		"eglGetPlatformDisplayEXT");
	if ((!has_ext(exts, platforms[platform].ext) && !has_ext(exts, platforms[platform].ext2)) ||
	    !get_platform_display) {
		LOG_WARN("EGL has no %s platform (%s)",
			 platform == EGL_IMPORT_GBM ? "GBM" : "Wayland", platforms[platform].ext);
		goto err_free;
	}
	e->dpy = get_platform_display(platforms[platform].platform, native_display, NULL);
	if (e->dpy == EGL_NO_DISPLAY || !eglInitialize(e->dpy, &major, &minor)) {
		LOG_WARN("eglInitialize failed: 0x%x", eglGetError());
		goto err_free;
	}
	exts = eglQueryString(e->dpy, EGL_EXTENSIONS);
	if (!has_ext(exts, "EGL_EXT_image_dma_buf_import") ||
	    !has_ext(exts, "EGL_KHR_image_base")) {
		LOG_WARN("EGL cannot import dmabufs (no EGL_EXT_image_dma_buf_import)");
		goto err_terminate;
	}
	e->modifiers = has_ext(exts, "EGL_EXT_image_dma_buf_import_modifiers");
	if (!eglBindAPI(EGL_OPENGL_ES_API) || !choose_config(e, platform)) {
		LOG_WARN("no EGL config for a GLES2 window");
		goto err_terminate;
	}
	e->ctx = eglCreateContext(e->dpy, e->config, EGL_NO_CONTEXT, ctx_attribs);
	if (e->ctx == EGL_NO_CONTEXT) {
		LOG_WARN("eglCreateContext failed: 0x%x", eglGetError());
		goto err_terminate;
	}
	e->create_image = (PFNEGLCREATEIMAGEKHRPROC)eglGetProcAddress("eglCreateImageKHR");
	e->destroy_image = (PFNEGLDESTROYIMAGEKHRPROC)eglGetProcAddress("eglDestroyImageKHR");
	e->image_target_texture = (PFNGLEGLIMAGETARGETTEXTURE2DOESPROC)eglGetProcAddress(
		"glEGLImageTargetTexture2DOES");
	if (!e->create_image || !e->destroy_image || !e->image_target_texture) {
		LOG_WARN("EGL lacks eglCreateImageKHR or glEGLImageTargetTexture2DOES");
		goto err_context;
	}
	if (!eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, e->ctx) ||
	    !has_ext((const char *)glGetString(GL_EXTENSIONS), "GL_OES_EGL_image")) {
		LOG_WARN("GLES has no GL_OES_EGL_image");
		goto err_context;
	}
	if (!make_program(e))
		goto err_context;
	renderer = (const char *)glGetString(GL_RENDERER);
	e->software = renderer && (strstr(renderer, "llvmpipe") || strstr(renderer, "softpipe"));
	LOG_INFO("EGL %d.%d, %s, %s%s", major, minor, eglQueryString(e->dpy, EGL_VENDOR),
		 renderer, e->modifiers ? ", with modifiers" : "");
	notify_watchdog();
	return e;

err_context:
	eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(e->dpy, e->ctx);
err_terminate:
	eglTerminate(e->dpy);
err_free:
	free(e);
	return NULL;
}

static void drop_surface(struct egl_import *e)
{
	if (e->egl_surface) {
		eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, e->ctx);
		eglDestroySurface(e->dpy, e->egl_surface);
	}
#if HAVE_WAYLAND
	if (e->window)
		wl_egl_window_destroy(e->window);
#endif
	e->egl_surface = NULL;
	e->window = NULL;
	e->surface = NULL;
}

void egl_import_destroy(struct egl_import *e)
{
	if (!e)
		return;
	drop_surface(e);
	glDeleteProgram(e->program);
	eglMakeCurrent(e->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(e->dpy, e->ctx);
	eglTerminate(e->dpy);
	eglReleaseThread();
	free(e);
}

struct egl_import_image *egl_import_image_create(struct egl_import *e, const struct plane *p,
						 int fd, int *ret_err)
{
	EGLint attribs[32];
	struct egl_import_image *img;
	int n = 0;

	*ret_err = -ENOTSUP;
	if (p->modifier != 0 && !e->modifiers) {
		LOG_WARN("the plane has modifier 0x%llx and EGL cannot take modifiers",
			 (unsigned long long)p->modifier);
		return NULL;
	}
	img = calloc(1, sizeof(*img));
	if (!img) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	attribs[n++] = EGL_WIDTH;
	attribs[n++] = (EGLint)p->width;
	attribs[n++] = EGL_HEIGHT;
	attribs[n++] = (EGLint)p->height;
	attribs[n++] = EGL_LINUX_DRM_FOURCC_EXT;
	attribs[n++] = (EGLint)plane_format_opaque(p->fourcc);
	attribs[n++] = EGL_DMA_BUF_PLANE0_FD_EXT;
	attribs[n++] = fd;
	attribs[n++] = EGL_DMA_BUF_PLANE0_OFFSET_EXT;
	attribs[n++] = 0;
	attribs[n++] = EGL_DMA_BUF_PLANE0_PITCH_EXT;
	attribs[n++] = (EGLint)p->stride;
	if (e->modifiers) {
		/* Tiled GVT-g planes need it; linear ones say 0 (DRM_FORMAT_MOD_LINEAR). */
		attribs[n++] = EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT;
		attribs[n++] = (EGLint)(p->modifier & 0xffffffff);
		attribs[n++] = EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT;
		attribs[n++] = (EGLint)(p->modifier >> 32);
	}
	attribs[n++] = EGL_IMAGE_PRESERVED_KHR;
	attribs[n++] = EGL_TRUE;
	attribs[n] = EGL_NONE;

	img->image = e->create_image(e->dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
	if (img->image == EGL_NO_IMAGE_KHR) {
		LOG_WARN("eglCreateImageKHR of dmabuf %u failed: 0x%x", p->id, eglGetError());
		free(img);
		return NULL;
	}
	/* The context is current from egl_import_create() on (one thread, one context). */
	glGenTextures(1, &img->tex);
	glBindTexture(GL_TEXTURE_2D, img->tex);
	e->image_target_texture(GL_TEXTURE_2D, img->image);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	if (glGetError() != GL_NO_ERROR) {
		LOG_WARN("binding the EGLImage of dmabuf %u to a texture failed", p->id);
		glDeleteTextures(1, &img->tex);
		e->destroy_image(e->dpy, img->image);
		free(img);
		return NULL;
	}
	img->e = e;
	img->width = p->width;
	img->height = p->height;
	*ret_err = 0;
	return img;
}

void egl_import_image_destroy(struct egl_import_image *img)
{
	if (!img)
		return;
	glDeleteTextures(1, &img->tex);
	if (img->image != EGL_NO_IMAGE_KHR)
		img->e->destroy_image(img->e->dpy, img->image);
	free(img);
}

bool egl_import_is_software(const struct egl_import *e)
{
	return e->software;
}

int egl_import_image_upload(struct egl_import *e, struct egl_import_image **imgp,
			    const struct plane *p, const void *pixels)
{
	struct egl_import_image *img = *imgp;
	const uint8_t *src = pixels;
	bool swap_rb;

	/* Four bytes a pixel, read as RGBA: B, G, R, X needs red and blue swapped. */
	switch (plane_format_opaque(p->fourcc)) {
	case 0x34325258u: /* DRM_FORMAT_XRGB8888 */
		swap_rb = true;
		break;
	case 0x34324258u: /* DRM_FORMAT_XBGR8888 */
		swap_rb = false;
		break;
	default:
		return -ENOTSUP;
	}
	if (img && (img->width != p->width || img->height != p->height)) {
		egl_import_image_destroy(img);
		img = *imgp = NULL;
	}
	if (!img) {
		img = calloc(1, sizeof(*img));
		if (!img)
			return -ENOMEM;
		img->e = e;
		img->image = EGL_NO_IMAGE_KHR;
		img->width = p->width;
		img->height = p->height;
		glGenTextures(1, &img->tex);
		glBindTexture(GL_TEXTURE_2D, img->tex);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
		glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, (GLsizei)p->width, (GLsizei)p->height, 0,
			     GL_RGBA, GL_UNSIGNED_BYTE, NULL);
		*imgp = img;
	}
	img->swap_rb = swap_rb;
	glBindTexture(GL_TEXTURE_2D, img->tex);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	if (p->stride == p->width * 4) {
		glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, (GLsizei)p->width, (GLsizei)p->height,
				GL_RGBA, GL_UNSIGNED_BYTE, src);
	} else {
		/* GLES2 has no GL_UNPACK_ROW_LENGTH: a row at a time. */
		for (uint32_t y = 0; y < p->height; y++)
			glTexSubImage2D(GL_TEXTURE_2D, 0, 0, (GLint)y, (GLsizei)p->width, 1,
					GL_RGBA, GL_UNSIGNED_BYTE, src + (size_t)y * p->stride);
	}
	return glGetError() == GL_NO_ERROR ? 0 : -EIO;
}

/* Makes @surf (a new window surface for @native) the current one. */
static int use_surface(struct egl_import *e, void *native, void *native_window)
{
	e->egl_surface = eglCreatePlatformWindowSurface(e->dpy, e->config, native_window, NULL);
	if (e->egl_surface == EGL_NO_SURFACE) {
		LOG_ERR("eglCreatePlatformWindowSurface failed: 0x%x", eglGetError());
		return -EIO;
	}
	e->surface = native;
	if (!eglMakeCurrent(e->dpy, e->egl_surface, e->egl_surface, e->ctx))
		return -EIO;
	/* Pacing is the presenter's (frame callbacks, page flips): a swap never blocks. */
	eglSwapInterval(e->dpy, 0);
	return 0;
}

/*
 * Draws @l.src of @img into @l.dst of the current @w x @h surface (black
 * around it) and swaps.
 */
static int draw(struct egl_import *e, struct egl_import_image *img, const struct geom_layout *l,
		bool nearest, int32_t w, int32_t h)
{
	/* One triangle that covers the viewport (pos 0..2, clipped at 1). */
	static const GLfloat tri[] = { 0, 0, 2, 0, 0, 2 };
	GLint filter = nearest ? GL_NEAREST : GL_LINEAR;

	if (l->dst.w != w || l->dst.h != h) {
		glViewport(0, 0, w, h);
		glClearColor(0, 0, 0, 1);
		glClear(GL_COLOR_BUFFER_BIT);
	}
	/* GL's origin is the bottom left corner. */
	glViewport(l->dst.x, h - l->dst.y - l->dst.h, l->dst.w, l->dst.h);
	glUseProgram(e->program);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, img->tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
	glUniform1i(e->u_tex, 0);
	glUniform1f(e->u_swap, img->swap_rb ? 1.0f : 0.0f);
	glUniform4f(e->u_src, (GLfloat)l->src.x / (GLfloat)img->width,
		    (GLfloat)l->src.y / (GLfloat)img->height,
		    (GLfloat)l->src.w / (GLfloat)img->width,
		    (GLfloat)l->src.h / (GLfloat)img->height);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, tri);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLES, 0, 3);
	if (!eglSwapBuffers(e->dpy, e->egl_surface)) {
		LOG_ERR("eglSwapBuffers failed: 0x%x", eglGetError());
		return -EIO;
	}
	return 0;
}

#if HAVE_WAYLAND
/* The window surface for @surface at @w x @h: made, moved or resized. */
static int bind_wl_surface(struct egl_import *e, struct wl_surface *surface, int32_t w, int32_t h)
{
	if (e->surface != surface)
		drop_surface(e);
	if (!e->window) {
		e->window = wl_egl_window_create(surface, w, h);
		if (!e->window)
			return -ENOMEM;
		if (use_surface(e, surface, e->window)) {
			drop_surface(e);
			return -EIO;
		}
	} else if (w != e->width || h != e->height) {
		wl_egl_window_resize(e->window, w, h, 0, 0);
	}
	e->width = w;
	e->height = h;
	return 0;
}

int egl_import_draw(struct egl_import *e, struct wl_surface *surface,
		    struct egl_import_image *img, const struct geom_layout *l, bool nearest)
{
	struct geom_layout whole = { l->src, { 0, 0, l->dst.w, l->dst.h } };
	int ret;

	ret = bind_wl_surface(e, surface, l->dst.w, l->dst.h);
	if (ret)
		return ret;
	return draw(e, img, &whole, nearest, l->dst.w, l->dst.h);
}
#endif

int egl_import_draw_gbm(struct egl_import *e, struct gbm_surface *surface, uint32_t w,
			uint32_t h, struct egl_import_image *img, const struct geom_layout *l,
			bool nearest)
{
	if (e->surface != surface) {
		drop_surface(e);
		if (use_surface(e, surface, surface)) {
			drop_surface(e);
			return -EIO;
		}
		e->width = (int32_t)w;
		e->height = (int32_t)h;
	}
	return draw(e, img, l, nearest, (int32_t)w, (int32_t)h);
}
