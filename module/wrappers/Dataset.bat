@echo off
rem Drop a dataset config (.toml) or a training folder (img\ with <repeats>_<tokens> folders): shows the plan.
set "LORAPS_INPUT=%~1"
call "%~dp0_run.bat" "Get-LoraDataset -Path $env:LORAPS_INPUT -Epochs 10 | Format-List *; (Get-LoraDataset -Path $env:LORAPS_INPUT).Buckets | Format-Table" "%~1"
