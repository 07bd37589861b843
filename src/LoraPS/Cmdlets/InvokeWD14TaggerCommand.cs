using System.Management.Automation;
using LoraPS.Hub;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;
using LoraPS.Workflows;
using LoraPS.Workflows.Tagging;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Tags training pictures with a WD14 tagger (SmilingWolf's ONNX models, as sd-scripts' tag_images_by_wd14_tagger.py) and writes caption files beside them.</para>
/// <para type="description">Takes TrainingImage or FileInfo objects from the pipeline, or -Path files and folders. Emits each TrainingImage with Tags, Rating and Caption filled; when last in its pipeline it ends with a tag-frequency summary (otherwise the summary goes to the information stream, so the pictures flow on into New-LoraDataset).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "WD14Tagger", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(TrainingImage), typeof(TagFrequencySummary))]
public sealed class InvokeWD14TaggerCommand : LoraCmdlet
{
    private const string PathSet = "Path", ImageSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ImageSet, ValueFromPipeline = true)]
    public TrainingImage[] InputObject { get; set; } = Array.Empty<TrainingImage>();

    /// <summary>A folder with model.onnx and selected_tags.csv.</summary>
    [Parameter] public string? ModelPath { get; set; }
    /// <summary>A known model name (e.g. wd-swinv2-tagger-v3) or a hub repo id.</summary>
    [Parameter] public string Model { get; set; } = Wd14KnownModels.Default.RepoId;
    [Parameter] public string Revision { get; set; } = "main";
    /// <summary>The hub cache folder (default: the Hugging Face cache, HF_HUB_CACHE / HF_HOME).</summary>
    [Parameter] public string? CacheDirectory { get; set; }
    [Parameter] public SwitchParameter Offline { get; set; }

    [Parameter, ValidateRange(0.0, 1.0)] public float GeneralThreshold { get; set; } = 0.35f;
    [Parameter] public float? CharacterThreshold { get; set; }
    [Parameter] public RatingPlacement RatingTag { get; set; } = RatingPlacement.None;
    [Parameter] public string[] ExcludeTag { get; set; } = Array.Empty<string>();
    [Parameter] public string[] AlwaysFirstTag { get; set; } = Array.Empty<string>();
    [Parameter] public string[] AddTag { get; set; } = Array.Empty<string>();
    [Parameter] public SwitchParameter KeepUnderscore { get; set; }
    [Parameter] public SwitchParameter CharacterTagsFirst { get; set; }
    [Parameter] public string Separator { get; set; } = ", ";
    [Parameter] public string CaptionExtension { get; set; } = ".txt";
    [Parameter] public CaptionMode Mode { get; set; } = CaptionMode.Overwrite;
    /// <summary>Replace existing caption files (-Mode Overwrite); without it they are reported and kept.</summary>
    [Parameter] public SwitchParameter Force { get; set; }
    [Parameter] public SwitchParameter Recurse { get; set; }
    [Parameter, ValidateRange(1, 1024)] public int BatchSize { get; set; } = 1;
    [Parameter] public OnnxDevice Device { get; set; } = OnnxDevice.Auto;
    [Parameter, ValidateRange(0, 1024)] public int Threads { get; set; }
    [Parameter] public SwitchParameter ApplyExifOrientation { get; set; }
    /// <summary>Do not emit the summary object at the end.</summary>
    [Parameter] public SwitchParameter NoSummary { get; set; }

    private readonly List<TrainingImage> _images = new();
    private readonly List<string> _paths = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ImageSet) _images.AddRange(InputObject.Where(i => i != null));
        else _paths.AddRange(Path.Select(GetUnresolvedProviderPathFromPSPath));
    }

    protected override void EndProcessing()
    {
        var (expanded, missing) = TaggerInputs.Expand(_paths, Recurse);
        foreach (var (path, error) in missing) WriteNonTerminating(error, path);
        var images = _images.Select(i => i with { Path = GetUnresolvedProviderPathFromPSPath(i.Path) }).Concat(expanded).ToList();
        if (images.Count == 0) return;

        var options = new TaggerOptions
        {
            ModelPath = ModelPath is null ? null : GetUnresolvedProviderPathFromPSPath(ModelPath),
            Model = Model,
            Revision = Revision,
            Hub = new HubOptions { Offline = Offline || new HubOptions().Offline } with
            {
                CacheDir = CacheDirectory is null ? HubOptions.DefaultCacheDir() : GetUnresolvedProviderPathFromPSPath(CacheDirectory),
            },
            Selection = new TagSelectionOptions
            {
                GeneralThreshold = GeneralThreshold,
                CharacterThreshold = CharacterThreshold,
                Rating = RatingTag,
                ExcludeTags = ExcludeTag,
                AlwaysFirstTags = AlwaysFirstTag,
                AddTags = AddTag,
                ReplaceUnderscores = !KeepUnderscore,
                CharacterTagsFirst = CharacterTagsFirst,
                Separator = Separator,
            },
            CaptionExtension = CaptionExtension,
            Mode = Mode,
            Force = Force,
            Recurse = Recurse,
            BatchSize = BatchSize,
            Device = Device,
            Threads = Threads,
            ApplyExifOrientation = ApplyExifOrientation,
        };

        TaggerSession session;
        try { session = OpenWithProgress(options); }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorFor(e, options.ModelPath ?? options.Model));
            return;
        }
        using (session)
        {
            foreach (string warning in session.Warnings) WriteWarning(warning);
            var progress = new CallbackProgress<TaggerProgress>(p => WritePercent(1, "Invoke-WD14Tagger", $"{p.Done}/{p.Total} {p.Current}", p.Total == 0 ? 100 : 100 * p.Done / p.Total));
            foreach (var result in session.Tag(images, (caption, text) => ShouldProcess(caption, $"Write caption \"{text}\""), progress, Cancellation))
            {
                if (result.Outcome == TaggerOutcome.Failed) WriteNonTerminating(result.Error!, result.Image.Path);
                else WriteObject(result.Image);
            }
            WritePercent(1, "Invoke-WD14Tagger", "done", 100);
            var summary = session.Summary();
            bool last = MyInvocation.PipelinePosition >= MyInvocation.PipelineLength;
            if (NoSummary) { }
            else if (last) WriteObject(summary);
            else WriteInformation(summary, new[] { "Summary" });
        }
    }

    /// <summary>Opens the model on a worker so hub download progress can be shown from this (the pipeline) thread.</summary>
    private TaggerSession OpenWithProgress(TaggerOptions options) =>
        WorkerProgress.Run<HubDownloadProgress, TaggerSession>(
            progress => TaggerSession.Open(options, progress, Cancellation),
            p => WritePercent(2, "Downloading tagger model", $"{p.RepoId}/{p.FileName}: {p.Received / 1048576.0:N1} MB",
                p.Total is long total && total > 0 ? (int)(100 * p.Received / total) : 0),
            () => WritePercent(2, "Downloading tagger model", "done", 100));
}
