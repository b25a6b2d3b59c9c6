// SPDX-License-Identifier: MIT
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "version.h"

#define PROG "vgpu-viewer"

enum option_key {
	OPT_HELP = 'h',
	OPT_VERSION = 'V',
	OPT_VERBOSE = 'v',
};

/*
 * The one definition of every option: getopt's table and --help are both
 * generated from it.
 */
static const struct option_def {
	const char *name;
	int key;		/* short option character, or a value >= 256 */
	const char *arg;	/* argument name in --help; NULL: takes none */
	const char *help;
} option_defs[] = {
	{ "verbose", OPT_VERBOSE, NULL, "log more (repeat for debug output)" },
	{ "version", OPT_VERSION, NULL, "print the version and exit" },
	{ "help", OPT_HELP, NULL, "print this help and exit" },
};

#define N_OPTIONS (sizeof(option_defs) / sizeof(option_defs[0]))

void options_print_help(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]...\n"
		"Show a running guest's mediated vGPU (mdev) display.\n"
		"\n"
		"Options:\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_def *d = &option_defs[i];
		char left[64];

		if (d->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->key, d->name,
				 d->arg ? "=" : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? "=" : "",
				 d->arg ? d->arg : "");
		fprintf(out, "  %-26s %s\n", left, d->help);
	}
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad command line.\n");
}

enum options_result options_parse(struct viewer_options *opts, int argc, char *argv[],
				  FILE *out, FILE *err)
{
	struct option longopts[N_OPTIONS + 1];
	char shortopts[2 * N_OPTIONS + 2];
	size_t n = 0;
	int c;

	*opts = (struct viewer_options){ 0 };

	shortopts[n++] = ':';	/* report a missing argument as ':' */
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_def *d = &option_defs[i];

		longopts[i] = (struct option){
			.name = d->name,
			.has_arg = d->arg ? required_argument : no_argument,
			.val = d->key,
		};
		if (d->key < 256) {
			shortopts[n++] = (char)d->key;
			if (d->arg)
				shortopts[n++] = ':';
		}
	}
	longopts[N_OPTIONS] = (struct option){ 0 };
	shortopts[n] = '\0';

	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			options_print_help(out);
			return OPTIONS_DONE;
		case OPT_VERSION:
			fprintf(out, PROG " " VGPU_VIEWER_VERSION " (" VGPU_VIEWER_VCS_VERSION ")\n");
			return OPTIONS_DONE;
		case OPT_VERBOSE:
			opts->verbose++;
			break;
		case ':':
			fprintf(err, PROG ": option '%s' needs an argument; see '" PROG " --help'\n",
				argv[optind - 1]);
			return OPTIONS_USAGE;
		default:
			if (optopt && optopt < 256)
				fprintf(err, PROG ": unknown option '-%c'; see '" PROG " --help'\n",
					optopt);
			else
				fprintf(err, PROG ": unknown option '%s'; see '" PROG " --help'\n",
					argv[optind - 1]);
			return OPTIONS_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(err, PROG ": unexpected argument '%s'; see '" PROG " --help'\n", argv[optind]);
		return OPTIONS_USAGE;
	}
	return OPTIONS_RUN;
}
