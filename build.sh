#!/usr/bin/env bash
# Door to the one build logic (build/LoraPS.Build). Usage: ./build.sh <target> [args]; ./build.sh help
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (8 or later) is needed: https://dot.net/download (Debian: packages.microsoft.com)" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build build/LoraPS.Build/LoraPS.Build.csproj -c Release -nologo -v quiet -o artifacts/build-tool >/dev/null \
  || dotnet build build/LoraPS.Build/LoraPS.Build.csproj -c Release -nologo -o artifacts/build-tool
exec dotnet artifacts/build-tool/loraps-build.dll "$@"
