#!/bin/sh
# serial_plotter_assess.sh - `bellows assess --rate HZ` takes a sketch's Serial Plotter lines
# as `bellows run --rate` does: times from the count, so a recording played at 10x speed
# is assessed in a tenth of its time, with the deep breath found.
# Usage: sh serial_plotter_assess.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

# The guide asks for the deep breath after 40 s of settling.
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 200 --seed 3 --chest \
    --script "deep@42+12:2.5" || fail "simulate"
start_socat
# The lines start at the host's first "?" (--wait-request 1 after --plotter): none is
# flushed at the open, so the recording's deep breath falls in the deep-breath phase
# however busy the machine.
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --plotter plain --wait-request 1 --speed 10 \
    2>"$TMP/feeder.err" &
PIDS="$!"
bellows_pty assess --port "$LINK_A" --rate 50 --belt-speed 10 --out "$TMP/as.json" --no-window --no-audio \
    >"$TMP/as.out" 2>"$TMP/as.err"
rc=$?
kill "$PIDS" 2>/dev/null
wait "$PIDS" 2>/dev/null
[ $rc -eq 0 ] || fail "bellows assess --rate 50: exit $rc: $(tail -n 3 "$TMP/as.err" "$TMP/as.out")"
head -n 1 "$TMP/as.out" | grep -q "using the sketch on $LINK_A (Arduino Serial Plotter lines, 50 Hz from --rate" ||
    fail "first line: $(head -n 1 "$TMP/as.out")"
grep -q "Done" "$TMP/as.out" || fail "not done: $(tail -n 3 "$TMP/as.out")"
grep -q "asked again" "$TMP/as.out" && fail "a phase was asked again: $(cat "$TMP/as.out")"
grep -q '"belly_depth": [0-9]' "$TMP/as.json" ||
    fail "no calibration in the result: $(head -c 300 "$TMP/as.json")"
echo ok
