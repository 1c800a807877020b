#!/bin/sh
# replay_golden.sh - `bellows analyze` of a stored recording must reproduce its stored events.
# Usage: sh replay_golden.sh BELLOWS GOLDEN_DIR
# After a deliberate pipeline change, regenerate with tests/data/golden/regenerate.sh.
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
DIR=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_golden.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

status=0
for rec in "$DIR"/*.csv; do
    case $rec in
    *.events.csv) continue ;;
    esac
    want=${rec%.csv}.events.csv
    if [ ! -f "$want" ]; then
        echo "FAIL: $rec has no stored events $want" >&2
        status=1
        continue
    fi
    if ! "$BELLOWS" analyze "$rec" --events "$TMP/got.csv" --quiet; then
        echo "FAIL: analyze $rec" >&2
        status=1
        continue
    fi
    if ! cmp -s "$want" "$TMP/got.csv"; then
        echo "FAIL: events of $rec differ from $want (first differences below)." >&2
        echo "If the pipeline changed on purpose, run tests/data/golden/regenerate.sh." >&2
        diff "$want" "$TMP/got.csv" | head -n 20 >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "ok"
exit $status
