using System.Management.Automation;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Extracts a LoRA from the difference of two checkpoints (-Base, -Tuned): per adapted layer the SVD of W_tuned − W_base to -Rank/-ConvRank, factors clamped at a quantile; the text encoder only where it differs by more than -MinDiff (sd-scripts' extract_lora_from_models.py).</para>
/// </summary>
[Cmdlet(VerbsData.Export, "LoraDifference", SupportsShouldProcess = true)]
[OutputType(typeof(LoraModel))]
public sealed class ExportLoraDifferenceCommand : LoraToolCmdlet
{
    [Parameter(Mandatory = true, Position = 0)] public string Base { get; set; } = "";

    /// <summary>The fine-tuned checkpoint; binds a Checkpoint object's Path from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Path", "FullName")]
    public string Tuned { get; set; } = "";

    [Parameter(Mandatory = true)] public string OutputPath { get; set; } = "";
    [Parameter] [ValidateRange(1, 4096)] public int Rank { get; set; } = 4;
    [Parameter] [ValidateRange(1, 4096)] public int ConvRank { get; set; }
    [Parameter] [ValidateRange(0.5, 1.0)] public double ClampQuantile { get; set; } = 0.99;
    [Parameter] public double MinDiff { get; set; } = 0.01;
    [Parameter] public LoraPrecision Precision { get; set; } = LoraPrecision.Float;
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string output = GetUnresolvedProviderPathFromPSPath(OutputPath);
        try
        {
            if (!ShouldProcess(output, $"Extract a rank-{Rank} LoRA from {System.IO.Path.GetFileName(Tuned)} − {System.IO.Path.GetFileName(Base)}")) return;
            var result = ExtractLoraWorkflow.Run(new ExtractLoraOptions
            {
                BaseModel = GetUnresolvedProviderPathFromPSPath(Base), TunedModel = GetUnresolvedProviderPathFromPSPath(Tuned), OutputPath = output,
                Rank = Rank, ConvRank = ConvRank > 0 ? ConvRank : null, ClampQuantile = ClampQuantile, MinDiff = MinDiff, Precision = Precision, Force = Force,
            }, ProgressSink(), Cancellation);
            CompleteProgress("Extracting LoRA");
            if (result.TextEncoderSkipped) WriteVerbose("Text encoder is the same: U-Net only.");
            WriteObject(result.Lora);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteNonTerminating(e, output);
        }
    }
}
