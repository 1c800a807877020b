# xvfb_lib.sh - what the tests that drive the window in Xvfb with keys share. Sourced by the
# test with XVFB_TOOLS (tools it needs: skipped, exit 0, saying so, when one is missing) and
# XVFB_TAG (its temporary folder's tag): TMP (removed at exit), fail, and XVFB_LIB exported.
# Sourced again by the script run inside xvfb-run with XVFB_INNER=1: only bellows_window.
# SPDX-License-Identifier: MIT
if [ -z "${XVFB_INNER:-}" ]; then
    for tool in $XVFB_TOOLS; do
        command -v "$tool" >/dev/null || {
            echo "$tool not installed: skipped"
            exit 0
        }
    done
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_$XVFB_TAG.XXXXXX") || exit 1
    trap 'rm -rf "$TMP"' EXIT
    fail() {
        echo "FAIL: $*" >&2
        exit 1
    }
    XVFB_LIB=$(cd "$(dirname "$0")" && pwd)/xvfb_lib.sh
    export XVFB_LIB
fi
# bellows_window: wait (up to 15 s) for the window called "bellows" and print its id.
bellows_window() {
    i=0
    while [ $i -lt 150 ]; do
        xwininfo -root -tree 2>/dev/null | grep -q '"bellows"' && break
        sleep 0.1
        i=$((i + 1))
    done
    xdotool search --name '^bellows$' | head -n 1
}
