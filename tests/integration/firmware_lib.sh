# firmware_lib.sh - shared set-up of the tests that run the real firmware under simavr as the
# belt: arguments, a temporary folder, the pty link under /dev, cleanup, and starting the
# harness. Sourced, not run; the test sets FW_TAG (its link's suffix) first.
# Arguments of every firmware_*.sh: BELLOWS HARNESS FIRMWARE.elf SHIM
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
HARNESS=$2
ELF=$3
SHIM=$4
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_$FW_TAG.XXXXXX") || exit 1
LINK=/dev/bellows-test-$$-$FW_TAG
SIM_PID=
export XDG_DATA_HOME="$TMP/xdg"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
cleanup() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
    rm -f "$LINK"
    rm -rf "$TMP"
}
trap cleanup EXIT
# Beside this file: callers outside tests/integration set TEST_LIB_DIR to it.
. "${TEST_LIB_DIR:-$(dirname "$0")}/test_lib.sh"

# start_belt RECORDING.csv [HARNESS OPTION...]: the firmware reads exactly the recording's
# rows (no dither, rows held; x4 for its oversampling), 8 times real time, once; the board
# powers up when bellows opens the port (as an Arduino resets). Returns once the pty link
# is there.
start_belt() {
    rec=$1
    shift
    "$HARNESS" --speed 8 --once --no-dither --hold --wait-host "$@" --link "$LINK" "$ELF" "$rec" \
        >"$TMP/sim.out" 2>"$TMP/sim.err" &
    SIM_PID=$!
    n=0
    while [ ! -e "$LINK" ] && [ $n -lt 100 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    [ -e "$LINK" ] || fail "the harness made no pty link"
}
