#!/bin/sh
# bench_latency.sh - belt -> screen and belt -> sound: the real firmware under simavr on a
# pty (real time) sends a recording of steps; bellows run shows it in a window (Xvfb) and
# plays the tones (PortAudio into ALSA's file plugin). The harness logs when each line went
# into the pty; bellows ($BELLOWS_LATENCY_LOG) when each frame was presented with the value
# it drew, and each audio callback with its distance to the DAC and the tone's target.
# Prints p50/p95 of line written -> frame presented, -> audio callback and -> DAC, and
# where a frame's time goes. Runs: the window alone (ALSA's file plugin is not paced: its
# callbacks spin a core, which slows the drawing on a small machine), then with the tones
# into that file, then (jackd installed) with the tones on JACK's dummy backend, a clock
# paced like a sound card's, so PortAudio's DAC time is real. Not a pass/fail timing
# test: it fails only when nothing could be measured. BELLOWS_LATENCY_KEEP=DIR keeps the
# logs there.
# Usage: sh bench_latency.sh BELLOWS HARNESS FIRMWARE.elf SHIM ALSA_CONF [ALSA_NO_CARD_CONF]
# SPDX-License-Identifier: MIT
FW_TAG=lat
ALSA_CONF=$5
ALSA_NONE=${6:-}
JACK_PID=
TEST_LIB_DIR="$(dirname "$0")/../integration"
. "$TEST_LIB_DIR/firmware_lib.sh"
trap '[ -n "$JACK_PID" ] && kill "$JACK_PID" 2>/dev/null; cleanup' EXIT
command -v xvfb-run >/dev/null && command -v python3 >/dev/null || {
    echo "xvfb-run or python3 not installed: skipped"
    exit 0
}
# Steps of 200 counts every 2.5 s (a level, then another: as a posture change or a belt
# tugged), 40 s at 50 Hz.
awk 'BEGIN { print "t,belly"; for (i = 0; i < 2000; i++) {
    t = i / 50; v = (int(t / 2.5) % 2) ? 620 : 420; printf "%.2f,%d\n", t, v } }' >"$TMP/steps.csv"
# The run inside Xvfb (its settings from the environment).
cat >"$TMP/inner.sh" <<'INNER'
LD_PRELOAD="$SHIM" ALSA_CONFIG_PATH="$ALSA_CONF" BELLOWS_LATENCY_LOG="$TMP/bellows.log" \
    "$BELLOWS" run --port "$LINK" --duration 30 --no-record $RUN_ARGS >"$TMP/run.out" \
    2>"$TMP/run.err" </dev/null
INNER
# The figures from the harness's line log and bellows' frame and callback log.
cat >"$TMP/analyze.py" <<'PY'
import sys

lines = []
for row in open(sys.argv[1]):
    t, _, text = row.strip().partition(" ")
    if text.startswith("S,"):
        lines.append((float(t), int(text.split("*")[0].split(",")[2])))
frames, calls, samples = [], [], []
draw_ms, age_ms, period_ms = [], [], []
t_prev = None
for row in open(sys.argv[2]):
    f = row.split()
    if f[0] == "F" and len(f) >= 6:  # where a frame's time goes
        draw_ms.append(float(f[4]))
        if float(f[5]) > 0:
            age_ms.append(1000.0 * (float(f[1]) - float(f[5])))
        if t_prev is not None:
            period_ms.append(1000.0 * (float(f[1]) - t_prev))
        t_prev = float(f[1])
    if f[0] == "F" and f[2] != "nan":
        frames.append((float(f[1]), float(f[2])))
    elif f[0] == "S" and f[3] != "nan":
        samples.append((float(f[1]), float(f[2]), float(f[3])))
    elif f[0] == "A":
        calls.append((float(f[1]), float(f[2]), float(f[3])))
steps = []
for (t0, v0), (t1, v1) in zip(lines, lines[1:]):
    if abs(v1 - v0) >= 100:
        steps.append((t1, v0, v1))
steps = steps[1:]  # the first one comes while bellows starts


def first(rows, t, test):
    return next((r for r in rows if r[0] > t and test(r)), None)


def moved(x, v0, v1, frac):  # x has gone frac of the way from v0 towards v1
    return (x - v0) / (v1 - v0) >= frac


