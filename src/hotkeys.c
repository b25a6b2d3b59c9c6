// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hotkeys.h"

static const char *const action_names[HOTKEY_N] = {
	[HOTKEY_TOGGLE_FULLSCREEN] = "toggle-fullscreen",
	[HOTKEY_QUIT] = "quit",
	[HOTKEY_CYCLE_SCALE] = "cycle-scale",
	[HOTKEY_TOGGLE_STATS] = "toggle-stats",
	[HOTKEY_RELEASE_CURSOR] = "release-cursor",
	[HOTKEY_SECURE_ATTENTION] = "secure-attention",
};

static const struct {
	const char *name;
	uint32_t mod;
	uint32_t key[2];	/* left and right */
} mods[] = {
	{ "shift", HOTKEY_MOD_SHIFT, { KEY_LEFTSHIFT, KEY_RIGHTSHIFT } },
	{ "ctrl", HOTKEY_MOD_CTRL, { KEY_LEFTCTRL, KEY_RIGHTCTRL } },
	{ "alt", HOTKEY_MOD_ALT, { KEY_LEFTALT, KEY_RIGHTALT } },
	{ "super", HOTKEY_MOD_SUPER, { KEY_LEFTMETA, KEY_RIGHTMETA } },
};

static const struct {
	const char *name;
	uint32_t key;
} keys[] = {
	{ "a", KEY_A }, { "b", KEY_B }, { "c", KEY_C }, { "d", KEY_D }, { "e", KEY_E },
	{ "f", KEY_F }, { "g", KEY_G }, { "h", KEY_H }, { "i", KEY_I }, { "j", KEY_J },
	{ "k", KEY_K }, { "l", KEY_L }, { "m", KEY_M }, { "n", KEY_N }, { "o", KEY_O },
	{ "p", KEY_P }, { "q", KEY_Q }, { "r", KEY_R }, { "s", KEY_S }, { "t", KEY_T },
	{ "u", KEY_U }, { "v", KEY_V }, { "w", KEY_W }, { "x", KEY_X }, { "y", KEY_Y },
	{ "z", KEY_Z },
	{ "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 }, { "5", KEY_5 },
	{ "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 }, { "9", KEY_9 }, { "0", KEY_0 },
	{ "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 },
	{ "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 },
	{ "f9", KEY_F9 }, { "f10", KEY_F10 }, { "f11", KEY_F11 }, { "f12", KEY_F12 },
	{ "escape", KEY_ESC }, { "backspace", KEY_BACKSPACE }, { "delete", KEY_DELETE },
	{ "insert", KEY_INSERT }, { "home", KEY_HOME }, { "end", KEY_END },
	{ "pageup", KEY_PAGEUP }, { "pagedown", KEY_PAGEDOWN }, { "space", KEY_SPACE },
	{ "tab", KEY_TAB }, { "enter", KEY_ENTER }, { "pause", KEY_PAUSE },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void hotkeys_default(struct hotkeys *ret)
{
	*ret = (struct hotkeys){ .k = {
		[HOTKEY_TOGGLE_FULLSCREEN] = { 0, KEY_F11 },
		[HOTKEY_QUIT] = { HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT, KEY_Q },
		[HOTKEY_CYCLE_SCALE] = { HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT, KEY_S },
		[HOTKEY_TOGGLE_STATS] = { HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT, KEY_I },
		[HOTKEY_RELEASE_CURSOR] = { HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT, 0 },
		[HOTKEY_SECURE_ATTENTION] = { HOTKEY_MOD_CTRL | HOTKEY_MOD_ALT, KEY_END },
	} };
}

/* One chord, @s to @end: "ctrl+alt+q", or empty for none. */
static int parse_chord(const char *s, const char *end, struct hotkey *ret)
{
	struct hotkey k = { 0, 0 };

	while (s < end) {
		const char *plus = memchr(s, '+', (size_t)(end - s));
		size_t len = (size_t)((plus ? plus : end) - s);
		bool found = false;

		if (plus) {	/* a modifier */
			for (size_t i = 0; i < N(mods) && !found; i++) {
				if (strlen(mods[i].name) == len &&
				    !strncasecmp(s, mods[i].name, len)) {
					k.mods |= mods[i].mod;
					found = true;
				}
			}
			s = plus + 1;
			if (!found || s == end)
				return -EINVAL;
			continue;
		}
		for (size_t i = 0; i < N(keys) && !found; i++) {
			if (strlen(keys[i].name) == len && !strncasecmp(s, keys[i].name, len)) {
				k.key = keys[i].key;
				found = true;
			}
		}
		/* Or the last of modifiers alone: "ctrl+alt". */
		for (size_t i = 0; i < N(mods) && !found; i++) {
			if (strlen(mods[i].name) == len && !strncasecmp(s, mods[i].name, len)) {
				k.mods |= mods[i].mod;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		s = end;
	}
	*ret = k;
	return 0;
}

int hotkeys_parse(const char *arg, struct hotkeys *h, const char **ret_why)
{
	struct hotkeys out = *h;
	const char *s = arg;

	if (!*arg) {
		*h = (struct hotkeys){ 0 };
		return 0;
	}
	while (*s) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *eq = memchr(s, '=', (size_t)(end - s));
		int a = -1;

		*ret_why = s;
		if (!eq)
			return -EINVAL;
		for (int i = 0; i < HOTKEY_N; i++)
			if (strlen(action_names[i]) == (size_t)(eq - s) &&
			    !strncmp(s, action_names[i], (size_t)(eq - s)))
				a = i;
		if (a < 0)
			return -ENOENT;
		if (parse_chord(eq + 1, end, &out.k[a]) ||
		    (out.k[a].mods && !out.k[a].key && a != HOTKEY_RELEASE_CURSOR))
			return -EINVAL;
		s = comma ? comma + 1 : end;
	}
	*h = out;
	return 0;
}

const char *hotkeys_action_list(void)
{
	static char list[160];

	if (!list[0])
		for (size_t i = 0, n = 0; i < HOTKEY_N; i++)
			n += (size_t)snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
					      "%s%s", i ? ", " : "", action_names[i]);
	return list;
}

bool hotkeys_conflict(const struct hotkeys *h, enum hotkey_action *ret_a,
		      enum hotkey_action *ret_b)
{
	for (int a = 0; a < HOTKEY_N; a++) {
		for (int b = a + 1; b < HOTKEY_N; b++) {
			if ((h->k[a].key || h->k[a].mods) && h->k[a].key == h->k[b].key &&
			    h->k[a].mods == h->k[b].mods) {
				*ret_a = (enum hotkey_action)a;
				*ret_b = (enum hotkey_action)b;
				return true;
			}
		}
	}
	return false;
}

uint32_t hotkeys_modifier(uint32_t key)
{
	for (size_t i = 0; i < N(mods); i++)
		if (key == mods[i].key[0] || key == mods[i].key[1])
			return mods[i].mod;
	return 0;
}

int hotkeys_match(const struct hotkeys *h, uint32_t held, uint32_t key)
{
	for (int i = 0; i < HOTKEY_N; i++)
		if (h->k[i].key && h->k[i].key == key && h->k[i].mods == held)
			return i;
	return -1;
}

int hotkeys_match_mods(const struct hotkeys *h, uint32_t held)
{
	for (int i = 0; i < HOTKEY_N; i++)
		if (!h->k[i].key && h->k[i].mods && h->k[i].mods == held)
			return i;
	return -1;
}

const char *hotkeys_action_name(enum hotkey_action a)
{
	return a < HOTKEY_N ? action_names[a] : "?";
}

const char *hotkeys_chord_name(const struct hotkey *k, char *buf, unsigned int len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!k->key && !k->mods)
		return buf;
	for (size_t i = 0; i < N(mods); i++)
		if (k->mods & mods[i].mod)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s+", mods[i].name);
	for (size_t i = 0; i < N(keys); i++)
		if (keys[i].key == k->key)
			snprintf(buf + n, n < len ? len - n : 0, "%s", keys[i].name);
	if (!k->key && n && n <= len)	/* modifiers alone: "ctrl+alt" */
		buf[n - 1] = '\0';
	return buf;
}
