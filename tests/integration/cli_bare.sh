#!/bin/sh
# cli_bare.sh - `bellows` with no arguments, on a terminal (a pty from script(1)) and with no
# display, says what it is doing: a live session, which belt, where it records, that the
# breath is followed in the terminal; then a line per breath turn; Ctrl-C stops it.
# Usage: sh cli_bare.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_bare.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
command -v script >/dev/null 2>&1 || {
    echo "SKIP: no script(1) to make a terminal"
    exit 77
}

# The inner shell leaves bellows' pid behind, so Ctrl-C goes to bellows itself.
cat >"$TMP/inner.sh" <<INNER
echo \$\$ >"$TMP/pid"
exec "$BELLOWS"
INNER
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER XDG_DATA_HOME="$TMP/xdg" \
    script -qfec "sh $TMP/inner.sh" "$TMP/typescript" >/dev/null 2>&1 &
spid=$!
# Up to 90 s: a sanitized build on a busy machine took over 20 s to its first breath.
n=0
while ! grep -q ' in ' "$TMP/typescript" 2>/dev/null && [ $n -lt 900 ]; do
    sleep 0.1
    n=$((n + 1))
done
[ -s "$TMP/pid" ] || fail "bellows did not start"
kill -INT "$(cat "$TMP/pid")"
wait $spid
tr -d '\r' <"$TMP/typescript" >"$TMP/out"

line1=$(grep -v '^Script ' "$TMP/out" | head -n 1)
line2=$(grep -v '^Script ' "$TMP/out" | sed -n 2p)
echo "$line1" | grep -q "^bellows: simulated belt - no belt found; using the built-in simulated belt" ||
    fail "first line does not name the belt: $line1"
echo "$line2" | grep -q "^a live session, as 'bellows run' ('bellows --help' lists the other commands)$" ||
    fail "second line does not say it is a live session: $line2"
grep -q "^recording to $TMP/xdg/bellows/sessions/" "$TMP/out" || fail "no recording line: $(cat "$TMP/out")"
grep -q 'no display, so no window: following the breath here' "$TMP/out" ||
    fail "does not say the breath is followed in the terminal: $(cat "$TMP/out")"
grep -Eq '^\[ *[0-9.]+ s\]  (in|out)' "$TMP/out" || fail "no breath lines: $(cat "$TMP/out")"
grep -q '^stopped\.$' "$TMP/out" || fail "no 'stopped.' after Ctrl-C: $(cat "$TMP/out")"
ls "$TMP"/xdg/bellows/sessions/*.events.csv >/dev/null 2>&1 || fail "nothing recorded"

# Options without a command are run's: `bellows --no-window` is quiet about the display.
env -u DISPLAY XDG_DATA_HOME="$TMP/xdg" "$BELLOWS" --no-window --no-audio --no-record \
    --duration 1 >"$TMP/o2" 2>&1 || fail "bellows --no-window: $(cat "$TMP/o2")"
grep -q 'no display' "$TMP/o2" && fail "--no-window still notes the display: $(cat "$TMP/o2")"
sed -n 2p "$TMP/o2" | grep -q "^a live session, as 'bellows run'" || fail "bellows --no-window: $(cat "$TMP/o2")"
echo "ok"
