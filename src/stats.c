// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define LOG_MODULE "stats"
#include "log.h"
#include "stats.h"

struct stats {
	FILE *f;
	uint64_t start_ns;
	uint64_t wakeups, frames, repeats, copies, copy_bytes;
};

uint64_t stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct stats *stats_create(const char *path)
{
	struct stats *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->start_ns = stats_now_ns();
	if (path) {
		s->f = fopen(path, "we");
		if (!s->f) {
			LOG_ERRNO(errno, "--stats %s", path);
			free(s);
			return NULL;
		}
		setvbuf(s->f, NULL, _IOLBF, 0);
	}
	return s;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

void stats_mark(struct stats *s)
{
	if (!s->f)
		return;
	fprintf(s->f,
		"{\"event\":\"mark\",\"t_ns\":%" PRIu64 ",\"wakeups\":%" PRIu64
		",\"frames\":%" PRIu64 ",\"repeats\":%" PRIu64 ",\"copies\":%" PRIu64
		",\"copy_bytes\":%" PRIu64 ",\"cpu_ns\":%" PRIu64 "}\n",
		stats_now_ns(), s->wakeups, s->frames, s->repeats, s->copies, s->copy_bytes,
		cpu_ns());
}

void stats_destroy(struct stats *s)
{
	struct rusage ru;

	if (!s)
		return;
	if (s->f) {
		getrusage(RUSAGE_SELF, &ru);
		fprintf(s->f,
			"{\"event\":\"summary\",\"runtime_ns\":%" PRIu64 ",\"wakeups\":%" PRIu64
			",\"frames\":%" PRIu64 ",\"repeats\":%" PRIu64 ",\"copies\":%" PRIu64
			",\"copy_bytes\":%" PRIu64 ",\"cpu_ns\":%" PRIu64 ",\"maxrss_kb\":%ld}\n",
			stats_now_ns() - s->start_ns, s->wakeups, s->frames, s->repeats, s->copies,
			s->copy_bytes, cpu_ns(), ru.ru_maxrss);
		fclose(s->f);
	}
	free(s);
}

bool stats_enabled(const struct stats *s)
{
	return s->f != NULL;
}

uint64_t stats_frames(const struct stats *s)
{
	return s->frames;
}

void stats_wakeup(struct stats *s)
{
	s->wakeups++;
}

void stats_copy(struct stats *s, uint64_t bytes)
{
	s->copies++;
	s->copy_bytes += bytes;
}

void stats_repeat(struct stats *s)
{
	s->repeats++;
}

void stats_frame(struct stats *s, const struct stats_frame *f)
{
	s->frames++;
	if (!s->f)
		return;
	fprintf(s->f, "{\"event\":\"frame\"");
	if (f->stamped)
		fprintf(s->f, ",\"seq\":%" PRIu32 ",\"flip_ns\":%" PRIu64, f->seq, f->flip_ns);
	fprintf(s->f,
		",\"wake_ns\":%" PRIu64 ",\"ready_ns\":%" PRIu64 ",\"present_ns\":%" PRIu64
		",\"dmabuf_id\":%" PRIu32 ",\"width\":%" PRIu32 ",\"height\":%" PRIu32,
		f->wake_ns, f->ready_ns, f->present_ns, f->dmabuf_id, f->width, f->height);
	if (f->path)
		fprintf(s->f, ",\"path\":\"%s\"", f->path);
	if (f->presented_ns)
		fprintf(s->f, ",\"presented_ns\":%" PRIu64 ",\"zero_copy\":%s", f->presented_ns,
			f->zero_copy ? "true" : "false");
	if (f->discarded)
		fprintf(s->f, ",\"discarded\":true");
	fprintf(s->f, "}\n");
}

void stats_event(struct stats *s, const char *event, const char *key, const char *value)
{
	if (!s->f)
		return;
	fprintf(s->f, "{\"event\":\"%s\",\"t_ns\":%" PRIu64, event, stats_now_ns());
	/* Values are UUIDs, names and reasons from this program: no escaping needed. */
	if (key && value)
		fprintf(s->f, ",\"%s\":\"%s\"", key, value);
	fprintf(s->f, "}\n");
}
