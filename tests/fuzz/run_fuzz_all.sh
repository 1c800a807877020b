#!/bin/sh
# run_fuzz_all.sh - every fuzz target in turn for SECONDS each (default 600: the 10 minutes
# of issue 13), under ASan + UBSan, then a table: target, executions, crashes.
#   tests/fuzz/run_fuzz_all.sh BUILD_DIR [SECONDS]
# BUILD_DIR was configured with CC=clang -DBELLOWS_FUZZ=ON (and the fuzz_* targets built).
# Exits non-zero if any target found a crash (its input is in BUILD_DIR/fuzz-artifacts/).
# SPDX-License-Identifier: MIT
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS]" >&2
    exit 2
fi
build=$1
seconds=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
for t in protocol plotter calibration recording recording_write events summary cli export report; do
    echo "== $t: $seconds s" >&2
    if sh "$here/run_fuzz.sh" "$build" "$seconds" "$t" >"$logs/$t" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
    fi
    # libFuzzer's final stats: stat::number_of_executed_units.
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t" | tail -n 1)
    printf '%-12s %12s executions  %s\n' "$t" "${runs:-?}" "$result" >>"$logs/table"
    [ "$result" = ok ] || tail -n 30 "$logs/$t" >&2
done
cat "$logs/table"
exit $status
