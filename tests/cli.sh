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
exit $fail
