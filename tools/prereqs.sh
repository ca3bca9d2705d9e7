#!/usr/bin/env bash
# Installs what the demo (ffmpeg) or the tests (ffmpeg + the model kit's Python packages) need, when missing.
# Usage: tools/prereqs.sh demo|test
set -euo pipefail
want=(ffmpeg)
if [[ "${1:-demo}" == "test" ]]; then
  want+=(python3-torch python3-onnx python3-numpy python3-matplotlib)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "the .NET SDK is required (dotnet on PATH)"; exit 1; }
