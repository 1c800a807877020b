# serial_lib.sh - shared set-up of the serial tests: a socat pty pair linked under /dev,
# the ioctl shim for libserialport, cleanup, and comparing breaths. Sourced, not run.
# Arguments of every serial_*.sh: BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
FEEDER=$2
SHIM=$3
SOCAT=$4
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_serial.XXXXXX") || exit 1
# libserialport takes a pty only through a /dev/ symlink (TESTING.md).
LINK_A=/dev/bellows-test-$$-a
LINK_B=/dev/bellows-test-$$-b
SOCAT_PID=
PIDS=
export XDG_DATA_HOME="$TMP/xdg"
# The shim is preloaded ahead of the sanitizer runtime of a sanitized build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# Processes of this test still running: anything given this test's own pty links.
leftovers() {
    pgrep -f -- "/dev/bellows-test-$$-[ab]" | grep -vx "$$"
}
cleanup() {
    rc=$?
    for p in $PIDS $SOCAT_PID; do kill -9 "$p" 2>/dev/null; done
    # No test leaves a process behind: what is still here was missed (a kill that hit
    # a subshell instead of bellows, say); fail, naming it, and end it.
    n=0
    while [ -n "$(leftovers)" ] && [ $n -lt 20 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    left=$(leftovers)
    if [ -n "$left" ]; then
        echo "FAIL: left running after the test:" >&2
        for p in $left; do
            tr '\0' ' ' <"/proc/$p/cmdline" >&2 2>/dev/null
            echo >&2
            kill -9 "$p" 2>/dev/null
        done
        rc=1
    fi
    rm -f "$LINK_A" "$LINK_B"
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
# Beside this file: callers outside tests/integration set TEST_LIB_DIR to it.
. "${TEST_LIB_DIR:-$(dirname "$0")}/test_lib.sh"

start_socat() {
    rm -f "$LINK_A" "$LINK_B"
    "$SOCAT" pty,raw,echo=0,link="$LINK_A" pty,raw,echo=0,link="$LINK_B" 2>>"$TMP/socat.err" &
    SOCAT_PID=$!
    n=0
    while { [ ! -e "$LINK_A" ] || [ ! -e "$LINK_B" ]; } && [ $n -lt 100 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    [ -e "$LINK_A" ] && [ -e "$LINK_B" ] || fail "socat made no pty pair"
}

# bellows with the test-only ioctl shim (a pty has no modem lines).
bellows_pty() {
    LD_PRELOAD="$SHIM" "$BELLOWS" "$@"
}

# The same in the background, its pid in BPID and PIDS. `bellows_pty ... &` would
# background a subshell running the function: $! would be the subshell's, and killing
# it would leave bellows running.
bellows_pty_start() {
    LD_PRELOAD="$SHIM" "$BELLOWS" "$@" &
    BPID=$!
    PIDS="$PIDS $BPID"
}

# insp_onset times of an events CSV before T seconds.
onsets() {
    awk -F, -v T="$2" 'NR > 1 && $2 == "insp_onset" && $1 < T { print $1 }' "$1"
}

# same_breaths RUN.csv REF.csv T [TOL]: count within 1, every run onset within TOL
# seconds (default one sample period, 1/50 s) of a reference onset, both before T seconds.
same_breaths() {
    onsets "$1" "$3" >"$TMP/run_onsets"
    onsets "$2" "$3" >"$TMP/ref_onsets"
    nr=$(wc -l <"$TMP/run_onsets")
    nf=$(wc -l <"$TMP/ref_onsets")
    [ "$nf" -ge 3 ] || fail "reference has only $nf breaths before $3 s"
    d=$((nr - nf))
    [ $d -ge -1 ] && [ $d -le 1 ] || fail "live found $nr breaths, analyze $nf (before $3 s)"
    awk -v tol="${4:-0.0201}" 'NR == FNR { ref[n++] = $1; next }
         { best = 1e9; for (i = 0; i < n; i++) { e = $1 - ref[i]; if (e < 0) e = -e; if (e < best) best = e }
           if (best > tol + 0) { print "onset " $1 " is " best " s from any reference onset"; bad = 1 } }
         END { exit bad }' "$TMP/ref_onsets" "$TMP/run_onsets" || fail "onset times differ"
}

# Value of "NAME: N" in the final counters line of a bellows output.
counter() {
    sed -n "s/.*$2: \([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1
}
