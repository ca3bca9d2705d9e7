#!/usr/bin/env bash
# Farm overhead at the CLI's defaults: `farm render` with --engine farm against --engine reference, alternating (see
# tools/bench-ab.sh for what is printed). A benchmark, not a test: run it on a quiet machine.
# Usage: tools/bench-overhead.sh [runs] [render arguments...]
#   tools/bench-overhead.sh 5 "a yellow dog walking right on the moon" --seconds 60 --seed 9
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
args=("$@")
if [[ ${#args[@]} -eq 0 ]]; then
  args=("a yellow dog walking right on the moon" --seconds 60 --seed 9)
fi
exec bash tools/bench-ab.sh "$runs" "farm=--engine farm" "reference=--engine reference" -- "${args[@]}"
