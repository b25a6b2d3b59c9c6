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
expect stray-argument 2 win10 win11
# A VM that does not exist is "no such VM" (3), whether or not libvirt is here.
expect no-such-vm 3 --backend headless "no-such-vm-$$"
grep -q "no VM no-such-vm-$$ in qemu:///s" "$tmp/err" ||
	{ echo "FAIL no-such-vm: $(cat "$tmp/err")"; fail=1; }
# Window options where no window will come (sudo dropped WAYLAND_DISPLAY): say so, exit 2.
env -u WAYLAND_DISPLAY SUDO_USER=someone \
	"$bin" --mdev 5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10 --fullscreen >/dev/null 2>"$tmp/err"
got=$?
if [ "$got" = 2 ] && grep -q "no window to show the guest in" "$tmp/err" &&
	grep -q "sudo --preserve-env=WAYLAND_DISPLAY,XDG_RUNTIME_DIR" "$tmp/err"; then
	echo "ok window options without a window"
else
	echo "FAIL window options without a window: exit $got: $(cat "$tmp/err")"; fail=1
fi
# No compositor: exit 8 and one line that names the display, before any device is touched.
XDG_RUNTIME_DIR=$tmp WAYLAND_DISPLAY=no-such-display \
	expect no-compositor 8 --backend wayland --mdev 5b8f1c2e-0d6a-4e0b-9a55-3f1c2b7d9e10
grep -q "cannot connect to the Wayland compositor 'no-such-display'" "$tmp/err" &&
	[ "$(wc -l <"$tmp/err")" = 1 ] || { echo "FAIL no-compositor: $(cat "$tmp/err")"; fail=1; }

# Signals are blocked first thing in main(), before the configuration files
# are read (and all else that can be slow): a SIGTERM while the viewer starts
# is read by its loop and exits 0, never the default action's 143.  strace
# shows the order; then a real SIGTERM to a viewer waiting for its device.
if ! command -v strace >/dev/null; then
	echo "FAIL signals: strace not found (scripts/install-deps installs it)"; fail=1
else
	mkdir -p "$tmp/cfg/vgpu-viewer"
	echo '[viewer]' >"$tmp/cfg/vgpu-viewer/config"
	XDG_CONFIG_HOME=$tmp/cfg strace -o "$tmp/trace" -e trace=rt_sigprocmask,openat \
		"$bin" --backend headless --mdev 00000000-0000-0000-0000-000000000000 2>/dev/null
	block=$(grep -n 'rt_sigprocmask(SIG_BLOCK, \[.*TERM' "$tmp/trace" | head -n 1 | cut -d: -f1)
	conf=$(grep -n "$tmp/cfg/vgpu-viewer/config" "$tmp/trace" | head -n 1 | cut -d: -f1)
	if [ -z "$block" ] || [ -z "$conf" ] || [ "$block" -gt "$conf" ]; then
		echo "FAIL signals: SIGTERM not blocked before the configuration is read" \
			"(trace lines ${block:-none} and ${conf:-none})"; fail=1
	else
		echo "ok signals blocked before the configuration is read"
	fi
fi
# Waits for a line matching $2 in file $1, up to 5 s.
await_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 500 ] || return 1
		sleep 0.01
	done
}

# --wait says what it waits for at the default verbosity; SIGHUP that
# changes nothing says nothing needs a restart.
"$bin" --backend headless --wait --mdev 00000000-0000-0000-0000-000000000000 \
	>/dev/null 2>"$tmp/err" &
pid=$!
if await_line "$tmp/err" "waiting for the mdev to appear"; then
	echo "ok --wait says what it waits for"
else
	echo "FAIL --wait: no waiting message: $(cat "$tmp/err")"; fail=1
fi
"$bin" -v --backend headless --wait --mdev 00000000-0000-0000-0000-000000000000 \
	>/dev/null 2>"$tmp/err2" &
pid2=$!
await_line "$tmp/err2" "waiting for the mdev" && kill -HUP "$pid2"
if await_line "$tmp/err2" "configuration reloaded: nothing changed" &&
	! grep -q "next restart" "$tmp/err2"; then
	echo "ok SIGHUP with nothing changed"
else
	echo "FAIL SIGHUP with nothing changed: $(cat "$tmp/err2")"; fail=1
fi
kill -TERM "$pid2"
wait "$pid2"
i=0
# SigBlk: SIGTERM is bit 14.
until [ $(( 0x$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null || echo 0) & 0x4000 )) != 0 ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || break
	sleep 0.01
done
kill -TERM "$pid"
wait "$pid"
got=$?
if [ "$got" = 0 ]; then
	echo "ok sigterm while waiting: exit 0"
else
	echo "FAIL sigterm while waiting: exit $got, want 0"; cat "$tmp/err"; fail=1
fi
exit $fail
