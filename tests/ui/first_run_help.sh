#!/bin/sh
# first_run_help.sh - the first live window on an account opens with the help (how to put
# the belt on, what the figure, disc and band mean), and notes that it did (a private
# file), so later sessions open straight onto the practice.
# Usage: sh first_run_help.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_firstrun.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data" SDL_VIDEODRIVER=dummy
SEEN="$TMP/data/bellows/help-seen"
"$BELLOWS" demo --fast --duration 2 --no-audio >"$TMP/out" 2>&1 </dev/null ||
    fail "demo: $(tail -n 5 "$TMP/out")"
[ -f "$SEEN" ] || fail "the first window did not note that it showed the help"
[ "$(stat -c %a "$SEEN")" = 600 ] || fail "help-seen is not private: $(stat -c %a "$SEEN")"
touch -d '2001-01-01' "$SEEN"
"$BELLOWS" demo --fast --duration 2 --no-audio >"$TMP/out" 2>&1 </dev/null ||
    fail "second demo: $(tail -n 5 "$TMP/out")"
[ "$(stat -c %Y "$SEEN")" = "$(date -d '2001-01-01' +%s)" ] || fail "help-seen written again"
# Without a window nothing is noted.
rm -f "$SEEN"
"$BELLOWS" demo --fast --duration 2 --no-window --no-audio >/dev/null 2>&1 </dev/null
[ ! -e "$SEEN" ] || fail "help-seen noted without a window"
exit 0
