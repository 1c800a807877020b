#!/bin/sh
# breath_accuracy.sh BELLOWS [SHARED_DIR] - breath detection accuracy of `bellows analyze`
# on the annotated recordings in SHARED_DIR/data, scored with SHARED_DIR/tools.
#
#   bidmc:     exp_onset against both annotators (the markers sit on the peaks), +-0.5 s
#   scenarios: insp_onset and exp_onset against the true onsets, outside the
#              labelled episodes (--skip-labels)
#   latency:   median t_detect - t of onsets at 12-20 breaths/min
#
# Skips (exit 0) when SHARED_DIR is absent: the repo's own tests never need it.
set -eu
bellows=$1
shared=${2:-$(dirname "$0")/../../../shared}
py=/usr/bin/python3
if [ ! -d "$shared/data/bidmc" ] || [ ! -d "$shared/tools" ]; then
    echo "breath_accuracy: no shared data at $shared; skipped"
    exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/bidmc" "$out/scenarios"
run() { # recording, events file
    "$bellows" analyze "$1" --events "$2" --quiet
}
for f in "$shared"/data/bidmc/bidmc_*.csv; do
    case $f in *.breaths.csv) continue ;; esac
    run "$f" "$out/bidmc/$(basename "$f" .csv).events.csv"
done
for f in "$shared"/data/scenarios/*.csv; do
    case $f in *.breaths.csv | *.labels.csv) continue ;; esac
    run "$f" "$out/scenarios/$(basename "$f" .csv).events.csv"
done
score=$shared/tools/score_breaths.py
echo "== bidmc, exp_onset, both annotators, tol 0.5 s"
$py "$score" --ann-dir "$shared/data/bidmc" --det-dir "$out/bidmc" --det-suffix .events.csv \
    --kind exp_onset --quiet | grep -E 'POOLED|WARNING'
for kind in insp_onset exp_onset; do
    echo "== scenarios, $kind, outside labelled episodes, tol 0.5 s"
    $py "$score" --ann-dir "$shared/data/scenarios" --det-dir "$out/scenarios" \
        --det-suffix .events.csv --kind "$kind" --skip-labels --quiet | grep -E 'POOLED|WARNING'
done
echo "== feedback latency (t_detect - t) of onsets at 12-20 breaths/min"
$py - "$out" <<'PY'
import glob, sys
import numpy as np, pandas as pd
for ds in ("scenarios", "bidmc"):
    lat = []
    for f in glob.glob(f"{sys.argv[1]}/{ds}/*.events.csv"):
        e = pd.read_csv(f)
        e = e[e.kind.isin(["insp_onset", "exp_onset"]) & e.rate_bpm.between(12, 20)]
        lat.append((e.t_detect - e.t).to_numpy())
    lat = np.concatenate(lat)
    print(f"{ds}: median {np.median(lat):.3f} s, p90 {np.percentile(lat, 90):.3f} s, n {len(lat)}")
PY
