#!/bin/sh
# firmware_assess.sh - the real firmware under simavr as the belt for `bellows assess --port PATH
# --client NAME --no-window`: the guide goes through its phases on the belt's clock, and the
# stored rate, depth and belly share match `bellows analyze` on the recording that drives the
# firmware's ADC. The client's next `run --client` starts from that assessment.
# Usage: sh firmware_assess.sh BELLOWS HARNESS FIRMWARE.elf SHIM
# SPDX-License-Identifier: MIT
FW_TAG=fwa
. "$(dirname "$0")/firmware_lib.sh"

# A person doing as asked: relaxed breathing, deep breaths early in the deep phase (40-60 s).
# 122 s, so the belt is still sending when the guide ends at 120 s.
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 122 --fs 50 --seed 11 --chest \
    --script "deep@41+12:2.5" >/dev/null || fail "simulate"
awk -F, 'NR == 1 || $1 < 120' "$TMP/rec.csv" >"$TMP/ref.csv"
"$BELLOWS" analyze "$TMP/ref.csv" --events "$TMP/ref.events.csv" --summary "$TMP/ref.json" \
    --quiet || fail "analyze"

start_belt "$TMP/rec.csv"
LD_PRELOAD="$SHIM" "$BELLOWS" assess --port "$LINK" --belt-speed 8 --client "Fw Client" --no-window --no-audio \
    >"$TMP/assess.out" 2>"$TMP/assess.err" || fail "bellows assess"
head -n 1 "$TMP/assess.out" | grep -q "using the belt on $LINK" ||
    fail "first line: $(head -n 1 "$TMP/assess.out")"
for phase in "settle (40 s)" "deep breath (20 s)" "natural breathing (60 s)" "Done"; do
    grep -qF "$phase" "$TMP/assess.out" || fail "no '$phase' prompt"
done
grep -q "asked again" "$TMP/assess.out" && fail "a phase was asked again"
grep -q "simulated" "$TMP/assess.out" && fail "the belt was called simulated"

# The stored assessment against analyze on the same rows.
python3 - "$TMP/ref.json" "$XDG_DATA_HOME/bellows/bellows.db" <<'PY' || fail "numbers differ"
import json, sqlite3, sys
ref = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
rows = db.execute("SELECT a.rate_bpm, a.depth, a.belly_share, a.is_simulated, a.kind, c.name "
                  "FROM assessments a JOIN clients c ON c.id = a.client_id").fetchall()
assert len(rows) == 1, rows
rate, depth, share, sim, kind, name = rows[0]
print(f"stored: rate {rate:.3f} depth {depth / 4.0:.2f} (/4) belly share {share:.4f}")
print(f"analyze: rate {ref['rate_bpm']:.3f} depth {ref['depth']:.2f} belly share {ref['belly_share']:.4f}")
assert name == "Fw Client" and kind == "before" and sim == 0, rows
assert abs(rate - ref["rate_bpm"]) < 0.05, (rate, ref["rate_bpm"])
# The firmware oversamples 2 extra bits (BELT_OVERSAMPLE_BITS): its counts are 4x the
# recording's 10-bit values, so depths are 4x; rates and shares have no unit.
assert abs(depth / 4.0 - ref["depth"]) < 0.01 * ref["depth"], (depth, ref["depth"])
assert abs(share - ref["belly_share"]) < 0.005, (share, ref["belly_share"])
PY
echo ok
