/* SPDX-License-Identifier: MIT */
/*
 * Configuration files (conffile_): INI read with inih, line by line so
 * that every fault names FILE:LINE, values as vgpu-viewer(1) describes them
 * (white space around them goes, a '#' or ';' after white space starts a
 * comment, quotes keep what is inside), and the first fault in the file
 * reported, whoever found it.  What the keys mean is options.c's.
 */
#ifndef VGPU_VIEWER_CONFFILE_H
#define VGPU_VIEWER_CONFFILE_H

#include <stdio.h>

/*
 * Called for each "key = value" of the file, in order, with @where
 * "FILE:LINE" and @section "" before any section.  Returns 0, or -1 after
 * writing one line to @msg.
 */
typedef int (*conffile_fn)(void *data, const char *where, const char *section,
			   const char *key, const char *value, FILE *msg);

/* Writes one line to @err about @what at @where, as the caller writes its own. */
typedef void (*conffile_complain_fn)(FILE *err, const char *where, const char *what);

/*
 * Reads the file at @path through @fn.  Returns 0; -ENOENT when there is
 * no such file (nothing written); or -EINVAL after one line on @err: the
 * first fault in the file, @fn's or the file's own (not INI, a quote not
 * closed, a directory, unreadable).
 */
int conffile_read(const char *path, conffile_fn fn, void *data, FILE *err,
		  conffile_complain_fn complain);

#endif
