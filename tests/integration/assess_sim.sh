#!/bin/sh
# assess_sim.sh - `bellows assess --fast` on the simulated belt and on a replayed recording:
# it prompts, learns the belts and writes a calibration and report JSON.
# Usage: sh assess_sim.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_assess.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$BELLOWS" assess --simulated --fast --seed 3 --out "$TMP/a.json" >"$TMP/out.txt" 2>&1 ||
    fail "assess failed: $(cat "$TMP/out.txt")"
grep -q "deep breath" "$TMP/out.txt" || fail "no deep-breath prompt"
grep -q '"belly_inverted": false' "$TMP/a.json" || fail "polarity wrong: $(cat "$TMP/a.json")"
# Simulated relaxed breathing: about 14/min, belly share 0.71..0.77, never held in.
python3 - "$TMP/a.json" <<'PY' || fail "report out of range: $(cat "$TMP/a.json")"
import json, sys
d = json.load(open(sys.argv[1]))
c, r = d["calibration"], d["report"]
assert c["belly_depth"] > 60 and c["chest_depth"] > 0, c
assert 11 < r["rate_bpm"] < 17, r
assert 0.65 < r["belly_share"] < 0.85, r
assert r["time_held_in_s"] == 0, r
PY
# A replay too short for the assessment is refused, naming the file.
"$BELLOWS" simulate --out "$TMP/short.csv" --duration 30 --fs 50 --seed 7 --chest >/dev/null 2>&1 ||
    fail "simulate failed"
if "$BELLOWS" assess --fast --replay "$TMP/short.csv" --out "$TMP/b.json" >"$TMP/b.txt" 2>&1; then
    fail "a 30 s replay was accepted"
fi
grep -q "short.csv" "$TMP/b.txt" || fail "error does not name the file: $(cat "$TMP/b.txt")"
# The stored figures are the session's own (no re-analysis of its recording): a belt that
# reads the other way round is turned round when the deep breath shows it (kept in the
# recording, so analyze of it gives the session's events), and the report is what the live
# pipeline computed, breath for breath as in the session's events file from that turn on
# (the breaths before it were timed the wrong way round, inhalation for exhalation), up to
# the end of the assessment (where the recording ends too).
"$BELLOWS" simulate --out "$TMP/up.csv" --duration 200 --fs 50 --seed 3 \
    --script "deep@41+12:2.5" >/dev/null 2>&1 || fail "simulate failed"
awk -F, 'NR == 1 { print; next } { printf "%s,%g\n", $1, 1000 - $2 }' "$TMP/up.csv" >"$TMP/inv.csv"
"$BELLOWS" assess --fast --replay "$TMP/inv.csv" --out "$TMP/asm.json" >"$TMP/inv.txt" 2>&1 ||
    fail "assess of an inverted belt failed: $(cat "$TMP/inv.txt")"
python3 - "$TMP/asm.json" "$TMP/asm.events.csv" "$TMP/asm.csv" <<'PY' ||
import csv, json, sys
d = json.load(open(sys.argv[1]))
c, r = d["calibration"], d["report"]
assert c["belly_inverted"] is True and c["chest_inverted"] is False, c
lines = open(sys.argv[3]).read().splitlines()
at = lines.index("# bellows action: turn_round")
t_turn = float(lines[at + 1].split(",")[0])
assert 55 < t_turn < 65, t_turn  # where the deep breath's phase ends
ti = te = 0.0
for row in csv.DictReader(open(sys.argv[2])):
    if row["kind"] == "insp_onset" and row["ti"] and row["te"] and float(row["t"]) > t_turn:
        ti += float(row["ti"])
        te += float(row["te"])
assert te > 0 and abs(r["ie_ratio"] - ti / te) < 0.01 * r["ie_ratio"], (r, ti / te)
assert r["ie_ratio"] < 0.8, r  # relaxed breathing: the inhalation is the shorter
last = float(open(sys.argv[3]).read().splitlines()[-1].split(",")[0])
assert abs(r["duration_s"] - 120) < 0.1 and last <= 120.1, (r, last)
PY
    fail "the stored figures are not the session's: $(cat "$TMP/asm.json")"
"$BELLOWS" analyze "$TMP/asm.csv" --events "$TMP/asm.again.csv" --quiet >/dev/null 2>&1 ||
    fail "analyze of the assessment's recording failed"
