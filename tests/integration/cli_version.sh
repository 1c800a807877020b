#!/bin/sh
# cli_version.sh - `bellows --version` gives the project version and, from a git checkout,
# its `git describe`; cmake/git_version.cmake falls back to the project version elsewhere.
# Usage: sh cli_version.sh BELLOWS SOURCE_DIR
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_version.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

v=$("$BELLOWS" --version) || fail "--version failed"
[ "$("$BELLOWS" version)" = "$v" ] || fail "'version' and '--version' differ"
echo "$v" | grep -Eq '^bellows [0-9]+\.[0-9]+\.[0-9]+( \([0-9A-Za-z._-]+\))?$' ||
    fail "--version says '$v'"
if command -v git >/dev/null 2>&1 && git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
    head=$(git -C "$SRC" rev-parse --short HEAD)
    echo "$v" | grep -q "($head\|-g$head" || fail "--version '$v' does not name HEAD $head"
fi

# The CMake side, as a script: describe SOURCE_DIR, or fall back.
describe() {
    cmake -DSOURCE_DIR="$1" -DFALLBACK=9.8.7 -P "$SRC/cmake/git_version.cmake" 2>&1
}
mkdir "$TMP/plain"
[ "$(describe "$TMP/plain")" = "9.8.7" ] || fail "not a checkout: '$(describe "$TMP/plain")'"
if command -v git >/dev/null 2>&1; then
    g() { git -C "$TMP/repo" -c user.name=t -c user.email=t@t "$@" >/dev/null 2>&1; }
    mkdir "$TMP/repo" "$TMP/repo/sub"
    echo a >"$TMP/repo/sub/f"
    g init -q && g add -A && g commit -qm one || fail "cannot make a test repository"
    hash=$(git -C "$TMP/repo" rev-parse --short HEAD)
    [ "$(describe "$TMP/repo")" = "9.8.7 ($hash)" ] || fail "clean: '$(describe "$TMP/repo")'"
    echo b >"$TMP/repo/sub/f"
    [ "$(describe "$TMP/repo")" = "9.8.7 ($hash-dirty)" ] || fail "dirty: '$(describe "$TMP/repo")'"
    # A source tree unpacked inside another repository is not that repository.
    [ "$(describe "$TMP/repo/sub")" = "9.8.7" ] || fail "inside: '$(describe "$TMP/repo/sub")'"
fi
echo "ok"
