#!/bin/sh
# demo_no_tones.sh - a live session where PortAudio cannot be used (the environment's
# ALSA_CONFIG_PATH names an empty or missing file): one line saying so, and the session
# goes on to the end without tones.
# Usage: sh demo_no_tones.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_notones.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
"$BELLOWS" demo --fast --duration 30 --no-window --record "$TMP/d" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 0 ] || fail "demo exit $rc (ALSA_CONFIG_PATH=${ALSA_CONFIG_PATH:-}): $(tail -n 5 "$TMP/err")"
[ "$(grep -c 'no audio output; continuing without tones' "$TMP/err")" = 1 ] ||
    fail "no one-line notice: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/err")" = 1 ] || fail "more than the notice on stderr: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/d.csv")" -gt 1400 ] || fail "the session did not go on to the end"
exit 0
