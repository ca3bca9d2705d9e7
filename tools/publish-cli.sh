#!/usr/bin/env bash
# Publishes the `farm` CLI as users run it: Release, ReadyToRun (Orleans and the rest compiled ahead of time, so a
# render does not spend its first seconds in the JIT), framework-dependent, into out/farm/. Prints the binary's path.
# Usage: tools/publish-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rid=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
dotnet publish src/VideoDiffusion.Farm.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o out/farm -v quiet -nologo >&2
echo "$PWD/out/farm/farm"
