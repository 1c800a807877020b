#!/bin/sh
# holdin_accuracy.sh BELLOWS [SHARED_DIR] - hold-in and breath-hold accuracy of `bellows analyze`
# on the labelled scenarios in SHARED_DIR/data/scenarios and scenarios2 (score_holdin.py), and the count of
# hold-ins it reports on the real recordings (bidmc, neurokit2, respinpeace_rip), where no one
# held the belly in. `analyze` runs the live pipeline: causal, no look-ahead.
#
#   holdin:      sensitivity, false alarms per hour, latency (event time - label start),
#                overlap; plus the detection delay (t_detect - label start)
#   breath_hold: the same for breath holds longer than 11 s
#   real:        holdin_start and breath_hold_start events on the real recordings
#
# Skips (exit 0) when SHARED_DIR is absent: the repo's own tests never need it.
set -eu
bellows=$1
shared=${2:-$(dirname "$0")/../../../shared}
py=/usr/bin/python3
if [ ! -d "$shared/data/scenarios" ] || [ ! -d "$shared/tools" ]; then
    echo "holdin_accuracy: no shared data at $shared; skipped"
    exit 0
fi
shared=$(cd "$shared" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/scenarios" "$out/real"
# Both labelled sets together (their names do not clash), with their truth side by side.
mkdir -p "$out/truth"
for ds in scenarios scenarios2; do
    [ -d "$shared/data/$ds" ] || continue
    for f in "$shared/data/$ds"/*; do
        ln -sf "$f" "$out/truth/$(basename "$f")"
    done
    for f in "$shared/data/$ds"/*.csv; do
        case $f in *.breaths.csv | *.labels.csv) continue ;; esac
        "$bellows" analyze "$f" --events "$out/scenarios/$(basename "$f" .csv).events.csv" --quiet
    done
done
score=$shared/tools/score_holdin.py
echo "== scenarios, holdin"
$py "$score" --dir "$out/scenarios" --truth "$out/truth" | tail -1
echo "== scenarios, breath_hold of 8 s or more"
$py "$score" --dir "$out/scenarios" --truth "$out/truth" --event breath_hold --min-dur 8 | tail -1
echo "== scenarios, holdin detection delay (t_detect - label start)"
$py - "$out/scenarios" "$out/truth" <<'PY'
import glob, os, sys
import numpy as np, pandas as pd
d = []
for f in sorted(glob.glob(os.path.join(sys.argv[2], "*.labels.csv"))):
    name = os.path.basename(f)[: -len(".labels.csv")]
    lab = pd.read_csv(f)
    ev = pd.read_csv(os.path.join(sys.argv[1], name + ".events.csv"))
    st = ev[ev.kind == "holdin_start"]
    for a, b, k in zip(lab.t_start, lab.t_end, lab.kind):
        m = st[(st.t >= a - 1) & (st.t <= b)] if k == "holdin" else st[:0]
        if len(m):
            d.append(m.t_detect.iloc[0] - a)
if d:
    print(f"holdin detect delay: median={np.median(d):.2f} s p90={np.percentile(d, 90):.2f} s n={len(d)}")
PY
# count_episodes RECORDING...: analyze each, and set n_hi and n_bh to the hold-ins and breath
# holds they report.
count_episodes() {
    n_hi=0
    n_bh=0
    for f in "$@"; do
        case $f in *.breaths.csv) continue ;; esac
        [ -f "$f" ] || continue
        ev="$out/real/$(basename "$f" .csv).events.csv"
        "$bellows" analyze "$f" --events "$ev" --quiet
        n_hi=$((n_hi + $(grep -c ',holdin_start' "$ev" || true)))
        n_bh=$((n_bh + $(grep -c ',breath_hold_start' "$ev" || true)))
    done
}
count_episodes "$shared"/data/bidmc/bidmc_*.csv "$shared"/data/neurokit2/*.csv \
    "$shared"/data/respinpeace_rip/*.csv
echo "== real recordings (no one holding in): holdin_start=$n_hi breath_hold_start=$n_bh"
count_episodes "$shared"/data/hexoskin/*.csv
echo "== hexoskin (walking, jogging: out of domain): holdin_start=$n_hi breath_hold_start=$n_bh"
