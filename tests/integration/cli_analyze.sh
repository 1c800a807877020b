#!/bin/sh
# cli_analyze.sh - simulate a recording, analyze it, check the events and the summary.
# Usage: sh cli_analyze.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_analyze.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
# Its own data folder: bare bellows and run store sessions, and the user's store (or
# another test's) must neither be touched nor speak up in this test's output.
export XDG_DATA_HOME="$TMP/data"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 120 --fs 50 --seed 7 --chest \
    --truth "$TMP/truth.csv" >"$TMP/sim.out" 2>&1 || fail "simulate failed: $(cat "$TMP/sim.out")"
[ "$(head -n 1 "$TMP/rec.csv")" = "t,belly,chest" ] || fail "recording header: $(head -n 1 "$TMP/rec.csv")"
[ "$(wc -l <"$TMP/rec.csv")" -eq 6001 ] || fail "recording should have 6000 rows"
grep -q ',insp_onset,' "$TMP/truth.csv" || fail "truth has no insp_onset"

# The same seed gives the same file.
"$BELLOWS" simulate --out "$TMP/rec2.csv" --duration 120 --fs 50 --seed 7 --chest >/dev/null ||
    fail "second simulate failed"
cmp -s "$TMP/rec.csv" "$TMP/rec2.csv" || fail "simulate is not deterministic"

"$BELLOWS" analyze "$TMP/rec.csv" --events "$TMP/ev.csv" --summary "$TMP/sum.json" \
    >"$TMP/an.out" 2>"$TMP/an.err"
rc=$?
[ $rc -eq 0 ] || fail "analyze exit $rc: $(cat "$TMP/an.err")"
[ ! -s "$TMP/an.err" ] || fail "analyze wrote to stderr: $(cat "$TMP/an.err")"
grep -q 'breaths' "$TMP/an.out" || fail "no result line: $(cat "$TMP/an.out")"

[ "$(head -n 1 "$TMP/ev.csv")" = "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio" ] ||
    fail "events header: $(head -n 1 "$TMP/ev.csv")"
n_insp=$(grep -c '^[0-9.]*,insp_onset,' "$TMP/ev.csv")
n_exp=$(grep -c '^[0-9.]*,exp_onset,' "$TMP/ev.csv")
# 120 s at 14 breaths/min: about 28 breaths. Generous bounds: the pipeline is tuned elsewhere.
[ "$n_insp" -ge 10 ] && [ "$n_insp" -le 60 ] || fail "$n_insp insp_onset rows"
[ "$n_exp" -ge 10 ] && [ "$n_exp" -le 60 ] || fail "$n_exp exp_onset rows"
# Every row has the 8 columns and a known kind.
awk -F, 'NR > 1 && NF != 8 { bad = 1 } END { exit bad }' "$TMP/ev.csv" || fail "rows without 8 columns"

[ -s "$TMP/sum.json" ] || fail "no summary"
grep -q '"ok": true' "$TMP/sum.json" || fail "summary not ok"
grep -q '"errors": \[\]' "$TMP/sum.json" || fail "summary lists errors"
grep -q '"channel": "belly"' "$TMP/sum.json" || fail "summary channel"
grep -q '"fs_hz": 50,' "$TMP/sum.json" || fail "summary fs_hz"
n_breaths=$(sed -n 's/.*"n_breaths": \([0-9]*\),.*/\1/p' "$TMP/sum.json")
[ -n "$n_breaths" ] && [ "$n_breaths" -gt 0 ] || fail "n_breaths '$n_breaths'"
for key in duration_s rate_bpm rate_spectral_bpm ti_s te_s ie_ratio depth variability \
    n_spikes n_clipped n_missed insp_onset exp_onset holdin_start breath_hold_start; do
    grep -q "\"$key\": " "$TMP/sum.json" || fail "summary lacks $key"
done
# A simulated person following the box pacer (4 s in, hold, out, hold): 3.75 breaths
# a minute, each inhalation 16 s after the last.
"$BELLOWS" simulate --out "$TMP/box.csv" --duration 200 --seed 7 --chest --pacer box \
    >/dev/null || fail "simulate --pacer box failed"
"$BELLOWS" analyze "$TMP/box.csv" --events "$TMP/box.ev.csv" --summary "$TMP/box.json" \
    >/dev/null 2>&1 || fail "analyze of the box recording failed"
rate=$(sed -n 's/.*"rate_bpm": \([0-9.]*\),.*/\1/p' "$TMP/box.json")
awk -v r="$rate" 'BEGIN { exit !(r > 3.6 && r < 3.9) }' || fail "box pacer: $rate breaths/min"
awk -F, '$2 == "insp_onset" { if (n++ && ($1 - last < 15 || $1 - last > 17)) bad = 1; last = $1 }
    END { exit bad || n < 10 }' "$TMP/box.ev.csv" || fail "box pacer: inhalations not 16 s apart"
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/sum.json" ||
        fail "summary is not valid JSON"
fi

# --quiet prints nothing; --channel picks a column by name; --invert is accepted.
"$BELLOWS" analyze "$TMP/rec.csv" --events "$TMP/ev2.csv" --channel chest --invert --quiet \
    >"$TMP/q.out" 2>&1 || fail "analyze --channel chest failed: $(cat "$TMP/q.out")"
