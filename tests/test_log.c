// SPDX-License-Identifier: MIT
/* Journal fields, and the repeat filter. */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define LOG_MODULE "test"
#include "log.h"
#include "test.h"

static void test_fields(void)
{
	char buf[1024];
	int n;

	log_set_field("VM", "win10");
	log_set_field("MDEV", "5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10");
	log_set_field("DMABUF_ID", "7");
	log_set_field("FOURCC", "XR24");
	n = log_format_fields(buf, sizeof(buf), LOG_LEVEL_WARN, "viewer", "src/viewer.c", 42,
			      "guest display off: unusable plane");
	CHECK(n > 0 && (size_t)n < sizeof(buf));
	CHECK_STR_CONTAINS(buf, "MESSAGE=guest display off: unusable plane\n");
	CHECK_STR_CONTAINS(buf, "PRIORITY=4\n");
	CHECK_STR_CONTAINS(buf, "VGPU_MODULE=viewer\n");
	CHECK_STR_CONTAINS(buf, "CODE_FILE=src/viewer.c\nCODE_LINE=42\n");
	CHECK_STR_CONTAINS(buf, "VM=win10\n");
	CHECK_STR_CONTAINS(buf, "MDEV=5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10\n");
	CHECK_STR_CONTAINS(buf, "DMABUF_ID=7\nFOURCC=XR24\n");

	/* Cleared fields go; a value replaced stays one field. */
	log_set_field("DMABUF_ID", NULL);
	log_set_field("FOURCC", NULL);
	log_set_field("VM", "win11");
	log_format_fields(buf, sizeof(buf), LOG_LEVEL_INFO, "viewer", NULL, 0, "x");
	CHECK(!strstr(buf, "DMABUF_ID") && !strstr(buf, "FOURCC") && !strstr(buf, "CODE_FILE"));
	CHECK(!strstr(buf, "win10"));
	CHECK_STR_CONTAINS(buf, "VM=win11\n");

	/* Too small a buffer: the length needed, nothing written past it. */
	buf[10] = '#';
	n = log_format_fields(buf, 10, LOG_LEVEL_INFO, "viewer", NULL, 0, "x");
	CHECK(n >= 10 && buf[10] == '#');
	log_set_field("VM", NULL);
	log_set_field("MDEV", NULL);
}

/* stderr is the journal only when JOURNAL_STREAM names its device and inode. */
static void test_journal_detection(void)
{
	struct stat st;
	char v[64];

	setenv("JOURNAL_STREAM", "1:2", 1);
	CHECK(!log_stderr_is_journal());
	unsetenv("JOURNAL_STREAM");
	CHECK(!log_stderr_is_journal());
	CHECK(fstat(STDERR_FILENO, &st) == 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	CHECK(log_stderr_is_journal());
	setenv("JOURNAL_STREAM", "garbage", 1);
	CHECK(!log_stderr_is_journal());
	unsetenv("JOURNAL_STREAM");
}

/* What the journal was sent: the entries, a field a line. */
static char sent[4096];
static int sent_entries;
static int send_result;

static int catch_entry(const struct iovec *iov, int n)
{
	size_t len = strlen(sent);

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(sent + len, sizeof(sent) - len, "%.*s\n",
					(int)iov[i].iov_len, (const char *)iov[i].iov_base);
	snprintf(sent + len, sizeof(sent) - len, "--\n");
	sent_entries++;
	return send_result;
}

/* Reads back what was written to a temporary stderr and restores it. */
static void stderr_capture(int *saved, int *fd, char *path)
{
	*saved = dup(STDERR_FILENO);
	*fd = mkstemp(path);
	CHECK(*saved >= 0 && *fd >= 0);
	dup2(*fd, STDERR_FILENO);
}

static void stderr_release(int saved, int fd, char *path, char *text, size_t size)
{
	ssize_t n;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, text, size - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

/*
 * Under systemd a line is one journal entry with its fields and nothing on
 * stderr; an entry the journal refuses still reaches stderr.
 */
static void test_journal_entries(void)
{
	char path[] = "/tmp/vgpu-viewer-log-XXXXXX";
	char text[512];
	int saved, fd;

	log_set_journal_sender(catch_entry);
	log_init(LOG_LEVEL_INFO, true);
	log_use_journal(true);
	CHECK(log_journal_in_use());
	log_set_field("VM", "win10");
	sent[0] = '\0';
	sent_entries = 0;
	send_result = 0;
	stderr_capture(&saved, &fd, path);
	LOG_WARN("guest display off: %s", "disabled by the guest");
	LOG_DBG("not at this level");
	send_result = -ECONNREFUSED;
	LOG_ERR("the journal is gone");
	stderr_release(saved, fd, path, text, sizeof(text));

	CHECK_INT_EQ(sent_entries, 2);
	CHECK_STR_CONTAINS(sent, "MESSAGE=guest display off: disabled by the guest\n"
				 "PRIORITY=4\nSYSLOG_IDENTIFIER=vgpu-viewer\nVGPU_MODULE=test\n");
	CHECK_STR_CONTAINS(sent, "VM=win10\n");
	CHECK(!strstr(text, "guest display off"));
	CHECK_STR_CONTAINS(sent, "MESSAGE=the journal is gone\n");
	CHECK_STR_CONTAINS(text, "<3>test: the journal is gone\n");

	log_use_journal(false);
	log_set_journal_sender(NULL);
	log_set_field("VM", NULL);
	log_init(LOG_LEVEL_INFO, false);
}

/* The same line within a minute is written once, then counted. */
static void test_repeats(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int saved = dup(STDERR_FILENO);
	char path[] = "/tmp/vgpu-viewer-log-XXXXXX";
	int fd = mkstemp(path);

	CHECK(f && saved >= 0 && fd >= 0);
	fclose(f);
	free(out);
	dup2(fd, STDERR_FILENO);
	log_init(LOG_LEVEL_INFO, false);
	for (int i = 0; i < 5; i++)
		LOG_ERR("no mdev %d", 1);
	LOG_INFO("something else");
	dup2(saved, STDERR_FILENO);
	close(saved);
	{
		char text[512] = "";
		FILE *r = fopen(path, "r");
		size_t n = r ? fread(text, 1, sizeof(text) - 1, r) : 0;

		if (r)
			fclose(r);
		text[n] = '\0';
		unlink(path);
		close(fd);
		CHECK_STR_CONTAINS(text, "test: no mdev 1\n");
		CHECK_STR_CONTAINS(text, "test: no mdev 1 (repeated 4 more times)\n");
		CHECK_STR_CONTAINS(text, "test: something else\n");
	}
}

/*
 * LOG_ERRNO() returns the error it was given: writing the line may change
 * errno (here stderr is closed, so it becomes EBADF), and a caller that
 * returned -errno after logging returned that instead.
 */
static void test_errno_returned(void)
{
	int saved = dup(STDERR_FILENO);

	log_init(LOG_LEVEL_INFO, false);
	close(STDERR_FILENO);
	errno = ENOENT;
	CHECK_INT_EQ(LOG_ERRNO(errno, "opening %s", "x"), -ENOENT);
	CHECK_INT_EQ(LOG_ERRNO(-EACCES, "negative"), -EACCES);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

int main(void)
{
	RUN_TEST(test_fields);
	RUN_TEST(test_journal_detection);
	RUN_TEST(test_journal_entries);
	RUN_TEST(test_repeats);
	RUN_TEST(test_errno_returned);
	return TEST_EXIT_STATUS();
}
