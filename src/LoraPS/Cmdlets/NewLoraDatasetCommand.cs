using System.Management.Automation;
using LoraPS.Workflows;
using LoraPS.Workflows.Dataset;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Makes an sd-scripts dataset (config TOML and/or the kohya_ss img/reg/log/model folders) from pictures or folders, checks it and shows what training will see.</para>
/// <para type="description">Takes TrainingImage objects from the pipeline (Rename-TrainingImages, Invoke-WD14Tagger) or -Path folders (plain picture folders, &lt;repeats&gt;_&lt;tokens&gt; folders, or an img/ folder of them). -WhatIf shows the plan and writes nothing; an existing config is replaced only with -Force.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "LoraDataset", SupportsShouldProcess = true)]
[OutputType(typeof(LoraDataset))]
public sealed class NewLoraDatasetCommand : LoraCmdlet
{
    private readonly List<TrainingImage> _images = new();
    private readonly List<string> _folders = new();

    /// <summary>Pictures from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true)]
    public TrainingImage[]? InputObject { get; set; }

    /// <summary>Picture files or folders (bound by property name, so Get-ChildItem output works).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[]? Path { get; set; }

    [Parameter] public string? Instance { get; set; }
    [Parameter] public string? Class { get; set; }
    [Parameter] [ValidateRange(1, 100000)] public int Repeats { get; set; }
    [Parameter] public string[]? RegularizationPath { get; set; }
    [Parameter] [ValidateRange(1, 100000)] public int RegularizationRepeats { get; set; } = 1;
    [Parameter] [ValidateCount(1, 2)] public int[]? Resolution { get; set; }
    [Parameter] [ValidateRange(1, 1024)] public int BatchSize { get; set; } = 1;
    [Parameter] [ValidateRange(1, 100000)] public int Epochs { get; set; } = 1;
    [Parameter] [ValidateRange(1, 1024)] public int GradientAccumulation { get; set; } = 1;
    [Parameter] public DatasetLayout Layout { get; set; } = DatasetLayout.Toml;
    [Parameter] public string? Destination { get; set; }
    [Parameter] public string ConfigName { get; set; } = "dataset.toml";
    [Parameter] public LinkMode LinkMode { get; set; } = LinkMode.Copy;
    [Parameter] public SwitchParameter CharFramework { get; set; }
    [Parameter] [ValidateRange(1, 1024)] public int GpuMemoryGB { get; set; } = 8;
    [Parameter] public SwitchParameter WriteTags { get; set; }
    [Parameter] public string CaptionExtension { get; set; } = ".txt";
    [Parameter] public SwitchParameter ShuffleCaption { get; set; }
    [Parameter] [ValidateRange(0, 1000)] public int KeepTokens { get; set; }
    [Parameter] public string? KeepTokensSeparator { get; set; }
    [Parameter] public string? CaptionPrefix { get; set; }
    [Parameter] public string? CaptionSuffix { get; set; }
    [Parameter] [ValidateRange(0.0, 1.0)] public double CaptionDropoutRate { get; set; }
    [Parameter] [ValidateRange(0, 100000)] public int CaptionDropoutEveryNEpochs { get; set; }
    [Parameter] [ValidateRange(0.0, 1.0)] public double CaptionTagDropoutRate { get; set; }
    [Parameter] public SwitchParameter FlipAug { get; set; }
    [Parameter] public SwitchParameter ColorAug { get; set; }
    [Parameter] public SwitchParameter RandomCrop { get; set; }
    [Parameter] public SwitchParameter NoBucket { get; set; }
    [Parameter] [ValidateRange(64, 8192)] public int MinBucketReso { get; set; } = 256;
    [Parameter] [ValidateRange(64, 8192)] public int MaxBucketReso { get; set; } = 1024;
    [Parameter] [ValidateRange(8, 1024)] public int BucketResoSteps { get; set; } = 64;
    [Parameter] public SwitchParameter BucketNoUpscale { get; set; }
    [Parameter] public SwitchParameter NoDuplicateCheck { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        // A piped TrainingImage binds both InputObject and (by property name) Path: take it once.
        var piped = new HashSet<string>(StringComparer.Ordinal);
        if (InputObject is not null)
            foreach (var image in InputObject)
            {
                _images.Add(image);
                piped.Add(System.IO.Path.GetFullPath(image.Path));
            }
        if (Path is null) return;
        foreach (string p in Path)
        {
            try
            {
                foreach (string resolved in ResolvePaths(this, p))
                {
                    if (Directory.Exists(resolved)) _folders.Add(resolved);
                    else if (!piped.Contains(resolved)) _images.Add(new TrainingImage { Path = resolved });
                }
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                WriteNonTerminating(e, p);
            }
        }
    }

    /// <summary>A path taken literally when it exists (names with [brackets] are common), else as a wildcard.</summary>
    internal static IEnumerable<string> ResolvePaths(PSCmdlet cmdlet, string path)
    {
        string literal = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        if (File.Exists(literal) || Directory.Exists(literal)) return new[] { System.IO.Path.GetFullPath(literal) };
        return cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
    }

    protected override void EndProcessing()
    {
        string destination = Destination is null
            ? SessionState.Path.CurrentFileSystemLocation.Path
            : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        bool write = ShouldProcess(destination, Layout == DatasetLayout.Toml ? $"Write the dataset config {ConfigName}" : $"Create the {Layout} dataset layout");
        try
        {
            var options = new NewDatasetOptions
            {
                Images = _images,
                Paths = _folders,
                Instance = Instance,
                Class = Class,
                Repeats = MyInvocation.BoundParameters.ContainsKey(nameof(Repeats)) ? Repeats : null,
                RegularizationPaths = (RegularizationPath ?? Array.Empty<string>()).Select(r => SessionState.Path.GetUnresolvedProviderPathFromPSPath(r)).ToList(),
                RegularizationRepeats = RegularizationRepeats,
                Resolution = DatasetCmdletSupport.ToSize(Resolution) ?? new Size2(512, 512),
                BatchSize = BatchSize,
                Epochs = Epochs,
                GradientAccumulation = GradientAccumulation,
                Layout = Layout,
                Destination = destination,
                ConfigName = ConfigName,
                LinkMode = LinkMode,
                CharFramework = CharFramework,
                GpuMemoryGB = GpuMemoryGB,
                WriteTags = WriteTags,
                CaptionExtension = CaptionExtension,
                ShuffleCaption = ShuffleCaption,
                KeepTokens = KeepTokens,
                KeepTokensSeparator = KeepTokensSeparator,
                CaptionPrefix = CaptionPrefix,
                CaptionSuffix = CaptionSuffix,
                CaptionDropoutRate = CaptionDropoutRate,
                CaptionDropoutEveryNEpochs = CaptionDropoutEveryNEpochs,
                CaptionTagDropoutRate = CaptionTagDropoutRate,
                FlipAug = FlipAug,
                ColorAug = ColorAug,
                RandomCrop = RandomCrop,
                EnableBucket = !NoBucket,
                MinBucketReso = MinBucketReso,
                MaxBucketReso = MaxBucketReso,
                BucketResoSteps = BucketResoSteps,
                BucketNoUpscale = BucketNoUpscale,
                DetectDuplicates = !NoDuplicateCheck,
                Force = Force,
                WhatIf = !write,
                Cancellation = Cancellation,
            };
            var result = DatasetCmdletSupport.RunWithProgress(this, "New-LoraDataset", progress => DatasetWorkflow.New(options with { Progress = progress }));
            foreach (string warning in result.Warnings) WriteWarning(warning);
            WriteObject(result);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorFor(e, destination));
        }
    }
}
