// SPDX-License-Identifier: MIT
/*
 * inputtool: a keyboard, a mouse and a tablet on uinput, for the input
 * scenarios (tests/vm/scenarios/input-*.sh).  The kernel, udev and libinput
 * (or a compositor on top of it) see them as they see real ones.  Says
 * "ready" once the three exist, then does each command read from stdin and
 * says "done COMMAND" after it:
 *
 *   key CODE 1|0        evdev key CODE down or up
 *   tap CODE            down and up
 *   allkeys             taps every key QEMU has a code for (src/keymap.c), in order
 *   allkeys LOG [SKIP,...]
 *                       the same, paced by the guest: at most 4 keys typed
 *                       and not yet released in the guest's report LOG (see
 *                       tests/vm/guest/init.c); keys in SKIP are not waited for.
 *                       Says "typed CODE in MS ms" (typed to released, queueing
 *                       behind the keys before it included), or "lost CODE" for
 *                       a key that is not there in 30 s.
 *   keys LOG CODE,...   those keys, so
 *   chord CHORD         "ctrl+alt+s": the modifiers, the key, and back up;
 *                       "ctrl+alt": modifiers alone
 *   move DX DY          the mouse moves
 *   wheel DV DH         the mouse's wheel turns (REL_WHEEL: positive is up)
 *   abs X Y             the tablet points at X, Y (0..65535 of the screen)
 *   btn mouse|tablet CODE 1|0
 *   lat LOG CODE N      for the benchmark: N presses and releases of CODE,
 *                       each once the one before is in the guest's report LOG;
 *                       says "lat US" for each, the time from writing the
 *                       press to seeing it in LOG (no pause after the write)
 *   mouse1k LOG MS      for the benchmark: the mouse moves 1 to the right
 *                       every millisecond for MS ms, as a 1000 Hz mouse does;
 *                       says "sent N in MS ms from T" (CLOCK_MONOTONIC ns),
 *                       then "arrived SUM, MS ms
 *                       after the last report" once the guest's REL_X in LOG
 *                       sums to N (or after 30 s)
 *
 * "inputtool --keyboard NAME" makes a keyboard called NAME alone, and
 * "inputtool --mouse NAME" a mouse (for QEMU's input-linux, which grabs
 * it: nothing else sees its events).
 *
 * Keys are 30 ms apart.  A guest under TCG in TCG can stall for a second or
 * two while events queue up, then read them all at once, more than evdev
 * keeps for a reader (64 events): "allkeys LOG" keeps few keys in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "hotkeys.h"
#include "keymap.h"

#define ABS_RANGE 65535

static int kbd = -1, mouse = -1, tablet = -1;

static void die(const char *what)
{
	fprintf(stderr, "inputtool: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void emit(int fd, uint16_t type, uint16_t code, int32_t value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };

	if (write(fd, &ev, sizeof(ev)) != sizeof(ev))
		die("uinput write");
}

static void syn(int fd)
{
	struct timespec ts = { 0, 30000000 };

	emit(fd, EV_SYN, SYN_REPORT, 0);
	nanosleep(&ts, NULL);
}

static void key(uint32_t code, int down)
{
	emit(kbd, EV_KEY, (uint16_t)code, down);
	syn(kbd);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void set(int fd, unsigned long req, int bit)
{
	if (ioctl(fd, req, bit))
		die("uinput bits");
}

static int create(const char *name, void (*bits)(int fd))
{
	struct uinput_setup setup = { .id = { .bustype = BUS_VIRTUAL, .vendor = 0x1234,
					      .product = 0x5678 } };
	int fd = open("/dev/uinput", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("/dev/uinput");
	bits(fd);
	snprintf(setup.name, sizeof(setup.name), "%s", name);
	if (ioctl(fd, UI_DEV_SETUP, &setup) || ioctl(fd, UI_DEV_CREATE))
		die("uinput device");
	return fd;
}

static void kbd_bits(int fd)
{
	set(fd, UI_SET_EVBIT, EV_KEY);
	for (int k = 1; k < 256; k++)
		set(fd, UI_SET_KEYBIT, k);
}

static void mouse_bits(int fd)
{
	set(fd, UI_SET_EVBIT, EV_KEY);
	set(fd, UI_SET_EVBIT, EV_REL);
	for (int b = BTN_LEFT; b <= BTN_EXTRA; b++)
		set(fd, UI_SET_KEYBIT, b);
	set(fd, UI_SET_RELBIT, REL_X);
	set(fd, UI_SET_RELBIT, REL_Y);
	set(fd, UI_SET_RELBIT, REL_WHEEL);
	set(fd, UI_SET_RELBIT, REL_HWHEEL);
}

/* As QEMU's usb-tablet looks: absolute axes and mouse buttons (libinput: a pointer). */
static void tablet_bits(int fd)
{
	struct uinput_abs_setup a = { .absinfo = { .minimum = 0, .maximum = ABS_RANGE } };

	set(fd, UI_SET_EVBIT, EV_KEY);
	set(fd, UI_SET_EVBIT, EV_ABS);
	for (int b = BTN_LEFT; b <= BTN_MIDDLE; b++)
		set(fd, UI_SET_KEYBIT, b);
	a.code = ABS_X;
	if (ioctl(fd, UI_ABS_SETUP, &a))
		die("UI_ABS_SETUP");
	a.code = ABS_Y;
	if (ioctl(fd, UI_ABS_SETUP, &a))
		die("UI_ABS_SETUP");
}

