#!/bin/sh
# bench_peers.sh BELLOWS [RUNS] [HOURS] - `bellows analyze` against the Python peers.
#
# Whole process, CSV in, breaths out, on a simulated HOURS-long (default 24) 50 Hz
# belly+chest recording and on a folder of 27 short ones (8 min each, like the
# BIDMC set). Each tool runs RUNS times (default 3) paired with bellows (bellows,
# then the tool, then again), and the medians of wall time and peak memory (max
# RSS) are printed with the ratios tool / bellows.
#
# Tools, each when its Python module is importable, else skipped, saying so (without
# PyPI: PYTHONPATH=/path/to/NeuroKit:/path/to/BioSPPy, checkouts of their sources, with
# Debian's python3-scipy, -sklearn, -matplotlib, -pywt, -h5py, -shortuuid, -bidict,
# -joblib, -peakutils):
#   neurokit2   nk.rsp_process (pandas CSV load included)
#   biosppy     biosppy.signals.resp.resp (pandas CSV load included)
#   pandas      pandas.read_csv alone: the floor of any pandas-based tool (not a peer,
#               a bound: a tool that loads with pandas takes at least this long)
# Goal (issue 12): 24 h in at most 1/5 of BioSPPy's time and 1/50 of NeuroKit2's,
# memory flat (the same peak for 24 h as for 8 min). Prints figures; fails only if
# bellows fails.
set -eu
bellows=$1
runs=${2:-3}
hours=${3:-24}
py=${PYTHON:-}
if [ -z "$py" ]; then
    for p in /usr/bin/python3 python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c "import pandas" 2>/dev/null; then
            py=$p
            break
        fi
    done
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench_peers: /usr/bin/time not installed (it measures peak memory); skipped"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
secs=$(awk "BEGIN { print $hours * 3600 }")
"$bellows" simulate --out "$dir/long.csv" --duration "$secs" --fs 50 --chest --seed 3 \
    --script "holdin@600+60,hold@1500+15,posture@2400:1" >/dev/null
mkdir "$dir/short"
i=1
while [ "$i" -le 27 ]; do
    "$bellows" simulate --out "$dir/short/rec$i.csv" --duration 480 --fs 50 --chest \
        --seed "$i" >/dev/null
    i=$((i + 1))
done

cat >"$dir/peer.py" <<'PY'
import glob, os, sys
tool, path = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(path, "*.csv"))) if os.path.isdir(path) else [path]
import pandas as pd
if tool == "neurokit2":
    import neurokit2 as nk
elif tool == "biosppy":
    from biosppy.signals import resp
n = 0
for f in files:
    df = pd.read_csv(f)
    fs = round(1.0 / float(df["t"].diff().median()))
    x = df["belly"].to_numpy(dtype=float)
    if tool == "neurokit2":
        signals, info = nk.rsp_process(x, sampling_rate=fs)
        n += int(signals["RSP_Peaks"].sum())
    elif tool == "biosppy":
        out = resp.resp(signal=x, sampling_rate=float(fs), show=False)
        n += len(out["zeros"])
    else:
        n += len(x)
print(n)
PY

# measure NAME OUT CMD...: one run; appends "wall_s max_rss_kb" to $dir/NAME.OUT.
measure()
{
    name=$1
    out=$2
    shift 2
    /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null 2>"$dir/err" || {
        echo "bench_peers: $name failed:" >&2
        cat "$dir/err" >&2
        return 1
    }
    cat "$dir/t" >>"$dir/$name.$out"
}

bellows_run()
{
    if [ -d "$1" ]; then
        measure bellows "$2" "$bellows" analyze "$1" --out-dir "$dir/out" --quiet
    else
        measure bellows "$2" "$bellows" analyze "$1" --events "$dir/ev.csv" --quiet
    fi
}

median()
{
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The tools to compare; bellows runs alone when none is there.
tools=""
for t in neurokit2 biosppy pandas; do
    mod=$t
    if [ -n "$py" ] && "$py" -c "import $mod" 2>/dev/null; then
        tools="$tools $t"
    else
        echo "bench_peers: $t not importable${py:+ by $py}; skipped (install it, or put a" \
            "checkout's package folder on PYTHONPATH)"
    fi
done

rows=$(($(wc -l <"$dir/long.csv") - 1))
echo "bench_peers: $hours h recording ($rows rows, $(du -m "$dir/long.csv" | cut -f1) MB) and 27 x 8 min; $runs paired runs, medians"
for what in long short; do
    input=$dir/long.csv
    label="$hours h"
    if [ "$what" = short ]; then
        input=$dir/short
        label="27 x 8 min"
    fi
    r=0
    while [ "$r" -lt "$runs" ]; do
        bellows_run "$input" "$what"
        for t in $tools; do
            measure "$t" "$what" "$py" "$dir/peer.py" "$t" "$input" || true
            bellows_run "$input" "$what"
        done
        r=$((r + 1))
    done
    bt=$(cut -d' ' -f1 "$dir/bellows.$what" | median)
    bm=$(cut -d' ' -f2 "$dir/bellows.$what" | median)
    printf 'bench_peers: %-10s bellows   %8.2f s %8.1f MB\n' "$label" "$bt" "$(awk "BEGIN { print $bm / 1024 }")"
    for t in $tools; do
        [ -s "$dir/$t.$what" ] || continue
        tt=$(cut -d' ' -f1 "$dir/$t.$what" | median)
        tm=$(cut -d' ' -f2 "$dir/$t.$what" | median)
        awk -v l="$label" -v t="$t" -v tt="$tt" -v tm="$tm" -v bt="$bt" -v bm="$bm" 'BEGIN {
            printf "bench_peers: %-10s %-9s %8.2f s %8.1f MB   bellows takes 1/%.1f of its time, 1/%.1f of its memory\n",
                l, t, tt, tm / 1024, tt / (bt > 0 ? bt : 1e-9), tm / bm
        }'
    done
done
lm=$(cut -d' ' -f2 "$dir/bellows.long" | median)
sm=$(cut -d' ' -f2 "$dir/bellows.short" | median)
awk -v lm="$lm" -v sm="$sm" -v h="$hours" 'BEGIN {
    printf "bench_peers: bellows peak memory %.1f MB for %s h, %.1f MB for 8 min records (%s)\n",
        lm / 1024, h, sm / 1024, lm < 1.25 * sm ? "flat" : "NOT flat"
}'
