#!/bin/sh
# cli_analyze_many.sh - many recordings (files and folders) in one `bellows analyze --out-dir`:
# the same per-file events and summaries as the single-file form, a table, errors that name
# the file, one progress bar on a terminal.
# Usage: sh cli_analyze_many.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_analyze_many.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
cd "$TMP" || exit 1
mkdir recs
for seed in 1 2 3; do
    "$BELLOWS" simulate --out "recs/r$seed.csv" --duration 60 --fs 50 --seed $seed --chest \
        >/dev/null 2>&1 || fail "simulate seed $seed"
done
"$BELLOWS" simulate --out a.csv --duration 90 --fs 25 --seed 9 >/dev/null 2>&1 || fail "simulate a"
cp recs/r1.csv recs/r1.events.csv # bellows' own events files next to recordings are skipped
mkdir recs/sub
cp a.csv recs/sub/deeper.csv # folders are not searched recursively

# Files and a folder in one run: the same outputs as one run per file.
"$BELLOWS" analyze a.csv recs --out-dir out >many.out 2>many.err
rc=$?
[ $rc -eq 0 ] || fail "exit $rc: $(cat many.err)"
[ ! -s many.err ] || fail "stderr: $(cat many.err)"
for r in a recs/r1 recs/r2 recs/r3; do
    n=$(basename $r)
    "$BELLOWS" analyze $r.csv --events one.csv --summary one.json --quiet || fail "single $r"
    cmp -s one.csv out/$n.events.csv || fail "out/$n.events.csv differs from the single-file run"
    cmp -s one.json out/$n.summary.json || fail "out/$n.summary.json differs from the single-file run"
done
[ "$(ls out | wc -l)" -eq 8 ] || fail "out/ holds: $(ls out)"
[ "$(stat -c %a out)" = 700 ] || fail "out/ is not private: $(stat -c %a out)"
head -n 1 many.out | grep -q '^recording  *duration_s  *breaths  *rate_bpm' || fail "table header: $(head -n 1 many.out)"
for n in a r1 r2 r3; do
    grep -Eq "^$n  +[0-9.]+  +[0-9]+ .* ok$" many.out || fail "no table row for $n: $(cat many.out)"
done
tail -n 1 many.out | grep -q '^4 recording(s): 4 analyzed, 0 failed; events and summaries in out$' ||
    fail "last line: $(tail -n 1 many.out)"

# A bad file: named with its line, skipped; the others done; exit 1; its row says why.
printf 't,belly\n0,1\n0.02,2\n0.04,oops\n' >recs/bad.csv
"$BELLOWS" analyze recs --out-dir out2 >bad.out 2>bad.err
rc=$?
[ $rc -eq 1 ] || fail "with a bad file: exit $rc"
grep -q 'recs/bad.csv:4' bad.err || fail "the error does not name recs/bad.csv:4: $(cat bad.err)"
grep -Eq '^bad  .* error: recs/bad.csv:4' bad.out || fail "no error row for bad: $(cat bad.out)"
cmp -s out/r2.events.csv out2/r2.events.csv || fail "a bad file changed another's events"
tail -n 1 bad.out | grep -q '4 recording(s): 3 analyzed, 1 failed' || fail "last line: $(tail -n 1 bad.out)"
rm recs/bad.csv

# --quiet prints nothing.
"$BELLOWS" analyze recs --out-dir out3 --quiet >q.out 2>&1 || fail "--quiet: $(cat q.out)"
[ ! -s q.out ] || fail "--quiet printed: $(cat q.out)"

# Checked before anything is made: names that would collide, a missing file, options that
# name one file's outputs.
mkdir other
cp a.csv other/r1.csv
"$BELLOWS" analyze recs other --out-dir out4 >c.out 2>c.err
[ $? -eq 2 ] || fail "colliding names: not a usage error"
grep -q 'recs/r1.csv and other/r1.csv would both write out4/r1.events.csv' c.err ||
    fail "collision message: $(cat c.err)"
"$BELLOWS" analyze a.csv nothere.csv --out-dir out4 >m.out 2>m.err
[ $? -eq 1 ] || fail "missing file: wrong exit"
grep -q 'nothere.csv: No such file' m.err || fail "missing file message: $(cat m.err)"
[ ! -e out4 ] || fail "out4 was made although the command line was bad"
"$BELLOWS" analyze a.csv --out-dir out4 --events x.csv >/dev/null 2>e.err
[ $? -eq 2 ] || fail "--events with --out-dir: not a usage error"
grep -q -- '--events names one file' e.err || fail "--events with --out-dir: $(cat e.err)"
"$BELLOWS" analyze a.csv recs/r1.csv --events x.csv >/dev/null 2>e.err
[ $? -eq 2 ] || fail "two files with --events: not a usage error"
mkdir empty
"$BELLOWS" analyze empty --out-dir out4 >/dev/null 2>e.err
[ $? -eq 1 ] || fail "empty folder: wrong exit"
grep -q 'empty: no recordings' e.err || fail "empty folder: $(cat e.err)"

# On a terminal: one progress bar over all files (script(1) gives the pty).
if command -v script >/dev/null 2>&1; then
    script -qfec "'$BELLOWS' analyze recs a.csv --out-dir out5" ts >/dev/null 2>&1 ||
        fail "analyze on a terminal failed"
    tr '\r' '\n' <ts >ts.lines
    grep -q '^analyzing 1/4 r1 \[' ts.lines || fail "no bar for the first file: $(cat ts.lines)"
    grep -q '^analyzing 4/4 a \[' ts.lines || fail "no bar for the last file: $(cat ts.lines)"
    # The bar percentages only grow: one bar for the whole run, not one per file.
    sed -n 's/^analyzing .*\] *\([0-9]*\)%$/\1/p' ts.lines | awk '$1 < last { bad = 1 } { last = $1 } END { exit bad }' ||
        fail "the bar restarts: $(sed -n 's/^analyzing //p' ts.lines)"
    grep -q '^4 recording(s): 4 analyzed' ts.lines || fail "no table on the terminal"
fi
echo "ok"
