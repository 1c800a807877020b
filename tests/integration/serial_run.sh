#!/bin/sh
# serial_run.sh - a recording played as a belt into a pty: `bellows run --port` finds the
# same breaths as `bellows analyze` on it, and records exactly the samples it got.
# Usage: sh serial_run.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 40 --seed 7 --chest --demo-script ||
    fail "simulate"
"$BELLOWS" analyze "$TMP/rec.csv" --events "$TMP/ref.csv" --quiet || fail "analyze"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 10 2>"$TMP/feeder.err" &
PIDS="$!"
bellows_pty run --port "$LINK_A" --belt-speed 10 --duration 39.9 --events "$TMP/run.csv" --record "$TMP/sess" \
    --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc -eq 0 ] || fail "bellows run exit $rc"
head -n 1 "$TMP/run.out" | grep -q "^bellows run: using the belt on $LINK_A (bellows-belt firmware test-1, 50 Hz, belly, chest)" ||
    fail "first line: $(head -n 1 "$TMP/run.out")"
grep -q "recording to $TMP/sess.csv" "$TMP/run.out" || fail "does not say where it records"
grep -Eq '^\[ *[0-9.]+ s\]  in ' "$TMP/run.out" || fail "no breaths printed"
same_breaths "$TMP/run.csv" "$TMP/ref.csv" 36
cmp -s "$TMP/run.csv" "$TMP/sess.events.csv" || fail "--events and the session's events differ"
# The session's recording is the samples as sent, row for row.
n=$(wc -l <"$TMP/sess.csv")
[ "$n" -ge 1990 ] || fail "recording has $n lines, expected about 1996"
head -n "$n" "$TMP/rec.csv" | cmp -s - "$TMP/sess.csv" || fail "recorded samples differ from the sent ones"
[ "$(counter "$TMP/run.out" 'rejected lines')" = 0 ] || fail "clean stream had rejected lines"

# Two belts that read smaller as the person breathes in, and nobody said so: the
# breathing turns them round within the first breaths, and the terminal says so once.
"$BELLOWS" simulate --out "$TMP/plain.csv" --duration 60 --seed 3 --chest --rate 12 ||
    fail "simulate"
awk -F, 'NR == 1 { print; next } { printf "%s,%d,%d\n", $1, 1023 - $2, 1023 - $3 }' \
    "$TMP/plain.csv" >"$TMP/inv.csv"
kill "$SOCAT_PID" 2>/dev/null
wait "$SOCAT_PID" 2>/dev/null
start_socat
"$FEEDER" "$LINK_B" "$TMP/inv.csv" --speed 10 2>"$TMP/feeder2.err" &
PIDS="$PIDS $!"
bellows_pty run --port "$LINK_A" --belt-speed 10 --duration 59.9 --no-window --no-audio \
    >"$TMP/inv.out" 2>"$TMP/inv.err" || fail "bellows run (inverted belts) exit $?"
n=$(grep -c '^\[ *[0-9.]* s\]  turned round: the belts read the other way' "$TMP/inv.out")
[ "$n" = 1 ] || fail "turned round $n times, expected once: $(tr '\n' '|' <"$TMP/inv.out")"
t=$(sed -n 's/^\[ *\([0-9.]*\) s\]  turned round.*/\1/p' "$TMP/inv.out")
awk -v t="$t" 'BEGIN { exit !(t > 5 && t < 35) }' || fail "turned round at $t s, expected within the first breaths"
echo ok
