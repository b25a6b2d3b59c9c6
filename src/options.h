/* SPDX-License-Identifier: MIT */
#ifndef VGPU_VIEWER_OPTIONS_H
#define VGPU_VIEWER_OPTIONS_H

#include <stdio.h>

/* Process exit codes (documented in README and --help). */
enum viewer_exit {
	VIEWER_EXIT_OK = 0,
	VIEWER_EXIT_FAILURE = 1,
	VIEWER_EXIT_USAGE = 2,
};

struct viewer_options {
	int verbose;		/* times -v was given */
};

enum options_result {
	OPTIONS_RUN,		/* go on with @opts */
	OPTIONS_DONE,		/* --help or --version was written to @out: exit 0 */
	OPTIONS_USAGE,		/* one line was written to @err: exit VIEWER_EXIT_USAGE */
};

/*
 * Parses the command line into @opts (which it initialises first).  Help and
 * version text go to @out, a one-line usage error to @err.  Safe to call more
 * than once in a process (it resets getopt).
 */
enum options_result options_parse(struct viewer_options *opts, int argc, char *argv[],
				   FILE *out, FILE *err);

/* Writes --help, generated from the option table. */
void options_print_help(FILE *out);

#endif