/*
 * The guest's report, followed as it grows (inotify: the test VM's root is
 * 9p, and polling it costs the whole VM): its unread lines, one at a time.
 */
static struct {
	int fd, ino;
	char buf[4096];
	size_t len;
} rep = { -1, -1 };

static int report_open(const char *log)
{
	rep.fd = open(log, O_RDONLY | O_CLOEXEC);
	rep.ino = inotify_init1(IN_CLOEXEC);
	if (rep.fd < 0 || rep.ino < 0 || inotify_add_watch(rep.ino, log, IN_MODIFY) < 0)
		return -1;
	lseek(rep.fd, 0, SEEK_END);
	rep.len = 0;
	return 0;
}

/* The next complete line, or NULL when there is none before @deadline (ms). */
static const char *report_line(uint64_t deadline)
{
	static char line[4096];

	for (;;) {
		char *nl = memchr(rep.buf, '\n', rep.len);
		struct pollfd pfd = { .fd = rep.ino, .events = POLLIN };
		char ev[4096];
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - rep.buf);

			memcpy(line, rep.buf, l);
			line[l] = '\0';
			rep.len -= l + 1;
			memmove(rep.buf, nl + 1, rep.len);
			return line;
		}
		if (rep.len == sizeof(rep.buf))
			rep.len = 0;	/* a line this long is not the report's */
		n = read(rep.fd, rep.buf + rep.len, sizeof(rep.buf) - rep.len);
		if (n > 0) {
			rep.len += (size_t)n;
			continue;
		}
		if (now_ms() >= deadline)
			return NULL;
		if (poll(&pfd, 1, (int)(deadline - now_ms())) > 0 && read(rep.ino, ev, sizeof(ev)) < 0)
			return NULL;
	}
}

/* Until LOG's report has @want (a line of the guest's input events), 30 s at most. */
static bool report_wait(const char *want)
{
	uint64_t deadline = now_ms() + 30000;
	const char *line;

	while ((line = report_line(deadline)))
		if (strstr(line, "vgpuguest: input event") && strstr(line, want))
			return true;
	return false;
}

/*
 * Up to this many keys typed and not yet seen in the guest's report: a
 * guest that stalls then reads all of them at once gets 4 events a key
 * (down, up, two SYN_REPORTs), well inside evdev's 64 for a reader; one at
 * a time, a key cost the whole round trip (0.7 s under TCG in TCG).
 */
#define KEYS_IN_FLIGHT 4

