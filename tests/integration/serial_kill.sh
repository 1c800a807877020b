#!/bin/sh
# serial_kill.sh - a session killed with SIGKILL leaves a readable recording up to its last
# second (the writer thread flushes at least once a second).
# Usage: sh serial_kill.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 60 --seed 3 --chest || fail "simulate"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 1 2>"$TMP/feeder.err" &
PIDS="$!"
bellows_pty_start run --port "$LINK_A" --record "$TMP/sess" --no-window --no-audio \
    >"$TMP/run.out" 2>"$TMP/run.err"
n=0
while ! grep -q '^recording to' "$TMP/run.out" 2>/dev/null && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
grep -q '^recording to' "$TMP/run.out" || fail "session did not start"
sleep 4
kill -9 "$BPID"
wait "$BPID" 2>/dev/null
# Keep the complete lines (a kill may cut the last one).
cp "$TMP/sess.csv" "$TMP/whole.csv"
if [ -n "$(tail -c 1 "$TMP/sess.csv")" ]; then
    sed '$d' "$TMP/sess.csv" >"$TMP/whole.csv"
fi
rows=$(($(wc -l <"$TMP/whole.csv") - 1))
# About 4 s at 50 Hz were sent; at most the last second may be unflushed.
[ "$rows" -ge 140 ] || fail "only $rows rows survived the kill (expected >= 140 of about 200)"
[ "$(head -n 1 "$TMP/whole.csv")" = "t,belly,chest" ] || fail "header lost"
head -n $((rows + 1)) "$TMP/rec.csv" | cmp -s - "$TMP/whole.csv" || fail "surviving rows differ from the sent ones"
"$BELLOWS" analyze "$TMP/whole.csv" --events "$TMP/re.csv" --quiet || fail "analyze cannot read the killed session's recording"
[ "$(head -n 1 "$TMP/sess.events.csv")" = "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio" ] ||
    fail "events file unreadable"
echo ok
