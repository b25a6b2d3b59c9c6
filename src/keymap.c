// SPDX-License-Identifier: MIT
#include <stddef.h>

#include "keymap.h"

struct keymap_entry {
	uint16_t qnum;
	const char *qcode;
};

#include "keymap_table.h"

uint32_t keymap_qnum(uint32_t code)
{
	return code <= KEYMAP_MAX_CODE ? keymap_table[code].qnum : 0;
}

const char *keymap_qcode(uint32_t code)
{
	return code <= KEYMAP_MAX_CODE ? keymap_table[code].qcode : NULL;
}

uint32_t keymap_next(uint32_t code)
{
	while (++code <= KEYMAP_MAX_CODE)
		if (keymap_table[code].qnum)
			return code;
	return 0;
}
