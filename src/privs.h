/* SPDX-License-Identifier: MIT */
/*
 * Privileges: the viewer needs CAP_SYS_PTRACE only to copy the VMM's fd
 * (pidfd_getfd); once attached it gives up every capability, for good.
 */
#ifndef VGPU_VIEWER_PRIVS_H
#define VGPU_VIEWER_PRIVS_H

#include <stdbool.h>

/* Capability masks (privs.c checks the numbers against linux/capability.h). */
#define PRIVS_PTRACE (1ull << 19)		/* CAP_SYS_PTRACE */
#define PRIVS_READ_ANY (1ull << 2)		/* CAP_DAC_READ_SEARCH */
/* What attaching may need: borrowing QEMU's fd, reading libvirt's root-only files. */
#define PRIVS_ATTACH (PRIVS_PTRACE | PRIVS_READ_ANY)

/*
 * Empties the effective, permitted, inheritable, ambient and (where
 * CAP_SETPCAP allows) bounding sets, but for the capabilities in mask
 * @keep that the process has (--reconnect keeps CAP_SYS_PTRACE: it
 * borrows from the next VMM too).  Returns 0, or -errno when a set could
 * not be emptied (logged).
 */
int privs_drop(unsigned long long keep);

/* The set @name ("CapEff", "CapPrm", "CapBnd", ...) of this process, or ~0 on error. */
unsigned long long privs_read(const char *name);

#endif
