#!/bin/sh
# serial_plotter.sh - any Arduino sketch is a belt: a recording played into a pty as Serial
# Plotter lines (no info line, no answer to "?") is recognised by `bellows ports`, and
# `bellows run` follows it at --rate HZ (times from the count) and timed on arrival.
# Usage: sh serial_plotter.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 40 --seed 7 --chest --demo-script ||
    fail "simulate"
start_socat

# ports says which format it heard, the rate the lines came at, the channels' labels.
# ports_hears NAME TIMEOUT_MS [FEEDER OPTIONS]: a labelled sketch marked at about 50 Hz.
ports_hears() {
    name=$1 timeout=$2
    shift 2
    "$FEEDER" "$LINK_B" "$TMP/rec.csv" --plotter labels "$@" 2>"$TMP/feeder_$name.err" &
    PIDS="$!"
    bellows_pty ports --timeout "$timeout" "$LINK_A" >"$TMP/ports_$name.out" 2>&1
    rc=$?
    kill "$PIDS" 2>/dev/null
    wait "$PIDS" 2>/dev/null
    [ $rc -eq 0 ] || fail "ports with a $name plotter sketch: exit $rc"
    grep -Eq "^$LINK_A +belt: a sketch sending Arduino Serial Plotter lines, about (48|49|50|51|52) Hz, channels belly, chest$" \
        "$TMP/ports_$name.out" || fail "$name plotter sketch: $(cat "$TMP/ports_$name.out")"
}
ports_hears steady 2000
# A sketch whose writes blocked for 0.7 s right after the port was opened (a host not
# reading yet) goes on from there without catching up: the rate heard is still its own.
ports_hears stalled 3000 --stall-ms 700

# --rate 50, unlabelled tab-separated lines at 10x speed: times come from the count, so
# the live events are what analyze finds in the recording, and the recording holds the
# sent values row for row (from where the format was settled).
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --plotter plain --speed 10 --corrupt 50 2>"$TMP/feeder2.err" &
PIDS="$!"
bellows_pty run --port "$LINK_A" --rate 50 --belt-speed 10 --duration 30 --events "$TMP/run.csv" \
    --record "$TMP/sess" --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc -eq 0 ] || fail "bellows run --rate 50 exit $rc"
head -n 1 "$TMP/run.out" | grep -q "^bellows run: using the sketch on $LINK_A (Arduino Serial Plotter lines, 50 Hz from --rate, belly, chest)" ||
    fail "first line: $(head -n 1 "$TMP/run.out")"
"$BELLOWS" analyze "$TMP/sess.csv" --events "$TMP/ref.csv" --quiet || fail "analyze of the recording"
same_breaths "$TMP/run.csv" "$TMP/ref.csv" 29
n=$(($(wc -l <"$TMP/sess.csv") - 1))
[ "$n" -ge 1480 ] || fail "recorded $n samples in 30 s at 50 Hz"
# The recording's values are the sent rows from the first one kept on, row for row (found
# by its first five rows: values repeat).
first=$(sed -n '2,6p' "$TMP/sess.csv" | cut -d, -f2- | tr '\n' ';')
k=$(awk -F, -v want="$first" 'NR > 1 { v[NR] = $2 "," $3 }
        END { for (i = 2; i + 4 <= NR; i++) {
                  s = ""; for (j = i; j < i + 5; j++) s = s v[j] ";"
                  if (s == want) { print i; exit } } }' "$TMP/rec.csv")
[ -n "$k" ] || fail "the first recorded rows ($first) are not in the recording sent"
# What came before the open is flushed (the feeder runs free, at 500 lines/s), and 20
# lines tell the format: a few hundred rows at most.
[ "$k" -le 250 ] || fail "the first $k rows were lost while the format was told"
tail -n +"$k" "$TMP/rec.csv" | head -n "$n" | cut -d, -f2- >"$TMP/sent.vals"
tail -n +2 "$TMP/sess.csv" | cut -d, -f2- | cmp -s - "$TMP/sent.vals" ||
    fail "recorded values differ from the sent ones: $(tail -n +2 "$TMP/sess.csv" | cut -d, -f2- | diff - "$TMP/sent.vals" | head -5)"
sed -n '3p' "$TMP/sess.csv" | grep -q '^0.02,' || fail "not timed at 50 Hz: $(sed -n '2,3p' "$TMP/sess.csv")"
# The text lines between the numbers are rejected, counted, and cost no sample.
[ "$(counter "$TMP/run.out" 'rejected lines')" -ge 20 ] || fail "text lines not counted: $(tail -n 2 "$TMP/run.out")"
[ "$(counter "$TMP/run.out" 'missed')" = 0 ] || fail "samples missed: $(tail -n 2 "$TMP/run.out")"
wait "$PIDS" 2>/dev/null

# No --rate, labelled lines in real time: timed on arrival at the estimated rate. (Seed 3:
# the detector finds its first breaths early from any start in the first second; seed 7
# started 0.56 s in gives none before 14 s.)
"$BELLOWS" simulate --out "$TMP/rec3.csv" --duration 20 --seed 3 --chest || fail "simulate 3"
"$FEEDER" "$LINK_B" "$TMP/rec3.csv" --plotter labels 2>"$TMP/feeder3.err" &
PIDS="$!"
bellows_pty run --port "$LINK_A" --duration 10 --record "$TMP/arr" --no-window --no-audio \
    >"$TMP/arr.out" 2>"$TMP/arr.err"
rc=$?
[ $rc -eq 0 ] || fail "bellows run timed on arrival: exit $rc"
head -n 1 "$TMP/arr.out" | grep -Eq "^bellows run: using the sketch on $LINK_A \(Arduino Serial Plotter lines, (48|49|50|51|52)(\.[0-9])? Hz estimated, timed on arrival, belly, chest\)" ||
    fail "first line: $(head -n 1 "$TMP/arr.out")"
awk -F, 'NR > 2 && $1 <= last { bad = 1 } NR > 1 { last = $1 } END { exit bad }' "$TMP/arr.csv" ||
    fail "arrival times go backwards"
# 10 s of arrival time hold about 10 s of rows: the clock times them.
recorded=$(($(wc -l <"$TMP/arr.csv") - 1))
[ "$recorded" -ge 450 ] && [ "$recorded" -le 550 ] || fail "$recorded rows in 10 s at 50 Hz"
grep -q ',insp_onset,' "$TMP/arr.events.csv" || fail "no breaths timed on arrival"
echo ok
