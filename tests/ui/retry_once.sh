#!/bin/sh
# retry_once.sh CMD ARGS... - run a test, and once more if it fails, printing both runs.
# For test_audio_file only: ALSA's file plugin consumes audio unpaced (TESTING.md),
# so the whole 8.7 s of audio is made in about 40 ms while the test thread polls the
# stream's frame counter to place its cue requests; a scheduling hiccup then can
# misplace a request. A failure that repeats is still a failure.
# SPDX-License-Identifier: MIT
if "$@"; then
    exit 0
fi
echo "retry_once: first run failed; running once more" >&2
exec "$@"
