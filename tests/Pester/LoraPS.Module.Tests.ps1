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
