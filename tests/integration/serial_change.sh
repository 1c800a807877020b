#!/bin/sh
# serial_change.sh - a belt that comes back sending other channels (another belt, other
# firmware) ends the session with that said, not a "signal lost" for ever: exit 1, the
# message names the port and both channel counts, the recording so far is kept.
# Usage: sh serial_change.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/two.csv" --duration 60 --seed 5 --chest || fail "simulate"
"$BELLOWS" simulate --out "$TMP/one.csv" --duration 60 --seed 6 || fail "simulate"
head -n 1 "$TMP/one.csv" | grep -q '^t,belly$' || fail "one.csv: $(head -n 1 "$TMP/one.csv")"
start_socat
"$FEEDER" "$LINK_B" "$TMP/two.csv" --speed 4 2>"$TMP/feeder1.err" &
PIDS="$PIDS $!"
bellows_pty_start run --port "$LINK_A" --belt-speed 4 --duration 40 --record "$TMP/sess" --no-window \
    --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
sleep 3
kill -9 "$SOCAT_PID" # unplugged...
SOCAT_PID=
sleep 1.5
start_socat # ... and another belt plugged in: one channel
"$FEEDER" "$LINK_B" "$TMP/one.csv" --speed 4 2>"$TMP/feeder2.err" &
PIDS="$PIDS $!"
n=0
while kill -0 "$BPID" 2>/dev/null && [ $n -lt 150 ]; do
    sleep 0.1
    n=$((n + 1))
done
kill -0 "$BPID" 2>/dev/null && fail "the session went on with a belt that sends other channels"
wait "$BPID"
rc=$?
[ $rc = 1 ] || fail "exit $rc, expected 1"
grep -q "$LINK_A: the belt now sends 1 channel(s) at 50 Hz, not 2 at 50 Hz as at the start" \
    "$TMP/run.err" || fail "message: $(cat "$TMP/run.err")"
rows=$(($(wc -l <"$TMP/sess.csv") - 1))
[ "$rows" -ge 250 ] || fail "only $rows rows kept of what came before the change"
[ "$(head -n 1 "$TMP/sess.csv")" = "t,belly,chest" ] || fail "recording header"
grep -q 'signal_lost' "$TMP/sess.events.csv" || fail "the loss is not in the session's events"
echo ok
