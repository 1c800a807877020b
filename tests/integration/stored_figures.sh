#!/bin/sh
# stored_figures.sh - `run --client` stores what its own pipeline computed, with the
# session's --invert and --calibration: the stored breaths, rate and belly share are
# those `analyze` gives for the recording with the same settings (not those of a
# re-analysis with default settings, which differ here).
# Usage: sh stored_figures.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_stored.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"

# An assessment of the simulated belt, edited to say the belly belt reads the other way.
"$BELLOWS" assess --simulated --fast --out "$TMP/cal.json" >"$TMP/assess.out" 2>&1 ||
    fail "assess: $(cat "$TMP/assess.out")"
sed 's/"belly_inverted": false/"belly_inverted": true/' "$TMP/cal.json" >"$TMP/inv.json"
grep -q '"belly_inverted": true' "$TMP/inv.json" || fail "no belly_inverted in $TMP/cal.json"

# figures FILE.json: "breaths rate belly%" as `bellows sessions` prints them.
figures() {
    awk -F'[:,]' '
        /"n_breaths"/ { b = $2 + 0 }
        /"rate_bpm"/ { r = $2 + 0 }
        /"belly_share"/ { s = $2 + 0 }
        END { printf "%d %.1f %.0f\n", b, r, 100 * s }' "$1"
}

# check CLIENT OPTION...: run for the client with the options, then compare the stored
# row with analyze over the recording with the same options, with none (the recording
# carries the session's settings), and over the recording without its settings lines.
check() {
    client=$1
    shift
    "$BELLOWS" run --simulated --client "$client" --duration 15 --no-window --no-audio --quiet \
        "$@" >"$TMP/run.out" 2>&1 || fail "run $*: $(cat "$TMP/run.out")"
    "$BELLOWS" sessions --client "$client" >"$TMP/list.out" 2>&1 || fail "sessions: $(cat "$TMP/list.out")"
    stored=$(awk '$1 ~ /^[0-9]+$/ { print $5, $6, $7; exit }' "$TMP/list.out")
    rec=$(sed -n 's/^recorded \(.*\.csv\) and .*/\1/p' "$TMP/run.out")
    [ -f "$rec" ] || fail "run $*: no recording named in: $(cat "$TMP/run.out")"
    "$BELLOWS" analyze "$rec" --events "$TMP/e.csv" --summary "$TMP/same.json" "$@" \
        >/dev/null 2>&1 || fail "analyze $rec $*"
    "$BELLOWS" analyze "$rec" --events "$TMP/e.csv" --summary "$TMP/own.json" \
        >/dev/null 2>&1 || fail "analyze $rec"
    grep -v '^#' "$rec" >"$TMP/plain.csv"
    "$BELLOWS" analyze "$TMP/plain.csv" --events "$TMP/e.csv" --summary "$TMP/plain.json" \
        >/dev/null 2>&1 || fail "analyze $TMP/plain.csv"
    same=$(figures "$TMP/same.json")
    own=$(figures "$TMP/own.json")
    plain=$(figures "$TMP/plain.json")
    [ "$same" != "$plain" ] ||
        fail "run $*: the settings change nothing here ($same); the test proves nothing"
    [ "$stored" = "$same" ] ||
        fail "run $*: stored '$stored' (breaths rate belly), the session computed '$same' (a re-analysis with default settings gives '$plain')"
    [ "$own" = "$same" ] ||
        fail "run $*: analyze of the recording alone gives '$own', not the session's '$same'"
    echo "run $*: stored $stored, as the session computed"
}

check Ann --invert
check Bo --calibration "$TMP/inv.json"
exit 0
