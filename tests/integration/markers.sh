#!/bin/sh
# markers.sh - the therapist marks moments during a session (k: numbered markers, d:
# discomfort; typed in the terminal here, the same keys in the window): they are events in
# the recording, said in the terminal, drawn on the report's trace and EDF+ annotations.
# Usage: sh markers.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
HERE=$(dirname "$0")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_markers.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
{
    sleep 1
    printf 'k\n'
    sleep 0.5
    printf 'k\n'
    sleep 0.5
    printf 'd\n'
    sleep 8
} | "$BELLOWS" run --simulated --client Mo --duration 6 --no-window --no-audio \
    --events "$TMP/ev.csv" >"$TMP/out" 2>&1 || fail "run: $(cat "$TMP/out")"
grep -q "marker 1$" "$TMP/out" && grep -q "marker 2$" "$TMP/out" ||
    fail "markers not said: $(cat "$TMP/out")"
grep -q "discomfort marked" "$TMP/out" || fail "discomfort not said"
awk -F, '$2 == "marker" || $2 == "discomfort" { printf "%s ", $2 }' "$TMP/ev.csv" >"$TMP/kinds"
[ "$(cat "$TMP/kinds")" = "marker marker discomfort " ] || fail "events: $(cat "$TMP/kinds")"
rec=$(ls "$XDG_DATA_HOME"/bellows/sessions/*.csv | grep -v events | head -n 1)
grep -q ",marker," "${rec%.csv}.events.csv" || fail "the recording's events lack the markers"
"$BELLOWS" report --client Mo --session 1 --out "$TMP/r.html" >/dev/null 2>&1 || fail "report"
[ "$(grep -o 'class="mark"' "$TMP/r.html" | wc -l)" -ge 3 ] || fail "marks not on the trace"
grep -q '>1</text>' "$TMP/r.html" && grep -q '>2</text>' "$TMP/r.html" && grep -q '>!</text>' "$TMP/r.html" ||
    fail "marks not labelled on the trace"
"$BELLOWS" export 1 --edf "$TMP/m.edf" >/dev/null 2>&1 || fail "export"
grep -aq "marker 2" "$TMP/m.edf" || fail "EDF+ lacks 'marker 2'"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if "$PY" -c 'import mne' 2>/dev/null; then
    "$PY" "$HERE/edf_check.py" "$TMP/m.edf" "$rec" "${rec%.csv}.events.csv" --no-episodes >"$TMP/edf.out" 2>&1 ||
        fail "MNE read-back: $(cat "$TMP/edf.out")"
    grep -q "marker 1, marker 2" "$TMP/edf.out" || fail "MNE does not see the markers: $(cat "$TMP/edf.out")"
fi
echo "markers ok"
