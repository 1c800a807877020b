#!/bin/sh
# breath_accuracy.sh BELLOWS [SHARED_DIR] - breath detection accuracy of `bellows analyze`
# on every annotated set in SHARED_DIR/data, scored with SHARED_DIR/tools/score_breaths.py.
# One command for all of them, no per-dataset flags: `analyze REC.csv --events OUT.csv`.
#
#   scenarios, scenarios2: insp_onset and exp_onset against the true onsets, outside the
#              labelled episodes (--skip-labels) and the records' edges (--edges 5 3);
#              scenarios2 also per kind of scenario (paced, slow, startup, ...)
#   hexoskin:  against the device's own events, +-0.5 s and +-1.0 s, rate MAE
#   bidmc:     exp_onset against both annotators (the markers sit on the peaks), +-0.5 s
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
sets="scenarios scenarios2 hexoskin bidmc"
for ds in $sets; do
    [ -d "$shared/data/$ds" ] || continue
    mkdir -p "$out/$ds"
    for f in "$shared/data/$ds"/*.csv; do
        case $f in *.breaths.csv | *.labels.csv) continue ;; esac
        echo "$f $out/$ds/$(basename "$f" .csv).events.csv"
    done
done | xargs -P "$(nproc)" -n 2 sh -c '"$0" analyze "$1" --events "$2" --quiet' "$bellows"
score=$shared/tools/score_breaths.py
pooled() { grep -E 'POOLED|WARNING' || true; }
for ds in scenarios scenarios2; do
    [ -d "$out/$ds" ] || continue
    for kind in insp_onset exp_onset; do
        echo "== $ds, $kind, --skip-labels --edges 5 3, tol 0.5 s"
        $py "$score" --ann-dir "$shared/data/$ds" --det-dir "$out/$ds" --det-suffix .events.csv \
            --kind "$kind" --skip-labels --edges 5 3 --quiet | pooled
    done
done
if [ -d "$out/scenarios2" ]; then
    echo "== scenarios2 by kind of scenario: F1 insp_onset / exp_onset, pooled (mean of the records)"
    for sk in relaxed holdin holdin_paced posture breath_hold holdin_belly_only mixed paced \
        startup slow; do
        ex=""
        for j in "$shared"/data/scenarios2/*.json; do
            n=$(basename "$j" .json)
            grep -q "\"kind\": \"$sk\"" "$j" || ex="$ex --exclude $n"
        done
        line="$sk:"
        for kind in insp_onset exp_onset; do
            # shellcheck disable=SC2086
            f1=$($py "$score" --ann-dir "$shared/data/scenarios2" --det-dir "$out/scenarios2" \
                --det-suffix .events.csv --kind "$kind" --skip-labels --edges 5 3 --quiet $ex |
                sed -n 's/.*POOLED.* F1=\([0-9.]*\)%.*mean-of-records F1=\([0-9.]*\)%.*/\1 (\2)/p')
            line="$line $kind ${f1:-?}"
        done
        echo "  $line"
    done
