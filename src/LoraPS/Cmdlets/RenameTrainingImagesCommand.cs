using System.Management.Automation;
using LoraPS.Workflows;
using LoraPS.Workflows.Rename;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Numbers training images ("prefix (1).png" …) with their .txt/.caption/.npz/.json sidecars, crash-safely.</para>
/// <para type="description">Plans the whole rename, writes a journal next to the images and renames in two phases through
/// temporary names; if the process dies, running it again finishes the rename and -Undo reverts it. Files outside the set
/// are never overwritten. Unreadable pictures are reported and left as they are. -WhatIf prints the plan.</para>
/// </summary>
[Cmdlet(VerbsCommon.Rename, "TrainingImages", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TrainingImage))]
public sealed class RenameTrainingImagesCommand : LoraCmdlet
{
    /// <summary>Folders or image files; FileInfo and TrainingImage objects bind by FullName/Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "LiteralPath")]
    public string[] Path { get; set; } = [];

    /// <summary>The name before the number (default: the folder's name).</summary>
    [Parameter(Position = 1)]
    public string? Prefix { get; set; }

    /// <summary>Explorer ("prefix (1)") or Padded ("prefix_0001").</summary>
    [Parameter]
    public RenameStyle Style { get; set; } = RenameStyle.Explorer;

    /// <summary>Digits of the Padded style; giving it implies -Style Padded.</summary>
    [Parameter]
    [ValidateRange(1, 9)]
    public int Digits { get; set; } = 4;

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Start { get; set; } = 1;

    [Parameter]
    public RenameSort SortBy { get; set; } = RenameSort.Natural;

    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Reverts an interrupted rename (from its journal).</summary>
    [Parameter]
    public SwitchParameter Undo { get; set; }

    private readonly List<string> _paths = [];

    protected override void ProcessRecord()
    {
        foreach (string p in Path) _paths.Add(GetUnresolvedProviderPathFromPSPath(p));
    }

    protected override void EndProcessing()
    {
        if (_paths.Count == 0) return;
        var options = new RenameOptions
        {
            Paths = _paths,
            Prefix = Prefix,
            Style = MyInvocation.BoundParameters.ContainsKey(nameof(Digits)) && !MyInvocation.BoundParameters.ContainsKey(nameof(Style)) ? RenameStyle.Padded : Style,
            Digits = Digits,
            Start = Start,
            Sort = SortBy,
            Recurse = Recurse,
            Undo = Undo,
        };
        try
        {
            if (Undo)
            {
                if (!ShouldProcess(string.Join(", ", _paths), "Undo interrupted rename")) return;
                Report(RenameWorkflow.Undo(options));
                return;
            }
            var plan = RenameWorkflow.Plan(options, Cancellation);
            foreach (var problem in plan.Problems) WriteNonTerminating(problem.Error, problem.Path);
            var accepted = plan.Folders.Where(f =>
                ShouldProcess(f.Describe(), $"Rename {f.MovingCount} files in {f.Folder}?", "Rename-TrainingImages")).ToList();
            if (accepted.Count == 0) return;
            var progress = new Progress(this);
            var result = RenameWorkflow.Execute(plan with { Folders = accepted, Problems = [] }, progress, Cancellation);
            Report(result);
        }
        catch (Exception e)
        {
            ThrowTerminatingError(ErrorFor(e, string.Join(", ", _paths)));
        }
    }

    private void Report(RenameResult result)
    {
        foreach (string folder in result.Recovered) WriteWarning(Undo ? $"Undid the interrupted rename in {folder}" : $"Finished the interrupted rename in {folder} first");
        foreach (string note in result.Notes) WriteWarning(note);
        foreach (var problem in result.Problems) WriteNonTerminating(problem.Error, problem.Path);
        foreach (var image in result.Images) WriteObject(image);
        WritePercent(1, "Rename-TrainingImages", "done", 100);
    }

    /// <summary>Progress reported on the pipeline thread: the workflow runs synchronously on it.</summary>
    private sealed class Progress(RenameTrainingImagesCommand cmdlet) : IProgress<RenameProgress>
    {
        public void Report(RenameProgress value) =>
            cmdlet.WritePercent(1, "Rename-TrainingImages", value.Current, value.Total == 0 ? 100 : Math.Min(99, value.Done * 100 / value.Total));
    }
}
