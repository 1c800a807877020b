#!/bin/sh
# cues_heard.sh - the hold-in and breath-hold cues as the person hears them, on a sound
# card's clock: a live session (`bellows demo --replay`, in real time) plays its tones
# through PortAudio into JACK's dummy backend, which is paced like a sound card, and
# jack_capture records them.
# The recording (the simulated belt, belly and chest, 20 breaths a minute) holds the belly
# in from the first second to 16 s, then again from 36 s to 50 s, and the breath from 53 s
# for 12 s. The first hold-in is found only when it is let go (some breaths later: it is
# over, so no cue); the second is seen as it happens. Heard: exactly one hold-in cue (D4
# then A4), within a second of the terminal's "belly held in since" line, none for the one
# found when it was let go, and exactly one breath-hold cue (A4 then E4) within a second of
# "breath held since"; the pacer's cues (C5 breathe in, E4 breathe out) keep the session's
# clock in the sound.
# Skipped (exit 77) without jackd, jack_capture or python3 with numpy.
# Usage: sh cues_heard.sh BELLOWS   (ALSA_CONFIG_PATH: ALSA with no card, so PortAudio
#        takes JACK)
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
for tool in jackd jack_capture jack_wait jack_lsp; do
    command -v "$tool" >/dev/null || {
        echo "$tool not installed: skipped"
        exit 77
    }
