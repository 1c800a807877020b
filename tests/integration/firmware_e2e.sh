#!/bin/sh
# firmware_e2e.sh - the real firmware under simavr as the belt: `bellows run --port`
# on its pty (real libserialport) finds the same breaths as `bellows analyze` on the
# recording that drives the firmware's ADC (count within 1, times within one sample).
# Usage: sh firmware_e2e.sh BELLOWS HARNESS FIRMWARE.elf SHIM [RECORDING.csv]
# Without RECORDING, the simulator makes a 60 s belly+chest one with episodes.
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
HARNESS=$2
ELF=$3
SHIM=$4
REC=${5:-}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_fw.XXXXXX") || exit 1
LINK=/dev/bellows-test-$$-fw
SIM_PID=
export XDG_DATA_HOME="$TMP/xdg"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
cleanup() {
    [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
    rm -f "$LINK"
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/*.out "$TMP"/*.err; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
if ! touch "/dev/bellows-probe-$$" 2>/dev/null; then
    echo "SKIP: cannot create links in /dev (needs root)" >&2
    exit 77
fi
rm -f "/dev/bellows-probe-$$"

if [ -z "$REC" ]; then
    REC=$TMP/rec.csv
    "$BELLOWS" simulate --out "$REC" --duration 60 --fs 50 --seed 11 --chest \
        --script "holdin@22+12,posture@42:1" >/dev/null || fail "simulate"
fi
span=$(awk -F, 'NR > 1 { t = $1 } END { print t }' "$REC")
dur=$(awk -v s="$span" 'BEGIN { print s - 2 }')
"$BELLOWS" analyze "$REC" --events "$TMP/ref.csv" --quiet || fail "analyze $REC"

# No dither, rows held: the firmware reads exactly the recording's rows (x4: oversampling).
# --wait-host: the board powers up when bellows opens the port (as an Arduino resets).
"$HARNESS" --speed 8 --once --no-dither --hold --wait-host --link "$LINK" "$ELF" "$REC" >"$TMP/sim.out" \
    2>"$TMP/sim.err" &
SIM_PID=$!
n=0
while [ ! -e "$LINK" ] && [ $n -lt 100 ]; do
    sleep 0.05
    n=$((n + 1))
done
[ -e "$LINK" ] || fail "the harness made no pty link"
LD_PRELOAD="$SHIM" "$BELLOWS" run --port "$LINK" --duration "$dur" --events "$TMP/run.csv" \
    --no-record --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err" || fail "bellows run"
head -n 1 "$TMP/run.out" | grep -q "using the belt on $LINK" || fail "first line: $(head -n 1 "$TMP/run.out")"

# Same count (within 1) and every onset within one sample period (1/50 s). The
# harness powers the board up when bellows opens the port and starts the
# recording at the first sample, so bellows sees every row from the first, on
# the recording's own clock.
cmp_kind() {
    awk -F, -v k="$1" -v T="$dur" 'NR > 1 && $2 == k && $1 < T - 1 { print $1 }' "$TMP/ref.csv" >"$TMP/a"
    awk -F, -v k="$1" -v T="$dur" 'NR > 1 && $2 == k && $1 < T - 1 { print $1 }' "$TMP/run.csv" >"$TMP/b"
    na=$(wc -l <"$TMP/a")
    nb=$(wc -l <"$TMP/b")
    [ "$na" -ge 10 ] || fail "$1: analyze found only $na"
    [ $((nb - na)) -ge -1 ] && [ $((nb - na)) -le 1 ] || fail "$1: live $nb, analyze $na"
    awk -v k="$1" -v tol=0.0201 'NR == FNR { ref[n++] = $1; next }
        { best = 1e9; for (i = 0; i < n; i++) { e = $1 - ref[i]; if (e < 0) e = -e; if (e < best) best = e }
          if (best > tol) { print k ": live " $1 " is " best " s from analyze"; bad = 1 } }
        END { exit bad }' "$TMP/a" "$TMP/b" || fail "$1 times differ"
    echo "$1: live $nb, analyze $na, all within one sample"
}
cmp_kind insp_onset
cmp_kind exp_onset
echo ok
