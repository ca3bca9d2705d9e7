#!/usr/bin/env bash
# Publishes the `farm` CLI as users run it into out/farm/ and prints the binary's path: Release, self-contained, one
# composite ReadyToRun image of the app and the .NET runtime, tiered compilation off. With the runtime inside the
# image, generic code of the runtime instantiated over the app's types (async state machines, collections, Orleans'
# codecs) is compiled ahead of time too, and nothing hot is compiled again at run time, so a render's cores go to
# inference rather than the JIT (measured in docs/decisions.md). The first publish takes a few minutes longer than a
# framework-dependent one; later ones are incremental.
# Usage: tools/publish-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rid=$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')
dotnet publish src/VideoDiffusion.Farm.Cli -c Release -r "$rid" --self-contained true -p:PublishReadyToRun=true \
  -p:PublishReadyToRunComposite=true -p:TieredCompilation=false -o out/farm -v quiet -nologo >&2
echo "$PWD/out/farm/farm"
