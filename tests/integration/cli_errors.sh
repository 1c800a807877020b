#!/bin/sh
# cli_errors.sh - bad files and bad command lines give clear messages and the right exit codes.
# Usage: sh cli_errors.sh BELLOWS
# SPDX-License-Identifier: MIT
set -u
BELLOWS=$1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bellows_cli_errors.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
# Its own data folder: bare bellows and run store sessions, and the user's store (or
# another test's) must neither be touched nor speak up in this test's output.
export XDG_DATA_HOME="$TMP/data"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# expect CODE TEXT CMD...: CMD exits with CODE and its stderr contains TEXT.
expect() {
    want_rc=$1
    want_text=$2
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ $rc -eq "$want_rc" ] || fail "'$*' exit $rc, wanted $want_rc; stderr: $(cat "$TMP/err")"
    grep -qF -- "$want_text" "$TMP/err" ||
        fail "'$*' stderr lacks '$want_text': $(cat "$TMP/err")"
}

# bad NAME CONTENT TEXT: analyzing a file NAME holding CONTENT fails (exit 1) saying TEXT,
# which starts with the file name.
bad() {
    printf '%b' "$2" >"$TMP/$1"
    expect 1 "$TMP/$1$3" "$BELLOWS" analyze "$TMP/$1" --events "$TMP/ev.csv"
}

# Good rows before a problem, so it is met while streaming.
rows() {
    i=0
    while [ $i -lt "$1" ]; do
        printf '%d.%02d,%d\\n' $((i / 50)) $((i % 50 * 2)) $((500 + i % 7))
        i=$((i + 1))
    done
}
GOOD=$(rows 300)

expect 1 "$TMP/missing.csv: cannot open: No such file or directory" \
    "$BELLOWS" analyze "$TMP/missing.csv" --events "$TMP/ev.csv"
bad empty.csv "" ": empty file"
bad header.csv "time,belly\n0,1\n0.02,2\n" ":1: bad header: first column must be 't'"
bad dup.csv "t,belly,belly\n0,1,2\n" ":1: bad header: channel 'belly' appears twice"
bad noname.csv "t,belly,\n0,1,2\n" ":1: bad header: column 3 has no name"
bad toomany.csv "t,a,b,c,d,e\n0,1,2,3,4,5\n" ":1: bad header: 5 channels, at most 4"
bad nan.csv "t,belly\n0,1\n0.02,abc\n" ":3:6: column 'belly': 'abc' is not a number"
bad late.csv "t,belly\n${GOOD}6.00,12x\n" ":302:6: column 'belly': '12x' is not a number"
bad missing_value.csv "t,belly,chest\n${GOOD}" ":2:9: missing value for column 'chest'"
bad empty_value.csv "t,belly\n${GOOD}6.00,\n" ":302:6: column 'belly': missing value"
bad extra.csv "t,belly\n${GOOD}6.00,1,2\n" ":302:7: 3 columns, but the header has 2"
bad inf.csv "t,belly\n${GOOD}6.00,inf\n" ":302:6: column 'belly': 'inf' is not a finite number"
bad backwards.csv "t,belly\n${GOOD}5.00,1\n" ":302: time goes backwards: t=5 after t=5.98"
bad repeat.csv "t,belly\n${GOOD}5.98,1\n" ":302: time repeats"
bad blank.csv "t,belly\n${GOOD}\n6.00,1\n" ":302: empty line"
bad header_only.csv "t,belly\n" ":2: no samples after the header"
bad one_row.csv "t,belly\n0,1\n" ": too few samples to tell the sample rate"
bad slow.csv "t,belly\n0,1\n10,2\n20,3\n" ": sample rate 0.1 Hz is outside 5..2000 Hz (t is in"
bad millis.csv "t,belly\n0,1\n20,2\n40,3\n" ": sample rate 0.05 Hz is outside 5..2000 Hz (t is in seconds: are these milliseconds?)"
bad fast.csv "t,belly\n0,1\n0.0001,2\n0.0002,3\n" ": sample rate 1e+04 Hz is outside 5..2000 Hz"

# A bad row late in the file: the events before it are written, the summary lists the error.
printf 't,belly\n%b6.00,oops\n' "$GOOD" >"$TMP/partial.csv"
"$BELLOWS" analyze "$TMP/partial.csv" --events "$TMP/pev.csv" --summary "$TMP/psum.json" \
    >/dev/null 2>&1 && fail "partial.csv analyzed without error"
