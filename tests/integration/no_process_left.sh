#!/bin/sh
# no_process_left.sh - run by ctest after every other test: no process started from the
# build tree BUILD_DIR (bellows, the serial feeder, the firmware simulator, a test
# binary) may still be running. Names what is left and fails (ending it is left to its
# owner: it may be someone's session started by hand from the same tree).
# Usage: sh no_process_left.sh BUILD_DIR
# SPDX-License-Identifier: MIT
set -u
BUILD=$(cd "$1" && pwd -P) || exit 1
left() {
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = $$ ] && continue
        exe=$(readlink "$d/exe" 2>/dev/null) || continue
        case $exe in
        "$BUILD"/*) echo "$p" ;;
        esac
    done
}
# A test that has just ended may still be reaping its children.
n=0
while [ -n "$(left)" ] && [ $n -lt 30 ]; do
    sleep 0.1
    n=$((n + 1))
done
pids=$(left)
[ -z "$pids" ] && exit 0
echo "FAIL: left running after the tests:" >&2
for p in $pids; do
    printf '  %s: ' "$p" >&2
    tr '\0' ' ' <"/proc/$p/cmdline" >&2 2>/dev/null
    echo >&2
done
exit 1
