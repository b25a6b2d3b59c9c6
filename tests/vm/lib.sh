# SPDX-License-Identifier: MIT
# Helpers for VM scenarios (sourced; runs inside the guest, see tests/vm/init).
# POSIX sh has no local variables: the helpers' own are named _lib_* (and a
# helper that calls others, _<its initials>_*), so that none clobbers another's.

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$TMPDIR/viewer.log" ]; then
		echo "-- the viewer's log:" >&2
		cat "$TMPDIR/viewer.log" >&2
	fi
	# The compositor's log, for the record.
	cp "$TMPDIR"/weston-*.log "$VGPU_OUT/" 2>/dev/null
	exit 1
}

# However a scenario ends (exit, fail, or the SIGTERM of init's timeout) its
# records stay in the results for whoever reads a failure.  What it left
# running, its mdevs and vkms are init's to remove (tests/vm/init: reap).
vm_cleanup() {
	trap - EXIT
	# A compositor that made itself a session leader (libseat's builtin
	# backend) escapes init's kill of the scenario's process group, and
	# would keep vkms's card from the scenarios after this one.
	[ -n "${WESTON_PID:-}" ] && kill "$WESTON_PID" 2>/dev/null
	# A nested guest's serial console is written here and copied at the
	# end: QEMU writes it a byte at a time, and each write to the results
	# share is a 9p round trip to the host (input-kms's 158 keys took 126 s
	# to be reported there, 19-35 s here).
	cp "$TMPDIR"/weston-*.log "$TMPDIR"/*.jsonl "$TMPDIR"/viewer.log "$TMPDIR"/gs.out \
		"$TMPDIR"/input.out "$TMPDIR"/guest*.log "$VGPU_OUT/" 2>/dev/null
	return 0
}
trap vm_cleanup EXIT
# init's timeout: say so, with the end of the viewer's log, then clean up.
trap 'echo "TIMED OUT: the scenario was stopped" >&2
	[ -s "$TMPDIR/viewer.log" ] && tail -n 40 "$TMPDIR/viewer.log" >&2
	exit 143' TERM

# vm_wait_exit PID [TENTHS]: waits for PID to be gone (default 10 s).
vm_wait_exit() {
	[ -n "$1" ] || return 0
	_lib_j=0
	# A child that exited stays a zombie until the shell waits for it.
	while [ -e "/proc/$1" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" != Z ]; do
		_lib_j=$((_lib_j + 1))
		[ "$_lib_j" -le "${2:-100}" ] || return 1
		sleep 0.1
	done
}

note() {
	echo "-- $*"
}

# vm_modprobe MODULE...: loads test-bed kernel modules with their dependencies.
vm_modprobe() {
	for m in "$@"; do
		modprobe -d "$VGPU_KERNEL/modules" -S "$VGPU_KVER" "$m" ||
			fail "modprobe $m failed"
	done
}

vm_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# vm_mdev_type PARENT TYPE: the sysfs directory of an mdev type.
vm_mdev_type() {
	echo "/sys/class/mdev_bus/$1/mdev_supported_types/$1-$2"
}

# vm_mdev_create PARENT TYPE UUID: creates an mdev and waits for its group node.
vm_mdev_create() {
	_lib_t=$(vm_mdev_type "$1" "$2")
	[ -d "$_lib_t" ] || fail "mdev type $1-$2 not offered ($_lib_t missing)"
	echo "$3" >"$_lib_t/create" || fail "creating $1-$2 mdev $3 failed"
}

# vm_mdev_group UUID: the IOMMU group number of an mdev.
vm_mdev_group() {
	_lib_g=$(readlink "/sys/bus/mdev/devices/$1/iommu_group") || fail "mdev $1 has no iommu_group"
	basename "$_lib_g"
}

vm_mdev_remove() {
	echo 1 >"/sys/bus/mdev/devices/$1/remove" || fail "removing mdev $1 failed"
}

# vm_wait_gone PATH [TENTHS]: waits for PATH to disappear (default 2 s).
vm_wait_gone() {
	_lib_i=0
	while [ -e "$1" ]; do
		_lib_i=$((_lib_i + 1))
		[ "$_lib_i" -le "${2:-20}" ] || return 1
		sleep 0.1
	done
}

# vm_stacks [PID...]: where the threads of these processes, and every thread
# in uninterruptible sleep, are in the kernel (/proc/PID/task/TID/stack), for
# a failure report when something waits for ever.
vm_stacks() {
	for _lib_t in /proc/[0-9]*/task/[0-9]*; do
		_lib_p=${_lib_t#/proc/}
		_lib_p=${_lib_p%%/*}
		_lib_s=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "$_lib_t/status" 2>/dev/null)
		case " $* " in
		*" $_lib_p "*) ;;
		*) [ "$_lib_s" = D ] || continue ;;
		esac
		echo "-- pid $_lib_p tid ${_lib_t##*/} $(cat "$_lib_t/comm" 2>/dev/null)" \
			"state $_lib_s wchan $(cat "$_lib_t/wchan" 2>/dev/null)"
		cat "$_lib_t/stack" 2>/dev/null
	done
}

# Waits up to TENTHS tenths of a second, by the clock, for a command to
# succeed: tried every tenth for the first second, then every half second.
# (Counting tries instead would stretch the bound by what the command costs:
# a journalctl takes seconds under TCG.)  Each try starts processes (the
# command, sleep), and each start costs the test VM far more than on the
# host (TCG, KASAN, libraries over 9p); a try used to start date(1) twice
# as well, for the clock, which is now /proc/uptime, read by the shell.
vm_wait_for() { # TENTHS CMD...
	_lib_uptime
	_lib_end=$((_lib_now + $1 * 10))
	_lib_try=0
	shift
	until "$@"; do
		_lib_uptime
		[ "$_lib_now" -lt "$_lib_end" ] || return 1
		_lib_try=$((_lib_try + 1))
		if [ "$_lib_try" -le 10 ]; then
			sleep 0.1
		else
			sleep 0.5
		fi
	done
}
# Sets _lib_now to the uptime in hundredths of a second (no process started).
_lib_uptime() {
	read -r _lib_up _lib_idle </proc/uptime
	_lib_now=${_lib_up%.*}${_lib_up#*.}
}

# gs_start UUID [guestsim args]: a running guest on the mdev.  Sets GS_PID;
# commands go to it with gs_cmd.  Its output is in $TMPDIR/gs.out.
# With --hold it draws its first frame and waits for "gs_cmd resume".
# GS_WRAP: a command guestsim runs under (setpriv, to be another user).
gs_start() {
	_lib_uuid=$1
	shift
	rm -f "$TMPDIR/gs.ctl"
	mkfifo "$TMPDIR/gs.ctl"
	# shellcheck disable=SC2086 # GS_WRAP is words
	${GS_WRAP:-} "$VGPU_BUILD/tests/guestsim" --mdev "$_lib_uuid" "$@" <"$TMPDIR/gs.ctl" \
		>"$TMPDIR/gs.out" 2>&1 &
	GS_PID=$!
	exec 9>"$TMPDIR/gs.ctl"
	vm_wait_for 100 grep -q '^ready' "$TMPDIR/gs.out" || {
		cat "$TMPDIR/gs.out"
		fail "guestsim did not start"
	}
}

# gs_cmd COMMAND: sends guestsim a command and waits for its answer
# ("COMMAND: ok", or the error), which is left in GS_REPLY.  guestsim has
# acted on it then; whether the viewer has seen it is the scenario's to
# wait for.
gs_cmd() {
	_lib_c="$*"
	_lib_k=$(gs_replies "$_lib_c")
	echo "$_lib_c" >&9
	vm_wait_for 600 gs_answered "$_lib_c" "$_lib_k" || {
		cat "$TMPDIR/gs.out" >&2
		fail "guestsim did not answer '$_lib_c'"
	}
	GS_REPLY=$(awk -v c="$_lib_c: " 'index($0, c) == 1' "$TMPDIR/gs.out" | tail -n 1)
}

gs_replies() { # COMMAND: how many answers to it guestsim has given
	awk -v c="$1: " 'index($0, c) == 1 { n++ } END { print n + 0 }' "$TMPDIR/gs.out"
}

gs_answered() { # COMMAND COUNT: more than COUNT answers
	[ "$(gs_replies "$1")" -gt "$2" ]
}

# gs_pause: guestsim stops flipping; GS_SEQ is the frame it stopped on.
gs_pause() {
	gs_cmd pause
	GS_SEQ=${GS_REPLY##*frame }
	case $GS_SEQ in
	''|*[!0-9]*) fail "guestsim's answer to pause names no frame: $GS_REPLY" ;;
	esac
}

gs_stop() {
	kill "$GS_PID" 2>/dev/null
	wait "$GS_PID" 2>/dev/null
	GS_PID=
	exec 9>&-
}

# viewer_start ARGS...: the viewer in the background (-v; headless, or
# $_lib_backend); VW_PID.  VW_WRAP: a command it runs under (setpriv).
viewer_start() {
	# shellcheck disable=SC2086 # VW_WRAP is words
	${VW_WRAP:-} "$VGPU_BUILD/vgpu-viewer" --backend "${_lib_backend:-headless}" -v "$@" \
		>>"$TMPDIR/viewer.log" 2>&1 &
	VW_PID=$!
	_lib_backend=
}

# viewer_wait_attached [TENTHS]: until the viewer says it attached (default
# 120 s: start-up under TCG on a loaded machine), or fails if it exited.
viewer_wait_attached() {
	vm_wait_for "${1:-1200}" viewer_attached_or_gone
	grep -q ": attached to " "$TMPDIR/viewer.log" 2>/dev/null && return 0
	vm_wait_exit "$VW_PID" 0 && fail "the viewer exited before attaching"
	fail "the viewer did not attach"
}

viewer_attached_or_gone() {
	grep -q ": attached to " "$TMPDIR/viewer.log" 2>/dev/null || vm_wait_exit "$VW_PID" 0
}

# viewer_stop: SIGTERM, and the exit status must be 0.
viewer_stop() {
	kill -TERM "$VW_PID"
	wait "$VW_PID"
	_lib_rc=$?
	VW_PID=
	cat "$TMPDIR/viewer.log"
	[ "$_lib_rc" = 0 ] || fail "the viewer exited $_lib_rc on SIGTERM"
}

# vm_wait_frame STATS SEQ [presented] [TENTHS]: until the viewer's --stats
# record guestsim's frame SEQ as shown (with "presented": as the compositor
# or the page flip reported it on screen).  Default 60 s.
vm_wait_frame() {
	_lib_pat="\"seq\":$2,"
	[ "${3:-}" = presented ] && _lib_pat="$_lib_pat.*\"presented_ns\""
	vm_wait_for "${4:-600}" grep -q "$_lib_pat" "$1" || {
		tail -n 5 "$1" >&2
		fail "the viewer did not show frame $2${3:+ (presented)}"
	}
}

vmtool() {
	python3 "$VGPU_TOP/tests/vm/vmtool.py" "$@"
}

# Waits until FILE has N lines (TENTHS, default 60 s).
vm_wait_lines() { # FILE N [TENTHS]
	vm_wait_for "${3:-600}" sh -c "[ \$(wc -l <'$1' 2>/dev/null || echo 0) -ge $2 ]" ||
		fail "$1 did not reach $2 lines"
}

# show_guest UUID COUNT GSLOG STATS [VIEWER ARGS...]: the viewer attaches
# with --pid to guestsim on mdev UUID, and only then guestsim draws COUNT
# frames (at $GS_RATE, default 60 Hz), logging them to GSLOG; the viewer
# records what it shows to STATS and is stopped once it showed the last.
show_guest() {
	_sg_u=$1 _sg_n=$2 _sg_log=$3 _sg_stats=$4
	shift 4
	gs_start "$_sg_u" --hold --rate "${GS_RATE:-60}" --count "$_sg_n" --log "$_sg_log"
	viewer_start --pid "$GS_PID" --stats "$_sg_stats" "$@"
	viewer_wait_attached
	gs_cmd resume
	# Frames come at the rate or slower (guestsim does not catch up).
	vm_wait_lines "$_sg_log" "$_sg_n" $((_sg_n * 40 / ${GS_RATE:-60} + 600))
	vm_wait_frame "$_sg_stats" "$_sg_n"
	viewer_stop
	gs_stop
}

# weston_start RENDERER WIDTH HEIGHT: a headless weston (gl or pixman) with
# one output, no panel (desktop-shell's would cover the top 32 rows) and no
# animations (a window fading in from black under TCG's stalls was still
# black in a screenshot 1.5 s later); exports WAYLAND_DISPLAY, sets
# WESTON_PID.  Under TCG gl takes 15-30 s to start.
weston_start() {
	_lib_sock=wayland-vgpu-$1
	printf '%s\n' '[core]' 'idle-time=0' '[shell]' 'panel-position=none' 'locking=false' \
		'animation=none' 'close-animation=none' 'startup-animation=none' \
		'focus-animation=none' >"$TMPDIR/weston.ini"
	weston --backend=headless --renderer="$1" --width="$2" --height="$3" --debug \
		--config="$TMPDIR/weston.ini" --socket="$_lib_sock" >"$TMPDIR/weston-$1.log" 2>&1 &
	WESTON_PID=$!
	export WAYLAND_DISPLAY=$_lib_sock
	vm_wait_for 900 test -S "$XDG_RUNTIME_DIR/$_lib_sock" || {
		cat "$TMPDIR/weston-$1.log"
		fail "weston ($1) did not start"
	}
	note "weston $1 up after $(cut -d' ' -f1 /proc/uptime) s of uptime"
}

weston_stop() {
	kill "$WESTON_PID" 2>/dev/null
	wait "$WESTON_PID" 2>/dev/null
	WESTON_PID=
	cp "$TMPDIR"/weston-*.log "$VGPU_OUT/" 2>/dev/null
}

# wl_viewer_start ARGS...: the viewer in a window (-v); VW_PID.
wl_viewer_start() {
	_lib_backend=wayland
	viewer_start "$@"
}

# wl_shot NAME: a screenshot of the output, kept in the results as NAME.png;
# prints its path.
wl_shot() {
	mkdir -p "$TMPDIR/shots"
	rm -f "$TMPDIR/shots"/wayland-screenshot-*.png
	(cd "$TMPDIR/shots" && weston-screenshooter) >&2 || fail "weston-screenshooter failed"
	mv "$TMPDIR/shots"/wayland-screenshot-*.png "$VGPU_OUT/$1.png" || fail "no screenshot"
	echo "$VGPU_OUT/$1.png"
}

# imgcheck ARGS...: screenshot vs guest frame (tests/imgcheck/imgcheck.c).
imgcheck() {
	"$VGPU_BUILD/tests/imgcheck" "$@"
}

# screen_expect wl|kms NAME TENTHS CHECK [ARGS...]: what is on screen (a
# weston screenshot, or what vkms scans out) as NAME, checked with
# "imgcheck CHECK SHOT ARGS..." until it matches, for TENTHS tenths of a
# second at most.  The screen shows a frame a repaint or a page flip after
# the viewer hands it over: the look is repeated, not preceded by a sleep.
# A check that is given bad input fails at once.
screen_expect() {
	_se_n=$3
	vm_wait_for "$_se_n" screen_matches "$@" || {
		cat "$TMPDIR/imgcheck.out" >&2
		return 1
	}
	cat "$TMPDIR/imgcheck.out"
}

screen_matches() { # wl|kms NAME TENTHS CHECK [ARGS...]: one look
	_se_kind=$1 _se_name=$2 _se_check=$4
	shift 4
	if [ "$_se_kind" = wl ]; then
		_se_shot=$(wl_shot "$_se_name")
	else
		# A compositor that repaints between the read and vkms's CRC: look again.
		_se_shot=$(KMS_GRAB_TRY=1 kms_grab "$_se_name") || return 1
	fi
	imgcheck "$_se_check" "$_se_shot" "$@" >"$TMPDIR/imgcheck.out" 2>&1
	_se_rc=$?
	[ "$_se_rc" -le 1 ] || { cat "$TMPDIR/imgcheck.out" >&2; fail "imgcheck: bad input"; }
	return "$_se_rc"
}

# gs_dump NAME: the guest's frame on screen, as $VGPU_OUT/NAME.ppm; prints the path.
gs_dump() {
	gs_cmd "dump $VGPU_OUT/$1.ppm"
	# Writing 2 MB a byte triple at a time takes a while under TCG.
	vm_wait_for 100 grep -q "^dump $VGPU_OUT/$1.ppm: " "$TMPDIR/gs.out" &&
		grep -q "^dump $VGPU_OUT/$1.ppm: ok" "$TMPDIR/gs.out" || {
		cat "$TMPDIR/gs.out" >&2
		fail "guestsim could not dump its frame"
	}
	echo "$VGPU_OUT/$1.ppm"
}

# vm_wait_log FILE PATTERN [TENTHS]: waits for a line matching PATTERN.
vm_wait_log() {
	vm_wait_for "${3:-300}" grep -q "$2" "$1" || {
		cat "$1"
		fail "no '$2' in $1"
	}
}

# kms_start: vkms (only now: while a vkms node exists, Mesa's EGL is
# kms_swrast, which cannot read imported dmabufs; TESTBED.md), with its
# overlay plane for the statistics overlay, and udev, through which libinput
# finds keyboards.  Sets KMSTOOL.
kms_start() {
	KMSTOOL=$VGPU_BUILD/tests/kmstool
	modprobe -d "$VGPU_KERNEL/modules" -S "$VGPU_KVER" vkms enable_overlay=1 ||
		fail "modprobe vkms failed"
	vm_wait_for 50 test -e /dev/dri/card0 || fail "vkms made no /dev/dri/card0"
	# vkms goes whatever happens (init's reap): the Wayland scenarios after
	# this one need Mesa without kms_swrast.
	if [ -z "$KMS_UDEV_PID" ] && ! udevadm control --ping -t 2 2>/dev/null; then
		mkdir -p /run/udev
		/lib/systemd/systemd-udevd >"$TMPDIR/udevd.log" 2>&1 &
		KMS_UDEV_PID=$!
		# Only what libinput and the viewer look at: a trigger of every
		# device keeps udevd busy for minutes under TCG.
		udevadm trigger --action=add --subsystem-match=input --subsystem-match=drm \
			>/dev/null 2>&1
		udevadm settle -t 120 || fail "udevadm settle timed out (120 s)"
	fi
}

kms_stop() {
	[ -n "$KMS_UDEV_PID" ] && kill "$KMS_UDEV_PID" 2>/dev/null
	KMS_UDEV_PID=
	if [ -d /sys/module/vkms ]; then
		rmmod vkms || note "vkms stays loaded"
	fi
}

# kms_grab NAME: what vkms scans out, checked against its CRC, as
# $VGPU_OUT/NAME-scanout.ppm; prints the path.  KMS_GRAB_TRY=1: a read
# that vkms's CRC does not confirm (or no CRTC on yet) returns 1 instead
# of failing.
kms_grab() {
	"$KMSTOOL" grab "$VGPU_OUT/$1-scanout.ppm" >"$TMPDIR/grab.out" 2>&1
	_lib_rc=$?
	[ "$_lib_rc" = 1 ] && [ "${KMS_GRAB_TRY:-0}" = 1 ] && { cat "$TMPDIR/grab.out" >&2; return 1; }
	[ "$_lib_rc" = 0 ] || {
		cat "$TMPDIR/grab.out" >&2
		fail "kmstool grab $1 failed"
	}
	cat "$TMPDIR/grab.out" >&2
	echo "$VGPU_OUT/$1-scanout.ppm"
}
