#!/bin/sh
# serial_garbage.sh - garbage, corrupted and truncated lines are counted, cost only their own
# samples (time stays right through the gaps), and the breaths are still found.
# Usage: sh serial_garbage.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 40 --seed 11 --chest || fail "simulate"
"$BELLOWS" analyze "$TMP/rec.csv" --events "$TMP/ref.csv" --quiet || fail "analyze"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 10 --corrupt 20 2>"$TMP/feeder.err" &
PIDS="$!"
bellows_pty run --port "$LINK_A" --belt-speed 10 --duration 39.9 --events "$TMP/run.csv" --no-record \
    --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc -eq 0 ] || fail "bellows run exit $rc"
wait "$PIDS"
read -r _ g _ f _ t _ _ _ <"$TMP/feeder.err" || fail "feeder said nothing"
[ "$g" -gt 5 ] && [ "$f" -gt 5 ] && [ "$t" -gt 5 ] || fail "feeder injected too little: $(cat "$TMP/feeder.err")"
rejected=$(counter "$TMP/run.out" 'rejected lines')
missed=$(counter "$TMP/run.out" 'missed')
samples=$(counter "$TMP/run.out" 'samples')
# Every damaged line is one rejected line (a cut line swallows the next one with it).
[ "$rejected" = $((g + f + t)) ] || fail "rejected $rejected lines, injected $((g + f + t))"
# A flipped line loses its sample, a cut one its own and the next: seen as sequence gaps.
[ "$missed" = $((f + 2 * t)) ] || fail "missed $missed samples, expected $((f + 2 * t))"
[ $((samples + missed)) -ge 1990 ] || fail "samples $samples + missed $missed: time went wrong"
grep -q 'bad checksum: ' "$TMP/run.out" || fail "no bad checksum count: $(tail -n 1 "$TMP/run.out")"
# Lost samples nudge the filters a little: onsets within 0.3 s, count within 1. (The exit
# of a flat pause at the bottom is where a few lost samples move an onset most: 0.26 s
# measured, inside the 0.5 s a breath onset is scored with.)
same_breaths "$TMP/run.csv" "$TMP/ref.csv" 36 0.3
echo ok
