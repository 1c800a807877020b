#!/bin/sh
# relearn.sh - r (typed in the terminal here, the same key in the window) while the belly
# is held in: the person says this is their rest now (sat up, lay down). The pipeline
# learns its relaxed level afresh, and the hold-in ends at once with its event, so the
# window, the tones and the recording agree; none is found again at the new level.
# Usage: sh relearn.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_relearn.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# A belly held in from 15 s to the end (its level 1.5 relaxed depths down).
"$BELLOWS" simulate --out "$TMP/hold.csv" --duration 40 --chest --rate 18 \
    --script "holdin@15+40:1.5" >/dev/null 2>&1 || fail "simulate"
run() { # $1: seconds before r ('' none), $2: PREFIX
    {
        if [ -n "$1" ]; then
            sleep "$1"
            printf 'r\n'
        fi
        sleep 12
    } | "$BELLOWS" demo --replay "$TMP/hold.csv" --no-window --no-audio --duration 30 \
        --record "$2" >"$2.out" 2>&1 || fail "demo: $(tail -n 5 "$2.out")"
}
run "" "$TMP/plain" &
run 22 "$TMP/r"
wait
kinds() { awk -F, '$2 ~ /^holdin/ { printf "%s ", $2 }' "$1"; }
[ "$(kinds "$TMP/plain.events.csv")" = "holdin_start " ] ||
    fail "without r: $(kinds "$TMP/plain.events.csv") (the hold-in should go on)"
[ "$(kinds "$TMP/r.events.csv")" = "holdin_start holdin_end " ] ||
    fail "with r: $(kinds "$TMP/r.events.csv") (the hold-in should end at r, none after)"
t_end=$(awk -F, '$2 == "holdin_end" { print $1 }' "$TMP/r.events.csv")
awk -v t="$t_end" 'BEGIN { exit !(t >= 21 && t <= 25) }' || fail "holdin_end at $t_end s, not at r"
# The recording keeps r before the row it acted on: read again, the hold-in ends there too.
[ "$(grep -c '^# bellows action: relearn$' "$TMP/r.csv")" = 1 ] || fail "r is not in the recording"
"$BELLOWS" analyze "$TMP/r.csv" --events "$TMP/again.csv" >/dev/null 2>&1 || fail "analyze"
[ "$(kinds "$TMP/again.csv")" = "holdin_start holdin_end " ] ||
    fail "read again: $(kinds "$TMP/again.csv") (the hold-in should end at r)"
[ "$(awk -F, '$2 == "holdin_end" { print $1 }' "$TMP/again.csv")" = "$t_end" ] ||
    fail "read again, holdin_end is not at $t_end s"
echo "relearn ok"