out = {k: [] for k in ("pub", "disp", "f10", "f50", "cb", "dac")}
for t, v0, v1 in steps:
    up = v1 > v0
    r = first(samples, t, lambda s: moved(s[1], v0, v1, 0.5))
    out["pub"].append(r[0] - t if r else None)
    r = first(samples, t, lambda s: moved(s[2], v0, v1, 0.5))
    out["disp"].append(r[0] - t if r else None)
    r = first(frames, t, lambda f: moved(f[1], v0, v1, 0.1))
    out["f10"].append(r[0] - t if r else None)
    r = first(frames, t, lambda f: moved(f[1], v0, v1, 0.5))
    out["f50"].append(r[0] - t if r else None)
    # The tone: the first callback whose target has moved 0.1 (of 0..1) the step's way
    # from where it was when the line was written.
    before = [c for c in calls if c[0] <= t]
    if before:
        e0 = before[-1][2]
        r = first(calls, t, lambda c: (c[2] - e0 >= 0.1) if up else (e0 - c[2] >= 0.1))
        out["cb"].append(r[0] - t if r else None)
        out["dac"].append(r[0] + r[1] - t if r else None)
for k in out:
    out[k] = [x for x in out[k] if x is not None and x < 2.0]
screen = out["f50"]


def pct(x, p):
    x = sorted(x)
    return x[min(len(x) - 1, int(round(p / 100.0 * (len(x) - 1))))] * 1000.0


print(f"{len(steps)} steps, {len(frames)} frames, {len(calls)} audio callbacks")
for name, x in (("frame period", period_ms), ("drawing and presenting a frame", draw_ms),
                ("newest sample published -> frame presented", age_ms)):
    if x:
        x = sorted(x)
        print(f"{name}: p50 {x[len(x) // 2]:.1f} ms, p95 {x[int(0.95 * (len(x) - 1))]:.1f} ms")
for name, x in (
        ("line written -> sample published (serial, parser, pipeline)", out["pub"]),
        ("line written -> display signal half-way (+ 6 Hz display filter)", out["disp"]),
        ("line written -> frame presented, figure moving (10 % of the step)", out["f10"]),
        ("line written -> frame presented, half-way (50 % of the step)", out["f50"]),
        ("line written -> audio callback, tone target moving (0.1)", out["cb"]),
        ("line written -> DAC (that callback + PortAudio's DAC time)", out["dac"])):
    if x:
        print(f"{name}: p50 {pct(x, 50):.1f} ms, p95 {pct(x, 95):.1f} ms (n={len(x)})")
    else:
        print(f"{name}: none measured")
sys.exit(0 if screen else 1)
PY
measure() {
    RUN_ARGS=$1
    echo "--- $2"
    rm -f "$LINK" "$TMP/lines.log" "$TMP/bellows.log"
    "$HARNESS" --speed 1 --once --no-dither --hold --wait-host --link "$LINK" \
        --line-log "$TMP/lines.log" "$ELF" "$TMP/steps.csv" >"$TMP/sim.out" 2>"$TMP/sim.err" &
    SIM_PID=$!
    n=0
    while [ ! -e "$LINK" ] && [ $n -lt 100 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    [ -e "$LINK" ] || fail "the harness made no pty link"
    export RUN_ARGS LINK SHIM ALSA_CONF BELLOWS TMP
    timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" sh "$TMP/inner.sh" || fail "bellows run"
    grep '^tones:' "$TMP/run.out"
    python3 "$TMP/analyze.py" "$TMP/lines.log" "$TMP/bellows.log" || fail "nothing measured"
    if [ -n "${BELLOWS_LATENCY_KEEP:-}" ]; then # the logs, to look into
        cp "$TMP/lines.log" "$TMP/bellows.log" "$TMP/run.out" "$BELLOWS_LATENCY_KEEP/" 2>/dev/null
    fi
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    SIM_PID=
}
measure --no-audio "the window alone"
measure "" "the window and the tones"
if [ -n "$ALSA_NONE" ] && command -v jackd >/dev/null; then
    # A server of our own (its own name); PortAudio takes JACK when ALSA has no card.
    JACK_DEFAULT_SERVER=bellows-bench-$$
    export JACK_DEFAULT_SERVER
    jackd --no-realtime -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p 128 \
        >"$TMP/jackd.out" 2>&1 &
    JACK_PID=$!
    sleep 2
    ALSA_CONF=$ALSA_NONE
    measure "" "the window and the tones on JACK's dummy clock (48 kHz, 128 frames)"
    kill "$JACK_PID" 2>/dev/null
    wait "$JACK_PID" 2>/dev/null
else
    echo "--- jackd not installed (package jackd2): no run on a paced audio clock"
fi
exit 0
