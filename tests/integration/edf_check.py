"""edf_check.py - read an EDF+ export with MNE and compare it with the session's files.

Usage: python3 edf_check.py FILE.edf RECORDING.csv EVENTS.csv [--negated]
Exit 0 when the belts read as respiration channels in counts, samples agree within the
quantisation step (--negated: with the recording's values negated, belts the session read
the other way round, exported expansion up), and the annotations are the events (breath turning points as
instants, hold-ins, breath holds and signal losses each one annotation with its
duration) at the same times (within one sample); 77 when MNE is not installed.
SPDX-License-Identifier: MIT
"""
import csv
import sys

try:
    import mne
    import numpy as np
except ImportError:
    print("python3-mne not installed: skipped")
    sys.exit(77)


EPISODES = {
    "holdin_start": ("holdin", "holdin_end"),
    "breath_hold_start": ("breath_hold", "breath_hold_end"),
    "signal_lost": ("signal_lost", "signal_restored"),
}


def expected_annotations(ev, t_end):
    """Breath events and marks as instants (markers numbered); each episode as one
    annotation with its duration."""
    out, is_open, n_markers = [], {}, 0
    ends = {end: start for start, (_, end) in EPISODES.items()}
    for onset, kind in ev:
        if kind == "marker":  # the therapist's markers are numbered in order
            n_markers += 1
            kind = f"marker {n_markers}"
        if kind in ends and ends[kind] in is_open:
            i = is_open.pop(ends[kind])
            out[i][1] = onset - out[i][0]
            continue
        if kind in EPISODES:
            if kind in is_open:
                continue
            is_open[kind] = len(out)
            out.append([onset, 0.0, EPISODES[kind][0]])
        else:
            out.append([onset, 0.0, kind])
    for i in is_open.values():
        out[i][1] = t_end - out[i][0]
    return out


def main():
    edf, rec, events = sys.argv[1:4]
    raw = mne.io.read_raw_edf(edf, preload=True, infer_types=True, verbose="error")
    with open(rec, newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    names = rows[0][1:]
    data = np.array([[float(v) for v in r[1:]] for r in rows[1:] if len(r) == len(rows[0])])
    if "--negated" in sys.argv:
        data = -data
    t = np.array([float(r[0]) for r in rows[1:] if len(r) == len(rows[0])])
    fs = raw.info["sfreq"]
    assert abs(fs - round(1.0 / np.median(np.diff(t)))) < 1e-6, f"sample rate {fs}"
    assert raw.ch_names == names, f"channels {raw.ch_names} != {names}"
    types = raw.get_channel_types()
    assert types == ["resp"] * len(names), f"channel types {types}, not respiration"
    # The header's own fields (MNE shows units other than volts as n/a).
    with open(edf, "rb") as f:
        head = f.read(256)
        ns = int(head[252:256])
        sig = f.read(256 * ns)
    label = [sig[16 * k:16 * k + 16].decode().strip() for k in range(ns)]
    units = dict(zip(names, (sig[96 * ns + 8 * k:96 * ns + 8 * k + 8].decode().strip()
                             for k in range(ns))))
    assert label[:len(names)] == [f"Resp {n}" for n in names], f"labels {label}"
    assert all(units[n] == "counts" for n in names), f"units {units}"
    got = raw.get_data()
    n = data.shape[0]
    assert got.shape[1] >= n, f"{got.shape[1]} samples < {n}"
    for k, name in enumerate(names):
        x = data[:, k]
        step = (x.max() - x.min()) / 65535.0
        err = np.max(np.abs(got[k, :n] - x))
        assert err <= step * 0.6 + 1e-9, f"{name}: max error {err} > step {step}"
        print(f"{name}: {types[k]}, {units[name]}, {n} samples, max error {err:.4g} (step {step:.4g})")
    with open(events, newline="") as f:
        ev = sorted((float(r["t"]) - t[0], r["kind"]) for r in csv.DictReader(f))
    want = expected_annotations(ev, t[-1] - t[0])
    ann = [(float(o), float(d), str(s))
           for o, d, s in zip(raw.annotations.onset, raw.annotations.duration,
                              raw.annotations.description)]
    assert len(ann) == len(want), f"{len(ann)} annotations, {len(want)} expected"
    for (wo, wd, wk), (ao, ad, ak) in zip(sorted(want), sorted(ann)):
        assert wk == ak, f"kind {ak} != {wk}"
        assert abs(wo - ao) <= 1.0 / fs, f"{wk}: onset {ao} != {wo}"
        assert abs(wd - ad) <= 1.0 / fs, f"{wk}: duration {ad} != {wd}"
    kinds = sorted(set(k for _, _, k in want))
    lasting = sum(1 for _, d, _ in want if d > 0)
    assert lasting > 0 or "--no-episodes" in sys.argv, "no episode with a duration"
    print(f"{len(want)} annotations match ({', '.join(kinds)}; {lasting} with durations)")


if __name__ == "__main__":
    main()
