#!/bin/sh
# gen_docs.sh - the man pages and the bash completion of bellows, made from its --help texts
# (the main one lists the commands; each 'bellows CMD --help' lists its options).
# Usage: sh gen_docs.sh BELLOWS OUT_DIR VERSION
# Writes OUT_DIR/man/bellows.1.gz, OUT_DIR/man/bellows-CMD.1.gz and OUT_DIR/bellows.bash.
# SPDX-License-Identifier: MIT
set -eu
B=$1
OUT=$2
VERSION=$3
HERE=$(dirname "$0")
rm -rf "$OUT/man" "$OUT/bellows.bash"
mkdir -p "$OUT/man"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$B" --help >"$tmp/main.help"
# "  name       what it does" lines of the "commands:" block, or "  a, b, c" with what they
# do on the next, deeper line; 'help' is this page itself.
awk 'function out(name, what) { if (name != "help") print name "\t" what }
     /^commands:$/ { on = 1; next }
     on && /^$/ { exit }
     on && /^  [a-z]/ {
        line = $0; sub(/^  /, "", line)
        if (line ~ /^[a-z-]+,/) { n = split(line, pending, /, */); next }
        name = line; sub(/ .*/, "", name)
        what = line; sub(/^[a-z-]+ +/, "", what)
        out(name, what)
        next }
     on && /^   / && n > 0 {
        what = $0; sub(/^ +/, "", what)
        for (i = 1; i <= n; i++) out(pending[i], what)
        n = 0 }' "$tmp/main.help" >"$tmp/commands"
[ -s "$tmp/commands" ] || {
    echo "gen_docs.sh: no commands in '$B --help'" >&2
    exit 1
}

see_also=""
while IFS='	' read -r cmd what; do
    see_also="$see_also${see_also:+,
}.BR bellows\\-$cmd (1)"
done <"$tmp/commands"

title=$(sed -n '3p' "$tmp/main.help" | sed 's/\.$//')
awk -v page=bellows -v source=bellows -v title="$title" -v version="bellows $VERSION" -v see_also="$see_also" \
    -f "$HERE/help2man.awk" "$tmp/main.help" >"$OUT/man/bellows.1"

{
    echo "# bash completion for bellows: generated from its --help texts by gen_docs.sh."
    echo "_bellows()"
    echo "{"
    echo '    local cur=${COMP_WORDS[COMP_CWORD]} opts'
    printf '    local cmds="%s"\n' "$(cut -f1 "$tmp/commands" | tr '\n' ' ' | sed 's/ $//')"
    echo '    local sub=${COMP_WORDS[1]}'
    echo '    if [ "$COMP_CWORD" -eq 1 ] && [[ $cur != -* ]]; then'
    echo '        COMPREPLY=($(compgen -W "$cmds" -- "$cur"))'
    echo '        return'
    echo '    fi'
    echo '    local extra='
    echo '    if [[ $sub == -* ]]; then # options without a command are run'"'"'s'
    echo '        sub=run'
    echo '        extra=--version'
    echo '    fi'
    echo '    case $sub in'
} >"$tmp/bash"

while IFS='	' read -r cmd what; do
    "$B" "$cmd" --help >"$tmp/$cmd.help"
    awk -v page="bellows-$cmd" -v source="bellows $cmd" -v title="$what" -v version="bellows $VERSION" \
        -v see_also=".BR bellows (1)" -f "$HERE/help2man.awk" "$tmp/$cmd.help" \
        >"$OUT/man/bellows-$cmd.1"
    opts=$(grep -o '^  *--[a-z0-9-]*' "$tmp/$cmd.help" | tr -d ' ' | sort -u | tr '\n' ' ')
    printf '    %s) opts="%s--help" ;;\n' "$cmd" "$opts" >>"$tmp/bash"
done <"$tmp/commands"

{
    echo '    *) opts="--help" ;;'
    echo '    esac'
    echo '    if [[ $cur == -* ]]; then'
    echo '        COMPREPLY=($(compgen -W "$opts $extra" -- "$cur"))'
    echo '    fi'
    echo '}'
    echo 'complete -o default -F _bellows bellows'
} >>"$tmp/bash"
mv "$tmp/bash" "$OUT/bellows.bash"
gzip -9nf "$OUT"/man/*.1
