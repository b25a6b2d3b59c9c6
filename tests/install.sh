#!/bin/sh
# SPDX-License-Identifier: MIT
# The install as a user gets it: "meson install" of this build into a
# DESTDIR, then the tree is checked: the units' ExecStart= is the installed
# binary, every configuration path a unit names is the directory that
# binary reads (whatever --prefix was), the configuration directory exists
# with its example, and sysusers.d and tmpfiles.d have their entries.
# Usage: install.sh BUILD_DIR
set -u
build=$1
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

if ! meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$tmp/log" 2>&1; then
	echo "FAIL install: meson install failed"; cat "$tmp/log"; exit 1
fi
units=$(find "$dest" -name 'vgpu-viewer*.service' | sort)
[ "$(echo "$units" | grep -c .)" -ge 4 ] ||
	{ echo "FAIL install: units missing (found: $units)"; exit 1; }

# What the installed binary reads: the first path of --help's "Configuration:".
bin=$(find "$dest" -path '*/bin/vgpu-viewer' | head -n 1)
[ -x "$bin" ] || { echo "FAIL install: no bin/vgpu-viewer in $dest"; exit 1; }
confdir=$("$bin" --help | sed -n 's|^Configuration: \(/.*\)/viewer.conf,.*|\1|p')
[ -n "$confdir" ] || { echo "FAIL install: --help names no configuration directory"; exit 1; }

for u in $units; do
	name=$(basename "$u")
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$u")
	if [ "$dest$exe" != "$bin" ] && ! cmp -s "$dest$exe" "$bin"; then
		echo "FAIL $name: ExecStart=$exe is not the installed binary"; fail=1
	fi
	# Every path under an etc directory that a unit names, comments included.
	for p in $(grep -o '/[a-z/]*etc/vgpu-viewer[^ ")]*' "$u" | sort -u); do
		case $p in
		"$confdir"|"$confdir"/*) ;;
		*) echo "FAIL $name: names $p, but the binary reads $confdir"; fail=1 ;;
		esac
	done
done
[ "$fail" = 0 ] && echo "ok units name the installed binary and its configuration directory $confdir"

if [ -f "$dest$confdir/viewer.conf.example" ] &&
	grep -q '^#vm = ' "$dest$confdir/viewer.conf.example"; then
	echo "ok $confdir/viewer.conf.example installed"
else
	echo "FAIL install: no $confdir/viewer.conf.example"; fail=1
fi
# The example parses as it stands and with every line uncommented (but
# "wait"): the viewer gets as far as looking for its guest (exit 3), not 2.
sed 's/^#\([a-z]\)/\1/; s/^wait = true/wait = false/' "$dest$confdir/viewer.conf.example" \
	>"$tmp/all.conf"
"$bin" --config "$dest$confdir/viewer.conf.example" --mdev 00000000-0000-0000-0000-000000000000 \
	--backend headless >/dev/null 2>"$tmp/err1"
st1=$?
"$bin" --config "$tmp/all.conf" --backend headless >/dev/null 2>"$tmp/err2"
st2=$?
if [ "$st1" = 3 ] && [ "$st2" = 3 ] && grep -q "no VM win10" "$tmp/err2"; then
	echo "ok the example configuration parses, commented and not"
else
	echo "FAIL the example configuration: exit $st1: $(cat "$tmp/err1"); uncommented:" \
		"exit $st2: $(cat "$tmp/err2")"; fail=1
fi
sysusers=$(find "$dest" -path '*/sysusers.d/vgpu-viewer.conf')
tmpfiles=$(find "$dest" -path '*/tmpfiles.d/vgpu-viewer.conf')
if [ -n "$sysusers" ] && grep -q '^u vgpu-kiosk ' "$sysusers" && [ -n "$tmpfiles" ] &&
	grep -q "^d $confdir " "$tmpfiles"; then
	echo "ok sysusers.d and tmpfiles.d entries"
else
	echo "FAIL sysusers.d ($sysusers) or tmpfiles.d ($tmpfiles) entry missing"; fail=1
fi
exit $fail
