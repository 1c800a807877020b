#!/bin/sh
# findings_report.sh - the therapist's findings entered with `assess` options are stored with
# the assessment, written into its JSON, and shown in the report before -> after each session
# beside the assessed breathing; bad values are refused before anything starts.
# Usage: sh findings_report.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_findings.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
A="assess --simulated --fast --no-window --no-audio --client Mia"
# Refused before anything starts: nothing stored, no client made.
for bad in "--pain-hips 11" "--pain neck" "--pain neck=x" "--pain neck=2,neck=3" \
    "--thomas-left loose" "--thomas-right tight:200"; do
    # shellcheck disable=SC2086
    "$BELLOWS" $A $bad >"$TMP/bad.out" 2>&1
    [ $? -eq 2 ] || fail "$bad was accepted: $(cat "$TMP/bad.out")"
done
"$BELLOWS" clients 2>&1 | grep -q Mia && fail "a refused assessment added the client"

# shellcheck disable=SC2086
"$BELLOWS" $A --seed 4 --pain-low-back 6 --pain-hips 4 --pain "neck=2" --thomas-left tight:15 \
    --thomas-right pass --notes "<b>psoas</b> tight on the left" >"$TMP/a1.out" 2>&1 ||
    fail "assess before: $(cat "$TMP/a1.out")"
"$BELLOWS" run --simulated --client Mia --duration 2 --no-window --no-audio >"$TMP/run.out" 2>&1 ||
    fail "run: $(cat "$TMP/run.out")"
# shellcheck disable=SC2086
"$BELLOWS" $A --seed 5 --after 1 --pain-low-back 3 --pain-hips 4 --thomas-left pass \
    --notes "softer" >"$TMP/a2.out" 2>&1 || fail "assess after: $(cat "$TMP/a2.out")"
python3 - "$XDG_DATA_HOME"/bellows/sessions/assess-*.json <<'PY' || fail "JSON findings"
import json, sys
found = [json.load(open(p)).get("findings") for p in sys.argv[1:]]
first = [f for f in found if f and f["notes"] and "psoas" in f["notes"]]
assert first, found
f = first[0]
assert f["pain"] == {"low back": 6, "hips": 4, "neck": 2}, f
assert f["thomas_left"] == "tight" and f["thomas_left_deg"] == 15, f
assert f["thomas_right"] == "pass" and f["thomas_right_deg"] is None, f
PY
"$BELLOWS" report --client Mia --out "$TMP/r.html" >"$TMP/rep.out" 2>&1 || fail "report: $(cat "$TMP/rep.out")"
for want in "Assessments and the therapist's findings" "low back 6 &#8594; 3" "hips 4 &#8594; 4" \
    "neck 2 &#8594; &#8211;" "tight 15&#176; &#8594; pass" "pass &#8594; &#8211;" \
    "&lt;b&gt;psoas&lt;/b&gt; tight on the left" "<b>after:</b> softer" \
    'aria-label="pain per area before and after each session' "</svg> neck</span>"; do
    grep -qF -- "$want" "$TMP/r.html" || fail "report lacks '$want'"
done
# First and latest assessment side by side, every measure.
for want in "<h3>First and latest assessment</h3>" "first: before session 1" "latest: after session 1" \
    '<td class="l">pain, low back</td><td>6</td><td>3</td>' \
    '<td class="l">psoas left</td><td>tight 15&#176;</td><td>pass</td>' \
    '<td class="l">belly share</td><td>'; do
    grep -qF -- "$want" "$TMP/r.html" || fail "report lacks '$want'"
done
for m in rate "time held in" "breath holds"; do
    grep -Eq "<td class=\"l\">$m</td><td>[0-9.]+( /min| s)?</td><td>[0-9.]+( /min| s)?</td>" "$TMP/r.html" ||
        fail "first vs latest lacks $m"
done
# Depth is the belt's own units set against the first assessment's: 1.00x, then a ratio.
grep -Eq '<td class="l">depth</td><td>1\.00&#215;</td><td>[0-9]+\.[0-9]{2}&#215;</td>' "$TMP/r.html" ||
    fail "first vs latest depth is not relative to the first: $(grep -F '>depth<' "$TMP/r.html")"
