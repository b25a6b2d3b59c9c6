// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_MODULE "vfio_dev"
#include "log.h"
#include "vfio_dev.h"

struct vfio_dev {
	int device;
	int vmm_pidfd;
	int container, group;	/* only when the viewer owns the device */
	char uuid[MDEV_UUID_LEN + 1];
	enum plane_kind kind;
	uint32_t num_irqs;
	struct {
		uint32_t index;
		size_t size;
		void *map;
	} region;
};

int vfio_dev_mdev_group(const char *uuid)
{
	char path[PATH_MAX], target[PATH_MAX], *end;
	const char *base;
	ssize_t n;
	long g;

	if (!mdev_uuid_valid(uuid))
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", uuid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	g = strtol(base, &end, 10);
	if (*end || g < 0 || g > INT_MAX)
		return -EINVAL;
	return (int)g;
}

/* "/dev/vfio/N" -> N, or -1. */
static int group_of_link(const char *link)
{
	const char *p = link + strlen("/dev/vfio/");
	char *end;
	long g;

	if (strncmp(link, "/dev/vfio/", strlen("/dev/vfio/")) || !isdigit((unsigned char)*p))
		return -1;
	g = strtol(p, &end, 10);
	return *end || g > INT_MAX ? -1 : (int)g;
}

/* "/dev/vfio/devices/vfioN" (a vfio cdev, iommufd VMMs) -> N, or -1. */
static int cdev_of_link(const char *link)
{
	static const char prefix[] = "/dev/vfio/devices/vfio";
	const char *p = link + sizeof(prefix) - 1;
	char *end;
	long n;

	if (strncmp(link, prefix, sizeof(prefix) - 1) || !isdigit((unsigned char)*p))
		return -1;
	n = strtol(p, &end, 10);
	return *end || n > INT_MAX ? -1 : (int)n;
}

/* The mdev whose vfio cdev is vfio@n, into @ret; 0 or -ENODEV (no mdev). */
static int mdev_of_cdev(int n, char *ret)
{
	char path[64], target[PATH_MAX];
	const char *base;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/class/vfio-dev/vfio%d/device", n);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return -ENODEV;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!mdev_uuid_valid(base))
		return -ENODEV;
	memcpy(ret, base, MDEV_UUID_LEN + 1);
	return 0;
}

/* The number N of the mdev's vfio cdev (/dev/vfio/devices/vfioN), or -1. */
static int cdev_of_mdev(const char *uuid)
{
	char path[96];
	struct dirent *de;
	int n = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/vfio-dev", uuid);
	d = opendir(path);
	while (d && (de = readdir(d)) && n < 0)
		if (!strncmp(de->d_name, "vfio", 4) && isdigit((unsigned char)de->d_name[4]))
			n = atoi(de->d_name + 4);
	if (d)
		closedir(d);
	return n;
}

/* What /proc/PID/fdinfo says of an fd: where its file is. */
struct file_id {
	int mnt;
	unsigned long ino;
};

/* fdinfo entry @name in the directory @dir: its mount id and inode; 0 or -1. */
static int fdinfo_file_id(int dir, const char *name, struct file_id *id)
{
	char buf[256], *line, *save = NULL;
	bool mnt = false, ino = false;
	ssize_t n;
	int fd;

	fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* pos, flags, mnt_id and ino come first; a file's own lines follow. */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		mnt = mnt || sscanf(line, "mnt_id: %d", &id->mnt) == 1;
		ino = ino || sscanf(line, "ino: %lu", &id->ino) == 1;
	}
	return mnt && ino ? 0 : -1;
}

/* The file id of the node at @path, as a holder's fdinfo would show it. */
static int node_file_id(const char *path, struct file_id *id)
{
	char info[64];
	int fd, ret;

	/* O_PATH: a group a VMM holds says EBUSY to a real open. */
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
	ret = fdinfo_file_id(AT_FDCWD, info, id);
	close(fd);
	return ret;
}

