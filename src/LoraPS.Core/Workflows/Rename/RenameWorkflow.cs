namespace LoraPS.Workflows.Rename;

/// <summary>
/// Rename-TrainingImages: numbers the training images of one or more folders ("prefix (1).png" …) with
/// their caption and cache sidecars, crash-safely. <see cref="Plan"/> touches nothing (what -WhatIf
/// shows); <see cref="Execute"/> first finishes (or, with Undo, reverts) any interrupted rename found
/// by its journal, then renames each folder through a journal and temporary names.
/// </summary>
public static class RenameWorkflow
{
    public static RenamePlan Plan(RenameOptions options, CancellationToken cancel = default) =>
        RenamePlanner.Plan(options, cancel);

    public static RenameResult Run(RenameOptions options, IProgress<RenameProgress>? progress = null, CancellationToken cancel = default) =>
        options.Undo ? Undo(options) : Execute(Plan(options, cancel), progress, cancel);

    /// <summary>Carries out <paramref name="plan"/> (or the folders of it the caller kept). Cancellation is honoured between folders; a folder once started is finished.</summary>
    public static RenameResult Execute(RenamePlan plan, IProgress<RenameProgress>? progress = null, CancellationToken cancel = default)
    {
        var problems = new List<RenameProblem>(plan.Problems);
        var images = new List<TrainingImage>();
        var recovered = new List<string>();
        var notes = new List<string>();
        int moved = 0;
        foreach (var original in plan.Folders)
        {
            cancel.ThrowIfCancellationRequested();
            var folderPlan = original;
            try
            {
                if (folderPlan.HasPendingJournal)
                {
                    var executor = new RenameExecutor(folderPlan.Folder, plan.Options.AfterOperation, progress);
                    var journal = RenameJournal.Read(folderPlan.Folder)!;
                    executor.Forward(journal);
                    moved += executor.FilesMoved;
                    recovered.Add(folderPlan.Folder);
                    // The folder changed: plan it again from what is there now; listed files are
                    // followed to the names the interrupted run gave them.
                    var input = folderPlan.Input ?? new RenamePlanner.FolderInput(folderPlan.Folder, null);
                    if (input.Files != null)
                        input = input with { Files = input.Files.Select(f => journal.Moves.FirstOrDefault(m => m.Source == f)?.Target ?? f).ToList() };
                    var replanProblems = new List<RenameProblem>();
                    folderPlan = RenamePlanner.PlanFolder(input, plan.Options, replanProblems, cancel);
                    problems.AddRange(replanProblems.Where(p => !problems.Any(q => q.Path == p.Path)));
                }
                notes.AddRange(folderPlan.Notes.Select(n => $"{folderPlan.Folder}: {n}"));
                moved += ExecuteFolder(folderPlan, plan.Options, progress, problems);
                images.AddRange(folderPlan.Images);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Formats.InvalidFileException)
            {
                problems.Add(new RenameProblem(folderPlan.Folder, e));
            }
        }
        return new RenameResult { Images = images, Problems = problems, FilesRenamed = moved, Recovered = recovered, Notes = notes };
    }

    private static int ExecuteFolder(FolderRenamePlan plan, RenameOptions options, IProgress<RenameProgress>? progress, List<RenameProblem> problems)
    {
        var moving = plan.Moves.Where(m => !m.IsNoOp).ToList();
        if (moving.Count == 0) return 0;
        string runId = Guid.NewGuid().ToString("N")[..8];
        var journal = new RenameJournal
        {
            RunId = runId,
            Moves = moving.Select((m, i) => new RenameJournal.Entry(m.Source, $"{RenameJournal.TempPrefix}{runId}-{i}{Path.GetExtension(m.Source)}", m.Target)).ToList(),
        };
        var executor = new RenameExecutor(plan.Folder, options.AfterOperation, progress);
        try
        {
            executor.Run(journal);
            return executor.FilesMoved;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something in the folder changed under us (a file locked, a name taken): put everything back.
            try
            {
                new RenameExecutor(plan.Folder, null, null).Backward(RenameJournal.Read(plan.Folder) ?? journal);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException or Formats.InvalidFileException)
            {
                throw new IOException($"renaming in {plan.Folder} failed ({e.Message}) and undoing it failed too ({again.Message}); the journal {RenameJournal.PathIn(plan.Folder)} is kept: run again to finish, or with -Undo to revert", e);
            }
            throw new IOException($"renaming in {plan.Folder} failed and was undone: {e.Message}", e);
        }
    }

    /// <summary>Reverts the interrupted renames found in the folders of <paramref name="options"/>.</summary>
    public static RenameResult Undo(RenameOptions options)
    {
        options.Validate();
        var problems = new List<RenameProblem>();
        var recovered = new List<string>();
        var notes = new List<string>();
        int moved = 0;
        var folders = options.Paths.Select(Path.GetFullPath)
            .Select(p => Directory.Exists(p) ? Path.TrimEndingDirectorySeparator(p) : Path.GetDirectoryName(p)!)
            .SelectMany(f => options.Recurse && Directory.Exists(f)
                ? Directory.EnumerateDirectories(f, "*", SearchOption.AllDirectories).Prepend(f)
                : [f])
            .Distinct(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            try
            {
                var journal = RenameJournal.Read(folder);
                if (journal == null)
                {
                    if (Directory.Exists(folder)) notes.Add($"{folder}: no interrupted rename to undo (a finished rename leaves no journal)");
                    else problems.Add(new RenameProblem(folder, new DirectoryNotFoundException($"{folder} does not exist")));
                    continue;
                }
                var executor = new RenameExecutor(folder, options.AfterOperation, null);
                executor.Backward(journal);
                moved += executor.FilesMoved;
                recovered.Add(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Formats.InvalidFileException)
            {
                problems.Add(new RenameProblem(folder, e));
            }
        }
        return new RenameResult { Problems = problems, FilesRenamed = moved, Recovered = recovered, Notes = notes };
    }
}
