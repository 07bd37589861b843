@echo off
rem Report what LoraPS runs on, with the loraps command line built by build.ps1 module.
dotnet "%~dp0..\out\cli\loraps.dll" env
pause
