// SPDX-License-Identifier: MIT
/*
 * floortool: the floor under the display IRQ's wake-up latency.  Two
 * processes and an eventfd, nothing else: the parent signals, the child
 * wakes from epoll_wait() as the viewer does, and the time from the write
 * to the wake-up is what any eventfd-driven wake-up costs on this machine
 * (in the test VM: what TCG's scheduling of an idle vCPU costs).  The
 * benchmark sets the IRQ's flip->wake beside it.
 *
 *   floortool [--count N] [--interval-us US]
 *
 * N signals (default 600), US apart (default 16667: 60 a second), each
 * after the child has answered the last.  Prints one line:
 *
 *   floor n=N p50_us=.. p90_us=.. p99_us=.. max_us=..
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *sorted, unsigned int n, double p)
{
	unsigned int i = (unsigned int)(p / 100.0 * (n - 1) + 0.5);

	return (double)sorted[i < n ? i : n - 1] / 1000.0;
}

/* The child: wakes on @efd through epoll, records when, answers on @ack. */
static int child(int efd, int ack, uint64_t *woke, unsigned int n)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t v, one = 1;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev))
		return 1;
	for (unsigned int i = 0; i < n; i++) {
		if (epoll_wait(ep, &out, 1, -1) != 1)
			return 1;
		woke[i] = now_ns();
		if (read(efd, &v, sizeof(v)) != sizeof(v) || write(ack, &one, sizeof(one)) != 8)
			return 1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long n = 600, interval_us = 16667;
	uint64_t *sent, *woke, *delay, one = 1, v;
	int efd, ack, c, status;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'n':
		case 'i':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v || v > 1000000) {
				fprintf(stderr, "floortool: --%s takes 1 to 1000000\n",
					c == 'n' ? "count" : "interval-us");
				return 2;
			}
			if (c == 'n')
				n = v;
			else
				interval_us = v;
			break;
		case 'h':
			printf("usage: floortool [--count N] [--interval-us US]\n");
			return 0;
		default:
			return 2;
		}
	}

	sent = mmap(NULL, 2 * n * sizeof(*sent), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	delay = calloc(n, sizeof(*delay));
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ack = eventfd(0, EFD_CLOEXEC);
	if (sent == MAP_FAILED || !delay || efd < 0 || ack < 0) {
		perror("floortool");
		return 1;
	}
	woke = sent + n;

	pid = fork();
	if (pid < 0) {
		perror("floortool: fork");
		return 1;
	}
	if (pid == 0)
		_exit(child(efd, ack, woke, (unsigned int)n));

	for (unsigned long i = 0; i < n; i++) {
		struct timespec gap = { .tv_sec = (time_t)(interval_us / 1000000),
					.tv_nsec = (long)(interval_us % 1000000) * 1000 };

		nanosleep(&gap, NULL);
		sent[i] = now_ns();
		if (write(efd, &one, sizeof(one)) != sizeof(one) ||
		    read(ack, &v, sizeof(v)) != sizeof(v)) {
			perror("floortool");
			kill(pid, SIGKILL);
			return 1;
		}
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "floortool: the waking process failed\n");
		return 1;
	}
	for (unsigned long i = 0; i < n; i++)
		delay[i] = woke[i] - sent[i];
	qsort(delay, n, sizeof(*delay), cmp_u64);
	printf("floor n=%lu p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n", n,
	       pct_us(delay, (unsigned int)n, 50), pct_us(delay, (unsigned int)n, 90),
	       pct_us(delay, (unsigned int)n, 99), (double)delay[n - 1] / 1000.0);
	return 0;
}
