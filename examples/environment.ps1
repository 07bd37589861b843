# Import the module built by `./build.ps1 module` and report libtorch, CUDA and ONNX Runtime.
Import-Module (Join-Path $PSScriptRoot '..' 'out' 'LoraPS' 'LoraPS.psd1')
$environment = Get-LoraEnvironment
$environment | Format-List
if (-not $environment.CudaAvailable) {
    Write-Host 'No CUDA device: training will run on the CPU. Set LORAPS_LIBTORCH to a CUDA libtorch to use the GPU.'
}
