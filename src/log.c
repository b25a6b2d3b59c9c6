// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config.h"
#if HAVE_SYSTEMD
#include <systemd/sd-journal.h>
/* syslog.h's names, which log.h uses for its own macros. */
#undef LOG_ERR
#undef LOG_INFO
#undef LOG_NOTICE
#endif

#define LOG_MODULE "log"
#include "log.h"

#define MAX_FIELDS 8
static struct {
	char name[16];
	char value[64];
} fields[MAX_FIELDS];
static bool use_journal;

#if HAVE_SYSTEMD
static log_journal_sender journal_send = sd_journal_sendv;
#else
static log_journal_sender journal_send;
#endif

void log_set_journal_sender(log_journal_sender send)
{
#if HAVE_SYSTEMD
	journal_send = send ? send : sd_journal_sendv;
#else
	journal_send = send;
#endif
}

void log_use_journal(bool on)
{
	use_journal = on && journal_send;
}

bool log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

bool log_journal_in_use(void)
{
	return use_journal;
}

void log_set_field(const char *name, const char *value)
{
	int free_slot = -1;

	for (int i = 0; i < MAX_FIELDS; i++) {
		if (!strcmp(fields[i].name, name)) {
			if (value)
				snprintf(fields[i].value, sizeof(fields[i].value), "%s", value);
			else
				fields[i].name[0] = '\0';
			return;
		}
		if (!fields[i].name[0] && free_slot < 0)
			free_slot = i;
	}
	if (value && free_slot >= 0) {
		snprintf(fields[free_slot].name, sizeof(fields[free_slot].name), "%s", name);
		snprintf(fields[free_slot].value, sizeof(fields[free_slot].value), "%s", value);
	}
}

/* snprintf at offset @n of @buf, keeping the total length needed like snprintf. */
static int append(char *buf, size_t len, int n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char *buf, size_t len, int n, const char *fmt, ...)
{
	size_t at = n < 0 ? len : (size_t)n;
	va_list ap;
	int m;

	if (n < 0)
		return n;
	va_start(ap, fmt);
	m = vsnprintf(buf + (at < len ? at : len), at < len ? len - at : 0, fmt, ap);
	va_end(ap);
	return m < 0 ? m : n + m;
}

int log_format_fields(char *buf, size_t len, enum log_level level, const char *module,
		      const char *file, int line, const char *text)
{
	int n = append(buf, len, 0, "MESSAGE=%s\nPRIORITY=%d\nSYSLOG_IDENTIFIER=vgpu-viewer\n"
		       "VGPU_MODULE=%s\n", text, (int)level, module);

	if (file)
		n = append(buf, len, n, "CODE_FILE=%s\nCODE_LINE=%d\n", file, line);
	for (int i = 0; i < MAX_FIELDS; i++)
		if (fields[i].name[0])
			n = append(buf, len, n, "%s=%s\n", fields[i].name, fields[i].value);
	return n;
}

/* One journal entry, a field a line; false when the journal would not take it. */
static bool send_journal(enum log_level level, const char *module, const char *file, int line,
			 const char *text)
{
	char buf[2048];
	struct iovec iov[MAX_FIELDS + 8];
	int n = log_format_fields(buf, sizeof(buf), level, module, file, line, text), k = 0;
	char *p = buf;

	if (n < 0 || (size_t)n >= sizeof(buf))
		return false;
	while (*p && k < (int)(sizeof(iov) / sizeof(iov[0]))) {
		char *nl = strchr(p, '\n');

		iov[k].iov_base = p;
		iov[k].iov_len = (size_t)(nl - p);
		k++;
		p = nl + 1;
	}
	return journal_send && journal_send(iov, k) == 0;
}

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

	if (use_journal) {
		/* The message without "module: ", which is a field of its own. */
		const char *msg = text + strlen(module) + 2;

		if (send_journal(level, module, file, line, msg))
			return;
	}
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

int log_errno(enum log_level level, const char *module, int errnum, const char *fmt, ...)
{
	int err = errnum < 0 ? -errnum : errnum;
	va_list ap;

	va_start(ap, fmt);
	vlog(level, module, NULL, 0, strerror(err), fmt, ap);
	va_end(ap);
	return -err;
}
