#!/bin/sh
# firmware_e2e.sh - the real firmware under simavr as the belt: `bellows run --port`
# on its pty (real libserialport) finds the same breaths as `bellows analyze` on the
# recording that drives the firmware's ADC (count within 1, times within one sample).
# Usage: sh firmware_e2e.sh BELLOWS HARNESS FIRMWARE.elf SHIM [RECORDING.csv]
# Without RECORDING, the simulator makes a 60 s belly+chest one with episodes.
# SPDX-License-Identifier: MIT
FW_TAG=fw
REC=${5:-}
. "$(dirname "$0")/firmware_lib.sh"

if [ -z "$REC" ]; then
    REC=$TMP/rec.csv
    "$BELLOWS" simulate --out "$REC" --duration 60 --fs 50 --seed 11 --chest \
        --script "holdin@22+12,posture@42:1" >/dev/null || fail "simulate"
fi
span=$(awk -F, 'NR > 1 { t = $1 } END { print t }' "$REC")
dur=$(awk -v s="$span" 'BEGIN { print s - 2 }')
"$BELLOWS" analyze "$REC" --events "$TMP/ref.csv" --quiet || fail "analyze $REC"

start_belt "$REC"
LD_PRELOAD="$SHIM" "$BELLOWS" run --port "$LINK" --belt-speed 8 --duration "$dur" --events "$TMP/run.csv" \
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
