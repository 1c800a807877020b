#!/bin/sh
# pause_summary.sh - a pause (space) in the middle of a hold-in stops the session clock, not
# what the belly does: the window's summary says how long it was paused, and its time held
# in is the stored one (the session's pipeline: the span between the hold-in's events in the
# recording), not only the time outside the pause. In Xvfb, keys sent with xdotool. Skipped
# without xvfb-run, xwininfo or xdotool.
# Usage: sh pause_summary.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
XVFB_TOOLS="xvfb-run xwininfo xdotool" XVFB_TAG=pause
. "$(dirname "$0")/xvfb_lib.sh"
# Two belts, the belly held in from 25 s to 50 s.
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 80 --seed 3 --chest \
    --script "holdin@25+25:2" >/dev/null || fail "simulate"
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
XVFB_INNER=1
. "$XVFB_LIB"
"$BELLOWS" demo --replay "$TMP/rec.csv" --no-audio --record "$TMP/d" >"$TMP/out" 2>&1 </dev/null &
pid=$!
id=$(bellows_window)
xdotool windowfocus --sync "$id" key h # the first run's help
sleep 36
xdotool windowfocus --sync "$id" key space
sleep 6
xdotool windowfocus --sync "$id" key space
sleep 14
xdotool windowfocus --sync "$id" key q
sleep 1
xdotool windowfocus --sync "$id" key space
wait $pid
echo "exit $?" >>"$TMP/out"
INNER
export BELLOWS TMP XDG_DATA_HOME="$TMP/data"
timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" sh "$TMP/inner.sh" ||
    fail "xvfb-run: $(tail -n 5 "$TMP/out")"
grep -q '^exit 0$' "$TMP/out" || fail "the session did not end cleanly: $(tail -n 5 "$TMP/out")"
grep -q '^  time  .*(and 0:0[5-7] paused)$' "$TMP/out" ||
    fail "the summary does not say it was paused: $(grep '^  time  ' "$TMP/out")"
shown=$(sed -n 's/^  time held in *\([0-9]*\):\([0-9][0-9]\) (1 time)$/\1 \2/p' "$TMP/out")
[ -n "$shown" ] || fail "no single hold-in in the summary: $(grep 'time held in' "$TMP/out")"
"$BELLOWS" analyze "$TMP/d.csv" --events "$TMP/ev.csv" >/dev/null || fail "analyze of the recording"
stored=$(awk -F, '$2 == "holdin_start" { a = $1 } $2 == "holdin_end" { b = $1 }
    END { if (a != "" && b != "") print b - a }' "$TMP/ev.csv")
echo "$shown $stored" | awk '{ d = $1 * 60 + $2 - $3; exit !($3 > 15 && d > -1 && d < 1) }' ||
    fail "time held in: window $shown (m s), the recording's events $stored s"
exit 0
