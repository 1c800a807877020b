#!/bin/sh
# deps.sh - install every Debian 12 package bellows needs to build, run and test.
# One list, used by the README and by CI. Run it as root (a fresh Debian 12
# container has no sudo) or as a user with sudo: it raises itself with sudo only
# when it is not root.
set -eu
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps.sh: installing packages needs root: run it as root, or install sudo" >&2
        exit 1
    fi
    exec sudo sh "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# build tools and the core (kissfft), unit tests (cmocka), fuzzing and format (clang)
# accuracy and EDF read-back scripts (python3: numpy, pandas, MNE)
# live belt (libserialport; socat for the pty tests), window and tones (SDL2,
# SDL2_ttf, PortAudio, ALSA; Xvfb and xdotool for the window benchmark and keys), session
# store (SQLite); the tones measured (sox) and heard on a paced clock (JACK's dummy
# backend, jack_capture)
# firmware (avr-gcc) and running it without a board (simavr), report render and print
# check (Chromium, poppler-utils)
# the installed tree's checks (man-db and groff for the man pages, xmllint for the icon)
apt-get install -y -q --no-install-recommends \
    build-essential cmake pkg-config git ca-certificates time \
    libkissfft-dev libcmocka-dev clang libclang-rt-14-dev clang-format-16 \
    python3 python3-numpy python3-pandas python3-mne \
    libserialport-dev socat \
    libsdl2-dev libsdl2-ttf-dev portaudio19-dev libasound2-dev xvfb xauth xdotool \
    libsqlite3-dev sox jackd2 jack-capture \
    gcc-avr binutils-avr avr-libc libsimavr-dev libsimavrparts1 libelf-dev \
    chromium poppler-utils \
    man-db libxml2-utils
