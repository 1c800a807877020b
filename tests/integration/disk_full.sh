#!/bin/sh
# disk_full.sh - a full disk during a live session is said at once, while the feedback
# goes on, and what was written is kept; when only the store's final write fails, the
# exit status says so. Needs root and tmpfs (exit 77, skipped, otherwise).
# Usage: sh disk_full.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_full.XXXXXX") || exit 1
MNT="$TMP/mnt"
BPID=
cleanup() {
    [ -n "$BPID" ] && kill -9 "$BPID" 2>/dev/null && wait "$BPID" 2>/dev/null
    umount "$TMP/out4" 2>/dev/null
    umount "$MNT" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
mkdir "$MNT"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=16k tmpfs "$MNT" 2>/dev/null; then
    echo "SKIP: needs root and tmpfs" >&2
    exit 77
fi
export XDG_DATA_HOME="$TMP/data"

# 1. The recording's disk fills about 12 s in (12 KiB free: a page of events, two of
# samples at about 0.7 KiB a second; the simulated belt is the same every time, and the
# second page ends in the middle of a row). Its person follows a pacer at 15 breaths a
# minute (the default one is 5.5), so that breaths keep coming.
dd if=/dev/zero of="$MNT/filler" bs=1k count=4 2>/dev/null
"$BELLOWS" run --simulated --no-window --no-audio --duration 30 --pacer custom:1.5-0-2.5-0 \
    --record "$MNT/f" >"$TMP/out" 2>"$TMP/err" &
BPID=$!
n=0
while ! grep -q 'the recording stopped' "$TMP/err" && [ $n -lt 250 ]; do
    sleep 0.1
    n=$((n + 1))
done
grep -q 'the recording stopped: .*f.csv: cannot write: No space left on device' "$TMP/err" ||
    fail "no word of the full disk within 25 s: $(cat "$TMP/err")"
kill -0 "$BPID" 2>/dev/null || fail "the full disk was said only at the end (or the session died)"
wait "$BPID"
rc=$?
BPID=
[ $rc = 1 ] || fail "exit $rc after the recording failed"
[ "$(grep -c 'the recording stopped' "$TMP/err")" = 1 ] || fail "said more than once: $(cat "$TMP/err")"
# The live feedback went on to the end: breaths after 25 s.
grep -Eq '^\[ *2[5-9]\.[0-9] s\]' "$TMP/out" || fail "feedback stopped: $(tail -n 5 "$TMP/out")"
grep -q '^kept what was recorded before the failure in' "$TMP/out" ||
    fail "end line: $(tail -n 3 "$TMP/out")"
head -n 1 "$MNT/f.csv" | grep -q '^t,' || fail "what was written is lost"
rows=$(($(wc -l <"$MNT/f.csv") - 1))
[ "$rows" -ge 100 ] || fail "only $rows rows kept"
# What was kept ends with a whole row (a write cut half way through is taken back), so
# it reads without a damaged last row; the events file too.
for f in "$MNT/f.csv" "$MNT/f.events.csv"; do
    [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" = 0a ] || fail "$f ends in a cut line"
done
"$BELLOWS" analyze "$MNT/f.csv" --events "$TMP/fe.csv" --quiet >"$TMP/a.out" 2>&1 ||
    fail "the kept recording does not read cleanly: $(cat "$TMP/a.out")"
rm -f "$MNT"/*

# 2. Only the store's final write fails: the store's disk fills during the session.
export XDG_DATA_HOME="$MNT"
umount "$MNT"
mount -t tmpfs -o size=512k tmpfs "$MNT" || fail "tmpfs"
"$BELLOWS" sessions >/dev/null 2>&1 || fail "new store"
# Files of their own: the wait below must not see the first part's "recording to".
"$BELLOWS" run --simulated --no-window --no-audio --quiet --duration 8 --client Ann --record "$TMP/r" \
    >"$TMP/out2" 2>"$TMP/err2" &
BPID=$!
n=0
while ! grep -q '^recording to' "$TMP/out2" && [ $n -lt 600 ]; do
    sleep 0.1
    n=$((n + 1))
done
# Only once the session (and its store row) has started may the disk fill.
grep -q '^recording to' "$TMP/out2" || fail "the session did not start: $(cat "$TMP/err2")"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
wait "$BPID"
rc=$?
BPID=
[ $rc = 1 ] || fail "exit $rc when the session's figures could not be stored: $(cat "$TMP/err2")"
grep -q "figures were not stored; its recording is kept: $TMP/r.csv" "$TMP/err2" ||
    fail "message: $(cat "$TMP/err2")"
[ "$(wc -l <"$TMP/r.csv")" -gt 150 ] || fail "the recording was not kept"

# 3. A report and an export are of use only whole: onto a full disk, each is said to
# fail, leaves no part of itself, and the earlier file at that path stays as it was.
# (Written in place, a 64 KiB start of the report was left, the earlier one gone.)
sid=$("$BELLOWS" sessions --all 2>/dev/null | awk '/ Ann / { print $1; exit }')
[ -n "$sid" ] || fail "no session of Ann's stored: $("$BELLOWS" sessions --all)"
rm -f "$MNT/filler"
OUT="$TMP/out4"
mkdir "$OUT"
mount -t tmpfs -o size=16k tmpfs "$OUT" || fail "tmpfs"
echo "the earlier report" >"$OUT/r.html"
echo "the earlier export" >"$OUT/e.edf"
dd if=/dev/zero of="$OUT/filler" bs=1k 2>/dev/null
for what in "report --client Ann --out $OUT/r.html" "export $sid --edf $OUT/e.edf"; do
    # shellcheck disable=SC2086
    "$BELLOWS" $what >"$TMP/o4" 2>"$TMP/e4" && fail "$what: no failure on a full disk"
    grep -q "No space left on device" "$TMP/e4" || fail "$what: $(cat "$TMP/e4")"
done
[ "$(cat "$OUT/r.html")" = "the earlier report" ] || fail "the earlier report was lost"
[ "$(cat "$OUT/e.edf")" = "the earlier export" ] || fail "the earlier export was lost"
[ "$(ls "$OUT" | wc -l)" = 3 ] || fail "parts left: $(ls "$OUT")"
umount "$OUT"

# 4. The store is made on a nearly full disk: at each amount of free room, the new store
# is made whole or the person is told the disk is full; once room is made, bellows works
# with no store to restore. (Made in WAL mode, the checkpoint at close failed unsaid
# between about 100 and 170 KiB free, and every later command called the store damaged.)
umount "$MNT"
mount -t tmpfs -o size=256k tmpfs "$MNT" || fail "tmpfs"
for free in 16 48 80 96 112 128 144 160 176 240; do
    rm -rf "${MNT:?}"/*
    dd if=/dev/zero of="$MNT/filler" bs=1k count=$((256 - free)) 2>/dev/null
    if "$BELLOWS" sessions >"$TMP/o3" 2>"$TMP/e3"; then
        "$BELLOWS" store check >"$TMP/c3" 2>&1 ||
            fail "$free KiB free: a store made but not sound: $(cat "$TMP/c3")"
    else
        grep -q "no space left on the disk" "$TMP/e3" ||
            fail "$free KiB free: not said the disk is full: $(cat "$TMP/e3")"
    fi
    grep -q "damaged" "$TMP/e3" && fail "$free KiB free: $(cat "$TMP/e3")"
    rm -f "$MNT/filler"
    "$BELLOWS" sessions >"$TMP/o3" 2>"$TMP/e3" ||
        fail "$free KiB free, then room made: $(cat "$TMP/e3")"
    "$BELLOWS" store check 2>&1 | grep -q "sound: 0 clients, 0 sessions" ||
        fail "$free KiB free, then room made: the store is not sound"
done
exit 0
