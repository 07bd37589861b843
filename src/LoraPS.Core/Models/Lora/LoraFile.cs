using LoraPS.Formats;

namespace LoraPS.Models.Lora;

/// <summary>
/// A LoRA file opened for use: its modules under kohya names (diffusers/PEFT files converted on
/// load), each knowing which file tensors hold its factors. Tensors are read only when asked for.
/// </summary>
public sealed class LoraFile : IDisposable
{
    /// <summary>Key suffix → role, longest first so ".lora_down.weight" wins over ".weight".</summary>
    private static readonly (string Suffix, string Role, bool Diffusers)[] Suffixes =
    {
        (".lora_down.weight", "down", false), (".lora_up.weight", "up", false),
        (".hada_w1_a", "hada_w1_a", false), (".hada_w1_b", "hada_w1_b", false),
        (".hada_w2_a", "hada_w2_a", false), (".hada_w2_b", "hada_w2_b", false),
        (".hada_t1", "hada_t1", false), (".hada_t2", "hada_t2", false),
        (".lokr_w1_a", "lokr_w1_a", false), (".lokr_w1_b", "lokr_w1_b", false), (".lokr_w1", "lokr_w1", false),
        (".lokr_w2_a", "lokr_w2_a", false), (".lokr_w2_b", "lokr_w2_b", false), (".lokr_w2", "lokr_w2", false),
        (".lokr_t2", "lokr_t2", false), (".dora_scale", "dora_scale", false),
        (".lora_linear_layer.down.weight", "down", true), (".lora_linear_layer.up.weight", "up", true),
        (".lora_A.default.weight", "down", true), (".lora_B.default.weight", "up", true),
        (".lora_A.weight", "down", true), (".lora_B.weight", "up", true),
        (".lora.down.weight", "down", true), (".lora.up.weight", "up", true),
        (".down.weight", "down", true), (".up.weight", "up", true),
        (".alpha", "alpha", false),
    };

    public ITensorFile Tensors { get; }
    public string Path => Tensors.Path;
    public LoraKeyLayout Layout { get; }
    public IReadOnlyList<LoraModule> Modules { get; }
    public IReadOnlyDictionary<string, LoraModule> ModulesByName { get; }

    /// <summary>Keys that belong to no module (kept by resize as sd-scripts does).</summary>
    public IReadOnlyList<string> OtherKeys { get; }

    private LoraFile(ITensorFile tensors)
    {
        Tensors = tensors;
        bool diffusers = false;
        bool sdxl = tensors.TensorNames.Any(n => n.Contains("text_encoder_2.", StringComparison.Ordinal) || n.StartsWith("lora_te2_", StringComparison.Ordinal));
        var groups = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var order = new List<string>();
        var other = new List<string>();
        foreach (string key in tensors.TensorNames)
        {
            var match = Suffixes.FirstOrDefault(s => key.EndsWith(s.Suffix, StringComparison.Ordinal));
            if (match.Suffix is null) { other.Add(key); continue; }
            string module = key[..^match.Suffix.Length];
            bool isKohya = module.StartsWith("lora_unet_", StringComparison.Ordinal) || module.StartsWith("lora_te", StringComparison.Ordinal);
            if (match.Diffusers || !isKohya)
            {
                if (isKohya) { other.Add(key); continue; }
                diffusers = true;
                module = KohyaNames.FromDiffusers(module, sdxl);
            }
            if (!groups.TryGetValue(module, out var roles)) { groups[module] = roles = new(StringComparer.Ordinal); order.Add(module); }
            if (roles.ContainsKey(match.Role))
                throw new InvalidFileException(Path, $"module '{module}' has two '{match.Role}' tensors (second: '{key}')");
            roles[match.Role] = key;
        }
        var modules = new List<LoraModule>();
        foreach (string name in order)
        {
            var roles = groups[name];
            if (roles.Count == 1 && roles.ContainsKey("alpha")) { other.Add(roles["alpha"]); continue; }
            modules.Add(Describe(name, roles));
        }
        if (modules.Count == 0) throw new InvalidFileException(Path, "no LoRA modules: no lora_down/lora_up, hada_*, lokr_* or lora_A/lora_B tensors");
        Layout = diffusers ? LoraKeyLayout.Diffusers : LoraKeyLayout.Kohya;
        Modules = modules;
        ModulesByName = modules.ToDictionary(m => m.Name, StringComparer.Ordinal);
        OtherKeys = other;
    }

