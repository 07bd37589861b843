@echo off
rem Drop one or more LoRA files here: asks for the base checkpoint and a prompt, then draws each LoRA
rem at strengths 0, 0.2 ... 1 with one seed, and writes the pictures and a labelled grid to a
rem "preview" folder beside the first LoRA. Existing pictures are never replaced.
setlocal EnableDelayedExpansion
if "%~1"=="" (echo Drop LoRA .safetensors files on this file. & pause & exit /b 1)
set "FILES="
for %%f in (%*) do set "FILES=!FILES!,'%%~f'"
set "LORAPS_OUT=%~dp1preview"
set "LORAPS_CHECKPOINT="
set /p "LORAPS_CHECKPOINT=Base checkpoint (.safetensors): "
rem Explorer's "Copy as path" adds quotes; drop them.
set "LORAPS_CHECKPOINT=!LORAPS_CHECKPOINT:"=!"
set "LORAPS_PROMPT="
set /p "LORAPS_PROMPT=Prompt: "
call "%~dp0_run.bat" "@(!FILES:~1!) | New-LoraPreview -Checkpoint $env:LORAPS_CHECKPOINT -Prompt $env:LORAPS_PROMPT -OutputFolder $env:LORAPS_OUT | Format-Table"
