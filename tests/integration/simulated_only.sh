#!/bin/sh
# simulated_only.sh - the simulated belt only when asked: `run`/`assess --client` with no belt
# stop naming --simulated and store nothing; with --simulated the session and the assessment
# are stored marked simulated and labelled so in `sessions` and the report; plain `bellows`
# with no belt runs on the simulated belt and says so.
# Usage: sh simulated_only.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_simonly.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
unset DISPLAY
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$BELLOWS" ports >/dev/null 2>&1 && {
    echo "SKIP: a belt is plugged into this machine" >&2
    exit 77
}
# No belt, a client, no --simulated: refused before anything is created.
"$BELLOWS" run --client "Anna" --no-window --no-audio --duration 5 >"$TMP/run.out" 2>"$TMP/run.err"
rc=$?
[ $rc -ne 0 ] || fail "run --client without a belt succeeded"
grep -q -- "--simulated" "$TMP/run.err" || fail "message does not name --simulated: $(cat "$TMP/run.err")"
grep -q "no belt found" "$TMP/run.err" || fail "message does not say why: $(cat "$TMP/run.err")"
"$BELLOWS" assess --client "Anna" --no-window --no-audio >"$TMP/as.out" 2>"$TMP/as.err"
[ $? -ne 0 ] || fail "assess --client without a belt succeeded"
grep -q -- "--simulated" "$TMP/as.err" || fail "assess message does not name --simulated: $(cat "$TMP/as.err")"
"$BELLOWS" clients >"$TMP/clients.out" 2>&1 || fail "clients"
grep -q "Anna" "$TMP/clients.out" && fail "a refused run added the client: $(cat "$TMP/clients.out")"
[ -z "$(ls -A "$XDG_DATA_HOME/bellows/sessions" 2>/dev/null)" ] ||
    fail "a refused run left files: $(ls "$XDG_DATA_HOME/bellows/sessions")"
"$BELLOWS" run --client "Anna" --port /dev/null --simulated >/dev/null 2>"$TMP/both.err"
[ $? -eq 2 ] || fail "--port with --simulated was accepted"

# Asked for: stored, marked and labelled simulated.
"$BELLOWS" run --simulated --client "Anna" --no-window --no-audio --duration 3 >"$TMP/sim.out" 2>&1 ||
    fail "run --simulated: $(cat "$TMP/sim.out")"
head -n 1 "$TMP/sim.out" | grep -q "simulated belt (--simulated)" ||
    fail "first line does not say simulated: $(head -n 1 "$TMP/sim.out")"
"$BELLOWS" assess --simulated --fast --client "Anna" --no-window --no-audio >"$TMP/as2.out" 2>&1 ||
    fail "assess --simulated: $(cat "$TMP/as2.out")"
"$BELLOWS" sessions --client "Anna" >"$TMP/sessions.out" 2>&1 || fail "sessions"
grep -q "\[simulated belt\]" "$TMP/sessions.out" || fail "sessions list: $(cat "$TMP/sessions.out")"
"$BELLOWS" report --client "Anna" --session 1 --out "$TMP/r.html" >/dev/null 2>&1 || fail "report"
grep -q "Simulated belt: not a person" "$TMP/r.html" || fail "report does not label the session"
grep -q 'class="simulated">simulated belt<' "$TMP/r.html" || fail "report table does not label it"

# Plain `bellows` with no belt: the simulated belt, said in the first line.
timeout -s INT 4 "$BELLOWS" >"$TMP/plain.out" 2>&1
head -n 1 "$TMP/plain.out" | grep -q "^bellows: simulated belt - no belt found" ||
    fail "plain bellows, first line: $(head -n 1 "$TMP/plain.out")"
echo "simulated only when asked: ok"