cmp -s "$TMP/asm.again.csv" "$TMP/asm.events.csv" ||
    fail "analyze of the assessment's recording differs from the session's events"
# Its recording never goes over the recording it replays.
cp "$TMP/inv.csv" "$TMP/keep.csv"
if "$BELLOWS" assess --fast --replay "$TMP/inv.csv" --out "$TMP/inv.json" >"$TMP/over.txt" 2>&1; then
    fail "an assessment recorded over its replay"
fi
cmp -s "$TMP/inv.csv" "$TMP/keep.csv" || fail "the replayed recording was overwritten"
grep -q "inv.csv" "$TMP/over.txt" || fail "unclear error: $(cat "$TMP/over.txt")"
# A later session starts from the assessment: a hold-in in the very first
# seconds, before anything could be learnt, is caught with the calibration.
"$BELLOWS" simulate --out "$TMP/early.csv" --duration 90 --fs 50 --seed 3 --chest \
    --script "holdin@6+40:1.5" >/dev/null 2>&1 || fail "simulate failed"
"$BELLOWS" analyze "$TMP/early.csv" --events "$TMP/cal.events.csv" --calibration "$TMP/a.json" \
    --quiet || fail "analyze --calibration failed"
grep -q ',holdin_start,' "$TMP/cal.events.csv" || fail "calibrated session missed the early hold-in"
# A file that is not an assessment is refused, naming it.
printf '{"report": {"rate_bpm": 12}}\n' >"$TMP/notcal.json"
if "$BELLOWS" analyze "$TMP/early.csv" --events "$TMP/x.csv" --calibration "$TMP/notcal.json" \
    2>"$TMP/c.txt"; then
    fail "a JSON without a calibration was accepted"
fi
grep -q 'notcal.json.*calibration' "$TMP/c.txt" || fail "unclear error: $(cat "$TMP/c.txt")"
printf '{"calibration": {"belly_level": 300, "belly_depth": abc}}\n' >"$TMP/bad.json"
if "$BELLOWS" analyze "$TMP/early.csv" --events "$TMP/x.csv" --calibration "$TMP/bad.json" \
    2>"$TMP/d.txt"; then
    fail "a malformed calibration was accepted"
fi
grep -q "bad.json:1: 'belly_depth' is not a number" "$TMP/d.txt" || fail "unclear error: $(cat "$TMP/d.txt")"
# A therapist's round: assess before, a session, assess after; the store keeps
# both, and the client's report shows the assessed rate before -> after.
export XDG_DATA_HOME="$TMP/xdg"
"$BELLOWS" assess --simulated --fast --seed 4 --client "Ana <b>" >"$TMP/before.txt" 2>&1 ||
    fail "assess --client failed: $(cat "$TMP/before.txt")"
grep -q "before their next session" "$TMP/before.txt" || fail "not stored as before"
ls "$XDG_DATA_HOME"/bellows/sessions/assess-*.json >/dev/null 2>&1 ||
    fail "the assessment JSON is not beside the sessions"
"$BELLOWS" run --simulated --duration 12 --no-window --no-audio --client "Ana <b>" >"$TMP/run.txt" 2>&1 ||
    fail "run --client failed: $(cat "$TMP/run.txt")"
# The next session starts from that assessment (the simulated belt may use a simulated one).
depth=$(python3 -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["calibration"]["belly_depth"])' \
    "$(ls "$XDG_DATA_HOME"/bellows/sessions/assess-*.json | head -n 1)")
grep -q "starting from the client's assessment of .* (relaxed belly depth $depth)" "$TMP/run.txt" ||
    fail "run --client did not start from the assessment (depth $depth): $(cat "$TMP/run.txt")"
"$BELLOWS" assess --simulated --fast --seed 5 --client "Ana <b>" --after 1 >"$TMP/after.txt" 2>&1 ||
    fail "assess --after failed: $(cat "$TMP/after.txt")"
"$BELLOWS" report --client "Ana <b>" --out "$TMP/r.html" >/dev/null 2>&1 || fail "report failed"
grep -Eq '<td>[0-9]+\.[0-9] &#8594; [0-9]+\.[0-9]</td>' "$TMP/r.html" ||
    fail "the report shows no assessed rate before -> after"
if "$BELLOWS" assess --fast --after 1 >"$TMP/e.txt" 2>&1; then
    fail "--after without --client was accepted"
fi
echo "assess ok"
