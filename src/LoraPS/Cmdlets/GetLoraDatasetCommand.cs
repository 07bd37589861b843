using System.Management.Automation;
using LoraPS.Workflows.Dataset;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Reads an sd-scripts dataset config (or a legacy img/ folder of &lt;repeats&gt;_&lt;tokens&gt; folders), validates it and plans it: pictures, buckets, steps, warnings.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "LoraDataset")]
[OutputType(typeof(LoraDataset))]
public sealed class GetLoraDatasetCommand : LoraCmdlet
{
    /// <summary>A .toml/.json dataset config or a training folder; LoraDataset objects bind by ConfigPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigPath", "FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>With a training folder: its regularisation folder (sd-scripts' --reg_data_dir).</summary>
    [Parameter] public string? RegularizationPath { get; set; }

    [Parameter] [ValidateRange(1, 100000)] public int Epochs { get; set; } = 1;
    [Parameter] [ValidateRange(1, 1024)] public int GradientAccumulation { get; set; } = 1;

    /// <summary>--resolution, used where the config sets none.</summary>
    [Parameter] [ValidateCount(1, 2)] public int[]? Resolution { get; set; }

    /// <summary>--train_batch_size, used where the config sets none.</summary>
    [Parameter] [ValidateRange(1, 1024)] public int BatchSize { get; set; } = 1;

    /// <summary>--caption_extension, used where the config sets none (sd-scripts' default is .caption).</summary>
    [Parameter] public string CaptionExtension { get; set; } = ".caption";

    /// <summary>--enable_bucket, used where the config sets none.</summary>
    [Parameter] public SwitchParameter EnableBucket { get; set; }

    [Parameter] public SwitchParameter NoDuplicateCheck { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string p in Path)
        {
            string resolved;
            try
            {
                resolved = NewLoraDatasetCommand.ResolvePaths(this, p).First();
            }
            catch (Exception e)
            {
                WriteNonTerminating(e, p);
                continue;
            }
            try
            {
                var options = new GetDatasetOptions
                {
                    Path = resolved,
                    RegularizationPath = RegularizationPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RegularizationPath),
                    Epochs = Epochs,
                    GradientAccumulation = GradientAccumulation,
                    Defaults = new CommandLineDefaults
                    {
                        Resolution = DatasetCmdletSupport.ToSize(Resolution),
                        BatchSize = BatchSize,
                        CaptionExtension = CaptionExtension,
                        EnableBucket = EnableBucket,
                    },
                    DetectDuplicates = !NoDuplicateCheck,
                    Cancellation = Cancellation,
                };
                var result = DatasetCmdletSupport.RunWithProgress(this, "Get-LoraDataset", progress => DatasetWorkflow.Get(options with { Progress = progress }));
                foreach (string warning in result.Warnings) WriteWarning(warning);
                WriteObject(result);
            }
            catch (Exception e)
            {
                WriteNonTerminating(e, resolved);
            }
        }
    }
}