fi
if [ -d "$out/hexoskin" ]; then
    for tol in 0.5 1.0; do
        for kind in insp_onset exp_onset; do
            echo "== hexoskin, $kind against the device's events, tol $tol s"
            $py "$score" --ann-dir "$shared/data/hexoskin" --det-dir "$out/hexoskin" \
                --det-suffix .events.csv --kind "$kind" --tol "$tol" --quiet | pooled
        done
    done
    # One band alone, as a user with one belt wears it: each band's column on its own,
    # analyzed as it reads (these bands read inverted) and turned by hand (--invert).
    mkdir -p "$out/hexo1"
    for f in "$shared/data/hexoskin"/*.csv; do
        case $f in *.breaths.csv) continue ;; esac
        n=$(basename "$f" .csv)
        cut -d, -f1,2 "$f" >"$out/hexo1/$n.belly.csv"
        cut -d, -f1,3 "$f" >"$out/hexo1/$n.chest.csv"
        for band in belly chest; do
            echo "$out/hexo1/$n.$band.csv $out/hexo1/$n.$band.as_read.events.csv"
            echo "$out/hexo1/$n.$band.csv $out/hexo1/$n.$band.inverted.events.csv --invert"
        done
    done | xargs -P "$(nproc)" -L 1 sh -c '"$0" analyze "$1" --events "$2" --quiet $3' "$bellows"
    echo "== hexoskin, one band alone, insp_onset against the device's events, tol 0.5 s, in"
    echo "   32-s windows the device counts under 22 breaths/min (rest) or more (moving)"
    $py - "$out/hexo1" "$shared" <<'PY'
import glob, os, sys
import numpy as np, pandas as pd
sys.path.insert(0, os.path.join(sys.argv[2], "tools"))
from score_breaths import match_events
tot = {}
for ann in sorted(glob.glob(os.path.join(sys.argv[2], "data", "hexoskin", "*.breaths.csv"))):
    n = os.path.basename(ann)[: -len(".breaths.csv")]
    a = pd.read_csv(ann)
    a = np.sort(a[a.kind == "insp_onset"].t.values)
    for band in ("chest", "belly"):
        for how in ("inverted", "as_read"):
            d = pd.read_csv(os.path.join(sys.argv[1], f"{n}.{band}.{how}.events.csv"))
            d = np.sort(d[d.kind == "insp_onset"].t.values)
            t = a[0]
            while t + 32.0 < a[-1]:
                aa, dd = a[(a >= t) & (a < t + 32.0)], d[(d >= t) & (d < t + 32.0)]
                ai, _ = match_events(aa, dd, 0.5)
                key = (band, how, "rest" if len(aa) * 60.0 / 32.0 < 22.0 else "moving")
                s = tot.setdefault(key, [0, 0, 0])
                s[0] += len(ai)
                s[1] += len(aa)
                s[2] += len(dd)
                t += 32.0
for (band, how, cls), (tp, na, nd) in tot.items():
    what = "turned by hand (--invert)" if how == "inverted" else "as it reads"
    print(f"{band} alone, {what}, {cls}: device {na}, found {nd}, "
          f"F1 {200 * tp / max(na + nd, 1):.1f}%")
PY
fi
echo "== bidmc, exp_onset, both annotators, tol 0.5 s"
$py "$score" --ann-dir "$shared/data/bidmc" --det-dir "$out/bidmc" --det-suffix .events.csv \
    --kind exp_onset --quiet | pooled
echo "== breaths taken with the belly held in (inside the labelled hold-ins, from 1 s after their"
echo "   start; the scorer's --skip-labels leaves them out), tol 0.5 s"
$py - "$out" "$shared" <<'PY'
import glob, os, sys
import numpy as np, pandas as pd
sys.path.insert(0, os.path.join(sys.argv[2], "tools"))
from score_breaths import match_events
for ds in ("scenarios", "scenarios2"):
    for kind in ("insp_onset", "exp_onset"):
        tp = na = nd = 0
        for lab in sorted(glob.glob(os.path.join(sys.argv[2], "data", ds, "*.labels.csv"))):
            base = lab[: -len(".labels.csv")]
            ev = os.path.join(sys.argv[1], ds, os.path.basename(base) + ".events.csv")
            spans = pd.read_csv(lab)
            spans = spans[spans.kind == "holdin"]
            if spans.empty or not os.path.exists(ev):
                continue
            a = pd.read_csv(base + ".breaths.csv")
            d = pd.read_csv(ev)
            a = np.sort(a[a.kind == kind].t.values)
            d = np.sort(d[d.kind == kind].t.values)
            for s, e in zip(spans.t_start + 1.0, spans.t_end):
                aa, dd = a[(a >= s) & (a <= e)], d[(d >= s) & (d <= e)]
                ai, _ = match_events(aa, d[(d >= s - 0.5) & (d <= e + 0.5)], 0.5)
                tp += len(ai)
                na += len(aa)
                nd += len(dd)
        if na:
            print(f"{ds}: {kind} truth {na}, found {nd}, matched {tp}: "
                  f"Se {100 * tp / na:.1f}% PPV {100 * tp / max(nd, 1):.1f}% "
                  f"F1 {200 * tp / (na + nd):.1f}%")
PY
echo "== breaths around the belly pulled in and let go (from 1 s before to 4 s after each hold-in's"
echo "   start and end: the scorer's --skip-labels leaves them out), onsets of both kinds, tol 0.5 s,"
echo "   and the same spans 25 s away from them for comparison"
$py - "$out" "$shared" <<'PY'
import glob, os, sys
import numpy as np, pandas as pd
sys.path.insert(0, os.path.join(sys.argv[2], "tools"))
from score_breaths import match_events
for ds in ("scenarios", "scenarios2"):
    for n_belts in (1, 2):
        for away in (0.0, 25.0):
            na = nd = tp = tp_d = 0
            for lab in sorted(glob.glob(os.path.join(sys.argv[2], "data", ds, "*.labels.csv"))):
                base = lab[: -len(".labels.csv")]
                ev = os.path.join(sys.argv[1], ds, os.path.basename(base) + ".events.csv")
                spans = pd.read_csv(lab)
                spans = spans[spans.kind == "holdin"]
                cols = pd.read_csv(base + ".csv", nrows=1, comment="#").columns
                if spans.empty or not os.path.exists(ev) or len(cols) - 1 != n_belts:
                    continue
                a_all, d_all = pd.read_csv(base + ".breaths.csv"), pd.read_csv(ev)
                for kind in ("insp_onset", "exp_onset"):
                    a = np.sort(a_all[a_all.kind == kind].t.values)
                    d = np.sort(d_all[d_all.kind == kind].t.values)
                    for t0 in list(spans.t_start - away) + list(spans.t_end + away):
                        lo, hi = t0 - 1.0, t0 + 4.0
                        # Each side matched against the other's wider span: an onset
                        # just outside the window still matches one just inside it.
                        aa, dd = a[(a >= lo) & (a <= hi)], d[(d >= lo) & (d <= hi)]
                        ai, _ = match_events(aa, d[(d >= lo - 0.5) & (d <= hi + 0.5)], 0.5)
                        _, di = match_events(a[(a >= lo - 0.5) & (a <= hi + 0.5)], dd, 0.5)
                        tp += len(ai)
                        tp_d += len(di)
                        na += len(aa)
                        nd += len(dd)
            if na:
                what = "25 s away" if away else "pulled in, let go"
                print(f"{ds}, {n_belts} belt{'s' if n_belts > 1 else ''}, {what}: truth {na}, "
                      f"found {nd}: Se {100 * tp / na:.1f}% PPV {100 * tp_d / max(nd, 1):.1f}%")
PY
echo "== feedback latency (t_detect - t) of onsets at 12-20 breaths/min; on the scenarios also"
echo "   from the true onset (t_detect less the labelled onset it matches within 0.5 s)"
$py - "$out" "$shared" <<'PY'
import glob, os, sys
import numpy as np, pandas as pd
sys.path.insert(0, os.path.join(sys.argv[2], "tools"))
from score_breaths import match_events
for ds in ("scenarios", "scenarios2", "hexoskin", "bidmc"):
    lat, true = [], []
    for f in glob.glob(f"{sys.argv[1]}/{ds}/*.events.csv"):
        e = pd.read_csv(f)
        e = e[e.kind.isin(["insp_onset", "exp_onset"]) & e.rate_bpm.between(12, 20)]
        lat.append((e.t_detect - e.t).to_numpy())
        if ds.startswith("scenarios"):
            name = os.path.basename(f)[: -len(".events.csv")]
            a = pd.read_csv(os.path.join(sys.argv[2], "data", ds, name + ".breaths.csv"))
            for kind in ("insp_onset", "exp_onset"):
                ek = e[e.kind == kind]
                ak = np.sort(a[a.kind == kind].t.values)
                ai, di = match_events(ak, ek.t.to_numpy(), 0.5)
                true.append(ek.t_detect.to_numpy()[di] - ak[ai])
    if not lat or not sum(len(x) for x in lat):
        continue
    lat = np.concatenate(lat)
    line = f"{ds}: median {np.median(lat):.3f} s, p90 {np.percentile(lat, 90):.3f} s, n {len(lat)}"
    if true and sum(len(x) for x in true):
        true = np.concatenate(true)
        line += (f"; from the true onset: median {np.median(true):.3f} s, "
                 f"p90 {np.percentile(true, 90):.3f} s, n {len(true)}")
    print(line)
PY
