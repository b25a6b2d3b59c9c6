// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"

int cmdline_read(pid_t pid, struct cmdline *ret)
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(ret->buf) - 1 &&
	       (n = read(fd, ret->buf + len, sizeof(ret->buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	ret->buf[len] = '\0';
	ret->argc = 0;
	for (char *p = ret->buf; p < ret->buf + len && ret->argc < CMDLINE_MAX_ARGS;
	     p += strlen(p) + 1)
		ret->argv[ret->argc++] = p;
	return 0;
}

bool cmdline_is_opt(const char *arg, const char *name)
{
	if (arg[0] == '-' && arg[1] == '-')
		arg++;
	return arg[0] == '-' && !strcmp(arg + 1, name);
}
