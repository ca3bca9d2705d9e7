#!/usr/bin/env bash
# Farm overhead at the CLI's defaults: times `farm render` with --engine farm and --engine reference, alternating, and
# prints every run, the medians and farm / reference (wall and CPU time). A benchmark, not a test: run it on a quiet
# machine. Usage: tools/bench-overhead.sh [runs] [render arguments...]
#   tools/bench-overhead.sh 5 "a yellow dog walking right on the moon" --seconds 60 --seed 9
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
args=("$@")
if [[ ${#args[@]} -eq 0 ]]; then
  args=("a yellow dog walking right on the moon" --seconds 60 --seed 9)
fi
dotnet build src/VideoDiffusion.Farm.Cli -c Release -nologo -v quiet >/dev/null
farm=src/VideoDiffusion.Farm.Cli/bin/Release/net10.0/farm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  for engine in farm reference; do
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$farm" render "${args[@]}" --engine "$engine" --out "$work/$engine.mp4" >/dev/null 2>"$work/log" \
      || { cat "$work/log" >&2; exit 1; }
    read -r wall user sys <"$work/time"
    echo "$engine $i wall ${wall}s cpu $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')s"
    echo "$engine $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" >>"$work/runs"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for column in 2 3; do
  what=$([[ $column == 2 ]] && echo wall || echo cpu)
  f=$(awk -v c=$column '$1 == "farm" { print $c }' "$work/runs" | median)
  r=$(awk -v c=$column '$1 == "reference" { print $c }' "$work/runs" | median)
  echo "median $what: farm ${f}s, reference ${r}s, farm / reference $(awk -v f="$f" -v r="$r" 'BEGIN { printf "%.3f", f / r }')"
done
