#!/bin/sh
# report_print.sh - the report printed as a therapist hands it over: headless Chromium's
# --print-to-pdf gives A4 pages on which no heading is left at the foot of a page apart
# from the chart or table it introduces. Skipped (77) without chromium and poppler-utils.
# Usage: sh report_print.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ] || ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdfinfo >/dev/null 2>&1; then
    echo "SKIP: needs chromium and poppler-utils (pdftotext, pdfinfo)" >&2
    exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_print.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg" TZ=UTC
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# Six sessions with assessments before and after, findings, and a trace.
"$BELLOWS" demo --duration 150 --fast --seed 2 --record "$TMP/a" >/dev/null 2>&1 || fail "demo"
start=1700000000
for i in 1 2 3 4 5 6; do
    "$BELLOWS" assess --simulated --fast --no-window --no-audio --client Noa --seed "$i" \
        --out "$TMP/b$i.json" --pain-low-back $((8 - i)) --pain-hips 3 --thomas-left tight:$((20 - 2 * i)) \
        --notes "before $i" >/dev/null 2>&1 || fail "assess before $i"
    "$BELLOWS" import "$TMP/a.csv" --client Noa --start $((start + i * 86400)) >/dev/null 2>&1 ||
        fail "import $i"
    "$BELLOWS" assess --simulated --fast --no-window --no-audio --client Noa --seed $((i + 10)) \
        --out "$TMP/a$i.json" --after "$i" --pain-low-back $((6 - i / 2)) --thomas-left pass \
        >/dev/null 2>&1 || fail "assess after $i"
done
"$BELLOWS" report --client Noa --session 6 --out "$TMP/r.html" >/dev/null 2>&1 || fail "report"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$TMP/r.pdf" "file://$TMP/r.html" >/dev/null 2>&1
[ -s "$TMP/r.pdf" ] || fail "chromium printed nothing"
pdfinfo "$TMP/r.pdf" | grep -q "Page size: *59[45].* x 84[12].* pts (A4)" ||
    fail "not A4: $(pdfinfo "$TMP/r.pdf" | grep 'Page size')"
pdftotext -layout "$TMP/r.pdf" "$TMP/r.txt" || fail "pdftotext"
python3 - "$TMP/r.html" "$TMP/r.txt" <<'PY' || fail "a heading is cut from what it introduces"
import html, re, sys
heads = [html.unescape(h) for h in re.findall(r"<h2>([^<]*)</h2>", open(sys.argv[1]).read())]
pages = [[l.strip() for l in p.splitlines() if l.strip()] for p in open(sys.argv[2]).read().split("\f")]
print(f"{len(pages)} pages, {len(heads)} headings")
seen = 0
for n, lines in enumerate(pages, 1):
    for i, line in enumerate(lines):
        if line in heads:
            seen += 1
            after = len(lines) - i - 1
            assert after >= 3, f"page {n}: '{line}' has only {after} lines after it on the page"
assert seen == len(heads), f"found {seen} of {len(heads)} headings in the PDF"
PY
echo "print ok"
