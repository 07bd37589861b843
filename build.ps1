#!/usr/bin/env pwsh
# Door to the one build logic (build/LoraPS.Build). Usage: ./build.ps1 <target> [args]; ./build.ps1 help
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    throw 'build.ps1: the .NET SDK (8 or later) is needed: https://dot.net/download'
}
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:DOTNET_NOLOGO = '1'
dotnet build build/LoraPS.Build/LoraPS.Build.csproj -c Release -nologo -v quiet -o artifacts/build-tool | Out-Null
if ($LASTEXITCODE -ne 0) {
    dotnet build build/LoraPS.Build/LoraPS.Build.csproj -c Release -nologo -o artifacts/build-tool
    exit $LASTEXITCODE
}
dotnet artifacts/build-tool/loraps-build.dll @args
exit $LASTEXITCODE
