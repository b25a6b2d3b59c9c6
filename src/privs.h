/* SPDX-License-Identifier: MIT */
/*
 * Privileges: the viewer needs CAP_SYS_PTRACE only to copy the VMM's fd
 * (pidfd_getfd); once attached it gives up every capability, for good.
 */
#ifndef VGPU_VIEWER_PRIVS_H
#define VGPU_VIEWER_PRIVS_H

#include <stdbool.h>

/*
 * Empties the effective, permitted, inheritable, ambient and (where
 * CAP_SETPCAP allows) bounding sets, but keeps CAP_SYS_PTRACE when
 * @keep_ptrace (--reconnect borrows from the next VMM too).  Returns 0, or
 * -errno when a set could not be emptied (logged).
 */
int privs_drop(bool keep_ptrace);

/* The set @name ("CapEff", "CapPrm", "CapBnd", ...) of this process, or ~0 on error. */
unsigned long long privs_read(const char *name);

#endif