[ ! -s "$TMP/q.out" ] || fail "--quiet printed: $(cat "$TMP/q.out")"

# The same file gives the same events.
"$BELLOWS" analyze "$TMP/rec.csv" --events "$TMP/ev3.csv" --quiet || fail "rerun failed"
cmp -s "$TMP/ev.csv" "$TMP/ev3.csv" || fail "analyze is not deterministic"

# One belt read the other way round (a belt that reads smaller as it stretches), and
# nobody said so: analyze says its breaths look upside down and how to read it right; the
# batch table marks it. With --invert the inhalations are where the truth has them, and
# the events begin with turned_round at the first sample (read with the recording, they say
# how the belt was read: the report and the EDF+ export draw it expansion up). The belt as
# worn, and two belts (turned by the breathing itself), are not said to be upside down.
"$BELLOWS" simulate --out "$TMP/one.csv" --duration 120 --seed 3 --truth "$TMP/one.truth.csv" \
    >/dev/null 2>&1 || fail "simulate one belt"
awk -F, 'NR == 1 { print; next } { printf "%s,%d\n", $1, 1023 - $2 }' "$TMP/one.csv" >"$TMP/flip.csv"
"$BELLOWS" analyze "$TMP/flip.csv" --events "$TMP/flip.ev" --summary "$TMP/flip.json" \
    >"$TMP/flip.out" 2>&1 || fail "analyze flip: $(cat "$TMP/flip.out")"
grep -qF "$TMP/flip.csv: the breaths look upside down" "$TMP/flip.out" ||
    fail "upside down not said: $(cat "$TMP/flip.out")"
grep -q 'analyze it again with --invert' "$TMP/flip.out" || fail "no remedy: $(cat "$TMP/flip.out")"
grep -q '"looks_turned_round": true' "$TMP/flip.json" || fail "summary: not looks_turned_round"
for f in one rec; do
    "$BELLOWS" analyze "$TMP/$f.csv" --events "$TMP/$f.ev2" --summary "$TMP/$f.json" \
        >"$TMP/$f.out" 2>&1 || fail "analyze $f"
    grep -q 'upside down' "$TMP/$f.out" && fail "$f said upside down: $(cat "$TMP/$f.out")"
    grep -q '"looks_turned_round": false' "$TMP/$f.json" || fail "$f summary looks_turned_round"
done
"$BELLOWS" analyze "$TMP/flip.csv" --events "$TMP/told.ev" --invert >"$TMP/told.out" 2>&1 ||
    fail "analyze --invert: $(cat "$TMP/told.out")"
grep -q 'upside down' "$TMP/told.out" && fail "told, and still said upside down"
[ "$(sed -n 2p "$TMP/told.ev")" = "0,turned_round,0,,,,," ] ||
    fail "the events do not begin with the reading: $(sed -n 2p "$TMP/told.ev")"
[ "$(grep -c turned_round "$TMP/told.ev")" = 1 ] || fail "more than one turn in the told events"
# Inhalations within 0.5 s of the truth's (after the first 10 s): all of them told, none
# of them as read.
matched() {
    awk -F, 'NR == FNR { if ($2 == "insp_onset") d[n++] = $1; next }
        $2 == "insp_onset" && $1 > 10 { t++; for (i = 0; i < n; i++) if (d[i] - $1 < 0.5 &&
            $1 - d[i] < 0.5) { m++; break } } END { printf "%d %d", m, t }' "$1" "$2"
}
set -- $(matched "$TMP/told.ev" "$TMP/one.truth.csv")
[ "$2" -ge 20 ] && [ "$1" -ge $(($2 - 1)) ] || fail "told: $1 of $2 inhalations found"
set -- $(matched "$TMP/flip.ev" "$TMP/one.truth.csv")
[ "$1" -le 2 ] || fail "as read: $1 of $2 inhalations found (the test cannot tell)"
mkdir "$TMP/two"
cp "$TMP/one.csv" "$TMP/flip.csv" "$TMP/two/"
"$BELLOWS" analyze "$TMP/two" --out-dir "$TMP/two.out" >"$TMP/batch.out" 2>&1 ||
    fail "batch: $(cat "$TMP/batch.out")"
grep -Eq '^flip .* ok, upside down\?$' "$TMP/batch.out" || fail "batch: flip $(cat "$TMP/batch.out")"
grep -Eq '^one .* ok$' "$TMP/batch.out" || fail "batch: one $(cat "$TMP/batch.out")"
grep -q "^1 marked 'upside down?': the breaths look upside down" "$TMP/batch.out" ||
    fail "batch: no note $(cat "$TMP/batch.out")"

# A recording whose first column is not named belly: the first channel is used.
sed '1s/.*/t,RESP,other/' "$TMP/rec.csv" >"$TMP/resp.csv"
"$BELLOWS" analyze "$TMP/resp.csv" --events "$TMP/ev4.csv" --summary "$TMP/s4.json" --quiet ||
    fail "analyze of t,RESP,other failed"
grep -q '"channel": "RESP"' "$TMP/s4.json" || fail "default channel is not the first"
echo "ok"
