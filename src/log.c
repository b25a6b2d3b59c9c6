// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOG_MODULE "log"
#include "log.h"

static enum log_level max_level = LOG_LEVEL_INFO;
static bool use_prefix;

/*
 * A line the same as the one before it within REPEAT_S seconds (a device
 * that is not there yet, asked for every 250 ms under --wait) is counted,
 * not written; the count is written with the next different line.
 */
#define REPEAT_S 60
static char last_line[512];
static time_t last_time;
static unsigned long repeats;

void log_init(enum log_level level, bool syslog_prefix)
{
	max_level = level;
	use_prefix = syslog_prefix;
}

static void vlog(enum log_level level, const char *module, const char *file, int line,
		 const char *suffix, const char *fmt, va_list ap)
{
	char text[512];
	struct timespec now;
	int n;

	if (level > max_level)
		return;

	n = snprintf(text, sizeof(text), "%s: ", module);
	if (level == LOG_LEVEL_DBG && file && n >= 0 && (size_t)n < sizeof(text))
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s:%d: ", file, line);
	if (n >= 0 && (size_t)n < sizeof(text))
		n += vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
	if (suffix && n >= 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, ": %s", suffix);

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!strcmp(text, last_line) && now.tv_sec - last_time < REPEAT_S) {
		repeats++;
		return;
	}
	if (repeats)
		fprintf(stderr, "%s%s (repeated %lu more times)\n", use_prefix ? "<6>" : "",
			last_line, repeats);
	repeats = 0;
	snprintf(last_line, sizeof(last_line), "%s", text);
	last_time = now.tv_sec;

	if (use_prefix)
		fprintf(stderr, "<%d>%s\n", (int)level, text);
	else
		fprintf(stderr, "%s\n", text);
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
