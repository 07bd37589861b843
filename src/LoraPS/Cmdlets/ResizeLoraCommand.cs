using System.Management.Automation;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Resizes LoRAs to a fixed rank or dynamically (-SvRatio, -SvFro, -SvCumulative, as sd-scripts' resize_lora.py), from the exact SVD of each module's factors. Emits the new LoraModel; -Detailed also emits one report per module.</para>
/// </summary>
[Cmdlet(VerbsCommon.Resize, "Lora", SupportsShouldProcess = true, DefaultParameterSetName = "Fixed")]
[OutputType(typeof(LoraModel), typeof(ModuleResizeReport))]
public sealed class ResizeLoraCommand : LoraToolCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>The new rank, and the cap of the dynamic methods (default 4; sd-scripts --new_rank).</summary>
    [Parameter] [ValidateRange(1, 4096)] public int Rank { get; set; } = 4;

    /// <summary>Rank (cap) of conv modules; default = Rank.</summary>
    [Parameter] [ValidateRange(1, 4096)] public int ConvRank { get; set; }

    [Parameter(ParameterSetName = "SvRatio", Mandatory = true)] [ValidateRange(1.0, 1e9)] public double SvRatio { get; set; }
    [Parameter(ParameterSetName = "SvFro", Mandatory = true)] [ValidateRange(1e-6, 1.0)] public double SvFro { get; set; }
    [Parameter(ParameterSetName = "SvCumulative", Mandatory = true)] [ValidateRange(1e-6, 1.0)] public double SvCumulative { get; set; }

    /// <summary>Output precision (default: the input's).</summary>
    [Parameter] public LoraPrecision? Precision { get; set; }

    /// <summary>Output file (one input only); default &lt;stem&gt;-&lt;r16|SvR16|…&gt;.safetensors beside the input.</summary>
    [Parameter] public string? OutputPath { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }

    /// <summary>Also emit a ModuleResizeReport per module.</summary>
    [Parameter] public SwitchParameter Detailed { get; set; }

    protected override void ProcessRecord()
    {
        if (OutputPath != null && Path.Length > 1) ThrowTerminatingError(ErrorFor(new ArgumentException("-OutputPath needs a single input"), OutputPath));
        var (method, param) = ParameterSetName switch
        {
            "SvRatio" => (ResizeMethod.SvRatio, SvRatio),
            "SvFro" => (ResizeMethod.SvFro, SvFro),
            "SvCumulative" => (ResizeMethod.SvCumulative, SvCumulative),
            _ => (ResizeMethod.Fixed, 0.0),
        };
        foreach (string p in Path)
        {
            string full = GetUnresolvedProviderPathFromPSPath(p);
            var options = new ResizeLoraOptions
            {
                Path = full, OutputPath = OutputPath is null ? null : GetUnresolvedProviderPathFromPSPath(OutputPath),
                Rank = Rank, ConvRank = ConvRank > 0 ? ConvRank : null, Method = method, Parameter = param,
                Precision = Precision, Force = Force,
            };
            RunResize(full, options, Detailed);
        }
    }
}
