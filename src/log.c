// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LOG_MODULE "log"
#include "log.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static bool use_prefix;

void log_init(enum log_level level, bool syslog_prefix)
{
	max_level = level;
	use_prefix = syslog_prefix;
}

static void vlog(enum log_level level, const char *module, const char *file, int line,
		 const char *suffix, const char *fmt, va_list ap)
{
	if (level > max_level)
		return;

	/* One fprintf per piece, but a single line: stderr is unbuffered. */
	flockfile(stderr);
	if (use_prefix)
		fprintf(stderr, "<%d>", (int)level);
	fprintf(stderr, "%s: ", module);
	if (level == LOG_LEVEL_DBG && file)
		fprintf(stderr, "%s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
	funlockfile(stderr);
}

void log_msg(enum log_level level, const char *module, const char *file, int line,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, module, file, line, NULL, fmt, ap);
	va_end(ap);
}

void log_errno(enum log_level level, const char *module, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, module, NULL, 0, strerror(errnum < 0 ? -errnum : errnum), fmt, ap);
	va_end(ap);
}
