// SPDX-License-Identifier: MIT
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc_policy.h"

/* A whole decimal number that fits an id (not (uid_t)-1); -1 otherwise. */
static long long id_number(const char *s)
{
	char *end;
	long long n;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end || n >= UINT_MAX)
		return -1;
	return n;
}

static int user_id(const char *name, uid_t *ret)
{
	struct passwd pw, *found = NULL;
	long long n = id_number(name);
	char buf[4096];

	if (n >= 0) {
		*ret = (uid_t)n;
		return 0;
	}
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &found) || !found)
		return -1;
	*ret = found->pw_uid;
	return 0;
}

static int group_id(const char *name, gid_t *ret)
{
	struct group gr, *found = NULL;
	long long n = id_number(name);
	char buf[4096];

	if (n >= 0) {
		*ret = (gid_t)n;
		return 0;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) || !found)
		return -1;
	*ret = found->gr_gid;
	return 0;
}

int svc_policy_parse(struct svc_policy *p, const char *value, char *why, size_t len)
{
	char copy[sizeof(p->text)], *save = NULL;

	*p = (struct svc_policy){ 0 };
	if (strlen(value) >= sizeof(copy)) {
		snprintf(why, len, "longer than %zu characters", sizeof(copy) - 1);
		return -EINVAL;
	}
	strcpy(copy, value);
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		bool group = *w == '@';
		const char *name = group ? w + 1 : w;

		if (!*name) {
			snprintf(why, len, "'@' without a group name");
			return -EINVAL;
		}
		if ((group && p->n_gids == SVC_POLICY_MAX) || (!group && p->n_uids == SVC_POLICY_MAX)) {
			snprintf(why, len, "more than %d %s", SVC_POLICY_MAX, group ? "groups" : "users");
			return -EINVAL;
		}
		if (group ? group_id(name, &p->gids[p->n_gids]) : user_id(name, &p->uids[p->n_uids])) {
			snprintf(why, len, "no %s '%s' on this system", group ? "group" : "user", name);
			return -EINVAL;
		}
		if (group)
			p->n_gids++;
		else
			p->n_uids++;
	}
	snprintf(p->text, sizeof(p->text), "%s", value);
	return 0;
}

static bool has_gid(const struct svc_policy *p, gid_t gid)
{
	for (unsigned int i = 0; i < p->n_gids; i++)
		if (p->gids[i] == gid)
			return true;
	return false;
}

bool svc_policy_allows(const struct svc_policy *p, const struct svc_peer *peer)
{
	if (peer->uid == 0)
		return true;
	for (unsigned int i = 0; i < p->n_uids; i++)
		if (p->uids[i] == peer->uid)
			return true;
	if (has_gid(p, peer->gid))
		return true;
	for (unsigned int i = 0; i < peer->n_groups; i++)
		if (has_gid(p, peer->groups[i]))
			return true;
	return false;
}
