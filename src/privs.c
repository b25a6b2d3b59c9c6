// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#define LOG_MODULE "privs"
#include "log.h"
#include "privs.h"

unsigned long long privs_read(const char *name)
{
	unsigned long long v = ~0ull;
	size_t n = strlen(name);
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return ~0ull;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int last_cap(void)
{
	int last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

_Static_assert(PRIVS_PTRACE == 1ull << CAP_SYS_PTRACE, "CAP_SYS_PTRACE");
_Static_assert(PRIVS_READ_ANY == 1ull << CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH");

int privs_drop(unsigned long long keep)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	unsigned long long bnd;
	int ret = 0;

	/* What we do not have we cannot keep; with nothing at all, nothing to do. */
	keep &= privs_read("CapPrm");
	if (!privs_read("CapPrm") && !privs_read("CapAmb")) {
		LOG_DBG("no capabilities to drop");
		return 0;
	}

	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
	for (int cap = 0; cap <= last_cap(); cap++) {
		if (keep & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			ret = -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		ret = ret ? ret : -errno;
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0) {
		return LOG_ERRNO(errno, "capset");
	}

	bnd = privs_read("CapBnd");
	if (privs_read("CapEff") != keep || privs_read("CapPrm") != keep) {
		LOG_ERR("capabilities still held after dropping them");
		return -EPERM;
	}
	if (bnd & ~keep)
		LOG_WARN("the capability bounding set stays %llx (no CAP_SETPCAP to empty it), "
			 "ignoring: the permitted set is empty", bnd);
	if (keep)
		LOG_INFO("capabilities dropped but %llx", keep);
	else
		LOG_INFO("capabilities dropped");
	return ret;
}
