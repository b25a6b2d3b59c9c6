// SPDX-License-Identifier: MIT
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_MODULE "attacher"
#include "attacher.h"
#include "log.h"
#include "privs.h"

/* Attaching reads two small files and makes a few system calls. */
#define ANSWER_MS 10000

struct attacher {
	pid_t pid;
	int sock;
};

/* What goes back with the fds. */
struct wire {
	int32_t err;
	uint8_t has_device, has_pidfd;
	char uuid[MDEV_UUID_LEN + 1];
	char why[320];
};

static int send_result(int sock, const struct attacher_result *r)
{
	struct wire w = { .err = r->err, .has_device = r->device_fd >= 0,
			  .has_pidfd = r->vmm_pidfd >= 0 };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &w, .iov_len = sizeof(w) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[2], n = 0;

	memcpy(w.uuid, r->uuid, sizeof(w.uuid));
	memcpy(w.why, r->why, sizeof(w.why));
	if (r->device_fd >= 0)
		fds[n++] = r->device_fd;
	if (r->vmm_pidfd >= 0)
		fds[n++] = r->vmm_pidfd;
	if (n) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(w) ? 0 : -errno;
}

static _Noreturn void serve(int sock, attacher_fn fn, void *data, unsigned long long keep)
{
	sigset_t none;

	/* Stopping the service signals the whole cgroup: this one just ends. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "vgpu-attacher");
	if (privs_drop(keep) < 0)
		_exit(1);
	for (;;) {
		struct attacher_result r = { .device_fd = -1, .vmm_pidfd = -1 };
		struct vfio_dev *dev;
		char req;

		if (read(sock, &req, 1) != 1)
			_exit(0);	/* the service is gone */
		dev = fn(data, &r);
		if (dev) {
			r.device_fd = vfio_dev_fd(dev);
			r.vmm_pidfd = vfio_dev_vmm_pidfd(dev);
		}
		if (send_result(sock, &r))
			_exit(0);
		/* The service has its own copies now; ours go. */
		vfio_dev_destroy(dev);
	}
}

struct attacher *attacher_start(attacher_fn fn, void *data, unsigned long long keep)
{
	struct attacher *a = calloc(1, sizeof(*a));
	int sv[2];

	if (!a)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		LOG_ERRNO(errno, "socketpair");
		free(a);
		return NULL;
	}
	/* Whatever is buffered would be written twice. */
	fflush(NULL);
	a->pid = fork();
	if (a->pid < 0) {
		LOG_ERRNO(errno, "cannot start the attacher");
		close(sv[0]);
		close(sv[1]);
		free(a);
		return NULL;
	}
	if (a->pid == 0) {
		close(sv[0]);
		serve(sv[1], fn, data, keep);
	}
	close(sv[1]);
	a->sock = sv[0];
	LOG_INFO("the attacher is pid %d", (int)a->pid);
	return a;
}

static int receive_result(int sock, struct attacher_result *r)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct wire w;
	struct iovec iov = { .iov_base = &w, .iov_len = sizeof(w) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fds[2] = { -1, -1 }, n = 0;
	ssize_t len = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

	if (len < 0)
		return -errno;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(c), (size_t)(n > 2 ? 2 : n) * sizeof(int));
	}
	if (len != (ssize_t)sizeof(w) || n != w.has_device + w.has_pidfd ||
	    (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return len == 0 ? -EPIPE : -EPROTO;
	}
	r->err = w.err;
	r->device_fd = w.has_device ? fds[0] : -1;
	r->vmm_pidfd = w.has_pidfd ? fds[w.has_device] : -1;
	memcpy(r->uuid, w.uuid, sizeof(r->uuid));
	r->uuid[sizeof(r->uuid) - 1] = '\0';
	memcpy(r->why, w.why, sizeof(r->why));
	r->why[sizeof(r->why) - 1] = '\0';
	return 0;
}

int attacher_attach(struct attacher *a, struct attacher_result *r)
{
	struct pollfd pfd = { .fd = a->sock, .events = POLLIN };
	int ret;

	*r = (struct attacher_result){ .device_fd = -1, .vmm_pidfd = -1 };
	if (write(a->sock, "a", 1) != 1) {
		ret = -errno;
		goto fail;
	}
	ret = poll(&pfd, 1, ANSWER_MS);
	if (ret <= 0) {
		ret = ret ? -errno : -ETIMEDOUT;
		goto fail;
	}
	ret = receive_result(a->sock, r);
	if (ret)
		goto fail;
	return r->err;
fail:
	LOG_ERRNO(ret, "the attacher (pid %d) did not answer", (int)a->pid);
	r->err = ret;
	snprintf(r->why, sizeof(r->why), "the attacher did not answer");
	return ret;
}

pid_t attacher_pid(const struct attacher *a)
{
	return a->pid;
}

void attacher_stop(struct attacher *a)
{
	if (!a)
		return;
	close(a->sock);		/* it reads end-of-file and exits */
	while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(a);
}
