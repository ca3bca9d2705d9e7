#!/usr/bin/env bash
# Renders the demo video: the seed prompt, 30 s, embedded mode, built-in model -> moon.mp4.
# Extra arguments go to `farm render` (for example --seconds 10 --strategy keyframes); --seconds and --out replace
# the demo's own.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/prereqs.sh demo
bash tools/publish-cli.sh >/dev/null
if [[ $(id -u) -eq 0 && -d /usr/local/bin ]]; then
  ln -sf "$PWD/out/farm/farm" /usr/local/bin/farm
  echo "farm is installed as /usr/local/bin/farm"
else
  echo "farm is at $PWD/out/farm/farm (add out/farm to PATH)"
fi
# the demo's clip length and output file, unless the arguments give their own
seconds=(--seconds 30)
out=(--out moon.mp4)
for arg in "$@"; do
  case $arg in
    --seconds | --seconds=*) seconds=() ;;
    -o | --out | -o=* | --out=*) out=() ;;
  esac
done
out/farm/farm render "Bluey walking on the moon after coming out of the spaceship" "${seconds[@]}" "${out[@]}" "$@"