/* The keys of @list (",1,2,", or NULL: every key of the table) but those of @skip. */
static void keys_paced(const char *log, const char *list, const char *skip)
{
	struct {
		uint32_t code;
		uint64_t t0;
	} fly[KEYS_IN_FLIGHT];
	unsigned int head = 0, n = 0;
	uint32_t k = keymap_next(0);

	if (report_open(log))
		die(log);
	/* The guest reports keys in the order they were typed: the oldest first. */
	while (k || n) {
		char code[16], want[32];

		if (k && n < KEYS_IN_FLIGHT) {
			snprintf(code, sizeof(code), ",%u,", k);
			if (!list || strstr(list, code)) {
				uint64_t t0 = now_ms();

				key(k, 1);
				key(k, 0);
				if (!strstr(skip, code)) {
					fly[(head + n) % KEYS_IN_FLIGHT].code = k;
					fly[(head + n) % KEYS_IN_FLIGHT].t0 = t0;
					n++;
				}
			}
			k = keymap_next(k);
			continue;
		}
		snprintf(want, sizeof(want), " key %u 0 ", fly[head].code);
		if (report_wait(want))
			printf("typed %u in %llu ms\n", fly[head].code,
			       (unsigned long long)(now_ms() - fly[head].t0));
		else
			printf("lost %u\n", fly[head].code);
		fflush(stdout);
		head = (head + 1) % KEYS_IN_FLIGHT;
		n--;
	}
	close(rep.fd);
	close(rep.ino);
}

static int chord(const char *text)
{
	static const uint32_t modkeys[] = { KEY_LEFTSHIFT, KEY_LEFTCTRL, KEY_LEFTALT, KEY_LEFTMETA };
	struct hotkeys h = { 0 };
	const char *why;
	char arg[80];
	/* release-cursor's: the one action whose chord may be modifiers alone. */
	struct hotkey *k = &h.k[HOTKEY_RELEASE_CURSOR];

	snprintf(arg, sizeof(arg), "release-cursor=%s", text);
	if (hotkeys_parse(arg, &h, &why) || (!k->key && !k->mods))
		return -1;
	for (int m = 0; m < 4; m++)
		if (k->mods & (1u << m))
			key(modkeys[m], 1);
	if (k->key) {
		key(k->key, 1);
		key(k->key, 0);
	}
	for (int m = 3; m >= 0; m--)
		if (k->mods & (1u << m))
			key(modkeys[m], 0);
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void latency(const char *log, uint32_t code, int n)
{
	char down[32], up[32];

	if (report_open(log))
		die(log);
	snprintf(down, sizeof(down), " key %u 1 ", code);
	snprintf(up, sizeof(up), " key %u 0 ", code);
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_us();

		emit(kbd, EV_KEY, (uint16_t)code, 1);
		emit(kbd, EV_SYN, SYN_REPORT, 0);
		if (!report_wait(down)) {
			printf("lost %u\n", code);
			break;
		}
		printf("lat %llu\n", (unsigned long long)(now_us() - t0));
		fflush(stdout);
		emit(kbd, EV_KEY, (uint16_t)code, 0);
		emit(kbd, EV_SYN, SYN_REPORT, 0);
		if (!report_wait(up)) {
			printf("lost %u\n", code);
			break;
		}
	}
	close(rep.fd);
	close(rep.ino);
}

