using System.Diagnostics;

namespace LoraPS.Workflows.Rename;

/// <summary>
/// Carries out (or finishes, or reverts) the moves of one journal in one folder. Each step looks at
/// the file system first, so running it again after a crash at any point completes the same work.
/// </summary>
internal sealed class RenameExecutor
{
    /// <summary>Crash tests set this to N to make the process kill itself after N file operations.</summary>
    public const string KillAfterVariable = "LORAPS_RENAME_KILL_AFTER";

    private readonly string _folder;
    private readonly Action<int>? _afterOperation;
    private readonly int _killAfter;
    private readonly IProgress<RenameProgress>? _progress;
    private int _operations;

    /// <summary>Files that reached their final name (target, or source when undoing).</summary>
    public int FilesMoved { get; private set; }

    public RenameExecutor(string folder, Action<int>? afterOperation, IProgress<RenameProgress>? progress)
    {
        _folder = folder;
        _afterOperation = afterOperation;
        _progress = progress;
        _killAfter = int.TryParse(System.Environment.GetEnvironmentVariable(KillAfterVariable), out int n) ? n : -1;
    }

    private void Operation()
    {
        _operations++;
        _afterOperation?.Invoke(_operations);
        if (_operations == _killAfter) Process.GetCurrentProcess().Kill(); // SIGKILL: no cleanup runs, like a power cut
    }

    private string Full(string name) => Path.Combine(_folder, name);

    private void Move(string from, string to, int done, int total, bool final)
    {
        SafeMove.Move(Full(from), Full(to));
        if (final) FilesMoved++;
        _progress?.Report(new RenameProgress(done, total, to));
        Operation();
    }

    /// <summary>A fresh rename: journal, phase 1, phase 2, journal removed.</summary>
    public void Run(RenameJournal journal)
    {
        RenameJournal.CleanStaleTemporaries(_folder);
        journal.Phase = 1;
        journal.Write(_folder);
        Operation();
        Forward(journal);
    }

    /// <summary>Finishes an interrupted rename from wherever it stopped.</summary>
    public void Forward(RenameJournal journal)
    {
        int total = journal.Moves.Count * 2, done = 0;
        if (journal.Phase == 1)
        {
            foreach (var m in journal.Moves)
            {
                done++;
                if (Settle(m.Source, m.Temp)) Move(m.Source, m.Temp, done, total, final: false);
            }
            journal.Phase = 2;
            journal.Write(_folder);
            Operation();
        }
        done = journal.Moves.Count;
        foreach (var m in journal.Moves)
        {
            done++;
            if (Settle(m.Temp, m.Target)) Move(m.Temp, m.Target, done, total, final: true);
        }
        Finish();
    }

    /// <summary>Puts every file back under its original name.</summary>
    public void Backward(RenameJournal journal)
    {
        int total = journal.Moves.Count * 2, done = 0;
        if (journal.Phase == 2)
            foreach (var m in journal.Moves)
            {
                done++;
                if (Settle(m.Target, m.Temp, fromMayBeAnothers: true)) Move(m.Target, m.Temp, done, total, final: false);
            }
        done = journal.Moves.Count;
        foreach (var m in journal.Moves)
        {
            done++;
            if (Settle(m.Temp, m.Source)) Move(m.Temp, m.Source, done, total, final: true);
        }
        Finish();
    }

    private void Finish()
    {
        File.Delete(RenameJournal.PathIn(_folder));
        RenameJournal.CleanStaleTemporaries(_folder);
        Operation();
    }

    /// <summary>
    /// True when the file is still at <paramref name="from"/> and must move to <paramref name="to"/>;
    /// false when it has already moved. A file present under both names (a link-then-unlink move cut
    /// short) with identical bytes loses its old name. Different files under both names: when
    /// <paramref name="fromMayBeAnothers"/> (undoing, where a target name may hold a file that arrived
    /// from outside) ours is the one at <paramref name="to"/>; otherwise it is an error, never an overwrite.
    /// </summary>
    private bool Settle(string from, string to, bool fromMayBeAnothers = false)
    {
        bool atFrom = File.Exists(Full(from)), atTo = File.Exists(Full(to));
        if (!atFrom) return false;
        if (!atTo) return true;
        if (SameBytes(Full(from), Full(to)))
        {
            File.Delete(Full(from));
            return false;
        }
        if (fromMayBeAnothers) return false;
        throw new IOException($"{Full(to)} exists and differs from {from}; the rename stopped so that nothing is overwritten (journal {RenameJournal.PathIn(_folder)})");
    }

    private static bool SameBytes(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length) return false;
        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}
