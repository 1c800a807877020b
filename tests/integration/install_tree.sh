#!/bin/sh
# install_tree.sh - `cmake --install` puts bellows, its font, the man pages, the bash
# completion, the udev rule, the .desktop entry and the icon where a Debian system looks,
# and the installed binary finds the installed font wherever the tree is moved.
# Usage: sh install_tree.sh BUILD_DIR SOURCE_DIR
# SPDX-License-Identifier: MIT
set -u
BUILD=$1
SRC=$2
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_install_tree.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
I=$TMP/usr
cmake --install "$BUILD" --prefix "$I" >"$TMP/install.out" 2>&1 || fail "install: $(cat "$TMP/install.out")"
B=$I/bin/bellows

for f in bin/bellows share/bellows/fonts/DejaVuSans.ttf share/bellows/fonts/LICENSE-DejaVu.txt \
    share/man/man1/bellows.1.gz share/bash-completion/completions/bellows \
    lib/udev/rules.d/70-bellows-belt.rules share/applications/bellows.desktop \
    share/icons/hicolor/scalable/apps/bellows.svg; do
    [ -f "$I/$f" ] || fail "not installed: $f"
done
[ -x "$B" ] || fail "bin/bellows is not executable"
# The live commands are bellows-live, out of PATH, run by bellows; the others need no
# window or sound library.
[ -x "$I/libexec/bellows/bellows-live" ] || fail "not installed: libexec/bellows/bellows-live"
ldd "$B" | grep -qiE 'sdl|portaudio|asound' && fail "bin/bellows links a window or sound library"
out=$(cd "$TMP" && XDG_DATA_HOME="$TMP/xdg" "$B" demo --fast --duration 3 --no-window \
    --no-audio 2>&1) || fail "installed bellows demo: $out"
echo "$out" | grep -q '^samples: 150,' || fail "installed bellows demo: $out"
[ "$("$B" --version)" = "$("$BUILD/src/bellows" --version)" ] || fail "installed --version differs"
cmp -s "$I/lib/udev/rules.d/70-bellows-belt.rules" "$SRC/hardware/udev/70-bellows-belt.rules" ||
    fail "the installed udev rule differs from hardware/udev"
grep -q 'TAG+="uaccess"' "$I/lib/udev/rules.d/70-bellows-belt.rules" || fail "udev rule without uaccess"

# A man page per command, with every option its --help lists, and clean roff.
# (A line may list several: "  rename-client, merge-clients, ..." with the text below.)
"$B" --help | awk '/^commands:$/ { on = 1; next } on && /^$/ { exit }
        on && /^  [a-z]/ { sub(/^  /, ""); if ($0 ~ /^[a-z-]+,/) { gsub(/,/, ""); for (i = 1; i <= NF; i++) print $i } else print $1 }' |
    grep -v '^help$' >"$TMP/commands"
[ "$(wc -l <"$TMP/commands")" -ge 10 ] || fail "too few commands in --help: $(cat "$TMP/commands")"
grep -qx 'delete-session' "$TMP/commands" || fail "the commands listed together are missed: $(cat "$TMP/commands")"
while read -r cmd; do
    page=$I/share/man/man1/bellows-$cmd.1.gz
    [ -f "$page" ] || fail "no man page for $cmd"
    zcat "$page" | sed 's/\\-/-/g' >"$TMP/page"
    grep -q "^\.TH BELLOWS-$(echo "$cmd" | tr a-z A-Z) 1 " "$TMP/page" || fail "$cmd: no .TH"
    for opt in $("$B" "$cmd" --help | grep -o '^  *--[a-z0-9-]*' | tr -d ' '); do
        # In an entry's tag: "\fB--opt\fR", alone or in a list of options.
        grep -q "^\\\\fB.*\\\\fB$opt\\\\fR\\|^\\\\fB$opt\\\\fR" "$TMP/page" ||
            fail "bellows-$cmd.1 lacks $opt"
    done
    warn=$(zcat "$page" | groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$warn" ] || fail "bellows-$cmd.1: groff says: $warn"
    lexgrog "$page" 2>/dev/null | grep -q "bellows-$cmd - " || fail "bellows-$cmd.1: no whatis line"
done <"$TMP/commands"
MANWIDTH=100 man -l "$I/share/man/man1/bellows.1.gz" 2>/dev/null | grep -q 'bellows-analyze(1)' ||
    fail "bellows(1) does not point at bellows-analyze(1)"

# Bash completion: commands, a command's options, run's options without a command.
complete_at() { # complete_at WORD...: COMPREPLY for the last word
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bellows; echo "${COMPREPLY[*]}"' \
        sh "$I/share/bash-completion/completions/bellows" "$@"
}
[ "$(complete_at bellows an)" = analyze ] || fail "bellows an<TAB>: '$(complete_at bellows an)'"
[ "$(complete_at bellows analyze --ou)" = --out-dir ] || fail "analyze --ou<TAB>: '$(complete_at bellows analyze --ou)'"
[ "$(complete_at bellows --no-w)" = --no-window ] || fail "bellows --no-w<TAB>: '$(complete_at bellows --no-w)'"
[ "$(complete_at bellows --vers)" = --version ] || fail "bellows --vers<TAB>: '$(complete_at bellows --vers)'"

# The desktop entry starts the installed program and names the installed icon.
d=$I/share/applications/bellows.desktop
grep -qx 'Type=Application' "$d" && grep -qx 'Exec=bellows' "$d" && grep -qx 'Icon=bellows' "$d" ||
    fail "desktop entry: $(cat "$d")"
head -n 1 "$d" | grep -qx '\[Desktop Entry\]' || fail "desktop entry header"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$I/share/icons/hicolor/scalable/apps/bellows.svg" || fail "icon is not valid XML"
fi

# The installed binary (bellows-live, which draws) uses the installed font, also after the
# tree is moved: a broken font there must be the one it complains about.
font_note() { # font_note PREFIX: what a windowed demo says about the font
    env -u BELLOWS_FONT SDL_VIDEODRIVER=dummy "$1/bin/bellows" demo --fast --duration 1 \
        --no-audio 2>&1 | grep -i font
}
[ -z "$(cd / && font_note "$I")" ] || fail "installed: $(cd / && font_note "$I")"
mv "$I" "$TMP/moved"
printf 'not a font' >"$TMP/moved/share/bellows/fonts/DejaVuSans.ttf"
note=$(cd / && font_note "$TMP/moved")
echo "$note" | grep -q "^bellows demo: $TMP/moved/libexec/bellows/../../share/bellows/fonts/DejaVuSans.ttf: cannot load the font" ||
    fail "the moved binary did not use its own font: '$note'"
echo "ok"
