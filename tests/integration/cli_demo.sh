#!/bin/sh
# cli_demo.sh - `bellows demo` runs the simulated belt through the pipeline and prints events.
# Usage: sh cli_demo.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_demo.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
# Its own data folder: bare bellows and run store sessions, and the user's store (or
# another test's) must neither be touched nor speak up in this test's output.
export XDG_DATA_HOME="$TMP/data"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$BELLOWS" demo --duration 5 --fast >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc -eq 0 ] || fail "demo exit $rc: $(cat "$TMP/err")"
head -n 1 "$TMP/out" | grep -q 'built-in simulated belt' || fail "first line: $(head -n 1 "$TMP/out")"
grep -Eq '^\[ *[0-9.]+ s\]  (in|out)' "$TMP/out" || fail "no breath events: $(cat "$TMP/out")"
grep -q 'rate ' "$TMP/out" || fail "no metrics line"

# Longer, with a recording: the files follow the formats and analyze can read them back.
"$BELLOWS" demo --duration 60 --fast --seed 3 --rate 10 --record "$TMP/sess" >"$TMP/out2" 2>&1 ||
    fail "demo --record failed: $(cat "$TMP/out2")"
[ "$(head -n 1 "$TMP/sess.csv")" = "t,belly,chest" ] || fail "recording header"
[ "$(wc -l <"$TMP/sess.csv")" -eq 3001 ] || fail "60 s at 50 Hz should be 3000 rows"
[ "$(head -n 1 "$TMP/sess.events.csv")" = "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio" ] ||
    fail "events header"
grep -q ',insp_onset,' "$TMP/sess.events.csv" || fail "no recorded insp_onset"
# The live events equal what analyze finds in the recording (same pipeline, same samples).
"$BELLOWS" analyze "$TMP/sess.csv" --events "$TMP/re.csv" --quiet || fail "analyze of the session"
cmp -s "$TMP/sess.events.csv" "$TMP/re.csv" || fail "live and offline events differ"

# Replay through the live path.
"$BELLOWS" demo --replay "$TMP/sess.csv" --fast --duration 30 >"$TMP/out3" 2>&1 ||
    fail "demo --replay failed: $(cat "$TMP/out3")"
head -n 1 "$TMP/out3" | grep -q 'replay of' || fail "replay first line: $(head -n 1 "$TMP/out3")"

# Real time: 2 s of signal take about 2 s.
start=$(date +%s)
"$BELLOWS" demo --duration 2 >/dev/null 2>&1 || fail "paced demo failed"
took=$(($(date +%s) - start))
[ $took -ge 1 ] && [ $took -le 10 ] || fail "2 s paced demo took $took s"

# wait_for_line FILE: until FILE has a first line (the demo is running), at most 20 s.
wait_for_line() {
    n=0
    while [ ! -s "$1" ] && [ $n -lt 200 ]; do
        sleep 0.1
        n=$((n + 1))
    done
}

# Ctrl-C stops it cleanly (exit 0, says so).
"$BELLOWS" demo >"$TMP/out4" 2>&1 &
pid=$!
wait_for_line "$TMP/out4"
sleep 1
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "demo after SIGINT exit $rc"
grep -q 'stopped' "$TMP/out4" || fail "no 'stopped' after SIGINT: $(cat "$TMP/out4")"

# No arguments: the demo, saying first that it uses the simulated belt.
"$BELLOWS" >"$TMP/out5" 2>&1 &
pid=$!
wait_for_line "$TMP/out5"
kill -INT $pid
wait $pid
head -n 1 "$TMP/out5" | grep -q 'built-in simulated belt' || fail "bare bellows: $(head -n 1 "$TMP/out5")"
echo "ok"
