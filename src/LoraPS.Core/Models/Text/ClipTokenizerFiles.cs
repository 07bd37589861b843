using LoraPS.Hub;

namespace LoraPS.Models.Text;

/// <summary>
/// Where a CLIP tokenizer's files are: either a Hugging Face pair (<c>vocab.json</c> + <c>merges.txt</c>)
/// or OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c>. Found in a local folder (or its <c>tokenizer/</c>
/// sub-folder) or in the Hugging Face hub cache
/// (<c>models--&lt;org&gt;--&lt;name&gt;/snapshots/&lt;revision&gt;/[tokenizer/]vocab.json</c>).
/// </summary>
public sealed class ClipTokenizerFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string OpenAiBpeFileName = "bpe_simple_vocab_16e6.txt.gz";

    /// <summary>The hub repository SD1's tokenizer comes from.</summary>
    public const string Sd1Repository = "openai/clip-vit-large-patch14";

    /// <summary>The hub repository SD2's tokenizer comes from (files under <c>tokenizer/</c>).</summary>
    public const string Sd2Repository = "stabilityai/stable-diffusion-2";

    public string? VocabJsonPath { get; }
    public string? MergesPath { get; }
    public string? OpenAiBpePath { get; }

    private ClipTokenizerFiles(string? vocab, string? merges, string? bpe)
    {
        VocabJsonPath = vocab;
        MergesPath = merges;
        OpenAiBpePath = bpe;
    }

    public static ClipTokenizerFiles FromVocabAndMerges(string vocabJsonPath, string mergesPath) => new(vocabJsonPath, mergesPath, null);

    public static ClipTokenizerFiles FromOpenAiBpe(string path) => new(null, null, path);

    public ClipVocabulary LoadVocabulary() => OpenAiBpePath is not null
        ? ClipVocabulary.FromOpenAiBpeFile(OpenAiBpePath)
        : ClipVocabulary.FromVocabAndMerges(VocabJsonPath!, MergesPath!);

    public override string ToString() => OpenAiBpePath ?? $"{VocabJsonPath} + {MergesPath}";

    /// <summary>
    /// The tokenizer files in <paramref name="folder"/> or its <c>tokenizer</c> sub-folder (a diffusers
    /// model folder); a vocab.json + merges.txt pair is preferred over the OpenAI file.
    /// <paramref name="folder"/> may also be the OpenAI file itself.
    /// </summary>
    public static ClipTokenizerFiles FromFolder(string folder)
    {
        if (File.Exists(folder) && folder.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return FromOpenAiBpe(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: the tokenizer folder does not exist");
        return TryFind(folder) ?? throw new FileNotFoundException(
            $"{folder}: no CLIP tokenizer files here or in its tokenizer{Path.DirectorySeparatorChar} folder " +
            $"(expected {VocabFileName} + {MergesFileName}, or {OpenAiBpeFileName})");
    }

    /// <summary>The files in a folder or its tokenizer sub-folder, or null.</summary>
    public static ClipTokenizerFiles? TryFind(string folder)
    {
        foreach (string dir in new[] { folder, Path.Combine(folder, "tokenizer") })
        {
            string vocab = Path.Combine(dir, VocabFileName), merges = Path.Combine(dir, MergesFileName);
            if (File.Exists(vocab) && File.Exists(merges)) return FromVocabAndMerges(vocab, merges);
        }
        foreach (string dir in new[] { folder, Path.Combine(folder, "tokenizer") })
        {
            string bpe = Path.Combine(dir, OpenAiBpeFileName);
            if (File.Exists(bpe)) return FromOpenAiBpe(bpe);
        }
        return null;
    }

    /// <summary>
    /// The hub cache folder: <c>HF_HUB_CACHE</c>, else <c>HF_HOME</c>/hub, else
    /// <c>~/.cache/huggingface/hub</c> (the same place on Windows, under the user profile).
    /// </summary>
    public static string DefaultHubCache(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (environment("HF_HUB_CACHE") is { Length: > 0 } hubCache) return hubCache;
        if (environment("HF_HOME") is { Length: > 0 } home) return Path.Combine(home, "hub");
        string profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(profile, ".cache", "huggingface", "hub");
    }

    /// <summary>
    /// The tokenizer of <paramref name="repository"/> (e.g. "openai/clip-vit-large-patch14") in the hub
    /// cache, or null when it is not there. The snapshot that <c>refs/&lt;revision&gt;</c> names is used;
    /// a revision that is itself a snapshot folder name works too; without a usable ref, the most
    /// recently written snapshot that holds the files.
    /// </summary>
    public static ClipTokenizerFiles? TryFindInHubCache(string repository, string? hubCache = null, string revision = "main")
    {
        string repoFolder = Path.Combine(hubCache ?? DefaultHubCache(), HubFolderName(repository));
        string snapshots = Path.Combine(repoFolder, "snapshots");
        if (!Directory.Exists(snapshots)) return null;

        string refFile = Path.Combine(repoFolder, "refs", revision);
        string? pinned = File.Exists(refFile) ? File.ReadAllText(refFile).Trim() : revision;
        if (pinned.Length > 0 && pinned.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && pinned is not ("." or ".."))
        {
            string snapshot = Path.Combine(snapshots, pinned);
            if (Directory.Exists(snapshot) && TryFind(snapshot) is { } found) return found;
        }
        return new DirectoryInfo(snapshots).EnumerateDirectories()
            .OrderByDescending(d => d.LastWriteTimeUtc)
            .Select(d => TryFind(d.FullName))
            .FirstOrDefault(f => f != null);
    }

    /// <summary>
    /// Downloads <c>vocab.json</c> and <c>merges.txt</c> of <paramref name="repository"/> (from
    /// <paramref name="subfolder"/>, e.g. "tokenizer" for stabilityai/stable-diffusion-2, or the root for
    /// openai/clip-vit-large-patch14) into the hub cache through <paramref name="client"/>, which reuses
    /// what the cache already holds and honours offline mode.
    /// </summary>
    public static async Task<ClipTokenizerFiles> DownloadAsync(HubClient client, string repository, string? subfolder = null,
        string revision = "main", IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string prefix = string.IsNullOrEmpty(subfolder) ? "" : subfolder.Trim('/') + "/";
        string vocab = await client.DownloadAsync(repository, prefix + VocabFileName, revision, progress, cancellationToken).ConfigureAwait(false);
        string merges = await client.DownloadAsync(repository, prefix + MergesFileName, revision, progress, cancellationToken).ConfigureAwait(false);
        return FromVocabAndMerges(vocab, merges);
    }

    /// <summary>The hub repository and sub-folder of a family's tokenizer: SD1 → CLIP-L's root, SD2 → SD2's tokenizer/.</summary>
    public static (string Repository, string? Subfolder) HubSourceFor(bool sd2) => sd2 ? (Sd2Repository, "tokenizer") : (Sd1Repository, null);

    /// <summary>"org/name" → "models--org--name", the hub cache's folder for a model repository.</summary>
    public static string HubFolderName(string repository)
    {
        string[] parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p is "." or ".." || p.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || p.Contains('\\')))
            throw new ArgumentException($"\"{repository}\" is not a Hugging Face repository name of the form owner/name", nameof(repository));
        return "models--" + parts[0] + "--" + parts[1];
    }
}
