// SPDX-License-Identifier: MIT
#include <errno.h>

#include "test.h"
#include "svc_policy.h"

static void test_parse(void)
{
	struct svc_policy p;
	char why[128] = "";

	CHECK_INT_EQ(svc_policy_parse(&p, "root 1001  @root\t@2000 42", why, sizeof(why)), 0);
	CHECK_INT_EQ(p.n_uids, 3);
	CHECK_INT_EQ(p.uids[0], 0);
	CHECK_INT_EQ(p.uids[1], 1001);
	CHECK_INT_EQ(p.uids[2], 42);
	CHECK_INT_EQ(p.n_gids, 2);
	CHECK_INT_EQ(p.gids[0], 0);
	CHECK_INT_EQ(p.gids[1], 2000);
	CHECK(!strcmp(p.text, "root 1001  @root\t@2000 42"));

	CHECK_INT_EQ(svc_policy_parse(&p, "", why, sizeof(why)), 0);
	CHECK_INT_EQ(p.n_uids + p.n_gids, 0);
}

static void test_parse_faults(void)
{
	struct svc_policy p;
	char why[128], many[200] = "";

	CHECK_INT_EQ(svc_policy_parse(&p, "root no-such-user-vgpu", why, sizeof(why)), -EINVAL);
	CHECK_STR_CONTAINS(why, "no user 'no-such-user-vgpu'");
	CHECK_INT_EQ(svc_policy_parse(&p, "@no-such-group-vgpu", why, sizeof(why)), -EINVAL);
	CHECK_STR_CONTAINS(why, "no group 'no-such-group-vgpu'");
	CHECK_INT_EQ(svc_policy_parse(&p, "root @", why, sizeof(why)), -EINVAL);
	CHECK_STR_CONTAINS(why, "'@' without a group name");
	/* Not numbers: signs, trailing junk, (uid_t)-1, past 32 bits. */
	CHECK_INT_EQ(svc_policy_parse(&p, "-1", why, sizeof(why)), -EINVAL);
	CHECK_INT_EQ(svc_policy_parse(&p, "12x", why, sizeof(why)), -EINVAL);
	CHECK_INT_EQ(svc_policy_parse(&p, "4294967295", why, sizeof(why)), -EINVAL);
	CHECK_INT_EQ(svc_policy_parse(&p, "@99999999999", why, sizeof(why)), -EINVAL);
	for (int i = 0; i <= SVC_POLICY_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%d ", i + 1);
	CHECK_INT_EQ(svc_policy_parse(&p, many, why, sizeof(why)), -EINVAL);
	CHECK_STR_CONTAINS(why, "more than 32 users");
	memset(many, 'a', sizeof(many) - 1);
	many[sizeof(many) - 1] = '\0';
	char longer[300];
	snprintf(longer, sizeof(longer), "%s%s", many, many);
	CHECK_INT_EQ(svc_policy_parse(&p, longer, why, sizeof(why)), -EINVAL);
	CHECK_STR_CONTAINS(why, "longer than");
}

static void test_allows(void)
{
	static const gid_t sup[] = { 100, 2000, 3000 }, other[] = { 100, 101 };
	struct svc_policy p;
	char why[128];

	CHECK_INT_EQ(svc_policy_parse(&p, "1001 @2000", why, sizeof(why)), 0);
	/* Listed user; primary group; supplementary group; root. */
	CHECK(svc_policy_allows(&p, &(struct svc_peer){ .uid = 1001, .gid = 1001 }));
	CHECK(svc_policy_allows(&p, &(struct svc_peer){ .uid = 1002, .gid = 2000 }));
	CHECK(svc_policy_allows(&p, &(struct svc_peer){ .uid = 1003, .gid = 1003, .groups = sup,
							  .n_groups = 3 }));
	CHECK(svc_policy_allows(&p, &(struct svc_peer){ .uid = 0, .gid = 0 }));
	/* Neither. */
	CHECK(!svc_policy_allows(&p, &(struct svc_peer){ .uid = 1004, .gid = 1004, .groups = other,
							   .n_groups = 2 }));
	CHECK(!svc_policy_allows(&p, &(struct svc_peer){ .uid = 2000, .gid = 1001 }));
	/* Nobody listed: root alone. */
	CHECK_INT_EQ(svc_policy_parse(&p, "", why, sizeof(why)), 0);
	CHECK(!svc_policy_allows(&p, &(struct svc_peer){ .uid = 1001, .gid = 2000 }));
}

int main(void)
{
	RUN_TEST(test_parse);
	RUN_TEST(test_parse_faults);
	RUN_TEST(test_allows);
	return TEST_EXIT_STATUS();
}
