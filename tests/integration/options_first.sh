#!/bin/sh
# options_first.sh - every option is checked before anything is created: a bad value
# exits (2 for the command line, 1 for an unreadable --calibration) before "recording
# to", before any folder, file or store row.
# Usage: sh options_first.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_options.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
mkdir "$TMP/work"
cd "$TMP/work" || exit 1
printf '{"calibration": {"belly_level": 1, "belly_depth": oops}}\n' >"$TMP/bad.json"

# expect STATUS ARGS...: exit STATUS, nothing printed on stdout about recording, and
# nothing created: no data folder, no file in the working folder.
expect() {
    want=$1
    shift
    "$BELLOWS" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    [ "$got" = "$want" ] || fail "bellows $*: exit $got, wanted $want: $(cat "$TMP/err")"
    grep -q 'recording to' "$TMP/out" && fail "bellows $*: said 'recording to' first"
    [ -e "$XDG_DATA_HOME" ] && fail "bellows $*: created $(find "$XDG_DATA_HOME")"
    [ -z "$(ls -A .)" ] || fail "bellows $*: created $(ls -A .)"
    [ -s "$TMP/err" ] || fail "bellows $*: no message"
}

expect 2 run --simulated --pacer bogus --client Ann --no-window --no-audio --duration 1
expect 2 run --simulated --pacer bogus --no-window --no-audio --duration 1
expect 2 run --simulated --pacer custom:4-2-6 --record "$TMP/work/x" --no-window --no-audio --duration 1
expect 1 run --simulated --calibration "$TMP/none.json" --client Ann --no-window --no-audio --duration 1
expect 1 run --simulated --calibration "$TMP/bad.json" --client Ann --no-window --no-audio --duration 1
grep -q 'bad.json:1:' "$TMP/err" || fail "--calibration message: $(cat "$TMP/err")"
expect 2 run --simulated --client "" --no-window --no-audio --duration 1
expect 2 run --simulated --volume 2 --client Ann --no-window --no-audio --duration 1
expect 2 run --simulated --duration -1 --client Ann --no-window --no-audio
expect 2 demo --pacer bogus --record "$TMP/work/d" --no-window --no-audio --fast --duration 5
expect 1 demo --calibration "$TMP/bad.json" --record "$TMP/work/d" --fast --duration 5
expect 2 demo --rate 99 --record "$TMP/work/d" --no-window --no-audio --fast --duration 5
expect 2 assess --simulated --client "" --fast
expect 2 assess --simulated --after 3 --fast
expect 1 assess --client Ann --fast --replay "$TMP/none.csv"
expect 2 analyze "$TMP/none.csv" --events "$TMP/work/e.csv" --channel
expect 1 analyze "$TMP/none.csv" --events "$TMP/work/e.csv" --calibration "$TMP/bad.json"
expect 2 export x --edf "$TMP/work/x.edf"
expect 2 export 1
expect 2 report --client Ann
expect 2 report --client Ann --out "$TMP/work/r.html" --session -4
exit 0
