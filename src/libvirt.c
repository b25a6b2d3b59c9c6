// SPDX-License-Identifier: MIT
/* Finding a libvirt VM's QEMU and mdev; see libvirt.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvirt.h"

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

/* The file at @path, NUL-terminated, at most @max bytes; NULL with errno set. */
static char *read_file(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int err;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		n = fread(buf, 1, max, f);
		buf[n] = '\0';
		if (ferror(f)) {
			err = errno;
			free(buf);
			buf = NULL;
			errno = err;
		}
	}
	fclose(f);
	return buf;
}

/* @dir/@name@suffix into @buf; false (and ENAMETOOLONG) when it does not fit. */
static bool path_of(char *buf, size_t len, const char *dir, const char *name, const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s%s", dir, name, suffix);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return false;
	}
	return true;
}

static bool is_root(void)
{
	return geteuid() == 0;
}

int libvirt_dirs(const char *uri, bool session, struct libvirt_dirs *ret)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *conf = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	*ret = (struct libvirt_dirs){ 0 };
	if (uri && !strcmp(uri, "qemu:///system"))
		session = false;
	else if (uri && !strcmp(uri, "qemu:///session"))
		session = true;
	else if (uri)
		return -EINVAL;
	if (!session) {
		ret->uri = "qemu:///system";
		snprintf(ret->run, sizeof(ret->run), "/run/libvirt/qemu");
		snprintf(ret->conf, sizeof(ret->conf), "/etc/libvirt/qemu");
		return 0;
	}
	/* libvirt's own rules for the session daemon's directories. */
	ret->uri = "qemu:///session";
	if (!run || !*run || (conf && *conf ? false : !home || !*home))
		return -ENOENT;
	snprintf(ret->run, sizeof(ret->run), "%s/libvirt/qemu/run", run);
	if (conf && *conf)
		snprintf(ret->conf, sizeof(ret->conf), "%s/libvirt/qemu", conf);
	else
		snprintf(ret->conf, sizeof(ret->conf), "%s/.config/libvirt/qemu", home);
	return 0;
}

int libvirt_resolve_in(const struct libvirt_dirs *d, const char *name, pid_t *ret_pid,
		       char *ret_uuid, char *why, size_t len)
{
	char path[PATH_MAX], *text, *end;
	long pid;
	int ret;

	if (!path_of(path, sizeof(path), d->run, name, ".pid"))
		goto err_path;
	text = read_file(path, 64);
	if (!text && errno == ENOENT) {
		/* Not running; or not there at all, which is another answer. */
		if (d->conf[0] && path_of(path, sizeof(path), d->conf, name, ".xml") &&
		    (access(path, F_OK) == 0 || errno == EACCES)) {
			snprintf(why, len, "VM %s (%s) is not running%s", name, d->uri,
				 errno == EACCES ? " (or not defined: its definitions are root's)" :
						   "");
			return -ESRCH;
		}
		if (d->conf[0])
			snprintf(why, len, "no VM %s in %s (%s has no %s.xml)", name, d->uri, d->conf,
				 name);
		else
			snprintf(why, len, "no VM %s running in %s (no %s.pid)", name, d->run, name);
		return d->conf[0] ? -ENOENT : -ESRCH;
	}
	if (!text)
		goto err_path;
	pid = strtol(text, &end, 10);
	if (pid <= 0 || pid > INT_MAX || (*end && *end != '\n')) {
		free(text);
		snprintf(why, len, "VM %s: %s holds no pid", name, path);
		return -ESRCH;
	}
	free(text);

	if (!path_of(path, sizeof(path), d->run, name, ".xml"))
		goto err_path;
	text = read_file(path, 1 << 20);
	if (!text)
		goto err_path;
	ret = libvirt_mdev_uuid(text, ret_uuid);
	free(text);
	if (ret) {
		snprintf(why, len, "VM %s has no mdev <hostdev> (%s)", name, path);
		return -ENODEV;
	}
	*ret_pid = (pid_t)pid;
	return 0;

err_path:
	ret = -errno;
	if (ret == -EACCES)
		snprintf(why, len, "cannot read %s: %s (libvirt lets root alone read it)", path,
			 strerror(-ret));
	else
		snprintf(why, len, "cannot read %s: %s", path, strerror(-ret));
	return ret;
}

int libvirt_resolve(const char *uri, const char *dir, const char *name, pid_t *ret_pid,
		    char *ret_uuid, char *why, size_t len)
{
	struct libvirt_dirs d;
	int ret;

	if (dir) {	/* --libvirt-dir: that directory alone */
		d = (struct libvirt_dirs){ .uri = "--libvirt-dir" };
		snprintf(d.run, sizeof(d.run), "%s", dir);
		ret = libvirt_resolve_in(&d, name, ret_pid, ret_uuid, why, len);
		return ret == -ENOENT ? -ENODEV : ret;
	}
	if (!uri)
		uri = getenv("LIBVIRT_DEFAULT_URI");
	if (uri && *uri) {
		ret = libvirt_dirs(uri, false, &d);
		if (ret) {
			snprintf(why, len, "%s: %s", uri, ret == -EINVAL ?
				 "only qemu:///system and qemu:///session are local QEMU" :
				 "no session directories ($XDG_RUNTIME_DIR or $HOME is not set)");
			return ret == -EINVAL ? -EINVAL : -ENODEV;
		}
		ret = libvirt_resolve_in(&d, name, ret_pid, ret_uuid, why, len);
		return ret == -ENOENT ? -ENODEV : ret;
	}
	/*
	 * As virsh: root means the system daemon, anyone else their session
	 * daemon; but a user's VM may be the system's too (virt-manager's
	 * default), so a VM not found in the session is looked for there.
	 */
	if (!is_root() && libvirt_dirs(NULL, true, &d) == 0) {
		ret = libvirt_resolve_in(&d, name, ret_pid, ret_uuid, why, len);
		if (ret != -ENOENT)
			return ret;
		libvirt_dirs(NULL, false, &d);
		ret = libvirt_resolve_in(&d, name, ret_pid, ret_uuid, why, len);
		if (ret == -ENOENT)
			snprintf(why, len, "no VM %s in qemu:///session or qemu:///system", name);
	} else {
		libvirt_dirs(NULL, false, &d);
		ret = libvirt_resolve_in(&d, name, ret_pid, ret_uuid, why, len);
	}
	return ret == -ENOENT ? -ENODEV : ret;
}
