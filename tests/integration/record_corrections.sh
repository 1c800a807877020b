#!/bin/sh
# record_corrections.sh - the record can be trusted and corrected: run says its session number,
# short sessions are incomplete, your own sessions are listed without --client, clients are
# renamed, merged and deleted and sessions deleted (with --yes, files too), a rejected import
# stores nothing, and the report tells same-day sessions apart by the time.
# Usage: sh record_corrections.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_record.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
export TZ=UTC
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
RUN="run --simulated --duration 2 --no-window --no-audio"
# Your own session: numbered at the start and the end, incomplete when under a minute.
# shellcheck disable=SC2086
"$BELLOWS" $RUN >"$TMP/own.out" 2>&1 || fail "run: $(cat "$TMP/own.out")"
grep -q "^session 1, stored as one of your own" "$TMP/own.out" || fail "no number: $(cat "$TMP/own.out")"
grep -q "^session 1 stored as incomplete: shorter than a minute" "$TMP/own.out" ||
    fail "not incomplete: $(cat "$TMP/own.out")"
"$BELLOWS" sessions >"$TMP/s" 2>&1 || fail "sessions"
grep -Eq '^ +1 .* incomplete ' "$TMP/s" || fail "own sessions: $(cat "$TMP/s")"
grep -q "incomplete: shorter than a minute" "$TMP/s" || fail "no reason: $(cat "$TMP/s")"

# shellcheck disable=SC2086
"$BELLOWS" $RUN --client "Anna Typo" >"$TMP/r2" 2>&1 || fail "run 2: $(cat "$TMP/r2")"
grep -q "^session 2, stored for the client" "$TMP/r2" || fail "run 2 number: $(cat "$TMP/r2")"
# shellcheck disable=SC2086
"$BELLOWS" $RUN --client "Anna" >/dev/null 2>&1 || fail "run 3"
"$BELLOWS" sessions >"$TMP/s" 2>&1
[ "$(grep -Ec '^ +[0-9]+ ' "$TMP/s")" = 1 ] || fail "own list shows clients' sessions: $(cat "$TMP/s")"
"$BELLOWS" sessions --all >"$TMP/s" 2>&1
[ "$(grep -Ec '^ +[0-9]+ ' "$TMP/s")" = 3 ] || fail "--all: $(cat "$TMP/s")"

# Rename; not onto another client's name.
"$BELLOWS" rename-client "Anna Typo" "Ana" >"$TMP/o" 2>&1 || fail "rename: $(cat "$TMP/o")"
"$BELLOWS" rename-client "Ana" "Anna" >"$TMP/o" 2>&1 && fail "renamed onto another client"
grep -q "merge" "$TMP/o" || fail "rename clash does not point at merging: $(cat "$TMP/o")"
# Merge: only with --yes.
"$BELLOWS" merge-clients "Ana" "Anna" >"$TMP/o" 2>&1
grep -q "would move 1 session" "$TMP/o" || fail "merge without --yes: $(cat "$TMP/o")"
"$BELLOWS" clients | grep -q " Ana$" || fail "merge without --yes changed the store"
"$BELLOWS" merge-clients "Ana" "Anna" --yes >"$TMP/o" 2>&1 || fail "merge: $(cat "$TMP/o")"
"$BELLOWS" clients | grep -q " Ana$" && fail "Ana is still there"
"$BELLOWS" sessions --client Anna >"$TMP/s" 2>&1
[ "$(grep -Ec '^ +[0-9]+ ' "$TMP/s")" = 2 ] || fail "Anna after the merge: $(cat "$TMP/s")"

# Delete a session: without --yes nothing happens; with it the row and its files go.
rec2=$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' ! -name '*.events.csv' | sort | sed -n 2p)
"$BELLOWS" delete-session 2 >"$TMP/o" 2>&1
grep -q "add --yes" "$TMP/o" || fail "delete-session without --yes: $(cat "$TMP/o")"
n_files=$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' | wc -l)
[ "$n_files" = 6 ] || fail "files before deleting: $n_files"
"$BELLOWS" delete-session 2 --yes >"$TMP/o" 2>&1 || fail "delete-session: $(cat "$TMP/o")"
[ "$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' | wc -l)" = 4 ] || fail "session 2's files stay"
[ -e "$rec2" ] && fail "$rec2 stays"
"$BELLOWS" sessions --all | grep -Eq '^ +2 ' && fail "session 2 still listed"
"$BELLOWS" delete-session 2 --yes >"$TMP/o" 2>&1 && fail "deleted session 2 twice"
# Delete a client with their sessions and files.
"$BELLOWS" delete-client Anna --yes >"$TMP/o" 2>&1 || fail "delete-client: $(cat "$TMP/o")"
"$BELLOWS" clients | grep -q "Anna" && fail "Anna still listed"
[ "$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' | wc -l)" = 2 ] || fail "Anna's files stay"
"$BELLOWS" sessions --all >"$TMP/s" 2>&1
[ "$(grep -Ec '^ +[0-9]+ ' "$TMP/s")" = 1 ] || fail "after deleting Anna: $(cat "$TMP/s")"

# Practising alone: the report of your own sessions.
"$BELLOWS" report --out "$TMP/own.html" >"$TMP/o" 2>&1 || fail "report of your own: $(cat "$TMP/o")"
grep -q '<p class="who">Your own sessions</p>' "$TMP/own.html" || fail "own report: no title"
grep -q '<tr><td>1</td>' "$TMP/own.html" || fail "own report lacks session 1"

