using System.Management.Automation;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">CharFramework's CompressLoRA: resizes each LoRA that comes down the pipeline dynamically by singular-value ratio (default 16, rank cap 128, fp16) to &lt;name&gt;-SvR16.safetensors, reporting the size before and after.</para>
/// </summary>
[Cmdlet(VerbsData.Compress, "Lora", SupportsShouldProcess = true)]
[OutputType(typeof(LoraModel), typeof(ModuleResizeReport))]
public sealed class CompressLoraCommand : LoraToolCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter] [ValidateRange(1.0, 1e9)] public double SvRatio { get; set; } = 16;
    [Parameter] [ValidateRange(1, 4096)] public int MaxRank { get; set; } = 128;
    [Parameter] public LoraPrecision Precision { get; set; } = LoraPrecision.FP16;
    [Parameter] public string? OutputPath { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }
    [Parameter] public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        if (OutputPath != null && Path.Length > 1) ThrowTerminatingError(ErrorFor(new ArgumentException("-OutputPath needs a single input"), OutputPath));
        foreach (string p in Path)
        {
            string full = GetUnresolvedProviderPathFromPSPath(p);
            RunResize(full, new ResizeLoraOptions
            {
                Path = full, OutputPath = OutputPath is null ? null : GetUnresolvedProviderPathFromPSPath(OutputPath),
                Rank = MaxRank, ConvRank = MaxRank, Method = ResizeMethod.SvRatio, Parameter = SvRatio, Precision = Precision, Force = Force,
            }, Detailed);
        }
    }
}
