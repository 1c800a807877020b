#!/bin/sh
# assess_result.sh - an assessment in the window ends with its result in the window (rate,
# I:E, belly share, time held in, the deep breath), kept there for someone at the keyboard
# until a key, after it was printed and stored; not a window that vanishes with the result
# only in the terminal. stdin a terminal through script(1); in Xvfb, keys with xdotool.
# Skipped without xvfb-run, xwininfo, xdotool or script.
# Usage: sh assess_result.sh BELLOWS [SHOT.png]
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
SHOT=${2:-}
XVFB_TOOLS="xvfb-run xwininfo xdotool script" XVFB_TAG=assess_result
. "$(dirname "$0")/xvfb_lib.sh"
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
XVFB_INNER=1
. "$XVFB_LIB"
script -qec "\"$BELLOWS\" assess --simulated --fast --no-audio --out \"$TMP/a.json\"" /dev/null \
    >"$TMP/out" 2>&1 &
pid=$!
id=$(bellows_window)
i=0
while [ $i -lt 300 ] && ! grep -q '^Wrote ' "$TMP/out"; do
    sleep 0.1
    i=$((i + 1))
done
sleep 3 # the result on screen: the window must stay
[ -n "$SHOT" ] && command -v import >/dev/null && import -window root "$SHOT"
kill -0 $pid 2>/dev/null && xwininfo -root -tree | grep -q '"bellows"' && echo open >"$TMP/alive"
xdotool windowfocus --sync "$id" key space
wait $pid
echo "exit $?" >>"$TMP/out"
INNER
export BELLOWS TMP SHOT XDG_DATA_HOME="$TMP/data"
timeout 100 xvfb-run -a -s "-screen 0 1280x800x24" sh "$TMP/inner.sh" ||
    fail "xvfb-run: $(tail -n 5 "$TMP/out")"
grep -q '^Rate [0-9.]* /min' "$TMP/out" || fail "no result printed: $(tail -n 5 "$TMP/out")"
[ -s "$TMP/a.json" ] || fail "no result written before the window waited"
[ -f "$TMP/alive" ] || fail "the window closed with the result: it was not shown until a key"
grep -q '^exit 0' "$TMP/out" || fail "the assessment did not end cleanly: $(tail -n 5 "$TMP/out")"
exit 0