done
# Debian's python3 (python3-numpy), not another one first on the PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
[ -n "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null || {
    echo "python3-numpy not installed: skipped"
    exit 77
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cue.XXXXXX") || exit 1
JACKD_PID=
CAPTURE_PID=
cleanup() {
    [ -n "$CAPTURE_PID" ] && kill "$CAPTURE_PID" 2>/dev/null
    [ -n "$JACKD_PID" ] && kill "$JACKD_PID" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    [ -f "$TMP/demo.out" ] && grep -v '^\[.*\]  *\(in\|out\|---\) ' "$TMP/demo.out" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data" XDG_CONFIG_HOME="$TMP/config" HOME="$TMP"
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 70 --fs 50 --seed 2 --rate 20 --chest \
    --script "holdin@0+16:1.5,holdin@36+14:1.5,hold@53+12" >/dev/null || fail "simulate"
# A JACK server of this test's own, on the dummy backend: 48 kHz in 1024-frame periods,
# and a client that misses a period on a busy machine (sanitizers, ctest -j) is waited for
# 5 s before it is dropped.
JACK_DEFAULT_SERVER=bellows-cue-$$
export JACK_DEFAULT_SERVER
jackd --no-realtime -t 5000 -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 1024 \
    >"$TMP/jackd.out" 2>&1 &
JACKD_PID=$!
jack_wait -w -t 10 >/dev/null 2>&1 || fail "jackd did not start: $(tail -n 3 "$TMP/jackd.out")"
# What reaches the dummy card's playback ports, as 16-bit stereo at 48 kHz.
jack_capture --daemon --write-to-stdout >"$TMP/sound.raw" 2>"$TMP/capture.err" &
CAPTURE_PID=$!
n=0
until jack_lsp 2>/dev/null | grep -q '^jack_capture'; do
    kill -0 "$CAPTURE_PID" 2>/dev/null && [ $n -lt 100 ] ||
        fail "jack_capture did not start: $(cat "$TMP/capture.err")"
    sleep 0.1
    n=$((n + 1))
done
"$BELLOWS" demo --replay "$TMP/rec.csv" --no-window --no-breath-tone >"$TMP/demo.out" \
    2>"$TMP/demo.err" </dev/null || fail "demo exit $?: $(tail -n 5 "$TMP/demo.err")"
sleep 1
kill "$CAPTURE_PID" 2>/dev/null
wait "$CAPTURE_PID" 2>/dev/null
CAPTURE_PID=
grep -q '^tones: ' "$TMP/demo.out" || fail "no tones (PortAudio did not open JACK): $(cat "$TMP/demo.err")"
# The terminal's lines: the hold-in seen live, the one found when it was let go, the
# breath hold.
live=$(sed -n 's/^\[ *\([0-9.]*\) s\]  belly held in since .*/\1/p' "$TMP/demo.out")
held=$(sed -n 's/^\[ *\([0-9.]*\) s\]  breath held since .*/\1/p' "$TMP/demo.out")
past=$(sed -n 's/^\[ *\([0-9.]*\) s\]  the belly was held in from .*let go)$/\1/p' "$TMP/demo.out")
[ "$(echo "$live" | grep -c .)" = 1 ] || fail "expected one hold-in seen live, got: $live"
[ "$(echo "$past" | grep -c .)" = 1 ] || fail "expected one hold-in found when let go, got: $past"
[ "$(echo "$held" | grep -c .)" = 1 ] || fail "expected one breath hold, got: $held"
echo "terminal: belly held in since ... at $live s; held in ... (seen when it was let go) at" \
    "$past s; breath held since ... at $held s"
"$PY" - "$TMP/sound.raw" "$live" "$past" "$held" <<'PY' || fail "the cues heard are not the ones asked"
import sys
import numpy as np
raw, live, past, held = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
fs = 48000
x = np.fromfile(raw, dtype="<i2").astype(float) / 32768.0
x = x[: len(x) // 2 * 2].reshape(-1, 2)[:, 0]
if len(x) < 60 * fs:
    sys.exit(f"only {len(x) / fs:.1f} s of sound recorded")
# 100 ms frames every 25 ms: how much of each frame's power is near each note.
notes = {"D4": 293.66, "E4": 329.63, "G4": 392.0, "A4": 440.0, "C5": 523.25}
n, hop = fs // 10, fs // 40
win = np.hanning(n)
freqs = np.fft.rfftfreq(n, 1.0 / fs)
starts = np.arange(0, len(x) - n, hop)
share = {k: np.zeros(len(starts)) for k in notes}
for i, s in enumerate(starts):
    p = np.abs(np.fft.rfft(x[s : s + n] * win)) ** 2
    tot = p.sum()
    if tot < 1e-9 * n:  # silence
        continue
    for k, f in notes.items():
        share[k][i] = p[np.abs(freqs - f) <= 12.0].sum() / tot
def onsets(k):
    """Times (s) where note k starts to carry most of the sound."""
    on = share[k] > 0.5
    return [starts[i] / fs for i in range(1, len(on)) if on[i] and not on[i - 1]]
c5 = np.array(onsets("C5"))
if len(c5) < 3:
    sys.exit("too few pacer cues heard: the session's clock is not in the sound")
# The pacer's "breathe in" comes every cycle from the session's start: the start is where
# that grid of onsets begins (a first cue caught late by the recorder does not move it).
period = np.median(np.diff(c5))
t0 = float(np.median(c5 - np.round((c5 - c5[0]) / period) * period))
d4, e4, a4 = onsets("D4"), onsets("E4"), onsets("A4")
def after(t, later):
    return any(0.2 <= u - t <= 0.55 for u in later)
# A hold-in cue: D4, then A4 0.35 s later; a breath-hold cue: A4 (not a hold-in cue's
# second note), then E4 0.35 s later.
cues = [t - t0 for t in d4 if after(t, a4)]
holds = [t - t0 for t in a4 if after(t, e4) and not any(after(u, [t]) for u in d4)]
text = lambda ts: ", ".join("%.2f" % c for c in ts) or "none"
print("sound: pacer cues from %.2f s; hold-in cues at %s s, breath-hold cues at %s s of the "
      "session" % (t0, text(cues), text(holds)))
if len(cues) != 1:
    sys.exit(f"expected one hold-in cue, heard {len(cues)}")
if not -0.5 <= cues[0] - live <= 1.0:
    sys.exit(f"the hold-in cue came at {cues[0]:.2f} s, the terminal said it at {live:.1f} s")
if abs(cues[0] - past) < 5.0:
    sys.exit("a cue for the hold-in found when it was let go")
if len(holds) != 1 or not -0.5 <= holds[0] - held <= 1.0:
    sys.exit(f"expected one breath-hold cue at {held:.1f} s, heard {text(holds)}")
PY
exit 0
