#!/bin/sh
# two_windows.sh - --therapist-window: the client's window shows the practice layout and a
# second window the therapist layout, in a real X server (Xvfb). Skipped without xvfb-run
# and xwininfo.
# Usage: sh two_windows.sh BELLOWS [SHOT.png]
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
SHOT=${2:-}
command -v xvfb-run >/dev/null && command -v xwininfo >/dev/null || {
    echo "xvfb-run or xwininfo not installed: skipped"
    exit 0
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_2win.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
"$BELLOWS" demo --therapist-window --duration 30 --no-audio --record "$TMP/d" \
    >"$TMP/out" 2>&1 </dev/null &
pid=$!
i=0
while [ $i -lt 100 ]; do
    xwininfo -root -tree >"$TMP/tree" 2>/dev/null
    grep -q '"bellows - therapist"' "$TMP/tree" && grep -q '"bellows"' "$TMP/tree" && break
    sleep 0.1
    i=$((i + 1))
done
sleep 3
[ -n "$SHOT" ] && command -v import >/dev/null && import -window root "$SHOT"
kill -INT $pid
wait $pid
echo "exit $?" >>"$TMP/out"
INNER
export BELLOWS TMP SHOT XDG_DATA_HOME="$TMP/data"
timeout 90 xvfb-run -a -s "-screen 0 2600x850x24" sh "$TMP/inner.sh" || {
    echo "FAIL: xvfb-run: $(tail -n 5 "$TMP/out")" >&2
    exit 1
}
grep -q '"bellows - therapist"' "$TMP/tree" || {
    echo "FAIL: no therapist window: $(cat "$TMP/tree") $(tail -n 5 "$TMP/out")" >&2
    exit 1
}
grep -q '"bellows"' "$TMP/tree" || {
    echo "FAIL: no client window" >&2
    exit 1
}
grep -q '^exit 0$' "$TMP/out" || {
    echo "FAIL: the session did not end cleanly: $(tail -n 5 "$TMP/out")" >&2
    exit 1
}
exit 0
