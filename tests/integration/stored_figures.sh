#!/bin/sh
# stored_figures.sh - `run --client` stores what its own pipeline computed, with the
# session's --invert and --calibration: the stored breaths, rate and belly share are
# those `analyze` gives for the recording with the same settings (not those of a
# re-analysis with default settings, which differ here). The same when the session is
# killed with -9 in the middle and its figures are recovered from its recording.
# Usage: sh stored_figures.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_stored.XXXXXX") || exit 1
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

# check CLIENT HOW OPTION...: run for the client with the options, to the end (HOW =
# complete, 15 s) or killed with -9 after 14 s (HOW = killed: the next `sessions` recovers
# its figures from its recording), then compare the stored row with analyze over the
# recording with the same options, with none (the recording carries the session's
# settings), and over the recording without its settings lines (the defaults).
# The simulated person follows a pacer at 15 breaths a minute (the default one is 5.5):
# breaths enough in 15 s.
pace=custom:1.5-0-2.5-0
check() {
    client=$1
    how=$2
    shift 2
    rec="$TMP/$client"
    if [ "$how" = complete ]; then
        "$BELLOWS" run --simulated --client "$client" --duration 15 --no-window --no-audio \
            --quiet --pacer "$pace" --record "$rec" "$@" >"$TMP/run.out" 2>&1 ||
            fail "run $*: $(cat "$TMP/run.out")"
    else
        "$BELLOWS" run --simulated --client "$client" --no-window --no-audio --quiet \
            --pacer "$pace" --record "$rec" "$@" >"$TMP/run.out" 2>&1 &
        pid=$!
        sleep 14
        kill -9 "$pid"
        wait "$pid" 2>/dev/null
        pid=""
    fi
    "$BELLOWS" sessions --client "$client" >"$TMP/list.out" 2>"$TMP/list.err" ||
        fail "sessions: $(cat "$TMP/list.err")"
    if [ "$how" = killed ]; then
        grep -q 'figures of 1 interrupted session worked out' "$TMP/list.err" ||
            fail "run $* killed: not recovered: $(cat "$TMP/list.err")"
    fi
    stored=$(awk '$1 ~ /^[0-9]+$/ { print $5, $6, $7; exit }' "$TMP/list.out")
    # A killed session's last line may be cut: analyze then says so, after its summary.
    "$BELLOWS" analyze "$rec.csv" --events "$TMP/e.csv" --summary "$TMP/same.json" "$@" \
        >/dev/null 2>&1
    "$BELLOWS" analyze "$rec.csv" --events "$TMP/e.csv" --summary "$TMP/own.json" \
        >/dev/null 2>&1
    grep -v '^#' "$rec.csv" >"$TMP/plain.csv"
    "$BELLOWS" analyze "$TMP/plain.csv" --events "$TMP/e.csv" --summary "$TMP/plain.json" \
        >/dev/null 2>&1
    [ -s "$TMP/same.json" ] && [ -s "$TMP/own.json" ] && [ -s "$TMP/plain.json" ] ||
        fail "analyze $rec.csv"
    same=$(figures "$TMP/same.json")
    own=$(figures "$TMP/own.json")
    plain=$(figures "$TMP/plain.json")
    rm -f "$TMP/same.json" "$TMP/own.json" "$TMP/plain.json"
    [ "$same" != "$plain" ] ||
        fail "run $*: the settings change nothing here ($same); the test proves nothing"
    [ "$stored" = "$same" ] ||
        fail "run $* ($how): stored '$stored' (breaths rate belly), the session computed '$same' (a re-analysis with default settings gives '$plain')"
    [ "$own" = "$same" ] ||
        fail "run $*: analyze of the recording alone gives '$own', not the session's '$same'"
    echo "run $* ($how): stored $stored, as the session computed (defaults: $plain)"
}

check Ann complete --invert
check Bo complete --calibration "$TMP/inv.json"
check Cy killed --invert
check Di killed --calibration "$TMP/inv.json"
exit 0
