#!/bin/sh
# analyze_threads.sh - `bellows analyze` parses on a thread of its own, blocks of samples
# ahead of the pipeline, and runs many files on several threads: none of it may show.
# A bad row anywhere in a long file (in the first block, on a block's edge, past the ring)
# ends the run at that row with its FILE:LINE:COL, the events before it kept exactly as a
# run over the rows before it gives; --out-dir gives the same bytes, messages and table
# in the given order however the threads run.
# Usage: sh analyze_threads.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_analyze_threads.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
cd "$TMP" || exit 1
"$BELLOWS" simulate --out long.csv --duration 600 --fs 50 --seed 4 --chest >/dev/null 2>&1 ||
    fail "simulate"
[ "$(wc -l <long.csv)" -eq 30001 ] || fail "long.csv has $(wc -l <long.csv) lines"

# Line L is sample L-1: 2050 is the first of the second block (2048 a block), 16386 the
# first after the ring (8 blocks) has filled once, 25001 well past it, 30001 the last.
for line in 7 2049 2050 16386 25001 30001; do
    awk -F, -v OFS=, -v l=$line 'NR == l { $2 = "oops" } { print }' long.csv >bad.csv
    head -n $((line - 1)) long.csv >before.csv
    "$BELLOWS" analyze bad.csv --events bad.ev.csv --summary bad.json >bad.out 2>bad.err
    rc=$?
    [ $rc -eq 1 ] || fail "line $line: exit $rc"
    grep -q "^bellows analyze: bad.csv:$line:[0-9]*: column 'belly': 'oops' is not a number\$" bad.err ||
        fail "line $line: stderr: $(cat bad.err)"
    [ "$(wc -l <bad.err)" -eq 1 ] || fail "line $line: stderr: $(cat bad.err)"
    "$BELLOWS" analyze before.csv --events before.ev.csv --summary before.json --quiet ||
        fail "line $line: the rows before it"
    cmp -s bad.ev.csv before.ev.csv || fail "line $line: the events before the bad row differ"
    grep -q "bad.csv:$line:" bad.json || fail "line $line: the summary lists no error"
    grep -q '"n_samples": *'$((line - 2)) bad.json || fail "line $line: n_samples: $(grep n_samples bad.json)"
done

# Many files, the first the longest (so the others end first on other threads), bad ones
# among them: the same bytes and stderr as one run per file, in the given order, each time.
mkdir recs
cp long.csv recs/a_long.csv
for seed in 1 2 3 5 6; do
    "$BELLOWS" simulate --out "recs/b$seed.csv" --duration $((20 + 10 * seed)) --fs 50 \
        --seed $seed --chest >/dev/null 2>&1 || fail "simulate seed $seed"
done
awk -F, -v OFS=, 'NR == 900 { $3 = "x" } { print }' recs/b3.csv >recs/b4.csv
printf 't,belly\n0,1\n' >recs/c_short.csv
awk -F, -v OFS=, 'NR == 20000 { $2 = "oops" } { print }' long.csv >recs/d_long_bad.csv
: >want.err
for f in recs/*.csv; do
    n=$(basename "$f" .csv)
    "$BELLOWS" analyze "$f" --events "one.$n.events.csv" --summary "one.$n.summary.json" \
        --quiet 2>>want.err
done
for run in 1 2 3; do
    "$BELLOWS" analyze recs --out-dir "out$run" >"many$run.out" 2>"many$run.err"
    rc=$?
    [ $rc -eq 1 ] || fail "run $run: exit $rc"
    cmp -s want.err "many$run.err" || fail "run $run: stderr differs: $(cat "many$run.err")"
    for f in recs/*.csv; do
        n=$(basename "$f" .csv)
        [ ! -f "one.$n.events.csv" ] || cmp -s "one.$n.events.csv" "out$run/$n.events.csv" ||
            fail "run $run: $n.events.csv differs from the single-file run"
        [ ! -f "one.$n.summary.json" ] || cmp -s "one.$n.summary.json" "out$run/$n.summary.json" ||
            fail "run $run: $n.summary.json differs from the single-file run"
    done
    sed "s/ in out$run\$/ in DIR/" "many$run.out" >"table$run.txt"
    cmp -s table1.txt "table$run.txt" || fail "run $run: the table differs: $(cat "many$run.out")"
done
awk 'NR > 1 { print $1 }' many1.out | head -n 9 | tr '\n' ' ' >order.txt
[ "$(cat order.txt)" = "a_long b1 b2 b3 b4 b5 b6 c_short d_long_bad " ] || fail "table order: $(cat many1.out)"
exit 0
