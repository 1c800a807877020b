#!/bin/sh
# store_crash.sh - crash safety: a `bellows run --client` killed with -9 leaves a readable
# recording, and the store marks the session interrupted on the next start, keeping it and
# working out its figures from the recording.
# With root and tmpfs: a full disk gives a clear error while the live feedback goes on.
# Usage: sh store_crash.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_crash.XXXXXX") || exit 1
MNT=""
cleanup() {
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export XDG_DATA_HOME="$TMP/data"

"$BELLOWS" run --simulated --client "Kill Nine" --no-window --no-audio --record "$TMP/k" >"$TMP/out" 2>&1 &
pid=$!
sleep 4
kill -9 $pid
wait $pid 2>/dev/null
rows=$(($(wc -l <"$TMP/k.csv") - 1))
# 4 s at 50 Hz, flushed at least each second: 2 s or more are on disk.
[ "$rows" -ge 100 ] || fail "only $rows rows survived kill -9"
"$BELLOWS" sessions --all >"$TMP/s" 2>"$TMP/e" || fail "sessions after the crash: $(cat "$TMP/e")"
grep -q 'marked interrupted' "$TMP/e" || fail "no word about the interrupted session: $(cat "$TMP/e")"
grep -q 'interrupted  *Kill Nine' "$TMP/s" || fail "session not interrupted: $(cat "$TMP/s")"
# Its figures are worked out from the recording it kept, once, and marked so.
grep -q 'figures of 1 interrupted session worked out from its recording' "$TMP/e" ||
    fail "figures not recovered: $(cat "$TMP/e")"
grep -Eq '^ +1 +[0-9-]+ [0-9:]+ +0\.[0-9] +[0-9]+ .*interrupted +Kill Nine' "$TMP/s" ||
    fail "no figures (minutes, breaths) for the interrupted session: $(cat "$TMP/s")"
grep -q 'problem: interrupted; figures worked out afterwards from its recording' "$TMP/s" ||
    fail "recovered figures are not marked: $(cat "$TMP/s")"
"$BELLOWS" sessions --all >"$TMP/s2" 2>"$TMP/e2" || fail "sessions again"
grep -q 'marked interrupted' "$TMP/e2" && fail "interrupted reported twice"
grep -q 'worked out' "$TMP/e2" && fail "figures recovered twice"
# Its data are kept and readable: the report draws its trace, export writes it.
"$BELLOWS" report --client "Kill Nine" --session 1 --out "$TMP/r.html" >"$TMP/o" 2>&1 ||
    fail "report of the interrupted session: $(cat "$TMP/o")"
grep -q 'class="lane"' "$TMP/r.html" || fail "no trace of the interrupted session"
"$BELLOWS" export 1 --edf "$TMP/k.edf" >"$TMP/o" 2>&1 || fail "export: $(cat "$TMP/o")"

# Full disk: the recording goes to a 16 KiB tmpfs (needs root; skipped otherwise).
mkdir "$TMP/tiny"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=16k tmpfs "$TMP/tiny" 2>/dev/null; then
    MNT="$TMP/tiny"
    "$BELLOWS" run --simulated --client "Full Disk" --no-window --no-audio --duration 25 \
        --record "$MNT/f" >"$TMP/fout" 2>"$TMP/ferr"
    grep -q 'No space left on device' "$TMP/ferr" "$TMP/fout" ||
        fail "no clear full-disk error: $(cat "$TMP/ferr")"
    # The live feedback went on to the end: breaths printed after 20 s.
    grep -Eq '^\[ *2[0-9]\.[0-9] s\]' "$TMP/fout" || fail "feedback stopped: $(tail "$TMP/fout")"
    "$BELLOWS" sessions --client "Full Disk" >"$TMP/fs" 2>&1 || fail "sessions (full disk)"
    grep -q 'problem: .*No space left on device' "$TMP/fs" ||
        fail "the store does not say what went wrong: $(cat "$TMP/fs")"
    head -n 1 "$MNT/f.csv" | grep -q '^t,' || fail "what was written is lost"
else
    echo "not root or no tmpfs: full-disk check skipped"
fi
exit 0