/*
 * Whether @pid has the group or the cdev (@nodes) open.  By name, one
 * readlink an fd, where /proc/PID/fd is ours to list; where it is not (its
 * owner's alone), by fdinfo's mount id and inode, which ptrace rights let
 * us read.  This runs every RETRY_MS while --reconnect waits.
 */
static bool pid_holds(pid_t pid, int group, int cdev, const struct file_id *nodes, int n)
{
	bool by_name = true, found = false;
	struct dirent *de;
	char path[64];
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d && errno == EACCES) {
		by_name = false;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
		d = opendir(path);
	}
	while (d && !found && (de = readdir(d))) {
		char link[64];
		struct file_id id;
		ssize_t len;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (by_name) {
			len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			found = (group >= 0 && group_of_link(link) == group) ||
				(cdev >= 0 && cdev_of_link(link) == cdev);
		} else if (fdinfo_file_id(dirfd(d), de->d_name, &id) == 0) {
			for (int i = 0; i < n; i++)
				found = found || (id.mnt == nodes[i].mnt && id.ino == nodes[i].ino);
		}
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Which process has the mdev's group or cdev open.  /proc/PID/fd is its
 * owner's alone, and the system units' root has CAP_SYS_PTRACE, not
 * CAP_DAC_READ_SEARCH, while libvirt runs QEMU as a user of its own: such
 * a process is matched through fdinfo instead (pid_holds()).
 */
pid_t vfio_dev_find_holder(const char *uuid)
{
	int group = vfio_dev_mdev_group(uuid), cdev = cdev_of_mdev(uuid), n = 0;
	struct file_id nodes[2];
	pid_t self = getpid(), found = -ENOENT;
	struct dirent *de;
	char path[64];
	DIR *proc;

	if (group >= 0) {
		snprintf(path, sizeof(path), "/dev/vfio/%d", group);
		n += node_file_id(path, &nodes[n]) == 0;
	}
	if (cdev >= 0) {
		snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", cdev);
		n += node_file_id(path, &nodes[n]) == 0;
	}
	if (!n)
		return -ENODEV;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (found < 0 && (de = readdir(proc))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid > 0 && pid != self && pid_holds(pid, group, cdev, nodes, n))
			found = pid;
	}
	closedir(proc);
	return found;
}

static void process_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* The mdevs in IOMMU group @group: up to @max UUIDs into @ret; returns how many. */
static int group_mdevs(int group, char (*ret)[MDEV_UUID_LEN + 1], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices", group);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!mdev_uuid_valid(de->d_name) || vfio_dev_mdev_group(de->d_name) != group)
			continue;
		if (n < max)
			memcpy(ret[n], de->d_name, MDEV_UUID_LEN + 1);
		n++;
	}
	closedir(d);
	return n;
}

/* The kind of plane device @fd offers, or -ENOTSUP. */
static int display_kind(int fd, enum plane_kind *ret)
{
	static const enum plane_kind kinds[] = { PLANE_DMABUF, PLANE_REGION };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct vfio_device_gfx_plane_info p = {
			.argsz = sizeof(p),
			.flags = VFIO_GFX_PLANE_TYPE_PROBE | kinds[i],
		};

		if (!ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p)) {
			*ret = kinds[i];
			return 0;
		}
	}
	return -ENOTSUP;
}

static int no_ptrace(pid_t pid)
{
	LOG_ERR("no permission to take fds from pid %d: needs CAP_SYS_PTRACE (or the same uid "
		"and kernel.yama.ptrace_scope 0)", pid);
	return -EPERM;
}

/*
 * A VMM that opened the device through iommufd/cdev holds no group: take
 * its vfio device fd.  Before Linux 6.18 fdinfo does not name the device, so
 * with several candidates the one with a display is taken, if it is alone.
 */
