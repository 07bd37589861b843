@echo off
rem Drop a folder of pictures here: tags every picture (sub-folders too) with the default WD14 tagger
rem (downloaded once into the Hugging Face cache) and writes a .txt caption beside each one that has none yet.
if "%~1"=="" (echo Drop a folder of pictures onto Tag.bat. & pause & exit /b 1)
rem Passed through the environment so that spaces, quotes and non-ASCII names survive intact.
set "LORAPS_DROPPED=%~1"
call "%~dp0_run.bat" "Invoke-WD14Tagger -Path $env:LORAPS_DROPPED -Recurse -Mode Skip -ExcludeTag 1girl,2boys | Select-Object -Last 1 | Format-List"
