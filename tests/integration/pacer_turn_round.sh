#!/bin/sh
# pacer_turn_round.sh - one belt worn so that it reads smaller on expansion, and the
# person follows the resonance pacer (4 s in, 6 s out, rounded breaths with no pause:
# the breath's shape alone does not tell which way the belt reads). Each inhalation is
# then found where the pacer says breathe out, and the session turns the belt round by
# itself, within five of the pacer's cycles; the recording keeps the turn, so `analyze`
# of it gives exactly the events the session showed. The same person with the belt
# worn the right way, and someone breathing at their own rate with the belt the other
# way round (asked, not turned), are never turned. The person following it with the
# belt worn right confirms that reading: the recording keeps it too (serial_pacer_held.sh
# shows why it matters). Real time: about 60 s.
# Usage: sh pacer_turn_round.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_pacer_turn.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
D=60
"$BELLOWS" simulate --out "$TMP/paced.csv" --duration "$D" --pacer resonance \
    --truth "$TMP/truth.csv" >/dev/null 2>&1 || fail "simulate --pacer"
"$BELLOWS" simulate --out "$TMP/own.csv" --duration "$D" --rate 15 >/dev/null 2>&1 ||
    fail "simulate"
# A 10-bit ADC's reading mirrored: the belt worn the other way round.
mirror() { awk -F, 'NR == 1 { print; next } { printf "%s,%d\n", $1, 1023 - $2 }' "$1" >"$2"; }
mirror "$TMP/paced.csv" "$TMP/paced_inv.csv"
mirror "$TMP/own.csv" "$TMP/own_inv.csv"
demo() { # NAME REC: the session in real time, as it runs on a belt, with the pacer on
    "$BELLOWS" demo --replay "$2" --no-window --no-audio --pacer resonance --duration "$D" \
        --record "$TMP/$1" </dev/null >"$TMP/$1.out" 2>&1
}
demo worn "$TMP/paced.csv" &
pid_worn=$!
demo own "$TMP/own_inv.csv" &
pid_own=$!
demo inv "$TMP/paced_inv.csv" || fail "demo: $(tail -n 5 "$TMP/inv.out")"
wait "$pid_worn" || fail "demo of the belt worn right: $(tail -n 5 "$TMP/worn.out")"
wait "$pid_own" || fail "demo of own breathing: $(tail -n 5 "$TMP/own.out")"

said='^the breathing follows the pacer with the belt read the other way round: turned round'
[ "$(grep -c "$said" "$TMP/inv.out")" = 1 ] || fail "not said once: $(tr '\n' '|' <"$TMP/inv.out")"
[ "$(grep -c '^# bellows action: turn_round$' "$TMP/inv.csv")" = 1 ] ||
    fail "the recording does not keep the turn once"
# When it turned: the session's own line, on the signal's clock.
t=$(sed -n 's/^\[ *\([0-9.]*\) s\]  turned round.*/\1/p' "$TMP/inv.out")
awk -v t="$t" 'BEGIN { exit !(t > 20 && t < 52) }' ||
    fail "turned round at '$t' s, want by the fifth cycle (50 s)"
# From then on the inhalations are where the truth has them (within 0.5 s).
awk -F, -v t="$t" '$2 == "insp_onset" && $1 > t { print $1 }' "$TMP/truth.csv" >"$TMP/want"
awk -F, -v t="$t" '$2 == "insp_onset" && $1 > t { print $1 }' "$TMP/inv.events.csv" >"$TMP/got"
[ -s "$TMP/got" ] || fail "no inhalation found after the turn at $t s"
awk 'NR == FNR { w[++n] = $1; next }
    { ok = 0; for (i = 1; i <= n; i++) if ($1 - w[i] < 0.5 && w[i] - $1 < 0.5) ok = 1
      if (!ok) { print "inhalation at " $1 " s is no true one"; bad = 1 } }
    END { exit bad }' "$TMP/want" "$TMP/got" || fail "after the turn: $(tr '\n' ' ' <"$TMP/got")"
grep -q '^following the resonance pacer: \(9[0-9]\|100\)%' "$TMP/inv.out" ||
    fail "the following score was not read the right way round: $(grep following "$TMP/inv.out")"
"$BELLOWS" analyze "$TMP/inv.csv" --events "$TMP/a.csv" >/dev/null 2>&1 || fail "analyze"
grep -v ',marker,\|,discomfort,\|,pause,\|,resume,' "$TMP/inv.events.csv" >"$TMP/live.csv"
cmp -s "$TMP/live.csv" "$TMP/a.csv" ||
    fail "analyze differs from the session: $(diff "$TMP/live.csv" "$TMP/a.csv" | head -n 4)"

for n in worn own; do
    ! grep -q 'turned round' "$TMP/$n.out" || fail "$n: turned round: $(grep 'turned' "$TMP/$n.out")"
done
! grep -q '^# bellows action' "$TMP/own.csv" || fail "own breathing: an action was recorded"
[ "$(grep -c '^# bellows action' "$TMP/worn.csv")" = 1 ] &&
    grep -q '^# bellows action: keep_reading$' "$TMP/worn.csv" ||
    fail "following as worn: want one keep_reading kept, got: $(grep '^# bellows' "$TMP/worn.csv")"

grep -q "^the belt may read the other way round" "$TMP/own.out" ||
    fail "own breathing the other way round was not asked about"

echo "pacer_turn_round ok"
