#!/bin/sh
# bench_analyze.sh BELLOWS HOURS - whole-process time of `bellows analyze` on a
# HOURS-long 50 Hz belly+chest recording written by the simulator.
set -eu
bellows=$1
hours=${2:-24}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
secs=$(awk "BEGIN { print $hours * 3600 }")
start=$(date +%s.%N)
"$bellows" simulate --out "$dir/rec.csv" --duration "$secs" --fs 50 --chest --seed 3 \
    --script "holdin@600+60,hold@1500+15,posture@2400:1" >/dev/null
mid=$(date +%s.%N)
rows=$(($(wc -l <"$dir/rec.csv") - 1))
size=$(du -m "$dir/rec.csv" | cut -f1)
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %M" -o "$dir/time" "$bellows" analyze "$dir/rec.csv" \
        --events "$dir/ev.csv" --summary "$dir/sum.json" --quiet
    read -r wall rss_kb <"$dir/time"
else
    "$bellows" analyze "$dir/rec.csv" --events "$dir/ev.csv" --summary "$dir/sum.json" --quiet
    wall=$(awk "BEGIN { print $(date +%s.%N) - $mid }")
    rss_kb=unknown
fi
events=$(($(wc -l <"$dir/ev.csv") - 1))
awk -v h="$hours" -v rows="$rows" -v mb="$size" -v sim="$(awk "BEGIN { print $mid - $start }")" \
    -v wall="$wall" -v rss="$rss_kb" -v ev="$events" 'BEGIN {
    printf "bench_analyze: %s h recording, %d rows, %d MB; simulate %.1f s\n", h, rows, mb, sim
    printf "bench_analyze: analyze %.2f s whole process (%.2f M rows/s), max RSS %s KB, %d events\n",
        wall, rows / wall / 1e6, rss, ev
}'
