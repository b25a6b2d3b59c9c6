/* SPDX-License-Identifier: MIT */
/* An mdev's name: a UUID in its 36-character text form (mdev_uuid_). */
#ifndef VGPU_VIEWER_MDEV_UUID_H
#define VGPU_VIEWER_MDEV_UUID_H

#include <stdbool.h>

#define MDEV_UUID_LEN 36

/* Whether @s is a UUID, 8-4-4-4-12 hex digits, and nothing more. */
bool mdev_uuid_valid(const char *s);

#endif
