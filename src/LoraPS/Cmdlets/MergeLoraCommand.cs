using System.Management.Automation;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Merges LoRAs into a checkpoint (-BaseModel, .safetensors or .ckpt; safetensors out) or into one LoRA: exact rank concatenation, or SVD to -Rank/-ConvRank with ratios that may be negative; -BlockWeight takes 26/17/12/20-value vectors or presets (FACE, BODY, OUTS …).</para>
/// </summary>
[Cmdlet(VerbsData.Merge, "Lora", SupportsShouldProcess = true)]
[OutputType(typeof(Checkpoint), typeof(LoraModel))]
public sealed class MergeLoraCommand : LoraToolCmdlet
{
    private readonly List<string> _loras = new();

    /// <summary>The LoRAs; from the pipeline they are gathered and merged at the end.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>One ratio per LoRA (negative subtracts); default 1.</summary>
    [Parameter] public double[]? Ratio { get; set; }

    /// <summary>One block weight vector or preset per LoRA (or one for all).</summary>
    [Parameter] public string[]? BlockWeight { get; set; }

    /// <summary>The checkpoint to merge into; without it the LoRAs become one LoRA.</summary>
    [Parameter] public string? BaseModel { get; set; }

    [Parameter(Mandatory = true)] public string OutputPath { get; set; } = "";

    /// <summary>LoRA → LoRA by SVD to this rank (default: exact concatenation).</summary>
    [Parameter] [ValidateRange(1, 4096)] public int Rank { get; set; }
    [Parameter] [ValidateRange(1, 4096)] public int ConvRank { get; set; }
    [Parameter] [ValidateRange(0.5, 1.0)] public double ClampQuantile { get; set; } = 0.99;
    [Parameter] public LoraPrecision? Precision { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string p in Path) _loras.Add(GetUnresolvedProviderPathFromPSPath(p));
    }

    protected override void EndProcessing()
    {
        string output = GetUnresolvedProviderPathFromPSPath(OutputPath);
        try
        {
            var options = new MergeLoraOptions
            {
                Loras = _loras, Ratios = Ratio, BlockWeights = BlockWeight?.Select(BlockWeights.Parse).ToArray(),
                BaseModel = BaseModel is null ? null : GetUnresolvedProviderPathFromPSPath(BaseModel), OutputPath = output,
                Mode = Rank > 0 ? LoraMergeMode.Svd : LoraMergeMode.Concat, Rank = Rank > 0 ? Rank : 4, ConvRank = ConvRank > 0 ? ConvRank : null,
                ClampQuantile = ClampQuantile, Precision = Precision, Force = Force,
            };
            string what = $"Merge {_loras.Count} LoRA(s){(BaseModel != null ? " into " + System.IO.Path.GetFileName(BaseModel) : "")}";
            if (!ShouldProcess(output, what)) return;
            var result = MergeLoraWorkflow.Run(options, ProgressSink(), Cancellation);
            CompleteProgress(BaseModel != null ? "Merging LoRA into checkpoint" : "Merging LoRAs");
            foreach (var w in result.Warnings) WriteWarning(w);
            WriteVerbose($"{result.MergedModules} modules merged into {output}");
            WriteObject((object?)result.Checkpoint ?? result.Lora);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorFor(e, output));
        }
    }
}
