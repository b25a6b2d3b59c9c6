// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>
#include <wayland-egl.h>

#define LOG_MODULE "egl"
#include "egl_import.h"
#include "log.h"

struct egl_import {
	EGLDisplay dpy;
	EGLConfig config;
	EGLContext ctx;
	bool modifiers;		/* EGL_EXT_image_dma_buf_import_modifiers */

	/* The one window surface, bound to one wl_surface. */
	struct wl_surface *surface;
	struct wl_egl_window *window;
	EGLSurface egl_surface;
	int32_t width, height;

	GLuint program;
	GLint u_tex, u_src;
	PFNEGLCREATEIMAGEKHRPROC create_image;
	PFNEGLDESTROYIMAGEKHRPROC destroy_image;
	PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
};

struct egl_import_image {
	struct egl_import *e;
	EGLImageKHR image;
	GLuint tex;
	uint32_t width, height;
};

static const char vertex_src[] =
	"attribute vec2 pos;\n"
	"uniform vec4 src;\n"	/* x, y, w, h of the shown part, 0..1 */
	"varying vec2 uv;\n"
	"void main() {\n"
	"	uv = src.xy + pos * src.zw;\n"
	"	gl_Position = vec4(pos.x * 2.0 - 1.0, 1.0 - pos.y * 2.0, 0.0, 1.0);\n"
	"}\n";

/* Primary planes are opaque: whatever the alpha bits hold is not shown. */
static const char fragment_src[] =
	"precision highp float;\n"
	"uniform sampler2D tex;\n"
	"varying vec2 uv;\n"
	"void main() {\n"
	"	gl_FragColor = vec4(texture2D(tex, uv).rgb, 1.0);\n"
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
	return true;
}

struct egl_import *egl_import_create(struct wl_display *display)
{
	static const EGLint config_attribs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 0,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES2_BIT,
		EGL_NONE,
	};
	static const EGLint ctx_attribs[] = { EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE };
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display;
	struct egl_import *e = calloc(1, sizeof(*e));
	const char *exts;
	EGLint major, minor, n = 0;

	if (!e)
		return NULL;
	exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	get_platform_display = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress(
		"eglGetPlatformDisplayEXT");
	if (!has_ext(exts, "EGL_EXT_platform_wayland") || !get_platform_display) {
		LOG_WARN("EGL has no Wayland platform (EGL_EXT_platform_wayland)");
		goto err_free;
	}
	e->dpy = get_platform_display(EGL_PLATFORM_WAYLAND_EXT, display, NULL);
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
	if (!eglBindAPI(EGL_OPENGL_ES_API) ||
	    !eglChooseConfig(e->dpy, config_attribs, &e->config, 1, &n) || n < 1) {
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
	LOG_INFO("EGL %d.%d, %s, %s%s", major, minor, eglQueryString(e->dpy, EGL_VENDOR),
		 (const char *)glGetString(GL_RENDERER),
		 e->modifiers ? ", with modifiers" : "");
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
	if (e->window)
		wl_egl_window_destroy(e->window);
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
	img->e->destroy_image(img->e->dpy, img->image);
	free(img);
}

/* The window surface for @surface at @w x @h: made, moved or resized. */
static int bind_surface(struct egl_import *e, struct wl_surface *surface, int32_t w, int32_t h)
{
	if (e->surface != surface)
		drop_surface(e);
	if (!e->window) {
		e->window = wl_egl_window_create(surface, w, h);
		if (!e->window)
			return -ENOMEM;
		e->egl_surface = eglCreatePlatformWindowSurface(e->dpy, e->config, e->window, NULL);
		if (e->egl_surface == EGL_NO_SURFACE) {
			LOG_ERR("eglCreatePlatformWindowSurface failed: 0x%x", eglGetError());
			wl_egl_window_destroy(e->window);
			e->window = NULL;
			return -EIO;
		}
		e->surface = surface;
		if (!eglMakeCurrent(e->dpy, e->egl_surface, e->egl_surface, e->ctx))
			return -EIO;
		/* Pacing is the viewer's (frame callbacks): a swap must never block. */
		eglSwapInterval(e->dpy, 0);
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
	/* One triangle that covers the viewport (pos 0..2, clipped at 1). */
	static const GLfloat tri[] = { 0, 0, 2, 0, 0, 2 };
	GLint filter = nearest ? GL_NEAREST : GL_LINEAR;
	int ret;

	ret = bind_surface(e, surface, l->dst.w, l->dst.h);
	if (ret)
		return ret;
	glViewport(0, 0, l->dst.w, l->dst.h);
	glUseProgram(e->program);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, img->tex);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
	glUniform1i(e->u_tex, 0);
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
