# SPDX-License-Identifier: MIT
# Keyboard and pointer scenarios (sourced after lib.sh and lib-guest.sh):
# the uinput devices (tests/input/inputtool.c) and what the guest's report
# (tests/vm/guestinput.py) says.  Helpers are prefixed in_; their own
# variables _in_*.

# in_start GUEST_LOG: the keyboard, mouse and tablet on uinput, tagged by
# udev; commands go to them with in_do.  GUEST_LOG is the guest's serial
# log, which in_gi reads.
in_start() {
	IN_LOG=$1
	rm -f "$TMPDIR/input.ctl"
	mkfifo "$TMPDIR/input.ctl"
	"$VGPU_BUILD/tests/inputtool" <"$TMPDIR/input.ctl" >"$TMPDIR/input.out" 2>&1 &
	IN_PID=$!
	exec 8>"$TMPDIR/input.ctl"
	vm_wait_log "$TMPDIR/input.out" "^ready" 300
	vm_wait_for 600 sh -c "udevadm info /dev/input/event* 2>/dev/null | grep -q ID_INPUT_MOUSE=1" ||
		fail "udev did not tag the uinput mouse"
}

in_stop() {
	exec 8>&-
	wait "$IN_PID"
}

# in_do CMD [TENTHS]: one command to the uinput devices, returns when it is
# done (within 120 s by default): when the tool says so once more than it
# had (the same command may have been done before).
in_do() { in_tool_do 8 "$TMPDIR/input.out" "$@"; }

# in_tool_do FD OUT CMD [TENTHS]: the same, for the tool on fd FD writing OUT.
in_tool_do() {
	_in_n=$(grep -Fcx "done $3" "$2")
	echo "$3" >&"$1"
	vm_wait_for "${4:-1200}" _in_done_more "$2" "done $3" "$_in_n" || {
		cat "$2"
		fail "inputtool did not do '$3'"
	}
}
_in_done_more() { [ "$(grep -Fcx "$2" "$1")" -gt "$3" ]; }

# in_mark: where the guest's log is now (for in_gi FROM).
in_mark() { wc -l <"$IN_LOG"; }

# in_gi ARGS...: tests/vm/guestinput.py on the guest's log.
in_gi() { python3 "$VGPU_TOP/tests/vm/guestinput.py" "$IN_LOG" "$@"; }

# in_allkeys SKIP: every key keycodemapdb maps, each once the one before
# reached the guest, but those of SKIP (CODE,...: a hotkey's, which must not
# reach it, or keys the VMM has no code for).
in_allkeys() {
	_in_m=$(in_mark)
	_in_o=$(wc -l <"$TMPDIR/input.out")
	_in_t0=$(date +%s%N)
	# Up to 4 keys in flight, each 0.7 s from typed to the guest's report
	# under TCG in TCG; the tool gives up on one after 30 s.
	in_do "allkeys $IN_LOG $1" 9000
	in_typed "$_in_o" "all $(tail -n +"$((_in_o + 1))" "$TMPDIR/input.out" | grep -c '^typed') keys but those skipped arrived in $(( ($(date +%s%N) - _in_t0) / 1000000 )) ms"
	in_gi "$_in_m" keys --allkeys --skip "$1" || fail "the guest did not get every key as typed"
}

# in_typed FROM TEXT: no key after line FROM of the tool's output was lost;
# says TEXT and how long the keys took.  (The tool's output is only ever
# appended to: it writes to that file for as long as it runs.)
in_typed() {
	tail -n +"$(($1 + 1))" "$TMPDIR/input.out" >"$TMPDIR/typed.out"
	grep '^lost' "$TMPDIR/typed.out" && fail "keys did not arrive"
	note "$2; from uinput to the guest's report (up to 4 keys in flight) each took $(sed -n 's/^typed .* in \([0-9]*\) ms/\1/p' "$TMPDIR/typed.out" | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1] " ms (median), " a[NR] " ms (max)"}')"
}

# in_keys CODE,...: those keys, paced by the guest (4 in flight at most),
# and the guest got exactly them, pressed and released, in order.
in_keys() {
	_in_m=$(in_mark)
	_in_o=$(wc -l <"$TMPDIR/input.out")
	in_do "keys $IN_LOG $1" 3000
	in_typed "$_in_o" "$(echo "$1" | tr ',' '\n' | wc -l) keys arrived"
	# shellcheck disable=SC2046 # one word a key event
	in_gi "$_in_m" keys $(echo "$1" | tr ',' '\n' | sort -n | sed 's/.*/&:1 &:0/') ||
		fail "the guest did not get the keys as typed"
}

# Keys for a round trip that is not the whole table: letters, digits,
# modifiers left and right, keys with an 0xe0 prefix (arrows, Home, keypad
# Enter, the Windows keys), function keys but F11 (a hotkey), punctuation.
IN_SOME_KEYS=1,2,11,14,15,16,28,29,30,42,44,50,52,54,56,57,58,59,68,96,97,98,100,102,103,105,106,108,111,125,126