    /// <summary>Opens a .safetensors or .ckpt LoRA; throws <see cref="InvalidFileException"/> if it is not one.</summary>
    public static LoraFile Open(string path)
    {
        var tensors = TensorFiles.Open(path);
        try { return new LoraFile(tensors); }
        catch { tensors.Dispose(); throw; }
    }

    /// <summary>Wraps an already open tensor file (which the LoraFile then owns).</summary>
    public static LoraFile From(ITensorFile tensors) => new(tensors);

    /// <summary>True when the key set looks like a LoRA rather than a checkpoint.</summary>
    public static bool LooksLikeLora(ITensorFile file) => file.TensorNames.Any(k =>
        k.EndsWith(".lora_down.weight", StringComparison.Ordinal) || k.EndsWith(".lora_A.weight", StringComparison.Ordinal)
        || k.Contains(".hada_w1_", StringComparison.Ordinal) || k.Contains(".lokr_w", StringComparison.Ordinal)
        || k.EndsWith(".lora.down.weight", StringComparison.Ordinal) || k.EndsWith("_lora.down.weight", StringComparison.Ordinal)
        || k.EndsWith(".lora_linear_layer.down.weight", StringComparison.Ordinal));

    public float[] Read(LoraModule module, string role) =>
        module.TensorKeys.TryGetValue(role, out var key) ? Tensors.ReadSingles(key)
            : throw new InvalidFileException(Path, $"module '{module.Name}' has no '{role}' tensor");

    public long[] Shape(LoraModule module, string role) => Tensors.GetInfo(module.TensorKeys[role]).Shape;

    private InvalidFileException Bad(string module, string defect) => new(Path, $"module '{module}': {defect}");

