// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "options.h"
#include "test.h"

struct captured {
	char *out, *err;
	size_t out_len, err_len;
	enum options_result res;
	struct viewer_options opts;
};

static void parse(struct captured *c, int argc, char **argv)
{
	FILE *out = open_memstream(&c->out, &c->out_len);
	FILE *err = open_memstream(&c->err, &c->err_len);

	c->res = options_parse(&c->opts, argc, argv, out, err);
	fclose(out);
	fclose(err);
}

static void captured_finish(struct captured *c)
{
	free(c->out);
	free(c->err);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_no_arguments_runs(void)
{
	char *argv[] = { "vgpu-viewer", NULL };
	struct captured c;

	parse(&c, 1, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.verbose, 0);
	CHECK_INT_EQ(c.out_len + c.err_len, 0);
	captured_finish(&c);
}

static void test_help_lists_every_option(void)
{
	char *argv[] = { "vgpu-viewer", "--help", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_DONE);
	CHECK_STR_CONTAINS(c.out, "Usage: vgpu-viewer");
	CHECK_STR_CONTAINS(c.out, "-h, --help");
	CHECK_STR_CONTAINS(c.out, "-V, --version");
	CHECK_STR_CONTAINS(c.out, "-v, --verbose");
	CHECK_INT_EQ(c.err_len, 0);
	captured_finish(&c);
}

static void test_version(void)
{
	char *argv[] = { "vgpu-viewer", "-V", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_DONE);
	CHECK(strncmp(c.out, "vgpu-viewer ", 12) == 0);
	CHECK_INT_EQ(count_lines(c.out), 1);
	captured_finish(&c);
}

static void test_verbose_counts(void)
{
	char *argv[] = { "vgpu-viewer", "-vv", "--verbose", NULL };
	struct captured c;

	parse(&c, 3, argv);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.verbose, 3);
	captured_finish(&c);
}

static void test_unknown_long_option(void)
{
	char *argv[] = { "vgpu-viewer", "--frobnicate", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unknown option '--frobnicate'");
	CHECK_INT_EQ(count_lines(c.err), 1);
	CHECK_INT_EQ(c.out_len, 0);
	captured_finish(&c);
}

static void test_unknown_short_option(void)
{
	char *argv[] = { "vgpu-viewer", "-q", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unknown option '-q'");
	CHECK_INT_EQ(count_lines(c.err), 1);
	captured_finish(&c);
}

static void test_stray_argument(void)
{
	char *argv[] = { "vgpu-viewer", "-v", "extra", NULL };
	struct captured c;

	parse(&c, 3, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_STR_CONTAINS(c.err, "unexpected argument 'extra'");
	captured_finish(&c);
}

static void test_flag_with_value_rejected(void)
{
	char *argv[] = { "vgpu-viewer", "--verbose=3", NULL };
	struct captured c;

	parse(&c, 2, argv);
	CHECK_INT_EQ(c.res, OPTIONS_USAGE);
	CHECK_INT_EQ(count_lines(c.err), 1);
	captured_finish(&c);
}

static void test_reparse_resets_state(void)
{
	char *bad[] = { "vgpu-viewer", "--nope", NULL };
	char *good[] = { "vgpu-viewer", "-v", NULL };
	struct captured c;

	parse(&c, 2, bad);
	captured_finish(&c);
	parse(&c, 2, good);
	CHECK_INT_EQ(c.res, OPTIONS_RUN);
	CHECK_INT_EQ(c.opts.verbose, 1);
	captured_finish(&c);
}

int main(void)
{
	RUN_TEST(test_no_arguments_runs);
	RUN_TEST(test_help_lists_every_option);
	RUN_TEST(test_version);
	RUN_TEST(test_verbose_counts);
	RUN_TEST(test_unknown_long_option);
	RUN_TEST(test_unknown_short_option);
	RUN_TEST(test_stray_argument);
	RUN_TEST(test_flag_with_value_rejected);
	RUN_TEST(test_reparse_resets_state);
	return TEST_EXIT_STATUS();
}
