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
bellows_pty ports --timeout 2000 "$LINK_A" >"$TMP/ports2.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "ports with a belt: exit $rc"
grep -q "^$LINK_A *belt: bellows-belt firmware test-1, 50 Hz, channels belly, chest" "$TMP/ports2.out" ||
    fail "belt not marked: $(cat "$TMP/ports2.out")"
echo ok