static int borrow_device_fd(int pidfd, pid_t pid, const int *fds, int n, const char *uuid)
{
	int found = -ENODEV, matches = 0;

	for (int i = 0; i < n; i++) {
		struct vfio_device_info info = { .argsz = sizeof(info) };
		char path[64], line[PATH_MAX];
		enum plane_kind kind;
		bool named = false, other = false;
		FILE *f;
		int fd = pidfd_getfd(pidfd, fds[i], 0);

		if (fd < 0)
			return errno == EPERM ? no_ptrace(pid) : -errno;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fds[i]);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "vfio-device-syspath:", 20) && uuid) {
				named = strstr(line, uuid) != NULL;
				other = !named;
			}
		}
		if (f)
			fclose(f);

		if (other || ioctl(fd, VFIO_DEVICE_GET_INFO, &info) || display_kind(fd, &kind)) {
			close(fd);
			continue;
		}
		if (named) {
			if (found >= 0)
				close(found);
			return fd;
		}
		matches++;
		if (found >= 0)
			close(found);
		found = fd;
	}
	if (matches > 1) {
		close(found);
		LOG_ERR("pid %d holds %d vfio display devices; the kernel cannot say which is "
			"which before Linux 6.18: pass the device with --device-fd or --fd-socket",
			pid, matches);
		return -EINVAL;
	}
	return found;
}

/*
 * The VMM's fds, each as its number and what it is: the link /proc shows.
 * /proc/PID/fd says both, but that directory is its owner's (and DAC
 * overriders'): the system units' root holds CAP_SYS_PTRACE alone, and QEMU
 * under libvirt runs as a user of its own.  /proc/PID/fdinfo may be listed
 * with ptrace rights alone: there, the numbers, and each fd is named by a
 * copy of our own (pidfd_getfd, closed at once).  Sockets are not copied:
 * receiving one makes it ours in cgroup v1's net_cls and netprio.
 */
struct fd_walk {
	DIR *dir;
	pid_t pid;
	int pidfd;
	bool by_copy;
	int sock_mnt;		/* sockfs's mount id, when by_copy; or -1 */
};

/* The mount id fdinfo gives for @pid's @fd, or -1. */
static int fdinfo_mnt_id(pid_t pid, int fd)
{
	struct file_id id;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	return fdinfo_file_id(AT_FDCWD, path, &id) ? -1 : id.mnt;
}

static int sockfs_mnt_id(void)
{
	int sv[2], id;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	id = fdinfo_mnt_id(getpid(), sv[0]);
	close(sv[0]);
	close(sv[1]);
	return id;
}

