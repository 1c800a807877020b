#!/bin/sh
# serial_rate.sh - a belt sending 10 times the rate its info line states is noticed: the
# session does not run through 60 s of wrong times in 6 s, it ends within a few seconds
# with exit 1 and a message naming the port, the rate it sends and the rate it states;
# what came before is recorded. The same belt declared as a fast stand-in (--belt-speed
# 10) runs through.
# Usage: sh serial_rate.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 120 --seed 3 --chest || fail "simulate"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 10 2>"$TMP/feeder.err" &
PIDS="$PIDS $!"
start=$(date +%s.%N)
bellows_pty run --port "$LINK_A" --duration 60 --record "$TMP/sess" --no-window --no-audio \
    >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
took=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
[ $rc = 1 ] || fail "exit $rc after $took s, expected 1 (the rate is wrong)"
grep -q "$LINK_A: the belt sends about [0-9]* samples a second, but its info line says 50 Hz" \
    "$TMP/run.err" || fail "message: $(cat "$TMP/run.err")"
sent=$(sed -n 's/.*sends about \([0-9]*\) samples a second.*/\1/p' "$TMP/run.err")
[ "$sent" -ge 300 ] && [ "$sent" -le 700 ] || fail "measured $sent samples a second, not about 500"
rows=$(($(wc -l <"$TMP/sess.csv") - 1))
[ "$rows" -ge 500 ] || fail "only $rows rows kept"
secs=$(awk -F, 'END { printf "%d", $1 }' "$TMP/sess.csv")
[ "$secs" -lt 59 ] || fail "the session ran through $secs s of wrong times"
echo "10x belt: stopped after $took s ($rows rows, $secs s of its time kept): $(cat "$TMP/run.err")"

# The same belt, said to be a 10x stand-in: runs its 20 s (2 s of clock).
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 10 2>"$TMP/feeder2.err" &
PIDS="$PIDS $!"
bellows_pty run --port "$LINK_A" --belt-speed 10 --duration 20 --no-record --no-window \
    --no-audio >"$TMP/ok.out" 2>"$TMP/ok.err" || fail "--belt-speed 10: $(cat "$TMP/ok.err")"
echo ok
