// SPDX-License-Identifier: MIT
#include <ctype.h>

#include "mdev_uuid.h"

bool mdev_uuid_valid(const char *s)
{
	for (int i = 0; i < MDEV_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return s[MDEV_UUID_LEN] == '\0';
}