[ "$(head -n 1 "$TMP/pev.csv")" = "t,kind,t_detect,ti,te,depth,rate_bpm,ie_ratio" ] ||
    fail "no events file for partial.csv"
grep -q '"ok": false' "$TMP/psum.json" || fail "summary of partial.csv says ok"
grep -qF "partial.csv:302:6: column 'belly': 'oops' is not a number" "$TMP/psum.json" ||
    fail "summary lacks the error: $(cat "$TMP/psum.json")"

# Output that cannot be written.
"$BELLOWS" simulate --out "$TMP/ok.csv" --duration 30 >/dev/null || fail "simulate"
expect 1 "$TMP/nodir/ev.csv: cannot create" \
    "$BELLOWS" analyze "$TMP/ok.csv" --events "$TMP/nodir/ev.csv"
if [ -w /dev/full ]; then
    expect 1 "/dev/full: cannot write: No space left on device" \
        "$BELLOWS" analyze "$TMP/ok.csv" --events /dev/full
    expect 1 "/dev/full: cannot write: No space left on device" \
        "$BELLOWS" analyze "$TMP/ok.csv" --events "$TMP/e.csv" --summary /dev/full
    expect 1 "/dev/full: cannot write: No space left on device" \
        "$BELLOWS" simulate --out /dev/full --duration 30
fi

# Bad command lines: exit 2, one line naming the flag and pointing at --help.
expect 2 "unknown option '--bogus' (see 'bellows analyze --help')" \
    "$BELLOWS" analyze "$TMP/ok.csv" --events "$TMP/e.csv" --bogus
expect 2 "--events OUT.csv is required" "$BELLOWS" analyze "$TMP/ok.csv"
expect 2 "--events needs a value" "$BELLOWS" analyze "$TMP/ok.csv" --events
expect 2 "give one REC.csv" "$BELLOWS" analyze --events "$TMP/e.csv"
expect 2 "unexpected argument" "$BELLOWS" analyze "$TMP/ok.csv" "$TMP/ok.csv" --events "$TMP/e.csv"
expect 2 "--channel: 'nope' is not a channel of $TMP/ok.csv (it has: belly)" \
    "$BELLOWS" analyze "$TMP/ok.csv" --events "$TMP/e.csv" --channel nope
expect 2 "--invert takes no value" "$BELLOWS" analyze "$TMP/ok.csv" --events "$TMP/e.csv" --invert=1
expect 2 "--duration: 'abc' is not a number" "$BELLOWS" demo --duration abc
expect 2 "--rate: 99 is out of range" "$BELLOWS" demo --rate 99
expect 2 "--seed: '-3' is not a whole number" "$BELLOWS" demo --seed -3
expect 2 "unknown option '--fats' (see 'bellows demo --help')" "$BELLOWS" demo --fats
expect 2 "--out REC.csv is required" "$BELLOWS" simulate --duration 10
expect 2 "--duration S is required" "$BELLOWS" simulate --out "$TMP/x.csv"
expect 2 "--fs: 2 is out of range" "$BELLOWS" simulate --out "$TMP/x.csv" --duration 10 --fs 2
expect 2 "--script:" "$BELLOWS" simulate --out "$TMP/x.csv" --duration 10 --script 'nonsense@5'
expect 2 "--pacer: 'adaptive' is not one of" "$BELLOWS" simulate --out "$TMP/x.csv" --duration 10 \
    --pacer adaptive
expect 2 "unknown command 'frobnicate'" "$BELLOWS" frobnicate
expect 2 "unknown option '--frobnicate'" "$BELLOWS" --frobnicate

# Every error above is one line.
"$BELLOWS" analyze "$TMP/ok.csv" --bogus 2>"$TMP/err1" >/dev/null
[ "$(wc -l <"$TMP/err1")" -eq 1 ] || fail "usage error is not one line"

# Help and version.
for c in analyze demo simulate version; do
    "$BELLOWS" $c --help >"$TMP/help" 2>&1 || fail "$c --help exit $?"
    grep -q "usage: bellows $c" "$TMP/help" || fail "$c --help: $(cat "$TMP/help")"
done
"$BELLOWS" help >"$TMP/help" || fail "help"
for c in analyze demo simulate; do
    grep -q "$c" "$TMP/help" || fail "help lacks $c"
done
"$BELLOWS" version | grep -Eq '^bellows [0-9]+\.[0-9]+' || fail "version"
echo "ok"
