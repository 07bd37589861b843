@echo off
rem Drop a folder of training images on this file: numbers them "prefix (1).png", "prefix (2).png" ...
rem with their .txt/.caption/.npz/.json sidecars. Asks for the prefix (empty = the folder's name).
rem If a previous run was interrupted, dropping the folder again finishes it.
if "%~1"=="" (echo Drop a folder of training images on this file. & pause & exit /b 1)
set "LORAPS_DROPPED=%~1"
set "LORAPS_PREFIX="
set /p "LORAPS_PREFIX=Prefix (empty = folder name): "
call "%~dp0_run.bat" "if ($env:LORAPS_PREFIX) { Rename-TrainingImages -LiteralPath $env:LORAPS_DROPPED -Prefix $env:LORAPS_PREFIX } else { Rename-TrainingImages -LiteralPath $env:LORAPS_DROPPED } | Format-Table"
