#!/bin/sh
# fault_cycles.sh - the measurements of issue 13, by hand (minutes, not a ctest):
#   1. one session for a client on a belt (the test feeder on a socat pty) unplugged and
#      plugged in again N times (default 100): samples received vs rows kept, gaps marked,
#      the session stored with its figures, `bellows store check`;
#   2. K sessions (default 20) killed with kill -9 at random moments: rows kept vs
#      seconds run (at most 0.5 s may be lost), figures recovered on the next open,
#      `bellows store check`, and the permissions of everything under the data folder.
# Needs root (links in /dev for libserialport) and socat, and a build with the tests.
# Usage: sh tests/fault_cycles.sh BUILD_DIR [N_UNPLUG] [N_KILL]
# SPDX-License-Identifier: MIT
set -u
BUILD=$(cd "$1" && pwd)
N_UNPLUG=${2:-100}
N_KILL=${3:-20}
SOCAT=$(command -v socat) || {
    echo "fault_cycles.sh: needs socat" >&2
    exit 2
}
# The serial tests' set-up: TMP, the pty links, start_socat, fail, and a cleanup that ends
# every process started here.
set -- "$BUILD/src/bellows" "$BUILD/tests/integration/serial_feeder" \
    "$BUILD/tests/integration/libbellows_pty_shim.so" "$SOCAT"
TEST_LIB_DIR="$(dirname "$0")/integration"
. "$TEST_LIB_DIR/serial_lib.sh"
FEED_PID=

plug() { # plug ROW: the belt plugged in, playing the recording from ROW (a board that
    # restarts: info line at once, sequence from 0)
    start_socat
    "$FEEDER" "$LINK_B" "$TMP/rec.csv" --start "$1" --wait-request 0 2>>"$TMP/feeder.err" &
    FEED_PID=$!
    PIDS="$PIDS $FEED_PID"
}
unplug() {
    kill -9 "$SOCAT_PID" "$FEED_PID" 2>/dev/null
    wait "$SOCAT_PID" "$FEED_PID" 2>/dev/null
    SOCAT_PID=
}

# ---- 1: unplug and plug in again -------------------------------------------------------
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 3600 --seed 7 --chest >/dev/null ||
    fail "simulate"
plug 0
bellows_pty_start run --port "$LINK_A" --client Cycles --record "$TMP/cyc" \
    --no-window --no-audio >"$TMP/run.out" 2>"$TMP/run.err"
sleep 2
start=$(date +%s)
i=0
while [ $i -lt "$N_UNPLUG" ]; do
    sleep "0.$(awk -v s=$i 'BEGIN { srand(s); printf "%d", 3 + rand() * 6 }')"
    unplug
    sleep 0.3
    plug $((i * 100 + 100))
    i=$((i + 1))
done
sleep 2
kill -INT "$BPID"
wait "$BPID"
rc=$?
unplug
took=$(($(date +%s) - start))
samples=$(sed -n 's/^samples: \([0-9]*\),.*/\1/p' "$TMP/run.out" | tail -n 1)
lost=$(sed -n 's/.*signal lost: \([0-9]*\) time.*/\1/p' "$TMP/run.out" | tail -n 1)
rows=$(($(wc -l <"$TMP/cyc.csv") - 1))
gaps=$(awk -F, 'NR > 2 && $1 - p > 0.1 { n++ } { p = $1 } END { print n + 0 }' "$TMP/cyc.csv")
ev_lost=$(grep -c ',signal_lost' "$TMP/cyc.events.csv")
ev_back=$(grep -c ',signal_restored' "$TMP/cyc.events.csv")
"$BELLOWS" sessions --client Cycles >"$TMP/list.out" 2>&1
"$BELLOWS" store check >"$TMP/check1.out" 2>&1
check1=$?
echo "unplug/replug: $N_UNPLUG cycles in $took s; bellows exit $rc"
echo "  samples through the pipeline: $samples, rows kept in the recording: $rows"
echo "  signal lost (counter) $lost, in the events: $ev_lost lost / $ev_back restored, gaps in the recording: $gaps"
echo "  stored: $(awk '$1 ~ /^[0-9]+$/' "$TMP/list.out")"
echo "  store check: exit $check1: $(tr '\n' ' ' <"$TMP/check1.out")"

# ---- 2: kill -9 at random moments ------------------------------------------------------
i=0
ok_rows=0
while [ $i -lt "$N_KILL" ]; do
    "$BELLOWS" run --simulated --client Killed --no-window --no-audio --quiet \
        >"$TMP/k$i.out" 2>"$TMP/k$i.err" &
    BPID=$!
    PIDS="$PIDS $BPID"
    # Wait for the first line (the session has begun), then a random 1..6 s.
    n=0
    while ! grep -q '^session ' "$TMP/k$i.out" 2>/dev/null && [ $n -lt 100 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    t0=$(date +%s.%N)
    sleep "$(awk -v s=$i 'BEGIN { srand(s + 100); printf "%.2f", 1 + rand() * 5 }')"
    kill -9 "$BPID"
    t1=$(date +%s.%N)
    wait "$BPID" 2>/dev/null
    rec=$(sed -n 's/^recording to \(.*\.csv\) and .*/\1/p' "$TMP/k$i.out")
    rows=$(($(wc -l <"$rec") - 1))
    ran=$(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }')
    short=$(echo "$ran $rows" | awk '{ printf "%.2f", $1 - $2 / 50 }')
    last=$(tail -c 1 "$rec" | od -An -tx1 | tr -d ' ')
    whole=yes
    [ "$last" = 0a ] || whole="no (cut mid-line)"
    echo "  kill $i: ran ~$ran s after its first line, $rows rows kept ($short s short), last row whole: $whole"
    echo "$short" >>"$TMP/shorts"
    i=$((i + 1))
done
"$BELLOWS" sessions --client Killed >"$TMP/killed.out" 2>"$TMP/killed.err"
"$BELLOWS" store check >"$TMP/check2.out" 2>&1
check2=$?
recovered=$(grep -c 'figures worked out afterwards' "$TMP/killed.out")
echo "kill -9: $N_KILL sessions; most seconds short: $(sort -n "$TMP/shorts" | tail -n 1)"
echo "  stored as interrupted: $(awk '$1 ~ /^[0-9]+$/ && $11 == "interrupted"' "$TMP/killed.out" | wc -l) of $N_KILL"
echo "  sessions with figures recovered from their recording: $recovered of $N_KILL"
echo "  store check: exit $check2: $(tr '\n' ' ' <"$TMP/check2.out")"
echo "permissions under the data folder (mode count):"
find "$XDG_DATA_HOME" -exec stat -c '%a %F' {} + | sort | uniq -c
