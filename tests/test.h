/* SPDX-License-Identifier: MIT */
/*
 * A tiny assertion helper for unit tests: a failed check prints file:line and
 * the expression, marks the test failed and returns from the test function.
 * main() runs each test and exits non-zero when any failed.
 */
#ifndef VGPU_VIEWER_TEST_H
#define VGPU_VIEWER_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int test_failures;

#define CHECK(expr)                                                                  \
	do {                                                                         \
		if (!(expr)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#expr);                                              \
			test_failures++;                                             \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                           \
	do {                                                                         \
		long long a_ = (long long)(a), b_ = (long long)(b);                  \
		if (a_ != b_) {                                                      \
			fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",    \
				__FILE__, __LINE__, #a, #b, a_, b_);                 \
			test_failures++;                                             \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                              \
	do {                                                                         \
		const char *h_ = (hay), *n_ = (needle);                              \
		if (!h_ || !strstr(h_, n_)) {                                        \
			fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",   \
				__FILE__, __LINE__, h_ ? h_ : "(null)", n_);         \
			test_failures++;                                             \
			return;                                                      \
		}                                                                    \
	} while (0)

#define RUN_TEST(fn)                                                                 \
	do {                                                                         \
		int before_ = test_failures;                                         \
		fn();                                                                \
		printf("%s %s\n", test_failures == before_ ? "ok" : "FAIL", #fn);    \
		fflush(stdout);                                                      \
	} while (0)

#define TEST_EXIT_STATUS() (test_failures ? 1 : 0)

/* Writes @text to the file @dir/@rel (a fixture); failures show in the checks after. */
static inline void test_write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * A unix socket listening at @path, "DIR/NAME" in a new directory made
 * from @dir ("/tmp/x-XXXXXX", filled in).  Its fd, or -1.
 */
static inline int test_listen_unix(char *dir, char *path, size_t len, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!mkdtemp(dir) || (size_t)snprintf(path, len, "%s/%s", dir, name) >= len ||
	    strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

#endif
