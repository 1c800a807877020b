#!/bin/sh
# quit_summary.sh - q in the window ends the session where its summary is taken: the
# summary stays on screen until the next key, and the recording (and so the stored
# session and its report) holds no sample from after q, so the figures shown at q are the
# figures kept. In a real X server (Xvfb), keys sent with xdotool. Skipped without
# xvfb-run, xwininfo or xdotool.
# Usage: sh quit_summary.sh BELLOWS [SHOT.png]
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
SHOT=${2:-}
XVFB_TOOLS="xvfb-run xwininfo xdotool" XVFB_TAG=quit
. "$(dirname "$0")/xvfb_lib.sh"
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
XVFB_INNER=1
. "$XVFB_LIB"
"$BELLOWS" demo --duration 120 --no-audio --record "$TMP/d" >"$TMP/out" 2>&1 </dev/null &
pid=$!
id=$(bellows_window)
sleep 12
xdotool windowfocus --sync "$id" key q
sleep 5 # the summary on screen: the session must not go on meanwhile
[ -n "$SHOT" ] && command -v import >/dev/null && import -window root "$SHOT"
kill -0 $pid 2>/dev/null && echo "alive after q" >"$TMP/alive"
xdotool windowfocus --sync "$id" key space
wait $pid
echo "exit $?" >>"$TMP/out"
INNER
export BELLOWS TMP SHOT XDG_DATA_HOME="$TMP/data"
timeout 100 xvfb-run -a -s "-screen 0 1280x800x24" sh "$TMP/inner.sh" ||
    fail "xvfb-run: $(tail -n 5 "$TMP/out")"
grep -q '^exit 0$' "$TMP/out" || fail "the session did not end cleanly: $(tail -n 5 "$TMP/out")"
[ -f "$TMP/alive" ] || fail "the window closed at q: the summary was not shown until a key"
shown=$(sed -n 's/^  time *\([0-9]*\):\([0-9][0-9]\)$/\1 \2/p' "$TMP/out")
[ -n "$shown" ] || fail "no summary time: $(tail -n 12 "$TMP/out")"
last=$(tail -n 1 "$TMP/d.csv" | cut -d, -f1)
# The summary's time is whole seconds; the 5 s it stayed on screen must not be recorded.
echo "$shown $last" | awk '{ s = $1 * 60 + $2; exit !($3 <= s + 1.5) }' ||
    fail "the recording goes on after q: summary at $shown (m s), last sample at $last s"
exit 0
