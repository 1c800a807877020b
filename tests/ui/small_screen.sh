#!/bin/sh
# small_screen.sh - on a display smaller than the window's usual 1280x800 (here a
# 1024x600 netbook screen), the window opens at the largest size of its shape that fits,
# in a real X server (Xvfb): nothing of it is off screen. Skipped without xvfb-run and
# xwininfo.
# Usage: sh small_screen.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
command -v xvfb-run >/dev/null && command -v xwininfo >/dev/null || {
    echo "xvfb-run or xwininfo not installed: skipped"
    exit 0
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_small.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
"$BELLOWS" demo --duration 30 --no-audio --record "$TMP/d" >"$TMP/out" 2>&1 </dev/null &
pid=$!
i=0
while [ $i -lt 100 ]; do
    xwininfo -name bellows >"$TMP/win" 2>/dev/null && break
    sleep 0.1
    i=$((i + 1))
done
kill -INT $pid
wait $pid
INNER
export BELLOWS TMP XDG_DATA_HOME="$TMP/data"
timeout 60 xvfb-run -a -s "-screen 0 1024x600x24" sh "$TMP/inner.sh"
w=$(sed -n 's/^ *Width: *//p' "$TMP/win")
h=$(sed -n 's/^ *Height: *//p' "$TMP/win")
[ -n "$w" ] && [ -n "$h" ] || {
    echo "FAIL: no window: $(tail -n 5 "$TMP/out")" >&2
    exit 1
}
[ "$w" -le 1024 ] && [ "$h" -le 600 ] && [ "$w" -ge 900 ] || {
    echo "FAIL: the window is ${w}x${h} on a 1024x600 screen" >&2
    exit 1
}
echo "window ${w}x${h} on a 1024x600 screen"
