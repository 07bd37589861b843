@{
    # The LoraPS module: Stable Diffusion LoRA work as PowerShell cmdlets, without Python.
    RootModule           = 'LoraPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1d8a52-3c4e-4f0b-9a57-2d7c1e9b4a10'
    Author               = 'LoraPS contributors'
    CompanyName          = 'LoraPS'
    Copyright            = '(c) 2026 LoraPS contributors. MIT License.'
    Description          = 'Rename, tag, lay out, train, merge, resize and compress Stable Diffusion LoRAs as one pipeline of typed objects, on libtorch and ONNX Runtime, with no Python.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('LoraPS.format.ps1xml')

    # Listed one by one: a cmdlet is exported only when it works (the reflection tests check this list
    # against the cmdlets LoraPS.dll defines).
    CmdletsToExport      = @(
        'Get-LoraEnvironment'
        'Rename-TrainingImages'
        'Get-LoraModel'
        'Resize-Lora'
        'Compress-Lora'
        'Merge-Lora'
        'Export-LoraDifference'
        'Invoke-WD14Tagger'
        'New-LoraDataset'
        'Get-LoraDataset'
        'New-LoraPreview'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    PrivateData          = @{
        PSData = @{
            Tags       = @('StableDiffusion', 'LoRA', 'kohya', 'WD14', 'libtorch', 'ONNX')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
