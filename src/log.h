/* SPDX-License-Identifier: MIT */
#ifndef VGPU_VIEWER_LOG_H
#define VGPU_VIEWER_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARN = 4,
	LOG_LEVEL_NOTICE = 5,	/* shown by default: what the user should know, no fault */
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DBG = 7,
};

/*
 * Set the most verbose level that is written.  Messages go to stderr; when
 * @syslog_prefix is true each line starts with sd-daemon(3)'s "<N>" so that
 * journald keeps the level.
 */
void log_init(enum log_level max_level, bool syslog_prefix);

/*
 * Under systemd ($JOURNAL_STREAM names stderr) lines go to the journal as
 * structured entries instead: MESSAGE, PRIORITY, CODE_FILE/CODE_LINE,
 * VGPU_MODULE and the context fields below.  Elsewhere, stderr.
 */
void log_use_journal(bool on);
bool log_journal_in_use(void);

/* Whether stderr is the journal stream $JOURNAL_STREAM names (systemd.exec(5)). */
bool log_stderr_is_journal(void);

/*
 * Where journal entries go: sd_journal_sendv() unless replaced (tests catch
 * entries here; NULL restores it).  A sender returns 0 or -errno; an entry
 * the journal does not take is written to stderr instead.
 */
struct iovec;
typedef int (*log_journal_sender)(const struct iovec *iov, int n);
void log_set_journal_sender(log_journal_sender send);

/*
 * A field every following entry carries until it is cleared (@value NULL):
 * "VM", "MDEV", "DMABUF_ID", "FOURCC".  Up to 8 fields.
 */
void log_set_field(const char *name, const char *value);

/*
 * The entry's fields as "NAME=value" lines into @buf (for the journal, and
 * tests); returns the length, or the length needed when it is >= @len.
 */
int log_format_fields(char *buf, size_t len, enum log_level level, const char *module,
		      const char *file, int line, const char *text);

/* Writes one line at @level, prefixed with "module: ". */
void log_msg(enum log_level level, const char *module, const char *file, int line,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Like log_msg(), with ": strerror(errnum)" appended; @errnum may be
 * negative.  Returns -|errnum|, so that "return LOG_ERRNO(errno, ...);"
 * returns the errno of the failure, not one that writing the line left.
 */
int log_errno(enum log_level level, const char *module, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#ifndef LOG_MODULE
#error "define LOG_MODULE before including log.h"
#endif

#define LOG_ERR(...) log_msg(LOG_LEVEL_ERR, LOG_MODULE, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_WARN(...) log_msg(LOG_LEVEL_WARN, LOG_MODULE, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_NOTICE(...) log_msg(LOG_LEVEL_NOTICE, LOG_MODULE, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_INFO(...) log_msg(LOG_LEVEL_INFO, LOG_MODULE, __FILE__, __LINE__, __VA_ARGS__)
#define LOG_ERRNO(errnum, ...) log_errno(LOG_LEVEL_ERR, LOG_MODULE, (errnum), __VA_ARGS__)
/* Filtered at run time, as the others: -vv and --debug turn it on. */
#define LOG_DBG(...) log_msg(LOG_LEVEL_DBG, LOG_MODULE, __FILE__, __LINE__, __VA_ARGS__)

#endif
