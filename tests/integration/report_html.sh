#!/bin/sh
# report_html.sh - `bellows report`: one self-contained HTML page, every user string escaped;
# rendered by headless Chromium when it is installed.
# Usage: sh report_html.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_report.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"
NAME='<script>alert("x")</script> Ünïcødé 😀'
"$BELLOWS" demo --duration 150 --fast --seed 4 --record "$TMP/a" >/dev/null 2>&1 || fail "demo"
for start in 1700000000 1700600000 1701200000; do
    "$BELLOWS" import "$TMP/a.csv" --client "$NAME" --start $start >/dev/null 2>&1 || fail "import"
done
"$BELLOWS" note 2 "<img src=x onerror=alert(1)> 'quoted' & \"double\"" >/dev/null 2>&1 ||
    fail "note"
"$BELLOWS" report --client "$NAME" --out "$TMP/r.html" --session 2 >"$TMP/out" 2>&1 ||
    fail "report: $(cat "$TMP/out")"
R="$TMP/r.html"
grep -qi '<script' "$R" && fail "unescaped <script> in the page"
grep -q '<img' "$R" && fail "unescaped <img> from a note"
grep -qF '&lt;img src=x onerror=alert(1)&gt;' "$R" || fail "the note does not appear escaped"
grep -qF '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ünïcødé 😀' "$R" ||
    fail "the name does not appear escaped"
grep -qF '&#39;quoted&#39; &amp; &quot;double&quot;' "$R" || fail "quotes in the note not escaped"
grep -Eqi '(src|href)="?(https?:)?//' "$R" && fail "the page refers to the network"
grep -Eqi '<(script|iframe|object|embed|link)' "$R" && fail "the page has active content"
[ "$(grep -c '<svg class="plot"' "$R")" -ge 5 ] || fail "expected progress plots and traces"
grep -q 'Session 2,' "$R" || fail "no section for --session 2"
grep -q 'class="tin"' "$R" || fail "no breath events in the trace"
# A session of another client, or none at all, is refused.
"$BELLOWS" report --client "$NAME" --out "$TMP/x.html" --session 9 >"$TMP/e" 2>&1 &&
    fail "report for a missing session succeeded"
grep -q 'session 9 is not one of' "$TMP/e" || fail "message: $(cat "$TMP/e")"

# A gap in the recording (the belt unplugged for 15 s) is drawn as a gap: the trace's line
# ends before it and starts again after it, in the whole-session and first-minute traces.
awk -F, 'NR == 1 || $1 < 40 || $1 > 55' "$TMP/a.csv" >"$TMP/gap.csv"
"$BELLOWS" import "$TMP/gap.csv" --client gap --start 1702000000 >/dev/null 2>&1 || fail "import gap"
"$BELLOWS" report --client gap --out "$TMP/g.html" --session 4 >"$TMP/out" 2>&1 ||
    fail "report with a gap: $(cat "$TMP/out")"
belly_lines() { grep -o '<polyline fill="none" stroke="#[0-9a-f]*" stroke-width="1.3"' "$1" |
    grep -c "$(grep -o '<polyline fill="none" stroke="#[0-9a-f]*" stroke-width="1.3"' "$R" | head -n 1)"; }
whole=$(belly_lines "$R")
gapped=$(belly_lines "$TMP/g.html")
[ "$gapped" -ge $((whole * 2)) ] ||
    fail "the gap is bridged: $gapped belly lines with a gap, $whole without"

# Belts read the other way round are drawn expansion up, as the session read them at its
# end: told so (--invert: the recording's settings line), turned round during the
# session (i: an action line; the events say when), or told so at import (a recording
# from elsewhere, imported with --invert: the events begin with the turn). Each trace is
# the one of the belts worn right, point for point.
awk -F, 'NR == 1 { print; next } { printf "%s,%d,%d\n", $1, 4095 - $2, 4095 - $3 }' \
    "$TMP/a.csv" >"$TMP/mirror.csv"
{
    echo "# bellows settings: invert=1 invert_chest=1 polarity_known=1"
    cat "$TMP/mirror.csv"
} >"$TMP/told.csv"
awk 'NR == 501 { print "# bellows action: turn_round" } { print }' "$TMP/mirror.csv" >"$TMP/turned.csv"
trace_points() { sed -n '/<h2>Breath trace<\/h2>/,$p' "$1" | grep -o 'points="[^"]*"'; }
n=5
cp "$TMP/mirror.csv" "$TMP/imported.csv"
for rec in told turned imported; do
    flag=""
    [ $rec = imported ] && flag=--invert
    # shellcheck disable=SC2086
    "$BELLOWS" import "$TMP/$rec.csv" --client "$rec" --start $((1703000000 + n)) $flag \
        >/dev/null 2>&1 || fail "import $rec"
    "$BELLOWS" report --client "$rec" --out "$TMP/$rec.html" --session $n >"$TMP/out" 2>&1 ||
        fail "report of $rec: $(cat "$TMP/out")"
    n=$((n + 1))
done
[ "$(cat "$XDG_DATA_HOME"/bellows/sessions/*.events.csv | grep -c ',turned_round,')" = 2 ] ||
    fail "the turn-round is not in the events twice (turned, and imported with --invert)"
trace_points "$R" >"$TMP/worn.pts"
[ -s "$TMP/worn.pts" ] || fail "no trace points"
for rec in told turned imported; do
    trace_points "$TMP/$rec.html" >"$TMP/$rec.pts"
    cmp -s "$TMP/worn.pts" "$TMP/$rec.pts" || fail "the $rec belts' trace is not drawn expansion up"
done

# Render with headless Chromium when available (CI installs it).
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
    mkdir "$TMP/profile"
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$TMP/profile" --screenshot="$TMP/shot.png" --window-size=1200,1600 \
        "file://$R" >"$TMP/chrome.log" 2>&1 || fail "chromium failed: $(tail -n 5 "$TMP/chrome.log")"
    size=$(stat -c %s "$TMP/shot.png" 2>/dev/null || echo 0)
    [ "$size" -gt 20000 ] || fail "screenshot is empty or blank ($size bytes)"
    [ -n "${BELLOWS_REPORT_SHOT:-}" ] && cp "$TMP/shot.png" "$BELLOWS_REPORT_SHOT"
else
    echo "chromium not installed: render check skipped"
fi
exit 0
