// SPDX-License-Identifier: MIT
/* Finding a libvirt VM's QEMU and mdev; see libvirt.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MODULE "libvirt"
#include "libvirt.h"
#include "log.h"

/* The value of attribute @name in the tag that starts at @tag and ends at @end. */
static const char *attr(const char *tag, const char *end, const char *name, size_t *ret_len)
{
	size_t n = strlen(name);

	for (const char *p = tag; p + n + 2 < end; p++) {
		char q;
		const char *v, *close;

		if (strncmp(p, name, n) || !isspace((unsigned char)p[-1]) || p[n] != '=')
			continue;
		q = p[n + 1];
		if (q != '\'' && q != '"')
			continue;
		v = p + n + 2;
		close = memchr(v, q, (size_t)(end - v));
		if (!close)
			return NULL;
		*ret_len = (size_t)(close - v);
		return v;
	}
	return NULL;
}

int libvirt_mdev_uuid(const char *xml, char *ret)
{
	for (const char *h = strstr(xml, "<hostdev"); h; h = strstr(h + 1, "<hostdev")) {
		const char *tag_end = strchr(h, '>');
		const char *body_end = strstr(h, "</hostdev>");
		const char *type, *a, *v;
		size_t len;

		if (!tag_end || !body_end)
			break;
		type = attr(h, tag_end, "type", &len);
		if (!type || len != 4 || strncmp(type, "mdev", 4))
			continue;
		for (a = strstr(tag_end, "<address"); a && a < body_end; a = strstr(a + 1, "<address")) {
			const char *a_end = strchr(a, '>');

			v = a_end ? attr(a, a_end, "uuid", &len) : NULL;
			if (v && len == MDEV_UUID_LEN) {
				memcpy(ret, v, len);
				ret[len] = '\0';
				if (mdev_uuid_valid(ret))
					return 0;
			}
		}
	}
	return -ENOENT;
}

static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		n = fread(buf, 1, max, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

int libvirt_resolve(const char *dir, const char *name, pid_t *ret_pid, char *ret_uuid)
{
	char path[PATH_MAX], *text, *end;
	long pid;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
	text = read_file(path, 64);
	pid = text ? strtol(text, &end, 10) : 0;
	if (!text || pid <= 0 || pid > INT_MAX || (*end && *end != '\n')) {
		free(text);
		LOG_ERR("VM %s is not running (no pid in %s)", name, path);
		return -ESRCH;
	}
	free(text);

	snprintf(path, sizeof(path), "%s/%s.xml", dir, name);
	text = read_file(path, 1 << 20);
	ret = text ? libvirt_mdev_uuid(text, ret_uuid) : -ENOENT;
	free(text);
	if (ret) {
		LOG_ERR("VM %s has no mdev <hostdev> in %s", name, path);
		return -ENODEV;
	}
	*ret_pid = (pid_t)pid;
	return 0;
}