# Deleting never removes a recording bellows did not make: an imported one stays where it
# is (its events file, made by bellows, goes), and so does a recording of bellows' own that
# another session still reads (imported for another client), until the last one goes.
"$BELLOWS" simulate --out "$TMP/mine.csv" --duration 70 --seed 3 >/dev/null || fail "simulate mine"
"$BELLOWS" import "$TMP/mine.csv" --client Ext >"$TMP/o" 2>&1 || fail "import mine: $(cat "$TMP/o")"
id=$(sed -n 's/.* as session \([0-9]*\) of .*/\1/p' "$TMP/o")
"$BELLOWS" delete-session "$id" >"$TMP/o" 2>&1
grep -qF "$TMP/mine.csv (kept: not made by bellows)" "$TMP/o" || fail "preview: $(cat "$TMP/o")"
"$BELLOWS" delete-session "$id" --yes >"$TMP/o" 2>&1 || fail "delete imported: $(cat "$TMP/o")"
[ -s "$TMP/mine.csv" ] || fail "deleting an imported session removed the user's recording"
grep -qF "kept $TMP/mine.csv (not made by bellows" "$TMP/o" || fail "not said kept: $(cat "$TMP/o")"
grep -q "^removed .*/sessions/import-.*\.events\.csv$" "$TMP/o" || fail "events stay: $(cat "$TMP/o")"
own=$(find "$XDG_DATA_HOME/bellows/sessions" -name '*.csv' ! -name '*.events.csv' | head -n 1)
"$BELLOWS" import "$own" --client Shared >"$TMP/o" 2>&1 || fail "import own: $(cat "$TMP/o")"
id=$(sed -n 's/.* as session \([0-9]*\) of .*/\1/p' "$TMP/o")
"$BELLOWS" delete-session 1 --yes >"$TMP/o" 2>&1 || fail "delete 1: $(cat "$TMP/o")"
[ -e "$own" ] || fail "a recording another session reads was removed"
grep -qF "kept $own (another session reads it)" "$TMP/o" || fail "not said: $(cat "$TMP/o")"
"$BELLOWS" delete-session "$id" --yes >"$TMP/o" 2>&1 || fail "delete $id: $(cat "$TMP/o")"
[ -e "$own" ] && fail "the last session's own recording stays"

# A rejected import stores nothing: no client, no session, no events file.
"$BELLOWS" simulate --out "$TMP/good.csv" --duration 90 --fs 50 --chest --seed 3 >/dev/null || fail "simulate"
{ head -n 2000 "$TMP/good.csv"; echo "40.02,abc,12"; tail -n +2002 "$TMP/good.csv"; } >"$TMP/bad.csv"
"$BELLOWS" import "$TMP/bad.csv" --client "Imp" >"$TMP/o" 2>&1 && fail "a bad import succeeded"
grep -q "nothing imported" "$TMP/o" || fail "import message: $(cat "$TMP/o")"
"$BELLOWS" clients | grep -q "Imp" && fail "the rejected import made a client"
ls "$XDG_DATA_HOME"/bellows/sessions/import-* >/dev/null 2>&1 && fail "the rejected import left files"
# Same-day sessions: the report labels them with the time.
"$BELLOWS" import "$TMP/good.csv" --client "Imp" --start 1700000000 >/dev/null 2>&1 || fail "import 1"
"$BELLOWS" import "$TMP/good.csv" --client "Imp" --start 1700003000 >/dev/null 2>&1 || fail "import 2"
"$BELLOWS" import "$TMP/good.csv" --client "Imp" --start 1700300000 >/dev/null 2>&1 || fail "import 3"
"$BELLOWS" report --client "Imp" --out "$TMP/r.html" >/dev/null 2>&1 || fail "report"
grep -Eq 'class="xlab"[^>]*>[0-9]{2} [A-Z][a-z]{2} [0-9]{2}:[0-9]{2}<' "$TMP/r.html" ||
    fail "same-day sessions without a time"
grep -Eq 'class="xlab"[^>]*>[0-9]{2} [A-Z][a-z]{2}<' "$TMP/r.html" ||
    fail "a lone day's session should keep the short date"
# Names: the same client up to case, accents and spaces; a near miss is offered.
"$BELLOWS" sessions --client "  iMP " >"$TMP/o" 2>&1 || fail "case-insensitive name: $(cat "$TMP/o")"
grep -q "client 'Imp' (the same name" "$TMP/o" || fail "no word on the matched name: $(cat "$TMP/o")"
[ "$(grep -Ec '^ +[0-9]+ ' "$TMP/o")" = 3 ] || fail "Imp's sessions: $(cat "$TMP/o")"
"$BELLOWS" sessions --client "Imq" >"$TMP/o" 2>&1 && fail "a near miss was taken"
grep -q "did you mean 'Imp'?" "$TMP/o" || fail "no hint: $(cat "$TMP/o")"
"$BELLOWS" import "$TMP/good.csv" --client "Ipm" >"$TMP/o" 2>&1 || fail "import Ipm"
grep -q "new client 'Ipm' - did you mean 'Imp'?" "$TMP/o" || fail "no warning on a new near name: $(cat "$TMP/o")"
echo "record ok"
