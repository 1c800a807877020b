#!/bin/sh
# sweep_accuracy.sh BELLOWS - breath events of `bellows analyze` on a grid of synthetic
# two-belt recordings whose every onset is known exactly: the shapes a belt really shows
# (rounded breaths with no pause, breaths with an end-expiratory pause, a brisk recoil
# after a flat top), at 10-100 Hz and 6-30 breaths/min, with a drifting 69/min heart beat
# of 0, 1 and 3 % of the depth, two noise levels, and the belts read either way round.
# Nothing here was tuned on: it is the detector's report on data made to a plan.
#
# Prints, per group, the F1 of inhalation and exhalation onsets (+-0.5 s, or a quarter
# of the breath when shorter), the median offset from the true onset and the median
# t_detect - t; then the recordings below F1 0.97 or timed more than 0.15 s off.
# Needs python3 with numpy (a Debian package); no data outside the repo.
set -eu
bellows=$1
py=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$py - "$out" <<'PY'
import json, sys
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(17)
cases = []
def breath(t, period, shape):
    if shape == "rounded":  # raised cosines, no pause: 2:3
        ti, te = 0.4 * period, 0.6 * period
    else:  # a pause at the exhaled level
        ti, te = 0.35 * period, 0.45 * period
    u = np.mod(t, period)
    v = np.zeros_like(t)
    m = u < ti
    v[m] = 0.5 * (1 - np.cos(np.pi * u[m] / ti))
    m = (u >= ti) & (u < ti + te)
    uu = u[m] - ti
    if shape == "recoil":  # exponential recoil from a flat top
        v[m] = (np.exp(-3 * uu / te) - np.exp(-3)) / (1 - np.exp(-3))
    else:
        v[m] = 0.5 * (1 + np.cos(np.pi * uu / te))
    return v, ti
for fs in (10, 25, 50, 100):
    for bpm in (6, 10, 15, 20, 30):
        for shape in ("rounded", "pause", "recoil"):
            for beat in (0.0, 0.01, 0.03):
                for noise in (0.003, 0.01):
                    inv = int(rng.integers(0, 2))
                    name = f"fs{fs}_b{bpm}_{shape}_c{int(beat * 100)}_n{int(noise * 1000)}_i{inv}"
                    period = 60.0 / bpm
                    dur = max(240.0, 30 * period)
                    t = np.arange(0, dur, 1 / fs)
                    v, ti = breath(t, period, shape)
                    hr = 1.15 + 0.1 * np.sin(2 * np.pi * t / 37.0)
                    card = np.sin(2 * np.pi * np.cumsum(hr) / fs)
                    belly = 3000 + 300 * v + 300 * beat * card + 300 * noise * rng.standard_normal(len(t))
                    chest = 5000 + 150 * v + 150 * beat * card + 300 * noise * rng.standard_normal(len(t))
                    if inv:
                        belly, chest = 8000 - belly, 12000 - chest
                    with open(f"{out}/{name}.csv", "w") as f:
                        f.write("t,belly,chest\n")
                        f.write("\n".join(f"{a:.4f},{b:.1f},{c:.1f}" for a, b, c in zip(t, belly, chest)))
                    cases.append(dict(name=name, fs=fs, bpm=bpm, shape=shape, beat=beat,
                                      period=period, ti=ti, dur=dur, inv=inv))
