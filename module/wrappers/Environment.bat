@echo off
rem Double-click: shows what LoraPS runs on (libtorch, CUDA devices, ONNX Runtime).
call "%~dp0_run.bat" "Get-LoraEnvironment | Format-List"
