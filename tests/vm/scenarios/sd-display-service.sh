#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-boot: systemd
# vm-needs: guest
# vm-timeout: 1800
#
# The VM's display service and its unprivileged viewers, as installed: a
# libvirt guest on an mbochs mdev, vgpu-viewer@dsguest.socket, and users
# alice (in group vgpu-viewer) and bob (not).
#   - The socket is there before the service runs; alice's viewer, started
#     as "vgpu-viewer dsguest", finds it, says so, starts the service by
#     connecting (socket activation) and shows the guest's own frames,
#     holding no VFIO fd and no capability.
#   - bob is refused: his viewer prints the service's one line and exits 5;
#     the service logs his uid and pid.
#   - Two clients, one stopped with SIGSTOP: the other keeps up, and the
#     stopped one, continued, gets the newest frame, not the backlog;
#     killing it disturbs no one.
#   - The socket fuzzed (tests/vm/svcfuzz.py), by alice and by bob: the
#     service lives on, with the fds it had and its RSS, and alice's viewer
#     keeps getting frames.
#   - In alice's logind session: weston (a user unit bound to
#     graphical-session.target) and the installed user unit
#     vgpu-viewer@dsguest.service; with the guest paused, weston's
#     screenshot is the guest's frame, pixel for pixel.
#   - systemctl restart of the service: both of alice's viewers reconnect
#     and show frames again.
. "$VGPU_TOP/tests/vm/lib.sh"
. "$VGPU_TOP/tests/vm/lib-guest.sh"
. "$VGPU_TOP/tests/vm/lib-systemd.sh"

vm=dsguest
unit=vgpu-viewer@$vm.service
sock=/run/vgpu-viewer/$vm.sock
sd_guest_setup "$vm"
a=$SD_UUID

id alice >/dev/null 2>&1 || useradd -m -G vgpu-viewer alice || fail "useradd alice"
id bob >/dev/null 2>&1 || useradd -m bob || fail "useradd bob"
alice_uid=$(id -u alice) bob_uid=$(id -u bob)
ah=/home/alice

