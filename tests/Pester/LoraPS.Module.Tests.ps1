# Pester 5 tests of the built module (out/LoraPS, made by `./build.sh module`, which `./build.sh test` runs first
# when pwsh is present). They check what the reflection tests cannot: that PowerShell really imports and runs it.
BeforeAll {
    $manifest = Join-Path $PSScriptRoot '..' '..' 'out' 'LoraPS' 'LoraPS.psd1'
    Import-Module $manifest -Force
}

Describe 'LoraPS module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $data = Import-PowerShellDataFile $manifest
        $exported = (Get-Command -Module LoraPS -CommandType Cmdlet).Name | Sort-Object
        $exported | Should -Be ($data.CmdletsToExport | Sort-Object)
    }

    It 'declares an output type on every cmdlet' {
        foreach ($command in Get-Command -Module LoraPS -CommandType Cmdlet) {
            $command.OutputType.Count | Should -BeGreaterThan 0 -Because "$($command.Name) must declare [OutputType]"
        }
    }
}

Describe 'Get-LoraEnvironment' {
    It 'reports libtorch and a correct computation through the shim' {
        $environment = Get-LoraEnvironment -WarningAction SilentlyContinue
        $environment.LibTorchAvailable | Should -BeTrue
        $environment.LibTorchVersion | Should -Match '^\d+\.\d+'
        $environment.EngineSelfTest | Should -Match '\(correct\)$'
    }

    It 'sets the thread count it was given' {
        (Get-LoraEnvironment -Threads 1 -WarningAction SilentlyContinue).TorchThreads | Should -Be 1
    }
}

BeforeDiscovery {
    $shared = Join-Path $PSScriptRoot '..' '..' '..' 'shared'
    $script:HaveReferenceModels = Test-Path (Join-Path $shared 'reference-data' 'models' 'tiny-sd1-1234.safetensors')
}

Describe 'New-LoraPreview' {
    BeforeAll {
        $shared = Join-Path $PSScriptRoot '..' '..' '..' 'shared'
        $models = Join-Path $shared 'reference-data' 'models'
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $TestDrive 'what if'
        New-LoraPreview -Checkpoint (Join-Path $TestDrive 'none.safetensors') -Prompt 'a cat' -OutputFolder $out -WhatIf
        Test-Path $out | Should -BeFalse
    }

    It 'draws the base model and a grid from the tiny reference checkpoint' -Skip:(-not $HaveReferenceModels) {
        $out = Join-Path $TestDrive 'drawn'
        $images = New-LoraPreview -Checkpoint (Join-Path $models 'tiny-sd1-1234.safetensors') -ModelConfig (Join-Path $models 'tiny-sd1-1234.json') `
            -Tokenizer (Join-Path $shared 'data' 'bpe_simple_vocab_16e6.txt.gz') -Prompt 'a cat' -Seed 1 -Steps 2 -Width 64 -Height 64 `
            -OutputFolder $out -Offline
        $images.Count | Should -Be 2
        $images[1].IsGrid | Should -BeTrue
        foreach ($image in $images) { Test-Path $image.Path | Should -BeTrue }
    }
}
