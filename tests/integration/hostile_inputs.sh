#!/bin/sh
# hostile_inputs.sh - valid but extreme recordings through report and export, and
# control bytes that must never reach the terminal.
# Usage: sh hostile_inputs.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_hostile.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"

# t = 2^48 s: an axis step of 0.02 s is below the spacing of doubles there, and the
# report's label loop never advanced (it filled the disk). Bounded in time and size.
printf 't,belly\n281474976710656,500\n281474976710656.0625,510\n' >"$TMP/far.csv"
"$BELLOWS" import "$TMP/far.csv" --client far >"$TMP/out" 2>&1 || fail "import: $(cat "$TMP/out")"
(
    ulimit -f 20000
    timeout 60 "$BELLOWS" report --client far --session 1 --out "$TMP/far.html"
) >"$TMP/out" 2>&1 || fail "report at t = 2^48 did not end well: $(tail -c 300 "$TMP/out")"
[ "$(stat -c %s "$TMP/far.html")" -lt 200000 ] || fail "report at t = 2^48 is too big"
grep -q '</html>' "$TMP/far.html" || fail "report at t = 2^48 is not complete"

# First row at t = -1e300: events lie 1e300 s after it (edf.c tal() overflowed its
# stack buffer). The EDF must be written and its annotations stay inside it.
awk 'BEGIN { print "t,belly"; print "-1e300,500";
             for (i = 1; i < 1500; i++) printf "%.2f,%d\n", i * 0.02, 500 + 100 * sin(i * 0.0314) }' \
    >"$TMP/neg.csv"
"$BELLOWS" import "$TMP/neg.csv" --client neg >"$TMP/out" 2>&1 || fail "import: $(cat "$TMP/out")"
timeout 60 "$BELLOWS" export 2 --edf "$TMP/neg.edf" >"$TMP/out" 2>&1 ||
    fail "export of a recording from t = -1e300: $(tail -c 300 "$TMP/out")"
[ -s "$TMP/neg.edf" ] || fail "no EDF written"

# A file name with an 8-bit CSI (0x9b) and an ESC: the message names it, filtered.
bad=$(printf '%s/x\233[2J\033]0;owned\007.csv' "$TMP")
"$BELLOWS" analyze "$bad" --events "$TMP/e.csv" >"$TMP/out" 2>&1 && fail "analyze of a missing file succeeded"
grep -q 'x?\[2J?\]0;owned?\.csv' "$TMP/out" || fail "message does not name the file: $(cat -v "$TMP/out")"
LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\200-\237]')" "$TMP/out" &&
    fail "control bytes reached the terminal: $(cat -v "$TMP/out")"

# The same bytes in a channel name: refused at the header, with line and column.
printf 't,bel\233ly\n0,1\n0.02,1\n' >"$TMP/name.csv"
"$BELLOWS" analyze "$TMP/name.csv" --events "$TMP/e.csv" >"$TMP/out" 2>&1 && fail "a control byte in a name was taken"
grep -q 'name.csv:1:6: bad header' "$TMP/out" || fail "message: $(cat -v "$TMP/out")"
LC_ALL=C grep -q "$(printf '[\200-\237]')" "$TMP/out" && fail "0x9b reached the terminal"
exit 0
