namespace LoraPS.Models.Tagging;

/// <summary>A SmilingWolf WD14 tagger published on the Hugging Face hub.</summary>
public sealed record Wd14ModelSpec(string Name, string RepoId, string Architecture, int Version);

/// <summary>The taggers LoraPS knows by short name or repo id; sd-scripts' default comes first.</summary>
public static class Wd14KnownModels
{
    public const string ModelFile = "model.onnx", TagsFile = "selected_tags.csv";

    public static IReadOnlyList<Wd14ModelSpec> All { get; } = new[]
    {
        new Wd14ModelSpec("wd-v1-4-convnext-tagger-v2", "SmilingWolf/wd-v1-4-convnext-tagger-v2", "ConvNeXt", 2),
        new Wd14ModelSpec("wd-v1-4-vit-tagger-v2", "SmilingWolf/wd-v1-4-vit-tagger-v2", "ViT", 2),
        new Wd14ModelSpec("wd-v1-4-swinv2-tagger-v2", "SmilingWolf/wd-v1-4-swinv2-tagger-v2", "SwinV2", 2),
        new Wd14ModelSpec("wd-v1-4-moat-tagger-v2", "SmilingWolf/wd-v1-4-moat-tagger-v2", "MOAT", 2),
        new Wd14ModelSpec("wd-vit-tagger-v3", "SmilingWolf/wd-vit-tagger-v3", "ViT", 3),
        new Wd14ModelSpec("wd-swinv2-tagger-v3", "SmilingWolf/wd-swinv2-tagger-v3", "SwinV2", 3),
        new Wd14ModelSpec("wd-convnext-tagger-v3", "SmilingWolf/wd-convnext-tagger-v3", "ConvNeXt", 3),
        new Wd14ModelSpec("wd-eva02-large-tagger-v3", "SmilingWolf/wd-eva02-large-tagger-v3", "EVA02-Large", 3),
    };

    public static Wd14ModelSpec Default => All[0];

    /// <summary>Finds a model by short name or repo id (case-insensitive); an unknown "owner/name" is taken as a repo id.</summary>
    public static Wd14ModelSpec Resolve(string nameOrRepo)
    {
        var known = All.FirstOrDefault(m => string.Equals(m.Name, nameOrRepo, StringComparison.OrdinalIgnoreCase)
                                            || string.Equals(m.RepoId, nameOrRepo, StringComparison.OrdinalIgnoreCase));
        if (known != null) return known;
        if (nameOrRepo.Count(c => c == '/') == 1 && !nameOrRepo.StartsWith('/') && !nameOrRepo.EndsWith('/'))
            return new Wd14ModelSpec(nameOrRepo.Split('/')[1], nameOrRepo, "unknown", 0);
        throw new ArgumentException($"unknown tagger model '{nameOrRepo}'; known: {string.Join(", ", All.Select(m => m.Name))} (or give a hub repo id owner/name, or -ModelPath)");
    }
}
