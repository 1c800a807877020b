#!/bin/sh
# cli_live_options.sh - the options of live sessions: a custom pacer, tone switches and
# volume, and a calibration from an assessment; bad values are refused clearly.
# Usage: sh cli_live_options.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_live.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$BELLOWS" demo --fast --duration 30 --no-window --no-audio --pacer custom:4-2-6-0 \
    --volume 0.2 --no-breath-tone --no-pacer-cues --no-holdin-cue >"$TMP/ok.txt" 2>&1 ||
    fail "demo with a custom pacer and tone options failed: $(cat "$TMP/ok.txt")"
for bad in custom:4-2-6 custom:0-2-6-0 custom:4-2-6-0x fast; do
    if "$BELLOWS" demo --fast --duration 5 --no-window --no-audio --pacer "$bad" >"$TMP/b.txt" 2>&1; then
        fail "--pacer $bad was accepted"
    fi
    grep -q -- "--pacer: '$bad'" "$TMP/b.txt" || fail "unclear error for --pacer $bad: $(cat "$TMP/b.txt")"
done
if "$BELLOWS" run --volume 2 --no-window --no-audio --duration 1 >"$TMP/v.txt" 2>&1; then
    fail "--volume 2 was accepted"
fi
grep -q -- "--volume" "$TMP/v.txt" || fail "unclear error for --volume 2: $(cat "$TMP/v.txt")"
# A session started from an assessment notices a hold-in in its first seconds.
"$BELLOWS" assess --simulated --fast --seed 3 --out "$TMP/a.json" >/dev/null 2>&1 || fail "assess failed"
"$BELLOWS" simulate --out "$TMP/early.csv" --duration 60 --fs 50 --seed 3 --chest \
    --script "holdin@6+40:1.5" >/dev/null 2>&1 || fail "simulate failed"
"$BELLOWS" demo --fast --replay "$TMP/early.csv" --no-window --no-audio \
    --calibration "$TMP/a.json" >"$TMP/cal.txt" 2>&1 || fail "demo --calibration failed: $(cat "$TMP/cal.txt")"
grep -q "belly held in" "$TMP/cal.txt" || fail "the calibrated session missed the early hold-in"
if "$BELLOWS" run --calibration "$TMP/nope.json" --no-window --no-audio --duration 1 >"$TMP/c.txt" 2>&1; then
    fail "a missing calibration file was accepted"
fi
grep -q "nope.json" "$TMP/c.txt" || fail "the error does not name the file: $(cat "$TMP/c.txt")"
# With no belt, the simulated person follows the pacer asked for (in step with it,
# not at a rate of their own): a live session of 30 s at 15 breaths a minute.
"$BELLOWS" run --simulated --no-window --no-audio --no-record --duration 30 \
    --pacer custom:1.5-0-2.5-0 >"$TMP/sim.txt" 2>&1 || fail "run --simulated failed: $(cat "$TMP/sim.txt")"
follow=$(sed -n 's/^following the custom pacer: \([0-9]*\)%.*/\1/p' "$TMP/sim.txt")
if [ -z "$follow" ] || [ "$follow" -lt 60 ]; then
    fail "the simulated person did not follow the pacer (${follow:-?}%): $(cat "$TMP/sim.txt")"
fi
echo "live options ok"
