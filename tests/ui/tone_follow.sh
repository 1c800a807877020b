#!/bin/sh
# tone_follow.sh - the breath tone against the belt over a hold-in and a posture change:
# the simulated belt (belly and chest) breathes quietly, holds the belly in at 30 s for
# 15 s, sits up at 60 s; tone_follow makes the tone in signal time; sox gives its rough
# pitch each second. The tone sweeps with each breath, stays low while the belly is held
# in, and after sitting up sweeps again within a few seconds instead of staying at the top.
# Skipped (exit 77) without sox.
# Usage: sh tone_follow.sh BELLOWS TONE_FOLLOW OUT_DIR
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TONE=$2
OUT=$3
command -v sox >/dev/null || {
    echo "sox not installed: skipped"
    exit 77
}
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$BELLOWS" simulate --out "$OUT/tone_rec.csv" --duration 100 --fs 50 --seed 11 --chest \
    --script "holdin@30+15,posture@60:1" >/dev/null || fail "simulate"
"$TONE" "$OUT/tone_rec.csv" "$OUT/tone_follow.wav" "$OUT/tone_follow.csv" || fail "tone_follow"
: >"$OUT/tone_pitch.txt"
s=0
while [ $s -lt 100 ]; do
    f=$(sox "$OUT/tone_follow.wav" -n trim $s 1 stat 2>&1 | awk '/Rough   frequency/ { print $3 }')
    e=$(awk -F, -v a=$s 'NR > 1 && $1 >= a && $1 < a + 1 { n++; x += $4 } END { printf "%.2f", x / n }' \
        "$OUT/tone_follow.csv")
    echo "$s $f $e" >>"$OUT/tone_pitch.txt"
    s=$((s + 1))
done
# Per stretch: the lowest and highest pitch of the seconds in it.
range() {
    awk -v a="$1" -v b="$2" '$1 >= a && $1 < b { if (lo == "" || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
        END { print lo + 0, hi + 0 }' "$OUT/tone_pitch.txt"
}
set -- $(range 15 30)
echo "quiet breathing 15-30 s: ${1}-${2} Hz"
[ $(($2 - $1)) -ge 25 ] || fail "the tone does not follow the breaths (${1}-${2} Hz)"
set -- $(range 35 45)
echo "belly held in 35-45 s: ${1}-${2} Hz"
[ "$2" -le 200 ] || fail "the tone goes high while the belly is held in (${1}-${2} Hz)"
set -- $(range 66 80)
echo "after sitting up 66-80 s: ${1}-${2} Hz"
[ $(($2 - $1)) -ge 25 ] || fail "the tone sticks after sitting up (${1}-${2} Hz)"
[ "$1" -le 190 ] || fail "the tone stays high after sitting up (${1}-${2} Hz)"
# At the top (expansion >= 0.95) for at most 6 s in a row, sitting up included.
top=$(awk '$3 >= 0.95 { r++; if (r > m) m = r; next } { r = 0 } END { print m + 0 }' \
    "$OUT/tone_pitch.txt")
echo "longest stretch at the top: $top s"
[ "$top" -le 6 ] || fail "the tone stays at the top for $top s"
exit 0