static int fd_walk_open(struct fd_walk *w, pid_t pid, int pidfd)
{
	char path[64];

	*w = (struct fd_walk){ .pid = pid, .pidfd = pidfd, .sock_mnt = -1 };
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	w->dir = opendir(path);
	if (!w->dir && errno == EACCES) {
		LOG_DBG("%s: not ours to read; naming pid %d's fds by copies", path, pid);
		snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
		w->dir = opendir(path);
		if (w->dir) {
			w->by_copy = true;
			w->sock_mnt = sockfs_mnt_id();
		}
	}
	if (!w->dir)
		return errno == EACCES ? no_ptrace(pid) : errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

/* The next fd's number, with its link in @link; -1 at the end. */
static int fd_walk_next(struct fd_walk *w, char *link, size_t size)
{
	struct dirent *de;

	while ((de = readdir(w->dir))) {
		char self[64];
		ssize_t n;
		int fd, copy;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		if (!w->by_copy) {
			n = readlinkat(dirfd(w->dir), de->d_name, link, size - 1);
		} else {
			if (w->sock_mnt >= 0 && fdinfo_mnt_id(w->pid, fd) == w->sock_mnt)
				continue;
			copy = pidfd_getfd(w->pidfd, fd, 0);
			if (copy < 0)
				continue;
			snprintf(self, sizeof(self), "/proc/self/fd/%d", copy);
			n = readlink(self, link, size - 1);
			close(copy);
		}
		if (n <= 0)
			continue;
		link[n] = '\0';
		return fd;
	}
	return -1;
}

static int attach_pid(struct vfio_dev *dev, pid_t pid, const char *uuid, bool waiting)
{
	char link[64], names[4][MDEV_UUID_LEN + 1], cdev_uuid[MDEV_UUID_LEN + 1];
	int group = -1, group_fd = -1, n_groups = 0, n_dev = 0, dev_fds[16];
	int cdev_fd = -1, n_cdevs = 0;
	struct fd_walk w;
	int fd, num, ret;

	dev->vmm_pidfd = pidfd_open(pid, 0);
	if (dev->vmm_pidfd < 0) {
		LOG_ERR("no process %d: %s", pid, strerror(errno));
		return errno == ESRCH ? -ESRCH : -errno;
	}
	if (uuid) {
		group = vfio_dev_mdev_group(uuid);
		if (group < 0) {
			LOG_ERR("no mdev %s", uuid);
			return -ENODEV;
		}
	}

	ret = fd_walk_open(&w, pid, dev->vmm_pidfd);
	if (ret)
		return ret;
	while ((num = fd_walk_next(&w, link, sizeof(link))) >= 0) {
		int g = group_of_link(link);

		if (g >= 0 && uuid) {
			if (g == group)
				group_fd = num;
		} else if (g >= 0) {
			/* No --mdev: any group with an mdev, if there is just one. */
			int k = group_mdevs(g, names, 4);

			if (k > 0) {
				memcpy(dev->uuid, names[0], sizeof(dev->uuid));
				group_fd = num;
				group = g;
			}
			n_groups += k;
		} else if (!strcmp(link, "anon_inode:[vfio-device]") && n_dev < 16) {
			dev_fds[n_dev++] = num;
		} else if ((g = cdev_of_link(link)) >= 0 && mdev_of_cdev(g, cdev_uuid) == 0 &&
			   (!uuid || !strcmp(cdev_uuid, uuid))) {
			/*
			 * iommufd/cdev (QEMU >= 8.2 with -object iommufd): the
			 * device's own node, which sysfs says is which mdev.
			 */
			if (!uuid)
				memcpy(dev->uuid, cdev_uuid, sizeof(dev->uuid));
			cdev_fd = num;
			n_cdevs++;
		}
	}
	closedir(w.dir);

	if (!uuid && n_groups + n_cdevs > 1) {
		LOG_ERR("pid %d holds %d mdevs: name one with --mdev UUID", pid,
			n_groups + n_cdevs);
		return -EINVAL;
	}
	if (uuid)
		snprintf(dev->uuid, sizeof(dev->uuid), "%s", uuid);

	if (group_fd >= 0) {
		fd = pidfd_getfd(dev->vmm_pidfd, group_fd, 0);
		if (fd < 0)
			return errno == EPERM ? no_ptrace(pid) : -errno;
		dev->device = ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, dev->uuid);
		ret = dev->device < 0 ? -errno : 0;
		close(fd);
		if (ret) {
			/* Most likely the VMM has not set its container up yet. */
			LOG_ERRNO(ret, "VFIO_GROUP_GET_DEVICE_FD %s on pid %d's group %d",
				  dev->uuid, pid, group);
			return -EAGAIN;
		}
		LOG_INFO("the device from pid %d's group %d (/dev/vfio/%d)", pid, group, group);
		return 0;
	}

	if (cdev_fd >= 0) {
		dev->device = pidfd_getfd(dev->vmm_pidfd, cdev_fd, 0);
		if (dev->device < 0)
			return errno == EPERM ? no_ptrace(pid) : -errno;
		LOG_INFO("the device from pid %d's vfio cdev (fd %d, iommufd)", pid, cdev_fd);
		return 0;
	}
	ret = n_dev ? borrow_device_fd(dev->vmm_pidfd, pid, dev_fds, n_dev, uuid) : -ENODEV;
	/* A VMM that is starting opens the device a little later. */
	if (ret == -ENODEV && waiting)
		LOG_DBG("pid %d holds no VFIO fd for %s yet", pid, uuid ? uuid : "an mdev");
	else if (ret == -ENODEV)
		LOG_ERR("pid %d holds no VFIO fd for %s", pid, uuid ? uuid : "an mdev");
	if (ret < 0)
		return ret;
	dev->device = ret;
	return 0;
}

