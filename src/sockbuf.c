// SPDX-License-Identifier: MIT
/* A non-blocking socket's output queue; see sockbuf.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockbuf.h"

/* "HOST:PORT" (IPv4, or [IPv6]) into @ss; false when it is not one. */
static bool tcp_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(addr, ':');
	char host[64];
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return false;
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535)
		return false;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return inet_pton(AF_INET6, host + 1, &in6->sin6_addr) == 1;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*len = sizeof(*in4);
	return inet_pton(AF_INET, host, &in4->sin_addr) == 1;
}

bool sockbuf_addr_valid(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (addr[0] == '/')
		return strlen(addr) < sizeof(((struct sockaddr_un *)0)->sun_path);
	return tcp_addr(addr, &ss, &len);
}

int sockbuf_connect(struct sockbuf *b, const char *addr)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *un = (struct sockaddr_un *)&ss;
	socklen_t len = sizeof(*un);
	int one = 1;

	*b = (struct sockbuf){ .fd = -1 };
	if (addr[0] == '/') {
		if (strlen(addr) >= sizeof(un->sun_path))
			return -ENAMETOOLONG;
		memset(un, 0, sizeof(*un));
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, addr, strlen(addr) + 1);
	} else if (!tcp_addr(addr, &ss, &len)) {
		return -EINVAL;
	}
	b->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->fd < 0)
		return -errno;
	/* Input is latency, not throughput: no Nagle. */
	if (ss.ss_family != AF_UNIX)
		setsockopt(b->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(b->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		int err = -errno;

		sockbuf_close(b);
		return err;
	}
	return 0;
}

void sockbuf_close(struct sockbuf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->out);
	*b = (struct sockbuf){ .fd = -1 };
}

static int reserve(struct sockbuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->len + more > SOCKBUF_MAX)
		return -ENOBUFS;
	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	if (cap > SOCKBUF_MAX)
		cap = SOCKBUF_MAX;
	p = realloc(b->out, cap);
	if (!p)
		return -ENOMEM;
	b->out = p;
	b->cap = cap;
	return 0;
}

int sockbuf_put(struct sockbuf *b, const void *data, size_t len)
{
	int ret = reserve(b, len);

	if (ret)
		return ret;
	memcpy(b->out + b->len, data, len);
	b->len += len;
	return 0;
}

int sockbuf_printf(struct sockbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	ret = reserve(b, (size_t)n + 1);
	if (ret)
		return ret;
	va_start(ap, fmt);
	vsnprintf(b->out + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int sockbuf_flush(struct sockbuf *b)
{
	while (b->len) {
		ssize_t n = send(b->fd, b->out, b->len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ENOTCONN)
				return 0;
			return -errno;
		}
		b->len -= (size_t)n;
		memmove(b->out, b->out + n, b->len);
	}
	return 0;
}
