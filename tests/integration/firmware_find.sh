#!/bin/sh
# firmware_find.sh - a belt plugged in is found without --port, like an Uno that restarts
# when its port is opened and answers only after its bootloader (1.5 s here): `bellows run`
# takes it rather than the simulated belt, and `bellows ports` marks it. The pty is listed
# among the system's serial ports by the test shim (BELLOWS_SHIM_TTYS).
# Usage: sh firmware_find.sh BELLOWS HARNESS FIRMWARE.elf SHIM
# SPDX-License-Identifier: MIT
FW_TAG=find
. "$(dirname "$0")/firmware_lib.sh"
BELLOWS_SHIM_TTYS=$(basename "$LINK")
export BELLOWS_SHIM_TTYS

REC=$TMP/rec.csv
"$BELLOWS" simulate --out "$REC" --duration 60 --fs 50 --seed 4 --chest >/dev/null || fail "simulate"

start_belt "$REC" --boot-ms 1500
LD_PRELOAD="$SHIM" "$BELLOWS" run --belt-speed 8 --duration 40 --events "$TMP/run.csv" \
    --no-record --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err" ||
    fail "bellows run: $(cat "$TMP/run.err")"
head -n 1 "$TMP/run.out" | grep -q "using the belt on $LINK" ||
    fail "run without --port did not take the belt: $(head -n 1 "$TMP/run.out")"
n=$(grep -c ',insp_onset,' "$TMP/run.csv")
[ "$n" -ge 5 ] || fail "only $n inhalations from the belt found"
kill "$SIM_PID" 2>/dev/null
wait "$SIM_PID" 2>/dev/null

start_belt "$REC" --boot-ms 1500
LD_PRELOAD="$SHIM" "$BELLOWS" ports >"$TMP/ports.out" 2>&1 || fail "ports: $(cat "$TMP/ports.out")"
grep -q "^$LINK *belt: bellows-belt firmware" "$TMP/ports.out" ||
    fail "ports did not mark the belt: $(cat "$TMP/ports.out")"
echo ok
