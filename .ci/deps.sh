#!/bin/sh
# deps.sh - install every Debian 12 package bellows needs to build, run and test.
# Run as root (or with sudo). One list, used by the README and by CI.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
    build-essential cmake pkg-config git ca-certificates \
    libkissfft-dev libcmocka-dev \
    clang libclang-rt-14-dev clang-format-16 \
    python3 python3-numpy python3-pandas time \
    gcc-avr binutils-avr avr-libc libsimavr-dev libsimavrparts1 libelf-dev
