#!/bin/sh
# serial_pacer_held.sh - two belts worn right, on a belt through the serial line, and the
# person follows a pace held at the top and not at the bottom (custom:4-8-4-0: 4 s in,
# 8 s held in, 4 s out). Such a breath has the shape of a natural one read the other
# way round (a long rest at one level, moving in and out equally fast), and the shape
# alone turned the belts round at 81 s, swapping every breath after it. Following the
# pacer as the belts read settles that reading by the fifth cycle: never turned, every
# inhalation where it was taken, the reading kept in the recording, and `analyze` of
# the recording gives the session's events. 150 s of signal at 4x: about 40 s.
# Usage: sh serial_pacer_held.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"
"$BELLOWS" simulate --out "$TMP/held.csv" --duration 160 --chest --seed 1 \
    --pacer custom:4-8-4-0 --truth "$TMP/truth.csv" >/dev/null 2>&1 || fail "simulate"
start_socat
"$FEEDER" "$LINK_B" "$TMP/held.csv" --speed 4 2>"$TMP/feeder.err" &
PIDS="$PIDS $!"
bellows_pty run --port "$LINK_A" --belt-speed 4 --duration 150 --no-window --no-audio \
    --pacer custom:4-8-4-0 --record "$TMP/live" </dev/null >"$TMP/run.out" 2>&1 ||
    fail "run: $(tail -n 5 "$TMP/run.out")"
! grep -q 'turned round' "$TMP/run.out" || fail "turned round: $(grep turned "$TMP/run.out")"
! grep -q ',turned_round,' "$TMP/live.events.csv" || fail "a turned_round event"
[ "$(grep -c '^# bellows action: keep_reading$' "$TMP/live.csv")" = 1 ] ||
    fail "the reading was not kept once: $(grep '^# bellows' "$TMP/live.csv")"
# Kept by the fifth cycle (80 s): its row's time.
t=$(awk -F, '/^# bellows action: keep_reading$/ { getline; print $1; exit }' "$TMP/live.csv")
awk -v t="$t" 'BEGIN { exit !(t > 50 && t < 80) }' || fail "kept at '$t' s, want 50-80 s"
# Every inhalation after the first minute is a true one (within 0.5 s), and none is missed.
awk -F, '$2 == "insp_onset" && $1 > 60 && $1 < 145 { print $1 }' "$TMP/truth.csv" >"$TMP/want"
awk -F, '$2 == "insp_onset" && $1 > 60 && $1 < 145 { print $1 }' "$TMP/live.events.csv" >"$TMP/got"
[ "$(wc -l <"$TMP/want")" = "$(wc -l <"$TMP/got")" ] ||
    fail "$(wc -l <"$TMP/got") inhalations found after 60 s, $(wc -l <"$TMP/want") taken"
awk 'NR == FNR { w[++n] = $1; next }
    { ok = 0; for (i = 1; i <= n; i++) if ($1 - w[i] < 0.5 && w[i] - $1 < 0.5) ok = 1
      if (!ok) { print "inhalation at " $1 " s is no true one"; bad = 1 } }
    END { exit bad }' "$TMP/want" "$TMP/got" || fail "inhalations: $(tr '\n' ' ' <"$TMP/got")"
"$BELLOWS" analyze "$TMP/live.csv" --events "$TMP/a.csv" >/dev/null 2>&1 || fail "analyze"
grep -v ',marker,\|,discomfort,\|,pause,\|,resume,\|,signal_lost,\|,signal_restored,' \
    "$TMP/live.events.csv" >"$TMP/l.csv"
grep -v ',signal_lost,\|,signal_restored,' "$TMP/a.csv" >"$TMP/a2.csv"
cmp -s "$TMP/l.csv" "$TMP/a2.csv" ||
    fail "analyze differs from the session: $(diff "$TMP/l.csv" "$TMP/a2.csv" | head -n 4)"
echo ok
