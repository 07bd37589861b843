using LoraPS.Hub;
using LoraPS.Models.Text;

namespace LoraPS.Models.StableDiffusion;

/// <summary>
/// Finds the CLIP tokenizer a loaded model needs. Checkpoints do not carry one, so, in order: the path the user
/// gave (a folder with vocab.json + merges.txt, or OpenAI's bpe_simple_vocab_16e6.txt.gz), a diffusers folder's
/// tokenizer/, the Hugging Face hub cache (the repository each family's tools use), and last a download into
/// that cache unless the hub options say offline.
/// </summary>
public static class StableDiffusionTokenizer
{
    public static ClipTokenizer Load(StableDiffusionModel model, string? tokenizerPath, HubOptions hub,
        IProgress<HubDownloadProgress>? download = null, CancellationToken cancellationToken = default)
    {
        var files = Locate(model.Family, model.SourcePath, tokenizerPath, hub, download, cancellationToken);
        return ClipTokenizer.Load(files, model.TextEncoder.Config.PadTokenId);
    }

    public static ClipTokenizerFiles Locate(ModelFamily family, string modelPath, string? tokenizerPath, HubOptions hub,
        IProgress<HubDownloadProgress>? download = null, CancellationToken cancellationToken = default)
    {
        if (tokenizerPath is not null) return ClipTokenizerFiles.FromFolder(tokenizerPath);
        if (Directory.Exists(modelPath) && ClipTokenizerFiles.TryFind(modelPath) is { } beside) return beside;

        var (repository, subfolder) = ClipTokenizerFiles.HubSourceFor(family == ModelFamily.SD2);
        // The cache first, so that a machine without network works once the files are there.
        using (var cacheOnly = new HubClient(hub with { Offline = true }))
        {
            try { return ClipTokenizerFiles.DownloadAsync(cacheOnly, repository, subfolder, "main", null, cancellationToken).GetAwaiter().GetResult(); }
            catch (HubException) when (!hub.Offline) { }
        }
        using var client = new HubClient(hub);
        return ClipTokenizerFiles.DownloadAsync(client, repository, subfolder, "main", download, cancellationToken).GetAwaiter().GetResult();
    }
}
