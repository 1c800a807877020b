#!/bin/sh
# edf_mne.sh - `bellows export --edf` read back with MNE: same samples, same events.
# Usage: sh edf_mne.sh BELLOWS   (exit 77, skipped, without python3-mne)
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
HERE=$(dirname "$0")
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
"$PY" -c 'import mne' 2>/dev/null || {
    echo "python3-mne not installed: skipped"
    exit 77
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_edf.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
# The simulated belt's demo script has hold-ins and breath holds: all kinds of events.
"$BELLOWS" demo --duration 200 --fast --seed 7 --record "$TMP/s" >/dev/null 2>&1 || fail "demo"
"$BELLOWS" import "$TMP/s.csv" --client "EDF test" >/dev/null 2>&1 || fail "import"
"$BELLOWS" export 1 --edf "$TMP/s.edf" >"$TMP/out" 2>&1 || fail "export: $(cat "$TMP/out")"
[ "$(head -c 8 "$TMP/s.edf")" = "0       " ] || fail "not an EDF header"
[ "$(dd if="$TMP/s.edf" bs=1 skip=192 count=5 2>/dev/null)" = "EDF+C" ] || fail "not EDF+C"
events=$(ls "$TMP"/data/bellows/sessions/*.events.csv)
"$PY" "$HERE/edf_check.py" "$TMP/s.edf" "$TMP/s.csv" "$events" || fail "MNE read-back differs"
grep -q ',holdin_start,' "$events" || fail "the demo should have a hold-in to export"
# Belts the session read the other way round (told so: the recording's settings line) are
# exported expansion up, as the report draws them: the values negated.
{
    echo "# bellows settings: invert=1 invert_chest=1 polarity_known=1"
    awk -F, 'NR == 1 { print; next } { printf "%s,%d,%d\n", $1, 4095 - $2, 4095 - $3 }' "$TMP/s.csv"
} >"$TMP/told.csv"
"$BELLOWS" import "$TMP/told.csv" --client "EDF told" >/dev/null 2>&1 || fail "import told"
"$BELLOWS" export 2 --edf "$TMP/told.edf" >"$TMP/out" 2>&1 || fail "export told: $(cat "$TMP/out")"
events2=
for f in "$TMP"/data/bellows/sessions/*.events.csv; do
    [ "$f" = "$events" ] || events2=$f
done
[ -n "$events2" ] || fail "no events for the told session"
"$PY" "$HERE/edf_check.py" "$TMP/told.edf" "$TMP/told.csv" "$events2" --negated ||
    fail "the told belts are not exported expansion up"
"$BELLOWS" export 42 --edf "$TMP/x.edf" >"$TMP/e" 2>&1 && fail "export of a missing session"
grep -q 'no session 42' "$TMP/e" || fail "message: $(cat "$TMP/e")"
exit 0
