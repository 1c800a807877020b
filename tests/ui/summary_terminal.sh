#!/bin/sh
# summary_terminal.sh - a live session ends with its summary in the terminal: time,
# breaths, mean rate, belly share, time held in, breath holds, following the pacer.
# Usage: sh summary_terminal.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_summary.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
"$BELLOWS" demo --fast --duration 90 --no-window --no-audio --record "$TMP/d" \
    >"$TMP/out" 2>"$TMP/err" </dev/null || fail "demo: $(tail -n 5 "$TMP/err")"
grep -q '^this session:$' "$TMP/out" || fail "no summary: $(tail -n 12 "$TMP/out")"
for label in 'time  ' 'breaths' 'mean rate' 'belly share' 'time held in' 'breath holds' \
    'following the pacer'; do
    sed -n '/^this session:$/,$p' "$TMP/out" | grep -q "^  $label" ||
        fail "the summary has no '$label' line: $(tail -n 12 "$TMP/out")"
done
# 90 s of the simulated belt at about 14/min: its breaths and rate, in plain units.
breaths=$(sed -n 's/^  breaths *\([0-9]*\)$/\1/p' "$TMP/out")
[ "${breaths:-0}" -ge 10 ] || fail "breaths: '$breaths'"
sed -n 's/^  mean rate *\([0-9.]*\) \/min$/\1/p' "$TMP/out" | grep -q . ||
    fail "mean rate not in breaths/min: $(grep 'mean rate' "$TMP/out")"
sed -n 's/^  time *\([0-9]*:[0-9][0-9]\)$/\1/p' "$TMP/out" | grep -q '^1:[23]' ||
    fail "time: $(grep '^  time  ' "$TMP/out")"

# Someone following the box pacer (16 s a breath): the summary's mean rate is theirs, 3.75
# a minute (once it said '-'), the pipeline's as stored with a session and as analyze gives.
"$BELLOWS" simulate --out "$TMP/box.csv" --duration 150 --seed 3 --chest --pacer box \
    >/dev/null || fail "simulate --pacer box"
"$BELLOWS" demo --fast --replay "$TMP/box.csv" --pacer box --no-window --no-audio \
    >"$TMP/box.out" 2>"$TMP/box.err" </dev/null || fail "demo --replay: $(tail -n 5 "$TMP/box.err")"
rate=$(sed -n 's/^  mean rate *\([0-9.]*\) \/min$/\1/p' "$TMP/box.out")
[ "$rate" = 3.7 ] || [ "$rate" = 3.8 ] || fail "box pacer, mean rate: $(grep 'mean rate' "$TMP/box.out")"
"$BELLOWS" analyze "$TMP/box.csv" --events "$TMP/box.ev.csv" >"$TMP/an.out" || fail "analyze"
grep -q " $rate breaths/min" "$TMP/an.out" || fail "analyze's rate is not $rate: $(cat "$TMP/an.out")"
exit 0
