@echo off
rem Drop a CharFramework top folder (e.g. 4_krnk): writes its tag files and <folder>.toml, then shows the plan.
set "LORAPS_INPUT=%~1"
call "%~dp0_run.bat" "New-LoraDataset -Path $env:LORAPS_INPUT -CharFramework -WriteTags | Format-List *" "%~1"
