#!/bin/sh
# store_cli.sh - the session store from the command line: import, clients, sessions, note,
# Unicode names and notes shown as written, errors that say what to do.
# Usage: sh store_cli.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_store_cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
NAME='<script>alert("x")</script> Ünïcødé 😀'
NOTE="O'Brien said \"breathe\" & <b>relax</b> 😌"

"$BELLOWS" sessions >"$TMP/out" 2>&1 || fail "sessions on a new store: $(cat "$TMP/out")"
grep -q 'no sessions' "$TMP/out" || fail "empty store: $(cat "$TMP/out")"
[ "$(stat -c %a "$TMP/data/bellows")" = 700 ] || fail "data dir not 0700"
[ "$(stat -c %a "$TMP/data/bellows/bellows.db")" = 600 ] || fail "store not 0600"

"$BELLOWS" demo --duration 120 --fast --seed 2 --record "$TMP/a" >/dev/null 2>&1 || fail "demo a"
"$BELLOWS" demo --duration 90 --fast --seed 5 --rate 8 --record "$TMP/b" >/dev/null 2>&1 ||
    fail "demo b"
"$BELLOWS" import "$TMP/b.csv" --client "$NAME" --start 1700600000 >"$TMP/out" 2>&1 ||
    fail "import b: $(cat "$TMP/out")"
"$BELLOWS" import "$TMP/a.csv" --client "$NAME" --start 1700000000 >"$TMP/out" 2>&1 ||
    fail "import a: $(cat "$TMP/out")"
"$BELLOWS" import "$TMP/a.csv" --client "Bo" --start 1700300000 >/dev/null 2>&1 || fail "import Bo"
"$BELLOWS" note 1 "$NOTE" >/dev/null 2>&1 || fail "note"

"$BELLOWS" clients >"$TMP/clients" 2>&1 || fail "clients"
grep -qF "$NAME" "$TMP/clients" || fail "name not shown as written: $(cat "$TMP/clients")"
"$BELLOWS" sessions --client "$NAME" >"$TMP/s" 2>&1 || fail "sessions --client: $(cat "$TMP/s")"
grep -qF "note: $NOTE" "$TMP/s" || fail "note not shown as written: $(cat "$TMP/s")"
grep -q ' Bo$' "$TMP/s" && fail "--client lists another client's session"
# Oldest first: session 2 (imported second, recorded first) before session 1.
first=$(awk '$1 ~ /^[0-9]+$/ {print $1; exit}' "$TMP/s")
[ "$first" = 2 ] || fail "not oldest first: $(cat "$TMP/s")"
grep -Eq '^ +2 +2023-11-1[45] [0-9:]+ +2\.0 +[0-9]+ +[0-9.]+ ' "$TMP/s" ||
    fail "session 2 row (2 minutes, breaths, rate): $(cat "$TMP/s")"
"$BELLOWS" sessions --all >"$TMP/all" 2>&1 || fail "sessions --all"
[ "$(grep -c 'complete' "$TMP/all")" = 3 ] || fail "three complete sessions: $(cat "$TMP/all")"

# A recording from elsewhere of one belt that reads smaller as it stretches: import says
# its breaths look upside down, and how to store it read right; imported with --invert,
# nothing is said and its breaths are the worn belt's.
"$BELLOWS" simulate --out "$TMP/one.csv" --duration 120 --seed 3 >/dev/null 2>&1 || fail "simulate"
awk -F, 'NR == 1 { print; next } { printf "%s,%d\n", $1, 1023 - $2 }' "$TMP/one.csv" >"$TMP/flip.csv"
"$BELLOWS" import "$TMP/flip.csv" --client Flip >"$TMP/out" 2>&1 || fail "import flip: $(cat "$TMP/out")"
grep -qF "$TMP/flip.csv: the breaths look upside down" "$TMP/out" || fail "not said: $(cat "$TMP/out")"
grep -qF "delete it ('bellows delete-session 4 --yes') and import it again with --invert" "$TMP/out" ||
    fail "no remedy: $(cat "$TMP/out")"
"$BELLOWS" import "$TMP/flip.csv" --client Flip --invert >"$TMP/out" 2>&1 ||
    fail "import --invert: $(cat "$TMP/out")"
grep -q 'upside down' "$TMP/out" && fail "said with --invert: $(cat "$TMP/out")"
"$BELLOWS" import "$TMP/one.csv" --client Flip >"$TMP/out2" 2>&1 || fail "import one"
grep -q 'upside down' "$TMP/out2" && fail "said of the belt as worn: $(cat "$TMP/out2")"
[ "$(sed 's/session [0-9]*/session N/; s/flip/one/' "$TMP/out")" = \
    "$(sed 's/session [0-9]*/session N/' "$TMP/out2")" ] ||
    fail "--invert does not read it as worn: $(cat "$TMP/out") / $(cat "$TMP/out2")"

# Errors name the thing and what to do.
"$BELLOWS" note 99 "x" >"$TMP/e" 2>&1 && fail "note on a missing session succeeded"
grep -q "no session 99 (see 'bellows sessions')" "$TMP/e" || fail "note error: $(cat "$TMP/e")"
"$BELLOWS" sessions --client "Nobody" >"$TMP/e" 2>&1 && fail "unknown client succeeded"
grep -q "no client named 'Nobody'" "$TMP/e" || fail "client error: $(cat "$TMP/e")"
"$BELLOWS" note abc "x" >"$TMP/e" 2>&1
[ $? -eq 2 ] || fail "bad id should be a usage error"
exit 0
