"""edf_check.py - read an EDF+ export with MNE and compare it with the session's files.

Usage: python3 edf_check.py FILE.edf RECORDING.csv EVENTS.csv
Exit 0 when samples agree within the quantisation step and the events are the same
kinds at the same onsets (within one sample); 77 when MNE is not installed.
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


def main():
    edf, rec, events = sys.argv[1:4]
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    with open(rec, newline="") as f:
        rows = list(csv.reader(f))
    names = rows[0][1:]
    data = np.array([[float(v) for v in r[1:]] for r in rows[1:] if len(r) == len(rows[0])])
    t = np.array([float(r[0]) for r in rows[1:] if len(r) == len(rows[0])])
    fs = raw.info["sfreq"]
    assert abs(fs - round(1.0 / np.median(np.diff(t)))) < 1e-6, f"sample rate {fs}"
    assert raw.ch_names == names, f"channels {raw.ch_names} != {names}"
    got = raw.get_data()
    n = data.shape[0]
    assert got.shape[1] >= n, f"{got.shape[1]} samples < {n}"
    for k, name in enumerate(names):
        x = data[:, k]
        step = (x.max() - x.min()) / 65535.0
        err = np.max(np.abs(got[k, :n] - x))
        assert err <= step * 0.6 + 1e-9, f"{name}: max error {err} > step {step}"
        print(f"{name}: {n} samples, max error {err:.4g} (step {step:.4g})")
    with open(events, newline="") as f:
        ev = [(float(r["t"]) - t[0], r["kind"]) for r in csv.DictReader(f)]
    ann = [(float(o), str(d)) for o, d in zip(raw.annotations.onset, raw.annotations.description)]
    assert len(ann) == len(ev), f"{len(ann)} annotations, {len(ev)} events"
    for (eo, ek), (ao, ad) in zip(sorted(ev), sorted(ann)):
        assert ek == ad, f"kind {ad} != {ek}"
        assert abs(eo - ao) <= 1.0 / fs, f"{ek}: onset {ao} != {eo}"
    kinds = sorted(set(k for _, k in ev))
    print(f"{len(ev)} events match ({', '.join(kinds)})")


if __name__ == "__main__":
    main()
