@echo off
rem Shared by the drag-and-drop wrappers: runs one LoraPS command in PowerShell 7 with the module
rem that sits beside this folder. %1 = the PowerShell command; %2 = the dropped file or folder.
setlocal
set "LORAPS_MODULE=%~dp0..\LoraPS.psd1"
where pwsh >nul 2>nul || (echo PowerShell 7 ^(pwsh^) is required: https://aka.ms/powershell & pause & exit /b 1)
pwsh -NoProfile -ExecutionPolicy Bypass -Command "Import-Module $env:LORAPS_MODULE; %~1"
echo.
pause
