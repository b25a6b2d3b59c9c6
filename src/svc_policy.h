/* SPDX-License-Identifier: MIT */
/*
 * Who may use a VM's display service (svc_policy_): a list of users and
 * groups from the VM's configuration ("alice @vgpu-viewer 1001"), resolved
 * to ids when it is read, and checked against every connecting peer
 * (SO_PEERCRED's uid and gid, SO_PEERGROUPS) before the service reads a
 * byte of what it sends.  Root may always.
 */
#ifndef VGPU_VIEWER_SVC_POLICY_H
#define VGPU_VIEWER_SVC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SVC_POLICY_MAX 32

struct svc_policy {
	uid_t uids[SVC_POLICY_MAX];
	gid_t gids[SVC_POLICY_MAX];
	unsigned int n_uids, n_gids;
	char text[256];		/* as configured, for messages */
};

struct svc_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* supplementary groups */
	unsigned int n_groups;
};

/*
 * Parses @value: white-space separated users (a name or a number) and
 * groups ('@' and a name or number).  Returns 0, or -EINVAL with the reason
 * in @why: a user or group this system does not know, an empty name, more
 * than SVC_POLICY_MAX of either, a value too long.
 */
int svc_policy_parse(struct svc_policy *p, const char *value, char *why, size_t len);

/* Whether @peer may: root, a listed user, or a member of a listed group. */
bool svc_policy_allows(const struct svc_policy *p, const struct svc_peer *peer);

#endif
