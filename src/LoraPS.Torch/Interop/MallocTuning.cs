using System.Runtime.InteropServices;

namespace LoraPS.Torch.Interop;

/// <summary>
/// glibc's allocator settings for libtorch's buffers, chosen by LORAPS_MALLOC and applied once when
/// the shim loads. By default glibc serves every large buffer with its own mmap and gives it back on
/// free, so a model that frees and reallocates the same activations each step faults them back in
/// page by page; "tuned" keeps such buffers in the heap (see docs/benchmarks.md, "glibc allocator").
/// </summary>
public static unsafe class MallocTuning
{
    /// <summary>Environment variable choosing the setting: "tuned" or "default" (glibc's own).</summary>
    public const string Variable = "LORAPS_MALLOC";

    // mallopt's parameter numbers (malloc.h)
    internal const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3;

    /// <summary>
    /// "tuned": buffers below 2 GiB come from the heap instead of a private mmap each (the SD1.5 UNet's
    /// attention scores at 64×64 latents, batch 2, are 1 GiB). glibc 2.36 takes values above 32 MiB;
    /// threads other than the process's first still mmap anything over 64 MiB (their heaps' limit).
    /// </summary>
    public const int TunedMmapThreshold = int.MaxValue;

    /// <summary>"tuned": -1 = never give the heap's free top back, so the next step finds it mapped
    /// (a 2 GiB threshold still trimmed a third of the faults back in: docs/benchmarks.md).</summary>
    public const int TunedTrimThreshold = -1;

    /// <summary>"tuned": the heap grows in steps of at least this much.</summary>
    public const int TunedTopPad = 16 << 20;

    /// <summary>The setting used when LORAPS_MALLOC is unset.</summary>
    public const MallocSetting DefaultSetting = MallocSetting.Tuned;

    /// <summary>The setting and what it did, once libtorch has loaded; null before.</summary>
    public static MallocReport? InEffect { get; private set; }

    /// <summary>The mallopt calls (parameter, value) a setting makes; none for glibc's default.</summary>
    public static IReadOnlyList<(int Parameter, int Value)> Calls(MallocSetting setting) => setting switch
    {
        MallocSetting.Tuned => new[] { (M_MMAP_THRESHOLD, TunedMmapThreshold), (M_TRIM_THRESHOLD, TunedTrimThreshold), (M_TOP_PAD, TunedTopPad) },
        _ => Array.Empty<(int, int)>(),
    };

    /// <summary>Reads LORAPS_MALLOC's value: the setting, or an error naming the bad value (and the default is used).</summary>
    public static (MallocSetting Setting, string? Error) Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (DefaultSetting, null);
        return value.Trim().ToLowerInvariant() switch
        {
            "tuned" => (MallocSetting.Tuned, null),
            "default" or "glibc" => (MallocSetting.Default, null),
            _ => (DefaultSetting, $"{Variable}='{value}' is not one of tuned, default; using {Name(DefaultSetting)}."),
        };
    }

    /// <summary>
    /// Decides and applies the setting through <paramref name="mallopt"/> (null: not glibc, nothing is done).
    /// A mallopt that returns 0 (refused) is named in the report's error.
    /// </summary>
    public static MallocReport Apply(string? variable, Func<int, int, int>? mallopt)
    {
        var (setting, error) = Parse(variable);
        if (mallopt is null)
            return new MallocReport(setting, false, "not glibc: the system allocator is left alone", error);
        var refused = new List<string>();
        foreach (var (parameter, value) in Calls(setting))
            if (mallopt(parameter, value) != 1) refused.Add($"mallopt({parameter}, {value})");
        if (refused.Count > 0)
            error = (error is null ? "" : error + " ") + "glibc refused " + string.Join(", ", refused) + ".";
        string detail = setting == MallocSetting.Tuned
            ? $"large buffers kept in the heap: mmap threshold 2 GiB, no trimming, top pad {TunedTopPad >> 20} MiB"
            : "glibc's own thresholds";
        return new MallocReport(setting, refused.Count == 0 && setting == MallocSetting.Tuned, detail, error);
    }

    /// <summary>Called once at load: applies LORAPS_MALLOC to glibc's malloc (Linux with glibc only).</summary>
    internal static void ApplyAtLoad() =>
        InEffect = Apply(Environment.GetEnvironmentVariable(Variable), GlibcMallopt());

    /// <summary>
    /// Gives the heap's free memory back to the system (glibc's malloc_trim) when the tuned setting is in effect, which
    /// otherwise keeps it for the next step. Cmdlets call it when they end, so a long PowerShell session does not hold
    /// its largest job's peak. Returns whether anything was released; does nothing before libtorch loads or elsewhere.
    /// </summary>
    public static bool ReleaseFreeMemory()
    {
        if (InEffect is not { Applied: true } || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)
            || !NativeLibrary.TryGetExport(libc, "malloc_trim", out IntPtr trim)) return false;
        return ((delegate* unmanaged<nuint, int>)trim)(0) == 1;
    }

    private static string Name(MallocSetting setting) => setting == MallocSetting.Tuned ? "tuned" : "default";

    /// <summary>glibc's mallopt, or null on other systems (musl, macOS, Windows).</summary>
    private static Func<int, int, int>? GlibcMallopt()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)) return null;
        // gnu_get_libc_version exists only in glibc; musl has mallopt as a do-nothing stub
        if (!NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _) ||
            !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr mallopt)) return null;
        var call = (delegate* unmanaged<int, int, int>)mallopt;
        return (parameter, value) => call(parameter, value);
    }
}

/// <summary>The allocator settings LORAPS_MALLOC may choose.</summary>
public enum MallocSetting
{
    /// <summary>glibc's own thresholds (nothing is changed).</summary>
    Default,

    /// <summary>Large buffers stay in the heap between uses (higher retained memory, fewer page faults).</summary>
    Tuned,
}

/// <summary>What the allocator setting is: the choice, whether glibc took it, in words, and any problem.</summary>
public sealed record MallocReport(MallocSetting Setting, bool Applied, string Detail, string? Error)
{
    public override string ToString() =>
        (Setting == MallocSetting.Tuned ? "tuned" : "default") + $" ({Detail})" + (Error is null ? "" : " - " + Error);
}