static void mouse_1k(const char *log, int ms)
{
	struct timespec next;
	uint64_t t0 = now_us(), t1, deadline;
	const char *line;
	long sum = 0;
	int n = 0;

	if (report_open(log))
		die(log);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (; n < ms; n++) {
		emit(mouse, EV_REL, REL_X, 1);
		emit(mouse, EV_SYN, SYN_REPORT, 0);
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	t1 = now_us();
	printf("sent %d in %llu ms from %llu\n", n, (unsigned long long)((t1 - t0) / 1000),
	       (unsigned long long)t0 * 1000);
	/* Then the guest's REL_X, until it is all there (30 s at most). */
	deadline = now_ms() + 30000;
	while (sum < n && (line = report_line(deadline))) {
		const char *r = strstr(line, "vgpuguest: input event");
		int v;

		r = r ? strstr(r, " rel 0 ") : NULL;
		if (r && sscanf(r, " rel 0 %d", &v) == 1)
			sum += v;
	}
	printf("arrived %ld, %llu ms after the last report\n", sum,
	       (unsigned long long)((now_us() - t1) / 1000));
	close(rep.fd);
	close(rep.ino);
}

static int command(char *line)
{
	char what[16], arg[64], log[160], skip[160], list[256];
	int a, b, c;

	if (sscanf(line, "key %d %d", &a, &b) == 2) {
		key((uint32_t)a, b);
	} else if (sscanf(line, "tap %d", &a) == 1) {
		key((uint32_t)a, 1);
		key((uint32_t)a, 0);
	} else if (sscanf(line, "allkeys %159s %150s", log, skip + 1) >= 1) {
		if (!strchr(line + 8, ' '))
			skip[1] = '\0';
		skip[0] = ',';
		strcat(skip, ",");
		keys_paced(log, NULL, skip);
	} else if (sscanf(line, "keys %159s %250s", log, list + 1) == 2) {
		list[0] = ',';
		strcat(list, ",");
		keys_paced(log, list, ",");
	} else if (!strcmp(line, "allkeys")) {
		for (uint32_t k = keymap_next(0); k; k = keymap_next(k)) {
			key(k, 1);
			key(k, 0);
		}
	} else if (sscanf(line, "lat %159s %d %d", log, &a, &b) == 3) {
		latency(log, (uint32_t)a, b);
	} else if (sscanf(line, "mouse1k %159s %d", log, &a) == 2 && mouse >= 0) {
		mouse_1k(log, a);
	} else if (sscanf(line, "chord %63s", arg) == 1) {
		return chord(arg);
	} else if (sscanf(line, "move %d %d", &a, &b) == 2) {
		emit(mouse, EV_REL, REL_X, a);
		emit(mouse, EV_REL, REL_Y, b);
		syn(mouse);
	} else if (sscanf(line, "wheel %d %d", &a, &b) == 2) {
		if (a)
			emit(mouse, EV_REL, REL_WHEEL, a);
		if (b)
			emit(mouse, EV_REL, REL_HWHEEL, b);
		syn(mouse);
	} else if (sscanf(line, "abs %d %d", &a, &b) == 2) {
		emit(tablet, EV_ABS, ABS_X, a);
		emit(tablet, EV_ABS, ABS_Y, b);
		syn(tablet);
	} else if (sscanf(line, "btn %15s %d %d", what, &a, &c) == 3 &&
		   (!strcmp(what, "mouse") || !strcmp(what, "tablet"))) {
		int fd = what[0] == 'm' ? mouse : tablet;

		emit(fd, EV_KEY, (uint16_t)a, c);
		syn(fd);
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	char line[384];

	if (argc == 3 && !strcmp(argv[1], "--keyboard")) {
		kbd = create(argv[2], kbd_bits);
	} else if (argc == 3 && !strcmp(argv[1], "--mouse")) {
		mouse = create(argv[2], mouse_bits);
	} else if (argc == 1) {
		kbd = create("vgpu-viewer test keyboard", kbd_bits);
		mouse = create("vgpu-viewer test mouse", mouse_bits);
		tablet = create("vgpu-viewer test tablet", tablet_bits);
	} else {
		fprintf(stderr, "usage: inputtool [--keyboard|--mouse NAME] < COMMANDS (see the source)\n");
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (command(line))
			fprintf(stderr, "inputtool: cannot do '%s'\n", line);
		else
			printf("done %s\n", line);
		fflush(stdout);
	}
	if (kbd >= 0)
		ioctl(kbd, UI_DEV_DESTROY);
	if (mouse >= 0)
		ioctl(mouse, UI_DEV_DESTROY);
	if (tablet >= 0)
		ioctl(tablet, UI_DEV_DESTROY);
	return 0;
}
