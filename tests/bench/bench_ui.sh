#!/bin/sh
# bench_ui.sh - run bench_ui in a virtual X display (Xvfb, 1280x800, 24 bit).
# Usage: bench_ui.sh BENCH_UI FONT.ttf [SECONDS]
# SPDX-License-Identifier: MIT
set -eu
bench=$1
font=$2
seconds=${3:-60}
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "bench_ui.sh: xvfb-run not found (apt-get install xvfb xauth)" >&2
    exit 1
fi
# Xvfb has no GPU: SDL's own software renderer is the cheapest path there.
SDL_RENDER_DRIVER=${SDL_RENDER_DRIVER:-software}
export SDL_RENDER_DRIVER
exec xvfb-run -a -s "-screen 0 1280x800x24" "$bench" "$font" "$seconds" 10
