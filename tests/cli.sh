#!/bin/sh
# SPDX-License-Identifier: MIT
# The daemon's command-line contract, on the installed binary: --help and
# --version exit 0, an unknown option exits 2 with exactly one line on stderr.
set -u
bin=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect() { # name expected-status args...
	name=$1 want=$2
	shift 2
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit $got, want $want"; cat "$tmp/err"; fail=1
	else
		echo "ok $name"
	fi
}

expect help 0 --help
grep -q '^Usage: vgpu-viewer' "$tmp/out" || { echo "FAIL help: no usage line"; fail=1; }
expect version 0 --version
grep -Eq '^vgpu-viewer [0-9a-g]' "$tmp/out" || { echo "FAIL version: $(cat "$tmp/out")"; fail=1; }
expect unknown-option 2 --no-such-option
[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL unknown-option: stderr is not one line"; fail=1; }
[ ! -s "$tmp/out" ] || { echo "FAIL unknown-option: wrote to stdout"; fail=1; }
expect stray-argument 2 stray
# No compositor: exit 8 and one line that names the display, before any device is touched.
XDG_RUNTIME_DIR=$tmp WAYLAND_DISPLAY=no-such-display \
	expect no-compositor 8 --backend wayland --mdev 5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10
grep -q "cannot connect to the Wayland compositor 'no-such-display'" "$tmp/err" &&
	[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL no-compositor: $(cat "$tmp/err")"; fail=1; }
exit $fail
