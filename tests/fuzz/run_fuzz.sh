#!/bin/sh
# run_fuzz.sh - run the protocol fuzzer for a bounded time, for CI and by hand.
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS
# BUILD_DIR was configured with CC=clang -DBELLOWS_FUZZ=ON. The seed corpus is
# copied, so the checkout is not modified. Exits non-zero if the fuzzer found
# a crash or a broken property; the input is then in BUILD_DIR/fuzz-artifacts/.
# SPDX-License-Identifier: MIT
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/tests/fuzz/fuzz_protocol"
if [ ! -x "$bin" ]; then
    echo "run_fuzz.sh: $bin not found; configure with CC=clang -DBELLOWS_FUZZ=ON and build it" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$build/fuzz-artifacts"
cp "$here"/corpus/protocol/* "$work/corpus/"

status=0
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$here/protocol.dict" -artifact_prefix="$build/fuzz-artifacts/" "$work/corpus" "$here/regressions/protocol" ||
    status=$?

if [ "$status" -ne 0 ]; then
    echo "run_fuzz.sh: the fuzzer failed (exit $status). The input is in $build/fuzz-artifacts/;" >&2
    echo "fix the bug and add the input to tests/fuzz/regressions/protocol/." >&2
    exit 1
fi
echo "run_fuzz.sh: no crash in $seconds s"
