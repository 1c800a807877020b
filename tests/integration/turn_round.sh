#!/bin/sh
# turn_round.sh - i (typed in the terminal here, the same key in the window): one belt
# that reads smaller on expansion, and the person says the figure shrinks as they breathe
# in. From then on the breaths are found the right way round, and the recording keeps the
# action before the row it acted on, so `analyze` of the recording gives exactly the
# events the session showed; without that line it would not.
# Usage: sh turn_round.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_turn_round.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$BELLOWS" simulate --out "$TMP/s.csv" --duration 30 --rate 15 --truth "$TMP/truth.csv" \
    >/dev/null 2>&1 || fail "simulate"
# The belt worn the other way round (a 10-bit ADC's reading mirrored).
awk -F, 'NR == 1 { print; next } { printf "%s,%d\n", $1, 1023 - $2 }' "$TMP/s.csv" >"$TMP/inv.csv"
# The same belt in a recording whose session was told so (--invert): replayed, it is
# read as that session read it, from the first breath, and recorded so again.
{
    echo "# bellows settings: invert=1 invert_chest=0 polarity_known=1"
    cat "$TMP/inv.csv"
} >"$TMP/told_in.csv"
"$BELLOWS" demo --replay "$TMP/told_in.csv" --no-window --no-audio --duration 25 \
    --record "$TMP/told" </dev/null >"$TMP/told.out" 2>&1 &
{
    sleep 8
    printf 'i\n'
    sleep 30
} | "$BELLOWS" demo --replay "$TMP/inv.csv" --no-window --no-audio --duration 25 \
    --record "$TMP/r" >"$TMP/out" 2>&1 || fail "demo: $(tail -n 5 "$TMP/out")"
wait $! || fail "demo of told_in.csv: $(tail -n 5 "$TMP/told.out")"
n=$(grep -c '^# bellows action: turn_round$' "$TMP/r.csv")
[ "$n" = 1 ] || fail "the recording has $n turn_round lines, not 1"
# Inhalations after i where the truth has them (within 0.5 s), and none at the peaks.
after() { awk -F, -v k="$2" '$2 == k && $1 > 12 { print $1 }' "$1"; }
after "$TMP/truth.csv" insp_onset >"$TMP/want"
after "$TMP/r.events.csv" insp_onset >"$TMP/got"
[ -s "$TMP/got" ] || fail "no inhalation found after i"
awk 'NR == FNR { w[++n] = $1; next }
    { ok = 0; for (i = 1; i <= n; i++) if ($1 - w[i] < 0.5 && w[i] - $1 < 0.5) ok = 1
      if (!ok) { print "inhalation at " $1 " s is no true one"; bad = 1 } }
    END { exit bad }' "$TMP/want" "$TMP/got" || fail "after i: $(tr '\n' ' ' <"$TMP/got")"
[ "$(head -n 1 "$TMP/told.csv")" = "# bellows settings: invert=1 invert_chest=0 polarity_known=1" ] ||
    fail "the replay's recording lost its settings"
awk -F, -v k=insp_onset '$2 == k && $1 > 5 { print $1 }' "$TMP/truth.csv" >"$TMP/want_all"
awk -F, -v k=insp_onset '$2 == k && $1 > 5 { print $1 }' "$TMP/told.events.csv" >"$TMP/got_told"
[ -s "$TMP/got_told" ] || fail "no inhalation found in the replay of told_in.csv"
awk 'NR == FNR { w[++n] = $1; next }
    { ok = 0; for (i = 1; i <= n; i++) if ($1 - w[i] < 0.5 && w[i] - $1 < 0.5) ok = 1
      if (!ok) { print "inhalation at " $1 " s is no true one"; bad = 1 } }
    END { exit bad }' "$TMP/want_all" "$TMP/got_told" ||
    fail "replay of told_in.csv: $(tr '\n' ' ' <"$TMP/got_told")"
# Read again: the same events as the session showed (its marks aside).
"$BELLOWS" analyze "$TMP/r.csv" --events "$TMP/a.csv" >/dev/null 2>&1 || fail "analyze"
grep -v ',marker,\|,discomfort,\|,pause,\|,resume,' "$TMP/r.events.csv" >"$TMP/live.csv"
cmp -s "$TMP/live.csv" "$TMP/a.csv" || fail "analyze differs from the session: $(diff "$TMP/live.csv" "$TMP/a.csv" | head -n 4)"
grep -v '^# bellows action' "$TMP/r.csv" >"$TMP/noact.csv"
"$BELLOWS" analyze "$TMP/noact.csv" --events "$TMP/b.csv" >/dev/null 2>&1 || fail "analyze"
cmp -s "$TMP/a.csv" "$TMP/b.csv" && fail "the action line made no difference"
echo "turn_round ok"
