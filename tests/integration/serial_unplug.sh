#!/bin/sh
# serial_unplug.sh - the belt unplugged mid-session (socat killed) gives signal_lost and a
# clear message; the session goes on, and when the belt is back (socat restarted) it says
# signal_restored, marks the gap and keeps going; nothing received before is lost.
# Usage: sh serial_unplug.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 60 --seed 5 --chest || fail "simulate"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 4 2>"$TMP/feeder1.err" &
PIDS="$!"
bellows_pty_start run --port "$LINK_A" --belt-speed 4 --duration 50 --events "$TMP/run.csv" --record "$TMP/sess" \
    --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
sleep 3
kill -9 "$SOCAT_PID" # unplugged
SOCAT_PID=
sleep 5.5 # 22 s of the belt's time at --belt-speed 4: two 10 s status lines fall in the gap
grep -q '^\[.*signal lost' "$TMP/run.out" || fail "no 'signal lost' message while unplugged"
kill -0 "$BPID" 2>/dev/null || fail "bellows ended when the belt was unplugged"
start_socat # plugged in again: the firmware restarts (info line, seq from 0)
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 4 --start 1000 2>"$TMP/feeder2.err" &
PIDS="$PIDS $!"
wait "$BPID"
rc=$?
[ $rc -eq 0 ] || fail "bellows run exit $rc"
grep -q 'signal restored after a gap of' "$TMP/run.out" || fail "no 'signal restored' message"
# The 10 s status line comes once after the gap, not once for each step the gap spanned.
awk '/\]  ---  / { if ($2 == p) d++; p = $2 } END { exit d > 0 }' "$TMP/run.out" ||
    fail "a status line printed twice after the gap: $(grep -- ']  ---  ' "$TMP/run.out" | tr '\n' '|')"
lost=$(awk -F, '$2 == "signal_lost" { print $1; exit }' "$TMP/run.csv")
back=$(awk -F, '$2 == "signal_restored" { print $1; exit }' "$TMP/run.csv")
[ -n "$lost" ] && [ -n "$back" ] || fail "events lack signal_lost/signal_restored"
awk -v a="$lost" -v b="$back" 'BEGIN { exit !(b - a >= 12 && b - a < 40) }' ||
    fail "gap from $lost to $back s is not the time unplugged (in the belt's time, 4x the clock)"
# The session continued: breaths after the belt came back.
awk -F, -v b="$back" '$2 == "insp_onset" && $1 > b + 0 { n++ } END { exit !(n >= 2) }' \
    "$TMP/run.csv" || fail "no breaths after the belt came back"
# Nothing received before the loss is lost: every sample up to it is in the recording.
before=$(awk -F, -v a="$lost" 'NR > 1 && $1 <= a + 0 { n++ } END { print n + 0 }' "$TMP/sess.csv")
expect=$(awk -v a="$lost" 'BEGIN { printf "%d", a * 50 + 1.5 }')
[ "$before" = "$expect" ] || fail "recording has $before samples up to the loss at $lost s, expected $expect"
# And the gap is marked in it: one time step of about the time unplugged.
awk -F, 'NR > 2 && $1 - p > 1.0 { n++ } { p = $1 } END { exit !(n == 1) }' "$TMP/sess.csv" ||
    fail "recording does not show exactly one gap"
grep -q 'signal_lost' "$TMP/sess.events.csv" || fail "signal_lost not in the session's events"
echo ok
