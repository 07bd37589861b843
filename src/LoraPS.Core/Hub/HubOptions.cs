namespace LoraPS.Hub;

/// <summary>Where and how <see cref="HubClient"/> downloads; defaults follow the huggingface_hub environment variables.</summary>
public sealed record HubOptions
{
    /// <summary>HF_ENDPOINT or https://huggingface.co.</summary>
    public string Endpoint { get; init; } = Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } e ? e.TrimEnd('/') : "https://huggingface.co";

    /// <summary>The hub cache folder (models--owner--name/blobs|snapshots|refs), shared with Python's huggingface_hub.</summary>
    public string CacheDir { get; init; } = DefaultCacheDir();

    /// <summary>Use only the cache; HF_HUB_OFFLINE=1 turns it on.</summary>
    public bool Offline { get; init; } = Environment.GetEnvironmentVariable("HF_HUB_OFFLINE") is "1" or "true" or "TRUE" or "yes";

    /// <summary>A bearer token for gated or private repos (HF_TOKEN).</summary>
    public string? Token { get; init; } = Environment.GetEnvironmentVariable("HF_TOKEN");

    /// <summary>How many times a broken transfer is resumed before giving up.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Per request (headers) timeout; the body may take as long as it needs.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (huggingface_hub's order).</summary>
    public static string DefaultCacheDir()
    {
        if (Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } hubCache) return hubCache;
        string home = Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } hfHome
            ? hfHome
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface");
        return Path.Combine(home, "hub");
    }
}

/// <summary>Download progress of one file.</summary>
public sealed record HubDownloadProgress(string RepoId, string FileName, long Received, long? Total);

/// <summary>A hub download failed (not found, refused, offline without a cached copy, corrupt transfer).</summary>
public sealed class HubException : Exception
{
    public HubException(string message, Exception? inner = null) : base(message, inner) { }
}