static int attach_own(struct vfio_dev *dev, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64], comm[32];
	int group = vfio_dev_mdev_group(uuid);
	pid_t holder;

	if (group < 0) {
		LOG_ERR("no mdev %s (not in /sys/bus/mdev/devices)", uuid);
		return -ENODEV;
	}
	snprintf(dev->uuid, sizeof(dev->uuid), "%s", uuid);

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	dev->group = open(path, O_RDWR | O_CLOEXEC);
	if (dev->group < 0 && errno == EBUSY) {
		holder = vfio_dev_find_holder(uuid);
		if (holder > 0) {
			process_name(holder, comm, sizeof(comm));
			LOG_ERR("mdev %s: %s is in use by pid %d (%s); attach to it with --pid %d",
				uuid, path, holder, comm, holder);
		} else {
			LOG_ERR("mdev %s: %s is in use by another process", uuid, path);
		}
		return -EBUSY;
	}
	if (dev->group < 0)
		goto err_errno;

	dev->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (dev->container < 0)
		goto err_errno;
	if (ioctl(dev->group, VFIO_GROUP_GET_STATUS, &status))
		goto err_errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		LOG_ERR("mdev %s: group %d is not viable", uuid, group);
		return -EBUSY;
	}
	if (ioctl(dev->group, VFIO_GROUP_SET_CONTAINER, &dev->container) ||
	    ioctl(dev->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err_errno;
	dev->device = ioctl(dev->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (dev->device < 0)
		goto err_errno;
	return 0;

err_errno:
	return LOG_ERRNO(errno, "mdev %s: opening group %d", uuid, group);
}

static int receive_fd(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	int s, fd = -EPROTO;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) ||
	    recvmsg(s, &msg, MSG_CMSG_CLOEXEC) < 0) {
		fd = -errno;
		LOG_ERRNO(fd, "receiving a device fd from %s", path);
		goto out_close;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	else
		LOG_ERR("%s sent no fd", path);
out_close:
	close(s);
	return fd;
}

/* The device is there: its IRQ count and its display. */
static int probe(struct vfio_dev *dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	if (ioctl(dev->device, VFIO_DEVICE_GET_INFO, &info)) {
		int ret = -errno;

		LOG_ERRNO(ret, "fd %d is not a VFIO device", dev->device);
		return ret == -ENOTTY ? -ENOTSUP : ret;
	}
	dev->num_irqs = info.num_irqs;

	if (!display_kind(dev->device, &dev->kind))
		return 0;
	LOG_ERR("%s is not a display device (no dmabuf or region plane)",
		dev->uuid[0] ? dev->uuid : "the device");
	return -ENOTSUP;
}

struct vfio_dev *vfio_dev_attach(const struct vfio_dev_target *t, int *ret_err)
{
	struct vfio_dev *dev = calloc(1, sizeof(*dev));
	int ret;

	if (!dev) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	dev->device = dev->vmm_pidfd = dev->container = dev->group = -1;

	if (t->device_fd >= 0) {
		dev->device = t->device_fd;
		dev->vmm_pidfd = t->vmm_pidfd;
		if (t->uuid)
			snprintf(dev->uuid, sizeof(dev->uuid), "%s", t->uuid);
		ret = fcntl(dev->device, F_SETFD, FD_CLOEXEC) ? -errno : 0;
		if (ret)
			LOG_ERRNO(ret, "--device-fd %d", t->device_fd);
	} else if (t->fd_socket) {
		ret = receive_fd(t->fd_socket);
		if (ret >= 0) {
			dev->device = ret;
			ret = 0;
		}
	} else if (t->pid > 0) {
		ret = attach_pid(dev, t->pid, t->uuid, t->waiting);
	} else if (t->uuid) {
		ret = attach_own(dev, t->uuid);
	} else {
		LOG_ERR("nothing to attach to: give --vm, --pid, --mdev, --device-fd or --fd-socket");
		ret = -EINVAL;
	}
	if (!ret)
		ret = probe(dev);
	if (ret) {
		vfio_dev_destroy(dev);
		*ret_err = ret;
		return NULL;
	}
	return dev;
}

void vfio_dev_destroy(struct vfio_dev *dev)
{
	if (!dev)
		return;
	if (dev->region.map)
		munmap(dev->region.map, dev->region.size);
	if (dev->device >= 0)
		close(dev->device);
	if (dev->group >= 0)
		close(dev->group);
	if (dev->container >= 0)
		close(dev->container);
	if (dev->vmm_pidfd >= 0)
		close(dev->vmm_pidfd);
	free(dev);
}

int vfio_dev_fd(const struct vfio_dev *dev)
{
	return dev->device;
}

int vfio_dev_vmm_pidfd(const struct vfio_dev *dev)
{
	return dev->vmm_pidfd;
}

pid_t vfio_dev_vmm_pid(const struct vfio_dev *dev)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	if (dev->vmm_pidfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dev->vmm_pidfd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

const char *vfio_dev_uuid(const struct vfio_dev *dev)
{
	return dev->uuid;
}

enum plane_kind vfio_dev_plane_kind(const struct vfio_dev *dev)
{
	return dev->kind;
}

uint32_t vfio_dev_num_irqs(const struct vfio_dev *dev)
{
	return dev->num_irqs;
}

static int query(struct vfio_dev *dev, uint32_t drm_plane_type,
		 struct vfio_device_gfx_plane_info *ret)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		*ret = (struct vfio_device_gfx_plane_info){
			.argsz = sizeof(*ret),
			.flags = dev->kind,
			.drm_plane_type = drm_plane_type,
		};
		if (!ioctl(dev->device, VFIO_DEVICE_QUERY_GFX_PLANE, ret))
			return 0;
		if (errno != ENOMEM)
			break;
	}
	return -errno;
}

