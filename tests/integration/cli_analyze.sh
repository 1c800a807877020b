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

# A recording whose first column is not named belly: the first channel is used.
sed '1s/.*/t,RESP,other/' "$TMP/rec.csv" >"$TMP/resp.csv"
"$BELLOWS" analyze "$TMP/resp.csv" --events "$TMP/ev4.csv" --summary "$TMP/s4.json" --quiet ||
    fail "analyze of t,RESP,other failed"
grep -q '"channel": "RESP"' "$TMP/s4.json" || fail "default channel is not the first"
echo "ok"
