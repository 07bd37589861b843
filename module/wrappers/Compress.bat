@echo off
rem Drop one or more LoRA files here: each is resized dynamically by singular-value ratio 16
rem (CharFramework's CompressLoRA: rank cap 128, fp16) to <name>-SvR16.safetensors beside it.
setlocal EnableDelayedExpansion
if "%~1"=="" (echo Drop LoRA .safetensors files on this file. & pause & exit /b 1)
set "FILES="
for %%f in (%*) do set "FILES=!FILES!,'%%~f'"
call "%~dp0_run.bat" "@(!FILES:~1!) | Compress-Lora -SvRatio 16 -Verbose | Format-Table"
