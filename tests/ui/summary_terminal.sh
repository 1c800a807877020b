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
exit 0
