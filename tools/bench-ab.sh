#!/usr/bin/env bash
# Times two `farm render` variants against each other, alternating A and B, and prints every run, the medians of wall
# time, CPU time and peak RSS, A / B, and whether the two variants wrote the same bytes. It runs the CLI as users get it
# (tools/publish-cli.sh: self-contained composite ReadyToRun, in out/farm/). A benchmark, not a test: run it on a quiet
# machine. Each variant is LABEL=ARGS (ARGS split on spaces; leading NAME=VALUE words set environment variables, e.g.
# Farm__Timing__BalancePeriod=00:00:01); arguments after -- go to every run.
# Usage: tools/bench-ab.sh RUNS "LABEL=ARGS" "LABEL=ARGS" [-- render arguments...]
#   tools/bench-ab.sh 3 "2x1=--silos 2 --threads 1" "1x1=--silos 1 --threads 1" -- "a yellow dog walking right on the moon" --seconds 60 --seed 9
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -lt 3 ]]; then
  sed -n 2,8p "$0" >&2
  exit 2
fi
runs=$1
variants=("$2" "$3")
shift 3
[[ ${1:-} == -- ]] && shift
args=("$@")
farm=$(bash tools/publish-cli.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 "$runs"); do
  for variant in "${variants[@]}"; do
    label=${variant%%=*}
    read -r -a words <<<"${variant#*=}"
    environment=()
    while [[ ${#words[@]} -gt 0 && ${words[0]} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
      environment+=("${words[0]}")
      words=("${words[@]:1}")
    done
    extra=("${words[@]}")
    /usr/bin/time -o "$work/time" -f "%e %U %S %M" env "${environment[@]}" "$farm" render "${args[@]}" "${extra[@]}" --out "$work/$label.mp4" >/dev/null 2>"$work/log" \
      || { cat "$work/log" >&2; exit 1; }
    read -r wall user sys rss <"$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    md5sum <"$work/$label.mp4" | cut -c1-32 >>"$work/$label.md5"
    echo "$label $i wall ${wall}s cpu ${cpu}s peak RSS $((rss / 1024)) MB"
    echo "$label $wall $cpu $((rss / 1024))" >>"$work/runs"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
a=${variants[0]%%=*}
b=${variants[1]%%=*}
for column in 2 3 4; do
  what=$(case $column in 2) echo "wall s" ;; 3) echo "cpu s" ;; 4) echo "peak RSS MB" ;; esac)
  x=$(awk -v c=$column -v l="$a" '$1 == l { print $c }' "$work/runs" | median)
  y=$(awk -v c=$column -v l="$b" '$1 == l { print $c }' "$work/runs" | median)
  echo "median $what: $a $x, $b $y, $a / $b $(awk -v x="$x" -v y="$y" 'BEGIN { printf "%.3f", x / y }')"
done
if [[ $(sort -u "$work/$a.md5" "$work/$b.md5" | wc -l) -eq 1 ]]; then
  echo "outputs: identical bytes in every run"
else
  echo "outputs: differ between runs or variants"
fi
