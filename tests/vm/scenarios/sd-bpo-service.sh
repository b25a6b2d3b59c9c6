#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd-bpo
# vm-needs: guest
# vm-timeout: 1200
#
# sd-service on Debian 13's VMM stack (bookworm-backports' libvirt 11.3 and
# QEMU 10.0 over the installed 9.0 and 7.2): the unit waits for the VM,
# finds libvirt 11's QEMU and mdev from its status file (--vm), shows the
# guest, keeps only CAP_SYS_PTRACE under its seccomp filter and device
# policy, and is restarted by its watchdog.
exec "$(dirname "$0")/sd-service.sh"