json.dump(cases, open(f"{out}/cases.json", "w"))
PY
for f in "$out"/*.csv; do
    echo "$f ${f%.csv}.events.csv"
done | xargs -P "$(nproc)" -n 2 sh -c '"$0" analyze "$1" --events "$2" --quiet' "$bellows"
$py - "$out" <<'PY'
import json, sys
import numpy as np
out = sys.argv[1]
cases = json.load(open(f"{out}/cases.json"))
def match(truth, det, tol):
    """Greedy one-to-one matching, nearest first: (truth index, det index) pairs."""
    pairs = sorted((abs(d - a), i, j) for i, a in enumerate(truth) for j, d in enumerate(det)
                   if abs(d - a) <= tol)
    used_a, used_d, out_pairs = set(), set(), []
    for _, i, j in pairs:
        if i not in used_a and j not in used_d:
            used_a.add(i); used_d.add(j); out_pairs.append((i, j))
    return out_pairs
rows = []
for c in cases:
    ev = np.genfromtxt(f"{out}/{c['name']}.events.csv", delimiter=",", names=True,
                       dtype=None, encoding="utf-8")
    ev = np.atleast_1d(ev)
    r = dict(c)
    for kind, phase in (("insp_onset", 0.0), ("exp_onset", c["ti"])):
        truth = np.arange(phase, c["dur"], c["period"])
        truth = truth[(truth > 10) & (truth < c["dur"] - 3)]
        sel = (ev["kind"] == kind) & (ev["t"] > 10) & (ev["t"] < c["dur"] - 3)
        det, det_at = ev["t"][sel], ev["t_detect"][sel]
        pairs = match(list(truth), list(det), min(0.5, 0.25 * c["period"]))
        tp = len(pairs)
        r[kind] = (2 * tp / (len(truth) + len(det)) if len(truth) + len(det) else 1.0,
                   np.median([det[j] - truth[i] for i, j in pairs]) if pairs else np.nan,
                   np.median([det_at[j] - det[j] for _, j in pairs]) if pairs else np.nan,
                   tp, len(truth), len(det))
    rows.append(r)
def line(label, sel):
    s = "%-34s" % label
    for kind in ("insp_onset", "exp_onset"):
        tp = sum(r[kind][3] for r in sel)
        n = sum(r[kind][4] + r[kind][5] for r in sel)
        off = np.median([r[kind][1] for r in sel if np.isfinite(r[kind][1])])
        lat = np.median([r[kind][2] for r in sel if np.isfinite(r[kind][2])])
        s += "  %s F1 %5.1f off %+4.0f ms lat %.2f s" % (kind[:4], 200 * tp / n, 1000 * off, lat)
    print(s)
print("== synthetic sweep: %d recordings, 240 s or 30 breaths each" % len(rows))
line("all", rows)
for key, vals in (("fs", (10, 25, 50, 100)), ("bpm", (6, 10, 15, 20, 30)),
                  ("shape", ("rounded", "pause", "recoil")), ("beat", (0.0, 0.01, 0.03)),
                  ("inv", (0, 1))):
    for v in vals:
        line(f"{key} {v}", [r for r in rows if r[key] == v])
bad = [r for r in rows if min(r["insp_onset"][0], r["exp_onset"][0]) < 0.97
       or abs(r["insp_onset"][1]) > 0.15 or abs(r["exp_onset"][1]) > 0.15]
print("== below F1 0.97 or more than 0.15 s off: %d of %d. By shape and polarity (belts read"
      " the other way round count their breaths before the turn as misses):" % (len(bad), len(rows)))
for shape in ("rounded", "pause", "recoil"):
    for inv in (0, 1):
        sel = [r for r in rows if r["shape"] == shape and r["inv"] == inv]
        k = sum(1 for r in bad if r["shape"] == shape and r["inv"] == inv)
        never = sum(1 for r in sel if max(r["insp_onset"][0], r["exp_onset"][0]) < 0.5)
        print("  %-8s %s  %3d recordings, %3d below, %3d never turned" % (
            shape, "read the other way" if inv else "read as worn      ", len(sel), k, never))
print("== the worst 30")
bad.sort(key=lambda r: (min(r["insp_onset"][0], r["exp_onset"][0]), r["name"]))
for r in bad[:30]:
    print("  %-32s insp F1 %.2f off %+.2f  exp F1 %.2f off %+.2f" % (
        r["name"], r["insp_onset"][0], r["insp_onset"][1], r["exp_onset"][0], r["exp_onset"][1]))
PY
