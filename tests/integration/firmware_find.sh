#!/bin/sh
# firmware_find.sh - a belt plugged in is found without --port, like an Uno that restarts
# when its port is opened and answers only after its bootloader (1.5 s here): `bellows run`
# takes it rather than the simulated belt, and `bellows ports` marks it. A user who may not
# open the port is told so, naming it and what to do, rather than silently given the
# simulated belt. The pty is listed among the system's USB serial ports by the test shim
# (BELLOWS_SHIM_TTYS).
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
kill "$SIM_PID" 2>/dev/null
wait "$SIM_PID" 2>/dev/null

# As a user without the right to open the port (the pty is root's, mode 600).
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    start_belt "$REC" --boot-ms 1500
    chmod 755 "$TMP"
    mkdir -m 777 "$TMP/user"
    as_user() {
        LD_PRELOAD="$SHIM" XDG_DATA_HOME="$TMP/user" \
            setpriv --reuid=nobody --regid=nogroup --clear-groups "$BELLOWS" "$@"
    }
    as_user run --duration 2 --no-record --no-window --no-audio >"$TMP/user.out" 2>"$TMP/user.err" ||
        fail "run as a user without access failed"
    grep -q "^bellows run: $LINK: cannot open: Permission denied (install bellows' udev rule" \
        "$TMP/user.err" || fail "not told why the belt was not taken: $(cat "$TMP/user.err")"
    grep -q "simulated belt - no belt found" "$TMP/user.out" || fail "no fallback: $(cat "$TMP/user.out")"
    as_user run --client Ann --duration 2 --no-window --no-audio >"$TMP/client.out" 2>&1 &&
        fail "a client's session ran without the belt"
    grep -q "no belt found: $LINK: cannot open: Permission denied" "$TMP/client.out" ||
        fail "the client's session does not say why: $(cat "$TMP/client.out")"
fi
echo ok