# in_expect_at SCALE X Y OW OH FW FH: the guest pixel ("X Y") under tablet
# position X,Y (0..65535) on an OWxOH output showing the FWxFH guest at
# --scale SCALE, worked out here from what --scale promises (letterboxed,
# cropped, centred), not from the viewer's code; a position over the
# letterbox is at the picture's edge.
in_expect_at() {
	# awk, not Python: 28 positions in input-kms, 10 in input-wayland, and
	# a Python start costs the test VM a second under TCG with KASAN.  %.0f
	# rounds half to even, as Python's round() does.
	awk -v mode="$1" -v X="$2" -v Y="$3" -v ow="$4" -v oh="$5" -v fw="$6" -v fh="$7" 'BEGIN {
		a = ow / fw; b = oh / fh
		if (mode == "fit") s = a < b ? a : b
		else if (mode == "fill") s = a > b ? a : b
		else if (mode == "integer") { s = int(a < b ? a : b); if (s < 1) s = 1 }
		else s = 1
		dw = sprintf("%.0f", fw * s) + 0; if (dw > ow) dw = ow
		dh = sprintf("%.0f", fh * s) + 0; if (dh > oh) dh = oh
		sw = dw / s; sh = dh / s
		dx = int((ow - dw) / 2); dy = int((oh - dh) / 2)
		sx = (fw - sw) / 2; sy = (fh - sh) / 2
		ox = X * ow / 65536; if (ox < dx) ox = dx; if (ox > dx + dw - 1) ox = dx + dw - 1
		oy = Y * oh / 65536; if (oy < dy) oy = dy; if (oy > dy + dh - 1) oy = dy + dh - 1
		printf "%.3f %.3f\n", sx + (ox + 0.5 - dx) * sw / dw, sy + (oy + 0.5 - dy) * sh / dh
	}'
}

# in_point SCALE X Y TOLERANCE: the tablet at X,Y lands within TOLERANCE
# guest pixels of where in_expect_at says (1280x1024 output, 1024x768 guest).
in_point() {
	# shellcheck disable=SC2046 # two numbers
	set -- "$1" "$2" "$3" "$4" $(in_expect_at "$1" "$2" "$3" 1280 1024 1024 768)
	in_do "abs $2 $3"
	in_gi --wait 600 0 abs "$5" "$6" 1024 768 "$4" >/dev/null || {
		in_gi 0 abs "$5" "$6" 1024 768 "$4"
		fail "$1: the tablet at $2,$3 is not there in the guest"
	}
}

# in_buttons: the tablet's left button, the mouse's right one and one
# detent of its wheel down arrive in the guest as such.
in_buttons() {
	_in_m=$(in_mark)
	in_do "btn tablet 272 1"
	in_do "btn tablet 272 0"
	in_do "btn mouse 273 1"
	in_do "btn mouse 273 0"
	in_gi --wait 600 "$_in_m" seen 273:0 || fail "the buttons did not arrive"
	in_do "wheel -1 0"
	in_gi --wait 600 "$_in_m" rel 8 -1 >/dev/null ||
		fail "one detent down: the guest's wheel says $(in_gi "$_in_m" rel 8), want -1"
	# BTN_LEFT, BTN_RIGHT: codes >= 0x100, so not among the keys.
	in_gi "$_in_m" keys || fail "keys from buttons"
	in_gi "$_in_m" seen 272:1 || fail "no left press in the guest"
	note "buttons and the wheel arrived"
}

# in_moves_exactly: the mouse moves right 40, then up 30, and the guest's
# mouse gets exactly that (a relative guest, its motion unaccelerated).
in_moves_exactly() {
	_in_m=$(in_mark)
	in_do "move 40 0"
	in_do "move 0 -30"
	in_gi --wait 600 "$_in_m" rel 1 -30 >/dev/null ||
		fail "right 40, then up 30: the guest's REL_Y says $(in_gi "$_in_m" rel 1)"
	in_gi "$_in_m" rel 0 40 >/dev/null ||
		fail "right 40, then up 30: the guest's REL_X says $(in_gi "$_in_m" rel 0)"
}

# weston_drm_start SOCKET MODE: weston's DRM backend on vkms's output at
# MODE (WxH; pixman renderer), its seat the uinput devices of in_start;
# exports WAYLAND_DISPLAY=SOCKET, sets WESTON_PID.  It runs as root with
# libseat's builtin backend (seatd inside weston): the test VM has no
# logind or seatd.  Not the noop backend: it opens devices without
# O_NONBLOCK, and libinput's first read of the power button's blocks
# weston for good.
weston_drm_start() {
	printf '%s\n' '[core]' 'idle-time=0' '[shell]' 'panel-position=none' 'locking=false' \
		'animation=none' 'close-animation=none' 'startup-animation=none' \
		'focus-animation=none' '[output]' 'name=Virtual-1' "mode=$2" >"$TMPDIR/weston.ini"
	LIBSEAT_BACKEND=builtin weston --backend=drm --renderer=pixman --config="$TMPDIR/weston.ini" \
		--socket="$1" >"$TMPDIR/weston-drm.log" 2>&1 &
	WESTON_PID=$!
	export WAYLAND_DISPLAY="$1"
	vm_wait_for 900 test -S "$XDG_RUNTIME_DIR/$1" ||
		{ cat "$TMPDIR/weston-drm.log"; fail "weston (DRM backend on vkms) did not start"; }
	grep -q "$2@.*current" "$TMPDIR/weston-drm.log" ||
		{ cat "$TMPDIR/weston-drm.log"; fail "weston's output is not $2"; }
}

# fake_qmp_start [--relative]: a stand-in QMP socket at $TMPDIR/qmp.sock for
# a guest that has no VMM (guestsim): vmtool.py fake-qmp, which records
# what it is sent in $TMPDIR/qmp-events.log.  fake_qmp_stop ends it.
fake_qmp_start() {
	python3 "$VGPU_TOP/tests/vm/vmtool.py" fake-qmp "$TMPDIR/qmp.sock" \
		"$TMPDIR/qmp-events.log" "$@" >"$TMPDIR/fake-qmp.log" 2>&1 &
	QMP_PID=$!
	vm_wait_for 100 test -S "$TMPDIR/qmp.sock" || fail "the stand-in QMP socket is not there"
}

fake_qmp_stop() {
	kill "$QMP_PID"
	wait "$QMP_PID" 2>/dev/null
}
