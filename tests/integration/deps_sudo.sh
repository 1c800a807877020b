#!/bin/sh
# deps_sudo.sh - .ci/deps.sh installs as root without sudo, raises itself with sudo as a
# user, and says what to do as a user without sudo; the README calls it without sudo.
# apt-get, id and sudo are stubs on PATH: nothing is installed.
# Usage: sh deps_sudo.sh SOURCE_DIR
# SPDX-License-Identifier: MIT
set -u
SRC=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_deps_sudo.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

mkdir "$TMP/bin" "$TMP/nosudo"
# id -u answers FAKE_UID; sudo logs itself and runs the command as uid 0.
cat >"$TMP/bin/id" <<'STUB'
#!/bin/sh
[ "$1" = "-u" ] && { echo "$FAKE_UID"; exit 0; }
exit 1
STUB
cat >"$TMP/bin/sudo" <<'STUB'
#!/bin/sh
echo "sudo $*" >>"$LOG"
FAKE_UID=0 exec "$@"
STUB
cat >"$TMP/bin/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get uid=$FAKE_UID $*" >>"$LOG"
STUB
chmod +x "$TMP/bin/id" "$TMP/bin/sudo" "$TMP/bin/apt-get"
cp "$TMP/bin/id" "$TMP/bin/apt-get" "$TMP/nosudo/"
# The shell utilities deps.sh may use, without sudo: a PATH of links to them.
for tool in sh cat; do
    ln -s "$(command -v $tool)" "$TMP/nosudo/$tool"
done

cd "$SRC" || fail "no source dir $SRC"

# Root: no sudo at all, apt-get update and install.
LOG=$TMP/root.log FAKE_UID=0 PATH="$TMP/nosudo" sh .ci/deps.sh >"$TMP/out" 2>&1 ||
    fail "as root without sudo: $(cat "$TMP/out")"
grep -q sudo "$TMP/root.log" && fail "as root it called sudo: $(cat "$TMP/root.log")"
grep -q '^apt-get uid=0 update' "$TMP/root.log" || fail "as root: no apt-get update"
grep -q '^apt-get uid=0 install .*libkissfft-dev' "$TMP/root.log" || fail "as root: no install"

# A user with sudo: raised once, then apt-get runs as root.
LOG=$TMP/user.log FAKE_UID=1000 PATH="$TMP/bin:$PATH" sh .ci/deps.sh >"$TMP/out" 2>&1 ||
    fail "as a user with sudo: $(cat "$TMP/out")"
[ "$(grep -c '^sudo ' "$TMP/user.log")" -eq 1 ] || fail "sudo not called once: $(cat "$TMP/user.log")"
grep -q '^apt-get uid=1000' "$TMP/user.log" && fail "apt-get ran as the user"
grep -q '^apt-get uid=0 install' "$TMP/user.log" || fail "as a user: no install as root"

# A user without sudo: fails before apt-get, saying what to do.
LOG=$TMP/nosudo.log FAKE_UID=1000 PATH="$TMP/nosudo" sh .ci/deps.sh >"$TMP/out" 2>&1 &&
    fail "as a user without sudo it succeeded"
grep -q 'run it as root' "$TMP/out" || fail "no advice: $(cat "$TMP/out")"
[ ! -e "$TMP/nosudo.log" ] || fail "apt-get ran without root: $(cat "$TMP/nosudo.log")"

# The README's two commands call it without sudo (CI finds the test one by this form).
n=$(grep -c '^    sh \.ci/deps\.sh && cmake -S \. -B build && ' README.md)
[ "$n" -eq 2 ] || fail "README: $n commands start with 'sh .ci/deps.sh && cmake' (want 2)"
grep -q 'sudo sh \.ci/deps\.sh' README.md && fail "README still says sudo sh .ci/deps.sh"
echo "ok"
