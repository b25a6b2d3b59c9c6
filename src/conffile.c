// SPDX-License-Identifier: MIT
/* Configuration files; see conffile.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "conffile.h"

struct ctx {
	FILE *f;
	const char *path;
	conffile_fn fn;
	void *data;
	conffile_complain_fn complain;
	int line;		/* of the line inih read last */
	int fail_line;		/* of the first key refused, 0: none */
	FILE *msg;		/* its message */
};

/* inih's line reader: fgets, counting lines so that errors can say where. */
static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	char *ret = fgets(str, num, c->f);

	if (ret)
		c->line++;
	return ret;
}

/*
 * @raw as vgpu-viewer(1) describes values: white space around it goes, a
 * '#' or ';' after white space starts a comment, and one pair of quotes
 * around it ("VM #1", '') keeps what is inside as it is.  NULL when a
 * quote is not closed or text follows it.
 */
static const char *value_of(const char *raw, char *buf, size_t len)
{
	const char *p = raw, *end;
	size_t n;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '"' || *p == '\'') {
		end = strchr(p + 1, *p);
		if (!end)
			return NULL;
		for (const char *rest = end + 1; *rest; rest++) {
			if (*rest == '#' || *rest == ';')
				break;
			if (!isspace((unsigned char)*rest))
				return NULL;	/* "x"y */
		}
		p++;
	} else {
		for (end = p; *end; end++)
			if ((*end == '#' || *end == ';') && end > p && isspace((unsigned char)end[-1]))
				break;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
	}
	n = (size_t)(end - p);
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

static int handler(void *user, const char *section, const char *key, const char *raw)
{
	struct ctx *c = user;
	char where[PATH_MAX + 16], buf[4096], what[128];
	const char *value = value_of(raw, buf, sizeof(buf));

	if (c->fail_line)
		return 0;	/* only the first fault is reported */
	snprintf(where, sizeof(where), "%s:%d", c->path, c->line);
	if (!value) {
		snprintf(what, sizeof(what), "%s: a quote is not closed, or text follows it", key);
		c->complain(c->msg, where, what);
		c->fail_line = c->line;
	} else if (c->fn(c->data, where, section, key, value, c->msg)) {
		c->fail_line = c->line;
	}
	return !c->fail_line;
}

int conffile_read(const char *path, conffile_fn fn, void *data, FILE *err,
		  conffile_complain_fn complain)
{
	struct ctx c = { .path = path, .fn = fn, .data = data, .complain = complain };
	char where[PATH_MAX + 16], what[PATH_MAX + 64], *msg = NULL;
	size_t msg_len = 0;
	struct stat st;
	int line;

	c.f = fopen(path, "re");
	if (!c.f && errno == ENOENT)
		return -ENOENT;
	if (!c.f || (fstat(fileno(c.f), &st) == 0 && S_ISDIR(st.st_mode))) {
		snprintf(what, sizeof(what), c.f ? "%s is a directory, not a configuration file" :
			 "cannot read %s: %s", path, strerror(errno));
		complain(err, path, what);
		if (c.f)
			fclose(c.f);
		return -EINVAL;
	}
	c.msg = open_memstream(&msg, &msg_len);
	if (!c.msg) {
		fclose(c.f);
		complain(err, path, "out of memory");
		return -EINVAL;
	}
	line = ini_parse_stream(reader, &c, handler, &c);
	fclose(c.msg);
	fclose(c.f);

	if (line && (!c.fail_line || line < c.fail_line)) {
		/* inih's own complaint: a line that is neither [section] nor key = value. */
		snprintf(where, sizeof(where), "%s:%d", path, line);
		complain(err, where, "expected 'key = value' or '[section]'");
	} else if (c.fail_line) {
		fputs(msg, err);
	}
	free(msg);
	return line || c.fail_line ? -EINVAL : 0;
}
