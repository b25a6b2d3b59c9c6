#!/bin/sh
# SPDX-License-Identifier: MIT
# The systemd units and the man page, as installed:
#   - systemd-analyze verify is clean (ExecStart pointed at this build's
#     binary, the man page found through MANPATH);
#   - systemd-analyze security --offline=true rates each system unit 3.0 or
#     better;
#   - the man page documents every option --help lists.
# Usage: units.sh DATA_DIR VGPU_VIEWER MANPAGE MAN_SOURCE
set -u
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
data=$1 bin=$(abs "$2") man=$(abs "$3") src=$4
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v systemd-analyze >/dev/null || { echo "FAIL: no systemd-analyze"; exit 1; }
mkdir -p "$tmp/man/man1" "$tmp/units" "$tmp/user"
cp "$man" "$tmp/man/man1/"

# The service's socket, beside it for the verification of either.
cp "$data"/vgpu-viewer@.socket "$tmp/units/"
for u in "$data"/vgpu-viewer.service "$data"/vgpu-viewer@.service "$data"/vgpu-viewer@.socket \
	"$data"/vgpu-viewer-kiosk@.service "$data"/user-vgpu-viewer@.service; do
	name=$(basename "$u")
	dir=$tmp/units scope=--system
	# A user unit is verified by a user manager (it needs a runtime directory).
	case $name in user-*) name=${name#user-}; dir=$tmp/user scope=--user ;; esac
	mkdir -p -m 700 "$tmp/run"
	# The unit as installed, but for where the binary is.
	sed "s|^ExecStart=[^ ]*/vgpu-viewer|ExecStart=$bin|" "$u" >"$dir/$name"
	if out=$(XDG_RUNTIME_DIR=$tmp/run MANPATH=$tmp/man systemd-analyze $scope verify \
		"$dir/$name" 2>&1) && [ -z "$out" ]; then
		echo "ok verify $(basename "$u")"
	else
		echo "FAIL verify $(basename "$u"):"; echo "$out"; fail=1
	fi
done

for u in vgpu-viewer.service vgpu-viewer@.service vgpu-viewer-kiosk@.service; do
	score=$(systemd-analyze security --offline=true --no-pager "$tmp/units/$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
		echo "ok security $u: exposure $score"
	else
		echo "FAIL security $u: exposure '${score:-?}', want <= 3.0"; fail=1
	fi
done

opts=$("$bin" --help | sed -n 's/^ *\(-., \)\{0,1\}--\([a-z-]*\).*/\2/p')
nopts=$(echo "$opts" | grep -c .)
# Fewer than this many means the --help format changed under the parser.
if [ "$nopts" -lt 20 ]; then
	echo "FAIL man page: only $nopts options found in --help"; fail=1
fi
for opt in $opts; do
	grep -q -- "\*--$opt\*" "$src" || { echo "FAIL man page: --$opt is not documented"; fail=1; }
done
[ "$fail" = 0 ] && echo "ok man page documents every option ($nopts in --help)"
exit $fail
