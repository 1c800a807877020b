#!/bin/sh
# recover_settings.sh - a `run --client` with --invert or --calibration killed with -9 in
# the middle: its figures, recovered from its recording the next time the store is opened,
# are those its own pipeline computed (analyze of the recording with the session's
# options, as stored_figures.sh shows the live engine stores), not those of a re-analysis
# with default settings (which differ here).
# Usage: sh recover_settings.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_recover.XXXXXX") || exit 1
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
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

# check CLIENT OPTION...: a session with the options killed after 14 s, then recovered.
check() {
    client=$1
    shift
    rec="$TMP/$client"
    "$BELLOWS" run --simulated --client "$client" --no-window --no-audio --quiet \
        --record "$rec" "$@" >"$TMP/run.out" 2>&1 &
    pid=$!
    sleep 14
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    pid=""
    "$BELLOWS" sessions --client "$client" >"$TMP/list.out" 2>"$TMP/list.err" ||
        fail "sessions: $(cat "$TMP/list.err")"
    grep -q 'figures of 1 interrupted session worked out' "$TMP/list.err" ||
        fail "run $*: not recovered: $(cat "$TMP/list.err")"
    recovered=$(awk '$1 ~ /^[0-9]+$/ { print $5, $6, $7; exit }' "$TMP/list.out")
    # The session's own settings, and the defaults (its recording without them).
    "$BELLOWS" analyze "$rec.csv" --events "$TMP/e.csv" --summary "$TMP/same.json" "$@" \
        >/dev/null 2>&1
    grep -v '^#' "$rec.csv" >"$TMP/plain.csv"
    "$BELLOWS" analyze "$TMP/plain.csv" --events "$TMP/e.csv" --summary "$TMP/plain.json" \
        >/dev/null 2>&1
    [ -s "$TMP/same.json" ] && [ -s "$TMP/plain.json" ] || fail "analyze $rec.csv"
    same=$(figures "$TMP/same.json")
    plain=$(figures "$TMP/plain.json")
    [ "$same" != "$plain" ] ||
        fail "run $*: the settings change nothing here ($same); the test proves nothing"
    [ "$recovered" = "$same" ] ||
        fail "run $*: recovered '$recovered' (breaths rate belly), the session computed '$same' (default settings give '$plain')"
    echo "run $* killed: recovered $recovered, as the session computed (defaults: $plain)"
}

check Ann --invert
check Bo --calibration "$TMP/inv.json"
exit 0