# Pain is plotted on its whole 0-10 scale, whatever the scores (here 6 and 3), before the
# session (hollow) and after it (filled): low back 6 before, 3 after, one line through both.
sed -n '/aria-label="pain per area/,/<\/svg>/p' "$TMP/r.html" >"$TMP/pain.svg"
grep -q 'class="ylab"[^>]*>10</text>' "$TMP/pain.svg" || fail "the pain plot's axis does not reach 10"
python3 - "$TMP/pain.svg" <<'PY' || fail "pain plot: before and after not both shown"
import re, sys
svg = open(sys.argv[1]).read()
ticks = {float(v): float(y) for y, v in re.findall(r'class="ylab" x="[^"]*" y="([^"]*)">([0-9.]+)<', svg)}
y_of = lambda v: ticks[0] + (ticks[10] - ticks[0]) * v / 10 - 4  # labels sit 4 px below the line
dots = re.findall(r'<circle cx="([^"]*)" cy="([^"]*)" r="[^"]*" fill="([^"]*)" stroke="#c0392b"', svg)
assert len(dots) == 2, dots  # low back, the first area: before and after session 1
(x0, y0, f0), (x1, y1, f1) = [(float(x), float(y), f) for x, y, f in dots]
assert f0 == "#fff" and f1 == "#c0392b" and x0 < x1, dots
assert abs(y0 - y_of(6)) < 1 and abs(y1 - y_of(3)) < 1, (dots, ticks)
assert re.search(r'stroke="#c0392b" stroke-width="2" points="[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+ "', svg)
PY
# Rates close together are not magnified: a rate plot's axis spans at least 2 breaths/min.
python3 - "$TMP/r.html" <<'PY' || fail "a rate plot magnifies a small difference"
import re, sys
html = open(sys.argv[1]).read()
plots = re.findall(r'aria-label="([^"]*rate[^"]*)"(.*?)</svg>', html, re.S)
drawn = [(a, svg) for a, svg in plots if "no values yet" not in svg]
assert any(a.startswith("assessed") for a, _ in drawn), [a for a, _ in plots]
for aria, svg in drawn:
    v = [float(x) for x in re.findall(r'class="ylab"[^>]*>([0-9.]+)<', svg)]
    assert max(v) - min(v) >= 2 - 1e-9, (aria, v)
PY
# I:E as the live window and the terminal write it (1 : Te/Ti), not a bare Ti/Te.
grep -Eq '<td class="l">I:E</td><td>1:[0-9]+\.[0-9]</td><td>1:[0-9]+\.[0-9]</td>' "$TMP/r.html" ||
    fail "first vs latest lacks I:E as 1:x.x: $(grep -F '>I:E<' "$TMP/r.html")"
# The breath figures of both assessments sit in the same row (rate, belly share, held in, ...).
grep -F "<tr><td>1</td>" "$TMP/r.html" | grep -Eq '<td>[0-9]+\.[0-9] &#8594; [0-9]+\.[0-9]</td><td>[0-9]+ % &#8594; [0-9]+ %</td><td>[0-9]+ s &#8594; [0-9]+ s</td>' ||
    fail "no before -> after breath figures: $(grep -F '<tr><td>1</td>' "$TMP/r.html")"
# --ask on a terminal (script(1) gives it one): each finding asked, bad answers asked again.
"$BELLOWS" assess --simulated --fast --no-window --no-audio --out "$TMP/ask.json" --ask \
    </dev/null >"$TMP/ask.out" 2>&1
[ $? -eq 2 ] || fail "--ask without a terminal was accepted"
if command -v script >/dev/null 2>&1; then
    printf '5\nx\n11\n3\n\n\n\nneck=2\nloose\ntight:12\npass\nfelt good\n' |
        script -qec "'$BELLOWS' assess --simulated --fast --no-window --no-audio --out '$TMP/ask.json' --ask" \
            /dev/null >"$TMP/ask.out" 2>&1 || fail "assess --ask: $(cat "$TMP/ask.out")"
    grep -q "a number from 0 to 10, please" "$TMP/ask.out" || fail "a bad score was not asked again"
    python3 - "$TMP/ask.json" <<'PY' || fail "--ask findings: $(cat "$TMP/ask.json")"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
assert f["pain"] == {"low back": 5, "hips": 3, "neck": 2}, f
assert f["thomas_left"] == "tight" and f["thomas_left_deg"] == 12, f
assert f["thomas_right"] == "pass" and f["notes"] == "felt good", f
PY
fi
echo "findings ok"
