#!/bin/sh
# run_fuzz.sh - run a fuzzer for a bounded time, for CI and by hand.
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS [TARGET]
# TARGET: protocol (the default), calibration, recording, recording_write (the recording
# writer, round trip), plotter, events, summary, cli, export (the EDF+ export of a fuzzed
# recording) or report (its HTML report).
# run_fuzz_all.sh runs every target in turn (10 minutes each by default).
# BUILD_DIR was configured with CC=clang -DBELLOWS_FUZZ=ON. The seed corpus is
# copied, so the checkout is not modified. Exits non-zero if the fuzzer found
# a crash or a broken property; the input is then in BUILD_DIR/fuzz-artifacts/.
# SPDX-License-Identifier: MIT
set -eu

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [protocol|calibration|recording|recording_write|plotter|events|summary|cli|export|report]" >&2
    exit 2
fi
build=$1
seconds=$2
target=${3:-protocol}
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/tests/fuzz/fuzz_$target"
if [ ! -x "$bin" ]; then
    echo "run_fuzz.sh: $bin not found; configure with CC=clang -DBELLOWS_FUZZ=ON and build it" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp "$here"/corpus/"$target"/* "$work/corpus/"
# Past crashes and the token dictionary, where the target has them.
extra=""
[ -d "$here/regressions/$target" ] && extra="$here/regressions/$target"
dict=""
[ -f "$here/$target.dict" ] && dict="-dict=$here/$target.dict"

status=0
# shellcheck disable=SC2086 # $dict and $extra are empty or one word
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    $dict -artifact_prefix="$build/fuzz-artifacts/" "$work/corpus" $extra ||
    status=$?

if [ "$status" -ne 0 ]; then
    echo "run_fuzz.sh: the fuzzer failed (exit $status). The input is in $build/fuzz-artifacts/;" >&2
    echo "fix the bug and add the input to tests/fuzz/regressions/$target/." >&2
    exit 1
fi
echo "run_fuzz.sh: no crash in $seconds s"
