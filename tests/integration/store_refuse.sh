#!/bin/sh
# store_refuse.sh - the session store is never silently lost: an empty file, a file
# that is not SQLite, another program's SQLite database and a damaged store are refused
# with a message naming the path, and left byte for byte as they were; a store on a
# read-only disk can still be listed and reported (with root and tmpfs); store check and
# store backup.
# Usage: sh store_refuse.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_refuse.XXXXXX") || exit 1
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
DB="$XDG_DATA_HOME/bellows/bellows.db"
mkdir -p "$XDG_DATA_HOME/bellows"
"$BELLOWS" demo --fast --duration 60 --seed 2 --record "$TMP/a" >/dev/null 2>&1 || fail "demo"

# refused WHAT ARGS...: bellows ARGS fails naming the store and WHAT, and the store
# file is left exactly as it was, with no journal beside it.
refused() {
    what=$1
    shift
    before=$(cksum <"$DB")
    "$BELLOWS" "$@" >"$TMP/out" 2>"$TMP/err" && fail "bellows $* used a store that is $what"
    grep -qF "$DB: " "$TMP/err" || fail "bellows $*: message does not name $DB: $(cat "$TMP/err")"
    grep -q "$what" "$TMP/err" || fail "bellows $*: message does not say '$what': $(cat "$TMP/err")"
    grep -q 'left as it is' "$TMP/err" || fail "bellows $*: message: $(cat "$TMP/err")"
    [ "$(cksum <"$DB")" = "$before" ] || fail "bellows $* changed a store that is $what"
    [ -e "$DB-wal" ] && fail "bellows $* made a WAL beside a store that is $what"
    return 0
}

# An empty file: not a new store (the history it held would be gone without a word).
: >"$DB"
refused "empty file" sessions
refused "empty file" import "$TMP/a.csv" --client Ann
refused "empty file" store check
[ -s "$DB" ] && fail "the empty store was written"
# A session for a client goes on without the store, keeps its recording, and exits 1.
"$BELLOWS" run --simulated --client Ann --no-window --no-audio --quiet --duration 1 --record "$TMP/unstored" \
    >"$TMP/out" 2>"$TMP/err" && fail "run --client exited 0 with its session not stored"
grep -q "the session was not stored (see above); its recording is kept: $TMP/unstored.csv" \
    "$TMP/err" || fail "run --client on a refused store: $(cat "$TMP/err")"
grep -q 'empty file' "$TMP/err" || fail "run --client does not say why: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/unstored.csv")" -gt 40 ] || fail "the unstored session's recording is not kept"
[ -s "$DB" ] && fail "the empty store was written by run"

# Text, and another program's SQLite database (rollback journal: WAL must not be set).
echo "my shopping list" >"$DB"
refused "not an SQLite database" sessions
rm "$DB"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("create table photos(id, path)")
c.execute("insert into photos values (1, \"x.jpg\")"); c.commit(); c.close()' "$DB" ||
    fail "python3 sqlite3"
refused "not a bellows store" sessions
refused "not a bellows store" import "$TMP/a.csv" --client Ann
# Bytes 18 and 19 of an SQLite header are 2 in WAL mode, 1 otherwise.
[ "$(od -An -tu1 -j18 -N2 "$DB" | tr -s ' ')" = " 1 1" ] || fail "the foreign database was switched to WAL"
rm "$DB"