# as USER CMD...: CMD as USER, with its groups and a clean environment.
# In the background, "$(as_cmd USER) CMD... &": $! is then CMD's pid (a
# backgrounded function would be a subshell of ours, with our root).
as_cmd() { echo "setpriv --reuid=$1 --regid=$1 --init-groups --reset-env"; }
as() {
	_as_u=$1
	shift
	$(as_cmd "$_as_u") "$@"
}
frames() { _fr=$(grep -c '"seq":' "$1" 2>/dev/null); echo "${_fr:-0}"; }
# seqs FILE: the guest's frame numbers the viewer recorded, one a line.
seqs() { sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$1"; }

systemctl start "vgpu-viewer@$vm.socket" || fail "the socket unit did not start"
[ -S "$sock" ] || fail "no socket at $sock"
[ "$(stat -c %a "$sock")" = 666 ] || fail "$sock is mode $(stat -c %a "$sock"), not 666"
[ "$(sd_prop "$unit" ActiveState)" = inactive ] || fail "the service runs before anyone asked"

sd_virsh start "$vm"
t0=$(date +%s%N)

# alice, from a shell: the viewer finds the VM's display service itself.
$(as_cmd alice) "$SD_BIN" "$vm" --backend headless -v --reconnect --stats "$ah/a1.jsonl" \
	>"$TMPDIR/a1.log" 2>&1 &
A1=$!
sd_wait_prop 1200 "$unit" ActiveState active ||
	{ cat "$TMPDIR/a1.log"; sd_unit_log "$unit"; fail "connecting did not start $unit"; }
vm_wait_for 600 grep -q "showing VM $vm through its display service at $sock" "$TMPDIR/a1.log" ||
	{ cat "$TMPDIR/a1.log"; fail "alice's viewer does not say it uses the display service"; }
vm_wait_for "$GUEST_BOOT_TENTHS" guest_stamped "$ah/a1.jsonl" 10 ||
	{ sd_guest_keep_log; cat "$TMPDIR/a1.log"; sd_unit_log "$unit"; fail "alice's viewer shows no frames of the guest's own"; }
shown=$(guest_check_frames "$ah/a1.jsonl") || fail "the guest's frames were not shown as drawn: $shown"
note "alice: $shown ($(( ($(date +%s%N) - t0) / 1000000000 )) s after virsh start)"
ls -l "/proc/$A1/fd" >"$VGPU_OUT/alice-viewer-fds.txt"
grep -Eq "/dev/vfio|vfio-device|/dev/iommu" "$VGPU_OUT/alice-viewer-fds.txt" &&
	fail "alice's viewer holds a VFIO fd"
grep -q "^CapEff:	0000000000000000$" "/proc/$A1/status" || fail "alice's viewer has capabilities"
dmabufs=$(grep -c "dmabuf" "$VGPU_OUT/alice-viewer-fds.txt")
note "alice's viewer (pid $A1): no VFIO fd, no capability, $dmabufs dmabuf fds"
[ "$dmabufs" -ge 1 ] || fail "alice's viewer holds no dmabuf: how does it show frames?"
spid=$(sd_prop "$unit" MainPID)
vm_wait_for 300 sd_status_matches "$unit" ', 1 viewer$' ||
	fail "STATUS= does not count alice's viewer ($(sd_prop "$unit" StatusText))"
note "STATUS=$(sd_prop "$unit" StatusText)"

# bob is refused, with one line on each side.
$(as_cmd bob) "$SD_BIN" "$vm" --backend headless >"$TMPDIR/bob.log" 2>&1 &
B=$!
wait "$B"
rc=$?
cat "$TMPDIR/bob.log"
[ "$rc" = 5 ] || fail "bob's viewer exited $rc, not 5"
grep -q "the display service at $sock refused: uid $bob_uid (bob) pid $B may not view VM $vm (allowed: @vgpu-viewer)" \
	"$TMPDIR/bob.log" || fail "bob was not told why"
vm_wait_for 100 sh -c "journalctl -b -u '$unit' -o cat | grep -q 'client uid $bob_uid (bob) pid $B: refused: not among the VM.s viewers'" ||
	{ sd_unit_log "$unit"; fail "the service did not log bob's refusal"; }
note "bob: exit 5, \"$(grep -o 'refused: .*' "$TMPDIR/bob.log")\"; the service logged uid $bob_uid pid $B"

# Two clients at different paces: one stopped.
$(as_cmd alice) "$SD_BIN" "$vm" --backend headless -v --stats "$ah/a2.jsonl" >"$TMPDIR/a2.log" 2>&1 &
A2=$!
vm_wait_for 600 guest_stamped "$ah/a2.jsonl" 3 || { cat "$TMPDIR/a2.log"; fail "a second viewer shows nothing"; }
kill -STOP "$A2"
n1=$(frames "$ah/a1.jsonl") n2=$(frames "$ah/a2.jsonl") s1=$(frames "$(sd_private_tmp "$unit")/frames.jsonl")
vm_wait_for 600 guest_stamped "$ah/a1.jsonl" $((n1 + 15)) ||
	fail "alice's first viewer stalled while the second was stopped"
s2=$(frames "$(sd_private_tmp "$unit")/frames.jsonl")
[ "$(frames "$ah/a2.jsonl")" = "$n2" ] || fail "a stopped viewer recorded frames"
note "viewer 2 stopped: viewer 1 showed 15 more frames, the service $((s2 - s1))"
last2=$(seqs "$ah/a2.jsonl" | tail -n 1)
kill -CONT "$A2"
vm_wait_for 600 guest_stamped "$ah/a2.jsonl" $((n2 + 2)) || fail "the continued viewer shows nothing new"
gap=$(seqs "$ah/a2.jsonl" | awk -v last="$last2" 'NR > 1 && $1 > last && $1 - prev > max { max = $1 - prev } { prev = $1 } END { print max + 0 }')
note "viewer 2 continued: after frame $last2 it skipped to the newest (largest step $gap frames)"
[ "$gap" -ge 5 ] || fail "the continued viewer was sent the backlog, not the newest frame (largest step $gap)"
kill -KILL "$A2"
wait "$A2" 2>/dev/null
n1=$(frames "$ah/a1.jsonl")
vm_wait_for 600 guest_stamped "$ah/a1.jsonl" $((n1 + 5)) || fail "killing a viewer disturbed another"
vm_wait_for 100 sh -c "journalctl -b -u '$unit' -o cat | grep -q 'client uid $alice_uid (alice) pid $A2: gone'" ||
	fail "the service did not log the killed viewer"

# The socket fuzzed, by a viewer and by a stranger.
[ "$(sd_prop "$unit" MainPID)" = "$spid" ] || fail "the service restarted"
fds0=$(ls "/proc/$spid/fd" | wc -l)
rss0=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$spid/status")
as alice python3 "$VGPU_TOP/tests/vm/svcfuzz.py" "$sock" >"$VGPU_OUT/fuzz-alice.txt" 2>&1 ||
	{ cat "$VGPU_OUT/fuzz-alice.txt"; fail "svcfuzz.py (alice) failed"; }
as bob python3 "$VGPU_TOP/tests/vm/svcfuzz.py" "$sock" >"$VGPU_OUT/fuzz-bob.txt" 2>&1 ||
	{ cat "$VGPU_OUT/fuzz-bob.txt"; fail "svcfuzz.py (bob) failed"; }
[ "$(sd_prop "$unit" MainPID)" = "$spid" ] || { sd_unit_log "$unit"; fail "the service died under the fuzzer"; }
fds_back() { fds1=$(ls "/proc/$spid/fd" | wc -l); [ "$fds1" -le "$fds0" ]; }
# A peer that says nothing is dropped after 10 s (SVC_HELLO_MS).
vm_wait_for 600 fds_back || { ls -l "/proc/$spid/fd"; fail "the service holds $(ls "/proc/$spid/fd" | wc -l) fds after the fuzzer, $fds0 before"; }
rss1=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$spid/status")
n1=$(frames "$ah/a1.jsonl")
vm_wait_for 600 guest_stamped "$ah/a1.jsonl" $((n1 + 5)) || fail "alice's viewer stalled after the fuzzer"
kill -0 "$A1" || fail "alice's viewer died"
note "fuzzed ($(grep -c ': done$' "$VGPU_OUT/fuzz-alice.txt") + $(grep -c ': done$' "$VGPU_OUT/fuzz-bob.txt") cases, $(tail -n 1 "$VGPU_OUT/fuzz-alice.txt")): fds $fds0 -> $fds1, RSS $rss0 -> $rss1 kB; alice's viewer went on"
[ $((rss1 - rss0)) -le 4096 ] || fail "the service's RSS grew by $((rss1 - rss0)) kB under the fuzzer"

# alice's desktop: a logind session, weston and the installed user unit.
systemd-run --quiet --unit=alice-session -p PAMName=login -p User=alice sleep infinity ||
	fail "no session for alice"
has_session() { [ -n "$(loginctl show-user alice -P Sessions 2>/dev/null)" ]; }
vm_wait_for 300 has_session || fail "logind has no session of alice"
vm_wait_for 600 test -S "/run/user/$alice_uid/systemd/private" || fail "alice's user manager did not start"
note "alice's logind session: $(loginctl show-user alice -P Sessions), user manager up"
mkdir -p "$ah/.config/systemd/user" "$ah/.config/vgpu-viewer" "$ah/shots"
printf '%s\n' '[core]' 'idle-time=0' '[shell]' 'panel-position=none' 'locking=false' \
	'animation=none' 'close-animation=none' 'startup-animation=none' 'focus-animation=none' \
	>"$ah/weston.ini"
cat >"$ah/.config/systemd/user/test-weston.service" <<EOF
[Unit]
Description=weston for the test (alice's compositor)
BindsTo=graphical-session.target
Before=graphical-session.target
[Service]
ExecStart=weston --backend=headless --renderer=gl --width=1024 --height=768 --debug --config=$ah/weston.ini --socket=wayland-vgpu
EOF
printf '%s\n' 'fullscreen = true' 'stats = /home/alice/unit.jsonl' >"$ah/.config/vgpu-viewer/config"
chown -R alice:alice "$ah"
ausr() { as alice env XDG_RUNTIME_DIR="/run/user/$alice_uid" systemctl --user "$@"; }
ausr daemon-reload
ausr set-environment WAYLAND_DISPLAY=wayland-vgpu || fail "set-environment in alice's manager"
ausr start test-weston.service || fail "weston did not start in alice's session"
vm_wait_for 900 test -S "/run/user/$alice_uid/wayland-vgpu" ||
	{ journalctl -b --user-unit test-weston.service -o cat | tail -n 20; fail "weston did not come up"; }
ausr start "vgpu-viewer@$vm.service" ||
	{ journalctl -b _UID="$alice_uid" -o cat | tail -n 30; fail "the user unit did not start"; }
vm_wait_for 1200 guest_stamped "$ah/unit.jsonl" 3 ||
	{ journalctl -b _UID="$alice_uid" -o cat | tail -n 30; fail "the user unit shows no frames"; }
note "the user unit: $(ausr show -P StatusText "vgpu-viewer@$vm.service")"
grep -q '"path":"zero-copy"' "$ah/unit.jsonl" ||
	{ tail -n 3 "$ah/unit.jsonl"; fail "the user unit's frames do not go to weston zero-copy"; }

# A still guest: the screen must then be its last frame, exactly.
sd_virsh suspend "$vm"
alice_shot() {
	rm -f "$ah/shots"/*.png
	as alice sh -c "cd $ah/shots && XDG_RUNTIME_DIR=/run/user/$alice_uid WAYLAND_DISPLAY=wayland-vgpu weston-screenshooter" >&2 ||
		return 2
	mv "$ah/shots"/wayland-screenshot-*.png "$VGPU_OUT/alice-screen.png" || return 2
	# The frame the user unit's viewer recorded last: the guest's last.
	imgcheck guestframe "$VGPU_OUT/alice-screen.png" 0 0 1024 768 \
		"$(seqs "$ah/unit.jsonl" | tail -n 1)" >"$TMPDIR/imgcheck.out" 2>&1
}
vm_wait_for 300 alice_shot || { cat "$TMPDIR/imgcheck.out"; fail "alice's screen does not show the guest's frame"; }
note "alice's weston shows the guest's frame: $(cat "$TMPDIR/imgcheck.out")"
sd_virsh resume "$vm"

# The service restarts: both of alice's viewers come back to it.
systemctl restart "$unit" || fail "systemctl restart $unit"
sd_wait_prop 1200 "$unit" ActiveState active || fail "the service did not come back"
[ "$(sd_prop "$unit" MainPID)" != "$spid" ] || fail "the service did not restart"
n1=$(frames "$ah/a1.jsonl") nu=$(frames "$ah/unit.jsonl")
vm_wait_for 1200 guest_stamped "$ah/a1.jsonl" $((n1 + 5)) ||
	{ cat "$TMPDIR/a1.log"; fail "alice's viewer did not come back after the restart"; }
vm_wait_for 1200 guest_stamped "$ah/unit.jsonl" $((nu + 5)) || fail "the user unit did not come back after the restart"
[ "$(grep -c "showing VM $vm through its display service" "$TMPDIR/a1.log")" -ge 2 ] ||
	fail "alice's viewer does not say it reconnected"
note "after systemctl restart: both viewers show frames again; STATUS=$(sd_prop "$unit" StatusText)"

ausr stop "vgpu-viewer@$vm.service" test-weston.service
kill "$A1"
wait "$A1"
rc=$?
[ "$rc" = 0 ] || { cat "$TMPDIR/a1.log"; fail "alice's viewer exited $rc on SIGTERM"; }
cp "$TMPDIR/a1.log" "$VGPU_OUT/"
systemctl stop alice-session.service "$unit" "vgpu-viewer@$vm.socket"
[ -e "$sock" ] && fail "the socket file stays after the socket unit stopped"
sd_guest_keep_log
sd_virsh destroy "$vm"
sd_virsh undefine "$vm"
vm_mdev_remove "$a"
