#!/bin/sh
# serial_ports.sh - `bellows ports` says clearly when there is no belt and marks a belt with
# its firmware and channels; `bellows run` without a belt says it uses the simulated one.
# Usage: sh serial_ports.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" ports >"$TMP/ports.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "ports without a belt: exit $rc"
grep -Eq '^no (belt found among [0-9]+ serial port|serial ports found, so no belt)' "$TMP/ports.out" ||
    fail "ports without a belt: $(cat "$TMP/ports.out")"

"$BELLOWS" run --duration 1 --no-record --no-window --no-audio >"$TMP/sim.out" 2>&1 ||
    fail "run without a belt failed"
head -n 1 "$TMP/sim.out" | grep -q '^bellows run: simulated belt - no belt found; using the built-in simulated belt' ||
    fail "run without a belt, first line: $(head -n 1 "$TMP/sim.out")"

bellows_pty run --port /dev/bellows-no-such-port --no-record >"$TMP/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "run on a missing port: exit $rc"
grep -q '/dev/bellows-no-such-port' "$TMP/bad.out" || fail "error does not name the port: $(cat "$TMP/bad.out")"
# A recording or a folder given as the port (a slip of the shell's completion) is said
# to be one, not "no such serial port: Success" (libserialport's errno).
: >"$TMP/rec_not_port.csv"
for what in "$TMP/rec_not_port.csv:a file" "$TMP:a folder"; do
    path=${what%%:*}
    bellows_pty run --port "$path" --no-record --no-window --no-audio >"$TMP/bad2.out" 2>&1
    rc=$?
    [ $rc -eq 1 ] || fail "run on $path: exit $rc"
    grep -q "^bellows run: $path: not a serial port (${what#*:})$" "$TMP/bad2.out" ||
        fail "run on $path: $(cat "$TMP/bad2.out")"
done

start_socat
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 5 --chest || fail "simulate"
"$FEEDER" "$LINK_B" "$TMP/rec.csv" 2>"$TMP/feeder.err" &
PIDS="$!"
FEED1=$!
bellows_pty ports --timeout 2000 "$LINK_A" >"$TMP/ports2.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "ports with a belt: exit $rc"
grep -q "^$LINK_A *belt: bellows-belt firmware test-1, 50 Hz, channels belly, chest" "$TMP/ports2.out" ||
    fail "belt not marked: $(cat "$TMP/ports2.out")"
wait "$FEED1"

# One belt, one reader. A second bellows on a belt a session reads (a second window, or
# 'bellows ports' while it runs) is refused, naming why, and the session reads on
# undisturbed. Before, both read the port: each took some of the other's lines, and
# both said the belt had stopped sending (unplugged?).
"$BELLOWS" simulate --out "$TMP/rec2.csv" --duration 40 --chest || fail "simulate"
"$FEEDER" "$LINK_B" "$TMP/rec2.csv" --speed 4 2>"$TMP/feeder2.err" &
PIDS="$PIDS $!"
bellows_pty_start run --port "$LINK_A" --belt-speed 4 --duration 36 --no-record --no-window \
    --no-audio >"$TMP/first.out" 2>"$TMP/first.err"
n=0
while ! grep -q '^\[' "$TMP/first.out" && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
grep -q '^\[' "$TMP/first.out" || fail "the first session heard nothing: $(cat "$TMP/first.err")"
bellows_pty run --port "$LINK_A" --belt-speed 4 --duration 5 --no-record --no-window --no-audio \
    >"$TMP/second.out" 2>&1 && fail "a second session on the same belt was not refused"
grep -q "^bellows run: $LINK_A: in use by another bellows" "$TMP/second.out" ||
    fail "second session: $(cat "$TMP/second.out")"
bellows_pty ports --timeout 1000 "$LINK_A" >"$TMP/ports3.out" 2>&1
grep -q "^$LINK_A *could not be asked ($LINK_A: in use by another bellows" "$TMP/ports3.out" ||
    fail "ports while a session reads the belt: $(cat "$TMP/ports3.out")"
wait "$BPID" || fail "the first session failed: $(cat "$TMP/first.err")"
grep -q '^\[.*signal lost' "$TMP/first.out" && fail "the first session lost the belt: $(cat "$TMP/first.out")"
grep -q '^samples: 1800, missed: 0,' "$TMP/first.out" ||
    fail "the first session missed samples: $(grep '^samples' "$TMP/first.out")"
echo ok
