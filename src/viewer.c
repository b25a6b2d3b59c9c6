// SPDX-License-Identifier: MIT
/*
 * vgpu-viewer: shows a running guest's mediated vGPU display.
 *
 * This file only wires the modules together: options, logging, and (as the
 * modules arrive) the epoll loop and the attach -> show -> detach state
 * machine described in ARCHITECTURE.md.
 */
#include <stdlib.h>
#include <unistd.h>

#define LOG_MODULE "viewer"
#include "log.h"
#include "options.h"

int main(int argc, char *argv[])
{
	struct viewer_options opts;

	switch (options_parse(&opts, argc, argv, stdout, stderr)) {
	case OPTIONS_DONE:
		return VIEWER_EXIT_OK;
	case OPTIONS_USAGE:
		return VIEWER_EXIT_USAGE;
	case OPTIONS_RUN:
		break;
	}

	log_init(opts.verbose > 1 ? LOG_LEVEL_DBG : opts.verbose ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
		 getenv("JOURNAL_STREAM") != NULL);

	LOG_ERR("no device to show yet: attaching arrives with the daemon core");
	return VIEWER_EXIT_FAILURE;
}
