#!/bin/sh
# deb.sh - build the bellows .deb, install it with apt-get as a user of Debian would, run the
# installed program (version, analyze of a simulated recording, a terminal demo, its man
# page), then remove it. Run as root (CI is), from the top of the source tree.
# Usage: sh .ci/deb.sh [BUILD_DIR]   (default build-ci-deb)
# SPDX-License-Identifier: MIT
set -eu
build=${1:-build-ci-deb}
jobs=$(nproc)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBELLOWS_WERROR=ON -DBUILD_TESTING=OFF
cmake --build "$build" -j"$jobs"
rm -f "$build"/bellows_*.deb
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/bellows_*.deb)
echo "deb.sh: $deb, $(stat -c %s "$deb") bytes"
dpkg-deb -f "$deb" Package Version Architecture Depends

tmp=$(mktemp -d)
cleanup() {
    apt-get purge -y -q bellows >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
case $deb in /*) ;; *) deb=./$deb ;; esac
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb"
b=/usr/bin/bellows
dpkg -L bellows | grep -qx "$b" || { echo "deb.sh: the package has no $b" >&2; exit 1; }
echo "deb.sh: installed size $(dpkg-query -W -f='${Installed-Size}' bellows) KiB"
set -x
"$b" --version
"$b" simulate --out "$tmp/rec.csv" --duration 120 --seed 7 --chest
"$b" analyze "$tmp/rec.csv" --events "$tmp/ev.csv" --summary "$tmp/sum.json"
grep -q '"ok": true' "$tmp/sum.json"
env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER "$b" demo --no-window --no-audio --duration 5
man -w bellows-analyze
set +x
apt-get purge -y -q bellows
[ ! -e "$b" ] || { echo "deb.sh: $b is still there after purge" >&2; exit 1; }
echo "deb.sh: installed, ran and removed $deb"