# A real store, damaged: a b-tree page's type byte overwritten.
"$BELLOWS" import "$TMP/a.csv" --client Ann >"$TMP/out" 2>&1 || fail "import: $(cat "$TMP/out")"
"$BELLOWS" store check >"$TMP/out" 2>&1 || fail "store check of a sound store: $(cat "$TMP/out")"
grep -q "$DB: sound: 1 client, 1 session" "$TMP/out" || fail "store check: $(cat "$TMP/out")"
[ -e "$DB-wal" ] && fail "the WAL was not checkpointed at exit"
# A backup is a new private file that bellows opens as the store; never overwritten.
"$BELLOWS" store backup "$TMP/backup.db" >"$TMP/out" 2>&1 || fail "store backup: $(cat "$TMP/out")"
[ "$(stat -c %a "$TMP/backup.db")" = 600 ] || fail "backup not 0600"
before=$(cksum <"$TMP/backup.db")
"$BELLOWS" store backup "$TMP/backup.db" >"$TMP/out" 2>&1 && fail "a backup overwrote a file"
grep -q "backup.db: cannot create: File exists" "$TMP/out" || fail "message: $(cat "$TMP/out")"
[ "$(cksum <"$TMP/backup.db")" = "$before" ] || fail "the existing backup was changed"
mkdir -p "$TMP/restored/bellows"
cp "$TMP/backup.db" "$TMP/restored/bellows/bellows.db"
XDG_DATA_HOME="$TMP/restored" "$BELLOWS" sessions --all >"$TMP/out" 2>&1 || fail "sessions of the backup"
grep -q 'complete  *Ann' "$TMP/out" || fail "the backup lacks the session: $(cat "$TMP/out")"
XDG_DATA_HOME="$TMP/restored" "$BELLOWS" store check >"$TMP/out" 2>&1 || fail "backup unsound"
# ... also while a session is being recorded into the store.
"$BELLOWS" run --simulated --no-window --no-audio --quiet --duration 3 --client Bo --record "$TMP/live" \
    >"$TMP/live.out" 2>&1 &
live=$!
n=0
while ! grep -q '^recording to' "$TMP/live.out" && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
"$BELLOWS" store backup "$TMP/during.db" >"$TMP/out" 2>&1 || fail "backup during a session: $(cat "$TMP/out")"
wait $live || fail "the session failed during the backup: $(cat "$TMP/live.out")"
rm -rf "$TMP/restored/bellows"/*
cp "$TMP/during.db" "$TMP/restored/bellows/bellows.db"
XDG_DATA_HOME="$TMP/restored" "$BELLOWS" store check >"$TMP/out" 2>&1 ||
    fail "backup made during a session is unsound: $(cat "$TMP/out")"
grep -q 'sound: 2 clients, 2 sessions' "$TMP/out" || fail "backup during a session: $(cat "$TMP/out")"
"$BELLOWS" store check >/dev/null 2>&1 || fail "store unsound after the backups"

cp "$DB" "$TMP/good.db"
size=$(stat -c %s "$DB")
[ "$size" -ge 8192 ] || fail "store of $size bytes"
printf '\377' | dd of="$DB" bs=1 seek=$((size - 4096)) conv=notrunc 2>/dev/null
refused "damaged" sessions
refused "damaged" report --client Ann --out "$TMP/r.html"
refused "damaged" import "$TMP/a.csv" --client Ann
refused "damaged" store check
[ -e "$TMP/r.html" ] && fail "report written from a damaged store"
cp "$TMP/good.db" "$DB"

# A store on a read-only disk is still read (needs root and tmpfs; skipped otherwise).
mkdir "$TMP/ro"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m tmpfs "$TMP/ro" 2>/dev/null; then
    MNT="$TMP/ro"
    mkdir -p "$MNT/bellows"
    cp "$DB" "$MNT/bellows/bellows.db"
    mount -o remount,ro "$MNT" || fail "remount read-only"
    export XDG_DATA_HOME="$MNT"
    "$BELLOWS" sessions --all >"$TMP/out" 2>&1 || fail "sessions on a read-only disk: $(cat "$TMP/out")"
    grep -q 'complete  *Ann' "$TMP/out" || fail "sessions on a read-only disk: $(cat "$TMP/out")"
    "$BELLOWS" store backup "$TMP/ro_backup.db" >"$TMP/out" 2>&1 ||
        fail "backup of a store on a read-only disk: $(cat "$TMP/out")"
    "$BELLOWS" clients >"$TMP/out" 2>&1 || fail "clients on a read-only disk: $(cat "$TMP/out")"
    "$BELLOWS" report --client Ann --out "$TMP/r.html" >"$TMP/out" 2>&1 ||
        fail "report from a read-only disk: $(cat "$TMP/out")"
    "$BELLOWS" store check >"$TMP/out" 2>&1 || fail "store check read-only: $(cat "$TMP/out")"
    "$BELLOWS" note 1 "x" >"$TMP/out" 2>&1 && fail "a note was written to a read-only disk"
    grep -q 'bellows.db' "$TMP/out" || fail "note on a read-only store: $(cat "$TMP/out")"
else
    echo "not root or no tmpfs: read-only store check skipped"
fi
exit 0
