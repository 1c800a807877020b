#!/bin/sh
# serial_summary.sh - once a session on a belt ends, the belt is free and the session is
# stored as it ended while its summary waits for a key in the window: the therapist's
# next step, the assessment after the session (or the next client's session), can open
# the belt, and 'bellows sessions' or a report shows the session's figures. Before, the
# ended session held the port until the summary was closed, and the next one was told
# the belt was in use; and the store listed it "running", with no figures, until then.
# In a real X server (Xvfb), keys sent with xdotool; skipped (77) without xvfb-run,
# xwininfo or xdotool.
# Usage: sh serial_summary.sh BELLOWS FEEDER SHIM SOCAT
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/serial_lib.sh"
for tool in xvfb-run xwininfo xdotool; do
    command -v "$tool" >/dev/null || {
        echo "SKIP: $tool not installed"
        exit 77
    }
done
XVFB_LIB=$(cd "$(dirname "$0")/../ui" && pwd)/xvfb_lib.sh
"$BELLOWS" simulate --out "$TMP/rec.csv" --duration 240 --chest || fail "simulate"
start_socat
"$FEEDER" "$LINK_B" "$TMP/rec.csv" --speed 4 2>"$TMP/feeder.err" &
PIDS="$PIDS $!"
cat >"$TMP/inner.sh" <<'INNER'
#!/bin/sh
XVFB_INNER=1
. "$XVFB_LIB"
# The X11 path loads libdbus, which keeps an allocation LeakSanitizer reports in
# sanitized builds: not ours, so leak checking is off for the windowed session only.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" LD_PRELOAD="$SHIM" "$BELLOWS" run \
    --port "$LINK_A" --belt-speed 4 --duration 200 --no-audio >"$TMP/run.out" 2>&1 \
    </dev/null &
pid=$!
id=$(bellows_window)
sleep 5
xdotool windowfocus --sync "$id" key q
sleep 2 # the summary on screen, waiting for a key
LD_PRELOAD="$SHIM" "$BELLOWS" ports --timeout 2000 "$LINK_A" >"$TMP/ports.out" 2>&1
"$BELLOWS" sessions >"$TMP/sessions.out" 2>&1
kill -0 $pid 2>/dev/null && echo "the summary is still shown" >"$TMP/alive"
xdotool windowfocus --sync "$id" key space
wait $pid
echo "exit $?" >>"$TMP/run.out"
INNER
export BELLOWS SHIM LINK_A TMP XVFB_LIB
timeout 50 xvfb-run -a -s "-screen 0 1280x800x24" sh "$TMP/inner.sh" ||
    fail "xvfb-run: $(tail -n 5 "$TMP/run.out")"
grep -q '^exit 0$' "$TMP/run.out" || fail "the session did not end cleanly: $(tail -n 5 "$TMP/run.out")"
[ -f "$TMP/alive" ] || fail "the summary was not waiting for a key when the belt was asked"
grep -q "^$LINK_A *belt: bellows-belt firmware test-1, 50 Hz" "$TMP/ports.out" ||
    fail "the belt was not free while the summary showed: $(cat "$TMP/ports.out")"
# Stopped by q before its --duration: stored incomplete, with its breaths counted.
grep -Eq '^ +1 +[0-9-]+ [0-9:]+ +[0-9.]+ +[1-9][0-9]* .* incomplete ' "$TMP/sessions.out" ||
    fail "the session was not stored as it ended while the summary showed: $(cat "$TMP/sessions.out")"
echo ok
