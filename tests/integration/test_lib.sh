# test_lib.sh - what every integration test script shares: fail (show the test's .out and
# .err files, exit 1) and the check that links can be made in /dev (libserialport takes a
# pty only through one; skipped, exit 77, when they cannot). Sourced by serial_lib.sh and
# firmware_lib.sh after TMP is set.
# SPDX-License-Identifier: MIT
fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/*.out "$TMP"/*.err; do
        [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
    done
    exit 1
}
if ! touch "/dev/bellows-probe-$$" 2>/dev/null; then
    echo "SKIP: cannot create links in /dev (needs root)" >&2
    exit 77
fi
rm -f "/dev/bellows-probe-$$"