    private LoraModule Describe(string name, Dictionary<string, string> roles)
    {
        long[] S(string role) => Tensors.GetInfo(roles[role]).Shape;
        double? alpha = null;
        if (roles.TryGetValue("alpha", out var alphaKey))
        {
            var info = Tensors.GetInfo(alphaKey);
            if (info.ElementCount != 1) throw Bad(name, $"alpha has shape [{string.Join(", ", info.Shape)}], not one value");
            alpha = Tensors.ReadSingles(alphaKey)[0];
            if (double.IsNaN(alpha.Value) || double.IsInfinity(alpha.Value)) throw Bad(name, "alpha is not a finite number");
        }
        if (roles.ContainsKey("down") || roles.ContainsKey("up"))
        {
            if (!roles.ContainsKey("down") || !roles.ContainsKey("up")) throw Bad(name, "has lora_down without lora_up or the reverse");
            long[] down = S("down"), up = S("up");
            if (down.Length is not (2 or 4) || up.Length != down.Length)
                throw Bad(name, $"lora_down [{string.Join(", ", down)}] and lora_up [{string.Join(", ", up)}] are not both 2-D or both 4-D");
            if (up[1] != down[0]) throw Bad(name, $"lora_up has {up[1]} columns but lora_down has rank {down[0]}");
            if (down[0] == 0) throw Bad(name, "rank 0");
            var kind = down.Length == 2 ? LoraLayerKind.Linear : down[2] == 1 && down[3] == 1 ? LoraLayerKind.Conv1x1 : LoraLayerKind.Conv;
            if (up.Length == 4 && (up[2] != 1 || up[3] != 1)) throw Bad(name, "lora_up of a conv must be 1×1");
            int rank = checked((int)down[0]);
            return new LoraModule
            {
                Name = name, Algorithm = LoraAlgorithm.LoRA, LayerKind = kind, Rank = rank,
                Alpha = alpha is { } a && a != 0 ? a : rank, HasAlpha = alpha is not null,
                OutFeatures = up[0], InFeatures = down[1],
                KernelHeight = down.Length == 4 ? (int)down[2] : 1, KernelWidth = down.Length == 4 ? (int)down[3] : 1,
                TensorKeys = roles,
            };
        }
        if (roles.ContainsKey("hada_w1_a"))
        {
            foreach (var r in new[] { "hada_w1_b", "hada_w2_a", "hada_w2_b" })
                if (!roles.ContainsKey(r)) throw Bad(name, $"LoHa module lacks {r}");
            long[] w1a = S("hada_w1_a"), w1b = S("hada_w1_b");
            int rank = checked((int)w1b[0]);
            bool tucker = roles.ContainsKey("hada_t1");
            long outF, inF; int kh = 1, kw = 1;
            if (tucker)
            {
                long[] t1 = S("hada_t1");
                outF = w1a[1]; inF = w1b[1]; kh = (int)t1[2]; kw = (int)t1[3];
            }
            else
            {
                outF = w1a[0];
                (inF, kh, kw) = KernelFromName(name, w1b[1]);
            }
            return new LoraModule
            {
                Name = name, Algorithm = LoraAlgorithm.LoHa, LayerKind = kh > 1 ? LoraLayerKind.Conv : LoraLayerKind.Linear,
                Rank = rank, Alpha = alpha is { } a && a != 0 ? a : rank, HasAlpha = alpha is not null,
                OutFeatures = outF, InFeatures = inF, KernelHeight = kh, KernelWidth = kw, TensorKeys = roles,
            };
        }
        if (roles.ContainsKey("lokr_w1") || roles.ContainsKey("lokr_w1_a"))
        {
            long a1, c1;
            int rank = 0;
            if (roles.ContainsKey("lokr_w1")) { var w1 = S("lokr_w1"); a1 = w1[0]; c1 = w1[1]; }
            else { var wa = S("lokr_w1_a"); var wb = S("lokr_w1_b"); a1 = wa[0]; c1 = wb[1]; rank = (int)wb[0]; }
            long b2, d2; int kh = 1, kw = 1;
            if (roles.ContainsKey("lokr_w2"))
            {
                var w2 = S("lokr_w2"); b2 = w2[0]; d2 = w2[1];
                if (w2.Length == 4) { kh = (int)w2[2]; kw = (int)w2[3]; }
            }
            else if (roles.ContainsKey("lokr_t2"))
            {
                var t2 = S("lokr_t2"); var wa = S("lokr_w2_a"); var wb = S("lokr_w2_b");
                b2 = wa[1]; d2 = wb[1]; kh = (int)t2[2]; kw = (int)t2[3]; rank = (int)wb[0];
            }
            else if (roles.ContainsKey("lokr_w2_a"))
            {
                var wa = S("lokr_w2_a"); var wb = S("lokr_w2_b");
                b2 = wa[0]; rank = (int)wb[0];
                (d2, kh, kw) = KernelFromName(name, wb[1]);
            }
            else throw Bad(name, "LoKr module lacks lokr_w2");
            double alphaValue = alpha is { } a && a != 0 ? a : rank;
            return new LoraModule
            {
                Name = name, Algorithm = LoraAlgorithm.LoKr, LayerKind = kh > 1 ? LoraLayerKind.Conv : LoraLayerKind.Linear,
                Rank = rank, Alpha = rank == 0 ? 1 : alphaValue, HasAlpha = alpha is not null,
                OutFeatures = a1 * b2, InFeatures = c1 * d2, KernelHeight = kh, KernelWidth = kw, TensorKeys = roles,
            };
        }
        throw Bad(name, $"tensors {string.Join(", ", roles.Keys)} do not form a LoRA, LoHa or LoKr module");
    }

    /// <summary>A flattened conv factor [r, in·k·k] does not say k: SD's 3×3 layers are known by name.</summary>
    private static (long In, int Kh, int Kw) KernelFromName(string name, long columns)
    {
        bool conv3 = name.EndsWith("_conv1", StringComparison.Ordinal) || name.EndsWith("_conv2", StringComparison.Ordinal)
            || name.EndsWith("_conv", StringComparison.Ordinal) || name.EndsWith("_op", StringComparison.Ordinal)
            || name.EndsWith("_in_layers_2", StringComparison.Ordinal) || name.EndsWith("_out_layers_3", StringComparison.Ordinal)
            || name.EndsWith("_conv_in", StringComparison.Ordinal) || name.EndsWith("_conv_out", StringComparison.Ordinal);
        return conv3 && columns % 9 == 0 ? (columns / 9, 3, 3) : (columns, 1, 1);
    }

    public void Dispose() => Tensors.Dispose();
}
