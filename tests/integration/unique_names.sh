#!/bin/sh
# unique_names.sh - sessions started in the same second get files of their own (the
# default name had one-second resolution: one session overwrote the other).
# Usage: sh unique_names.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_unique.XXXXXX") || exit 1
pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
DIR="$XDG_DATA_HOME/bellows/sessions"
N=4

# Four sessions at once, each for the same client; started together they share the
# second of their names (if the clock ticks between them, some get it anyway).
"$BELLOWS" sessions >/dev/null 2>&1 || fail "sessions on a new store"
i=0
while [ $i -lt $N ]; do
    "$BELLOWS" run --simulated --no-window --no-audio --quiet --duration 2 --client Ann >"$TMP/run$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
for p in $pids; do
    wait "$p" || fail "a session failed: $(cat "$TMP"/run*)"
done
pids=
[ "$(ls "$DIR"/*.events.csv | wc -l)" = $N ] || fail "not $N events files: $(ls "$DIR")"
[ "$(ls "$DIR"/*.csv | grep -vc '\.events\.csv$')" = $N ] || fail "not $N recordings: $(ls "$DIR")"
# Each recording is whole (2 s at 50 Hz), none written by two sessions at once.
for f in "$DIR"/*.csv; do
    case $f in *.events.csv) continue ;; esac
    rows=$(($(wc -l <"$f") - 1))
    [ "$rows" -ge 90 ] && [ "$rows" -le 110 ] || fail "$f has $rows rows"
    [ "$(grep -c '^t,' "$f")" = 1 ] || fail "$f has more than one header"
done
# Each printed its own name, and the store holds four different recordings.
[ "$(cat "$TMP"/run* | sed -n 's/^recording to \(.*\)\.csv and .*/\1/p' | sort -u | wc -l)" = $N ] ||
    fail "sessions said the same name: $(cat "$TMP"/run*)"
"$BELLOWS" sessions --client Ann >"$TMP/s" 2>&1 || fail "sessions: $(cat "$TMP/s")"
[ "$(grep -Ec '(complete|incomplete) +Ann' "$TMP/s")" = $N ] || fail "not $N sessions of Ann: $(cat "$TMP/s")"

# Deterministic: another recording already has this second's name (and the next few):
# the new session takes the name with "-2" and leaves the other one as it was.
now=$(date +%s)
k=0
while [ $k -lt 6 ]; do
    stamp=$(date -d "@$((now + k))" +%Y%m%d-%H%M%S)
    echo "someone else's" >"$DIR/$stamp.csv"
    k=$((k + 1))
done
"$BELLOWS" run --simulated --no-window --no-audio --quiet --duration 1 >"$TMP/one" 2>&1 ||
    fail "run: $(cat "$TMP/one")"
name=$(sed -n 's/^recording to \(.*\)\.csv and .*/\1/p' "$TMP/one")
case $name in
*-2) ;;
*) fail "recorded to '$name', not a -2 name" ;;
esac
[ "$(cat "$DIR"/*.csv | grep -c "someone else's")" = 6 ] || fail "an existing recording was overwritten"
[ "$(wc -l <"$name.csv")" -gt 40 ] || fail "$name.csv is not the new recording"
exit 0
