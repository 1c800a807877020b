#!/bin/sh
# regenerate.sh - remake the golden events (and, with --recording, the recording) on purpose.
#
# Usage: sh tests/data/golden/regenerate.sh BELLOWS [--recording]
#   BELLOWS      the built binary, e.g. build/src/bellows
#   --recording  also remake sim_small.csv with `bellows simulate` (normally kept as is,
#                so a simulator change does not move the golden input)
# Run it only when the pipeline changed on purpose, and review the diff of the events.
# SPDX-License-Identifier: MIT
set -eu
BELLOWS=$1
DIR=$(cd "$(dirname "$0")" && pwd)

if [ "${2:-}" = "--recording" ]; then
    # 90 s at 25 Hz, belly and chest, with a hold-in, a breath hold and a posture shift.
    "$BELLOWS" simulate --out "$DIR/sim_small.csv" --duration 90 --fs 25 --seed 42 --chest \
        --script 'holdin@30+15:1.5,hold@55+10,posture@75:-1'
    # 75 s at 25 Hz, belly and chest, a belt as people handle it: put on (zeros, a level
    # settling from 5 depths away), re-tightened, unplugged for 4 s.
    "$BELLOWS" simulate --out "$DIR/sim_handling.csv" --duration 75 --fs 25 --seed 43 --chest \
        --script 'startup@0+6:5,retighten@30:3,unplug@45+4'
fi
for rec in "$DIR"/*.csv; do
    case $rec in
    *.events.csv) continue ;;
    esac
    "$BELLOWS" analyze "$rec" --events "${rec%.csv}.events.csv" --quiet
    echo "regenerated ${rec%.csv}.events.csv"
done
