using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// A diffusers pipeline folder: <c>model_index.json</c> at the root and one subfolder per part (<c>unet/</c>,
/// <c>text_encoder/</c>, <c>vae/</c>, <c>scheduler/</c>), each with its config and weights.
/// </summary>
internal sealed class DiffusersFolder
{
    private readonly Dictionary<string, JsonConfig> configs = new(StringComparer.Ordinal);

    public string Root { get; }
    public JsonConfig ModelIndex { get; }

    private DiffusersFolder(string root, JsonConfig modelIndex)
    {
        Root = root;
        ModelIndex = modelIndex;
    }

    /// <summary>Opens <paramref name="root"/>; it must hold model_index.json.</summary>
    public static DiffusersFolder Open(string root)
    {
        string index = Path.Combine(root, "model_index.json");
        if (!File.Exists(index))
            throw new InvalidFileException(root, "is a folder without model_index.json: not a diffusers model folder (give a .safetensors/.ckpt file or a diffusers folder)");
        return new DiffusersFolder(root, JsonConfig.Read(index));
    }

    public bool HasPart(string part) => Directory.Exists(Path.Combine(Root, part));

    /// <summary><c>part/config.json</c>, read once.</summary>
    public JsonConfig PartConfig(string part)
    {
        if (configs.TryGetValue(part, out var config)) return config;
        string dir = Path.Combine(Root, part);
        if (!Directory.Exists(dir)) throw new InvalidFileException(Root, $"has no {part}/ folder");
        string path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) throw new InvalidFileException(dir, "has no config.json");
        return configs[part] = JsonConfig.Read(path);
    }

    /// <summary><c>scheduler/scheduler_config.json</c>, or null when the folder has none.</summary>
    public JsonConfig? SchedulerConfig()
    {
        string path = Path.Combine(Root, "scheduler", "scheduler_config.json");
        return File.Exists(path) ? JsonConfig.Read(path) : null;
    }

    /// <summary>The weights of <paramref name="part"/>; see <see cref="WeightsIn"/>.</summary>
    public string Weights(PartDescription part) => WeightsIn(Path.Combine(Root, part.Name), part.DiffusersWeightNames);

    /// <summary>
    /// The weight file of a diffusers model folder: for each base name, <c>.safetensors</c> first, then the
    /// <c>.fp16.safetensors</c> variant, then PyTorch's <c>.bin</c> and <c>.fp16.bin</c>.
    /// </summary>
    public static string WeightsIn(string dir, IReadOnlyList<string> baseNames)
    {
        var candidates = new List<string>();
        foreach (string extension in new[] { ".safetensors", ".fp16.safetensors", ".bin", ".fp16.bin" })
            foreach (string name in baseNames)
                candidates.Add(name + extension);
        foreach (string name in candidates)
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.index.json").Any())
            throw new InvalidFileException(dir, "holds sharded weights (*.index.json); sharded diffusers weights are not supported");
        throw new InvalidFileException(dir, $"has none of the weight files {string.Join(", ", candidates)}");
    }
}
