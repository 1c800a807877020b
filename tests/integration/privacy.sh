#!/bin/sh
# privacy.sh - every folder bellows creates is 0700 and every file 0600, whatever the
# umask: the store, session recordings and events, assessments, reports, exports, and
# files written where the user says (--record, --events, --summary, --out, --edf).
# Usage: sh privacy.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_privacy.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for mask in 022 002 000; do
    (
        umask $mask
        export XDG_DATA_HOME="$TMP/$mask/data"
        OUT="$TMP/$mask/out"
        mkdir -p "$OUT"
        run() {
            "$BELLOWS" "$@" >"$OUT/log" 2>&1 || fail "umask $mask: bellows $*: $(cat "$OUT/log")"
        }
        run run --simulated --no-window --no-audio --quiet --duration 2 --client Ann --events "$OUT/run.csv"
        run assess --simulated --fast --seed 3 --client Ann
        run demo --fast --duration 60 --seed 2 --record "$OUT/demo"
        run analyze "$OUT/demo.csv" --events "$OUT/an.csv" --summary "$OUT/an.json" --quiet
        run assess --simulated --fast --seed 4 --out "$OUT/assess.json"
        run import "$OUT/demo.csv" --client Ann
        run report --client Ann --out "$OUT/r.html"
        run export 2 --edf "$OUT/x.edf"
        # A file that was there with a wider mode is made private when rewritten.
        : >"$OUT/wide.csv"
        chmod 644 "$OUT/wide.csv"
        run analyze "$OUT/demo.csv" --events "$OUT/wide.csv" --quiet
        rm -f "$OUT/log"
        [ -d "$XDG_DATA_HOME/bellows/sessions" ] || fail "umask $mask: no sessions folder"
        [ "$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' | wc -l)" -ge 3 ] ||
            fail "umask $mask: no session files"
        ls "$XDG_DATA_HOME/bellows/sessions" | grep -q '^assess-' ||
            fail "umask $mask: no stored assessment"
        wide=$(find "$XDG_DATA_HOME" -type d ! -perm 700; find "$XDG_DATA_HOME" "$OUT" -type f ! -perm 600)
        [ -z "$wide" ] || fail "umask $mask: not private: $(ls -ld $wide)"
        # Where bellows writes into a device, the device keeps its mode.
        [ "$(stat -c %a /dev/null)" = 666 ] || fail "/dev/null lost its mode"
    ) || exit 1
done
# Folders and a store an older bellows left open to others are made private when used.
export XDG_DATA_HOME="$TMP/022/data"
chmod 755 "$XDG_DATA_HOME/bellows" "$XDG_DATA_HOME/bellows/sessions"
chmod 644 "$XDG_DATA_HOME/bellows/bellows.db"
"$BELLOWS" sessions >/dev/null 2>&1 || fail "sessions"
[ "$(stat -c %a "$XDG_DATA_HOME/bellows" "$XDG_DATA_HOME/bellows/bellows.db" | tr '\n' ' ')" = "700 600 " ] ||
    fail "the data folder and store were not made private"
"$BELLOWS" import "$TMP/022/out/demo.csv" --client Bo >/dev/null 2>&1 || fail "import"
[ "$(stat -c %a "$XDG_DATA_HOME/bellows/sessions")" = 700 ] || fail "the sessions folder was not made private"
"$BELLOWS" analyze "$TMP/022/out/demo.csv" --events /dev/null --quiet >/dev/null 2>&1 ||
    fail "--events /dev/null"
[ "$(stat -c %a /dev/null)" = 666 ] || fail "/dev/null lost its mode"
exit 0
