#!/bin/sh
# firmware_one_cord.sh - a belt with only the belly cord: the firmware says its chest
# input is absent (it reads 0 and means nothing). `bellows run --port` records and follows
# the belly alone: the recording is `t,belly` (no chest column of zeros that would read as a
# chest belt that never moves), and the breaths are those `analyze` finds on the recording
# that drives the firmware. Before, the zero chest held detection at its start: 0 breaths.
# Usage: sh firmware_one_cord.sh BELLOWS HARNESS FIRMWARE.elf SHIM
# SPDX-License-Identifier: MIT
FW_TAG=one
. "$(dirname "$0")/firmware_lib.sh"

REC=$TMP/rec.csv
"$BELLOWS" simulate --out "$REC" --duration 40 --fs 50 --seed 5 >/dev/null || fail "simulate"
"$BELLOWS" analyze "$REC" --events "$TMP/ref.csv" --quiet || fail "analyze $REC"
start_belt "$REC"
LD_PRELOAD="$SHIM" "$BELLOWS" run --port "$LINK" --belt-speed 8 --duration 38 \
    --record "$TMP/sess" --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err" ||
    fail "bellows run: $(tail -n 3 "$TMP/run.err")"
head -n 1 "$TMP/run.out" | grep -q "belly, chest (absent)" ||
    fail "the firmware did not say its chest is absent: $(head -n 1 "$TMP/run.out")"
[ "$(head -n 1 "$TMP/sess.csv")" = "t,belly" ] ||
    fail "the recording's header is '$(head -n 1 "$TMP/sess.csv")', not 't,belly'"
na=$(awk -F, '$2 == "insp_onset" && $1 < 36' "$TMP/ref.csv" | wc -l)
nb=$(awk -F, '$2 == "insp_onset" && $1 < 36' "$TMP/sess.events.csv" | wc -l)
[ "$na" -ge 6 ] || fail "analyze found only $na inhalations"
[ $((nb - na)) -ge -1 ] && [ $((nb - na)) -le 1 ] || fail "inhalations: live $nb, analyze $na"
echo "one cord: live $nb inhalations, analyze $na; recorded t,belly"
echo ok