int vfio_dev_query_plane(struct vfio_dev *dev, uint32_t drm_plane_type, struct plane *ret,
			 char *why, size_t len)
{
	struct vfio_device_gfx_plane_info q;
	const char *bad;
	char fourcc[5];
	int err;

	err = query(dev, drm_plane_type, &q);
	if (err) {
		snprintf(why, len, "querying the plane failed: %s", strerror(-err));
		return err;
	}
	err = plane_from_query(&q, dev->kind, ret, &bad);
	if (err == -EINVAL)
		snprintf(why, len, "unusable plane (%s): %ux%u %s stride %u size %u", bad, q.width,
			 q.height, plane_format_name(q.drm_format, fourcc), q.stride, q.size);
	else if (err)
		snprintf(why, len, "disabled by the guest");
	return err;
}

int vfio_dev_get_dmabuf(struct vfio_dev *dev, uint32_t dmabuf_id)
{
	int fd = ioctl(dev->device, VFIO_DEVICE_GET_GFX_DMABUF, &dmabuf_id);

	if (fd < 0)
		return -errno;
	/* Kernels before the series return it without O_CLOEXEC. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

int vfio_dev_map_region(struct vfio_dev *dev, uint32_t index, uint32_t size,
			const void **ret_map)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };
	void *map;

	if (dev->region.map && dev->region.index == index && dev->region.size >= size) {
		*ret_map = dev->region.map;
		return 0;
	}
	if (ioctl(dev->device, VFIO_DEVICE_GET_REGION_INFO, &info))
		return -errno;
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) || info.size < size)
		return -EINVAL;
	map = mmap(NULL, info.size, PROT_READ, MAP_SHARED, dev->device, (off_t)info.offset);
	if (map == MAP_FAILED)
		return -errno;
	if (dev->region.map)
		munmap(dev->region.map, dev->region.size);
	dev->region.index = index;
	dev->region.size = info.size;
	dev->region.map = map;
	*ret_map = map;
	return 0;
}
