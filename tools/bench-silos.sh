#!/usr/bin/env bash
# Real-model parallelism on this machine: `farm render --silos 2 --threads 1` against `--silos 1 --threads 1`,
# alternating (see tools/bench-ab.sh for what is printed; 2x1 / 1x1 of wall time is the inverse of the speed-up).
# A benchmark, not a test: run it on a quiet machine. Usage: tools/bench-silos.sh [runs] [render arguments...]
#   tools/bench-silos.sh 3 "a yellow dog walking right on the moon" --seconds 60 --seed 9
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
args=("$@")
if [[ ${#args[@]} -eq 0 ]]; then
  args=("a yellow dog walking right on the moon" --seconds 60 --seed 9)
fi
exec bash tools/bench-ab.sh "$runs" "2x1=--silos 2 --threads 1" "1x1=--silos 1 --threads 1" -- "${args[@]}"
