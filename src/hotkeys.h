/* SPDX-License-Identifier: MIT */
/*
 * Hotkeys: virt-viewer's --hotkeys form, "action=chord,action=chord", with
 * chords like "ctrl+alt+q".  Keys are evdev key codes (their place on a US
 * layout), so that no keymap is needed: the Wayland presenter gets them
 * from wl_keyboard, the KMS presenter from libinput.
 */
#ifndef VGPU_VIEWER_HOTKEYS_H
#define VGPU_VIEWER_HOTKEYS_H

#include <stdbool.h>
#include <stdint.h>

enum hotkey_action {
	HOTKEY_TOGGLE_FULLSCREEN,	/* Wayland: leave or enter fullscreen */
	HOTKEY_QUIT,			/* exit 0 */
	HOTKEY_CYCLE_SCALE,		/* fit -> fill -> integer -> none -> fit */
	HOTKEY_TOGGLE_STATS,		/* KMS: the statistics overlay */
	HOTKEY_RELEASE_CURSOR,		/* Wayland: let go of a grabbed pointer */
	HOTKEY_SECURE_ATTENTION,	/* Ctrl+Alt+Del to the guest */
	HOTKEY_N,
};

enum {
	HOTKEY_MOD_SHIFT = 1u << 0,
	HOTKEY_MOD_CTRL = 1u << 1,
	HOTKEY_MOD_ALT = 1u << 2,
	HOTKEY_MOD_SUPER = 1u << 3,
};

struct hotkey {
	uint32_t mods;		/* HOTKEY_MOD_* that must be held, and no others */
	uint32_t key;		/* evdev key code; 0: modifiers alone, or (no mods) none */
};

struct hotkeys {
	struct hotkey k[HOTKEY_N];
};

/*
 * F11; Ctrl+Alt+Q, Ctrl+Alt+S, Ctrl+Alt+I; release-cursor Ctrl+Alt (the
 * modifiers alone, as in virt-viewer), secure-attention Ctrl+Alt+End.
 */
void hotkeys_default(struct hotkeys *ret);

/*
 * Parses @arg into *@h, which holds the defaults to change: each listed
 * action gets its chord ("quit=" none), the others keep theirs; "" clears
 * all.  Only release-cursor takes modifiers alone.  Returns 0; -ENOENT for
 * an action this viewer does not have (virt-viewer's zoom-in, say) or
 * -EINVAL for a chord it cannot read, with the offending part in *@ret_why.
 */
int hotkeys_parse(const char *arg, struct hotkeys *h, const char **ret_why);

/* "toggle-fullscreen, quit, ...": the actions, for messages. */
const char *hotkeys_action_list(void);

/*
 * Whether two actions share a chord: true, and which, in *@ret_a and
 * *@ret_b.
 */
bool hotkeys_conflict(const struct hotkeys *h, enum hotkey_action *ret_a,
		      enum hotkey_action *ret_b);

/* The HOTKEY_MOD_* bit of a modifier key code, 0 for other keys. */
uint32_t hotkeys_modifier(uint32_t key);

/* The action of @key pressed with @mods held, or -1. */
int hotkeys_match(const struct hotkeys *h, uint32_t mods, uint32_t key);
/* The action whose chord is exactly the modifiers @held, alone (release-cursor's), or -1. */
int hotkeys_match_mods(const struct hotkeys *h, uint32_t held);

/* An action's name ("quit"), and a chord as text ("ctrl+alt+q"). */
const char *hotkeys_action_name(enum hotkey_action a);
const char *hotkeys_chord_name(const struct hotkey *k, char *buf, unsigned int len);

#endif
