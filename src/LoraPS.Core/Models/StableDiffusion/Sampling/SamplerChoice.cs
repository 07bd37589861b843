namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// A sampler and its noise-level schedule: the even schedule of AUTOMATIC1111, or Karras' (ρ = 7) when
/// <see cref="Karras"/> is set (not for DDIM, which steps on the training timesteps). Written and read
/// with AUTOMATIC1111's names ("Euler a", "DPM++ 2M Karras"); <see cref="Parse"/> also takes
/// sd-scripts' <c>--sample_sampler</c> / <c>--ss</c> names and ComfyUI's.
/// </summary>
public sealed record SamplerChoice(SamplerKind Kind, bool Karras = false)
{
    public SamplerKind Kind { get; init; } = Enum.IsDefined(Kind) ? Kind : throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "unknown sampler kind");

    public bool Karras { get; init; } = Karras && Kind == SamplerKind.Ddim
        ? throw new ArgumentException("DDIM steps on the training timesteps and has no Karras variant", nameof(Karras))
        : Karras;

    // name (lower case) → choice; the first seven are AUTOMATIC1111's names (what ToString writes)
    private static readonly (string Name, SamplerKind Kind, bool Karras)[] Names =
    {
        ("euler", SamplerKind.Euler, false),
        ("euler a", SamplerKind.EulerAncestral, false),
        ("ddim", SamplerKind.Ddim, false),
        ("dpm++ 2m", SamplerKind.DpmPlusPlus2M, false),
        ("euler karras", SamplerKind.Euler, true),
        ("euler a karras", SamplerKind.EulerAncestral, true),
        ("dpm++ 2m karras", SamplerKind.DpmPlusPlus2M, true),
        // sd-scripts (the k_ names alias the plain ones)
        ("k_euler", SamplerKind.Euler, false),
        ("euler_a", SamplerKind.EulerAncestral, false),
        ("k_euler_a", SamplerKind.EulerAncestral, false),
        ("dpmsolver++", SamplerKind.DpmPlusPlus2M, false),
        // ComfyUI sampler names, and its "_karras" scheduler suffix
        ("euler_ancestral", SamplerKind.EulerAncestral, false),
        ("dpmpp_2m", SamplerKind.DpmPlusPlus2M, false),
        ("k_dpmpp_2m", SamplerKind.DpmPlusPlus2M, false),
        ("euler_karras", SamplerKind.Euler, true),
        ("euler_a_karras", SamplerKind.EulerAncestral, true),
        ("euler_ancestral_karras", SamplerKind.EulerAncestral, true),
        ("dpmpp_2m_karras", SamplerKind.DpmPlusPlus2M, true),
        ("k_dpmpp_2m_karras", SamplerKind.DpmPlusPlus2M, true),
    };

    // sd-scripts samplers LoraPS does not implement: named in the error rather than silently replaced
    private static readonly string[] NotImplemented =
        { "pndm", "lms", "k_lms", "heun", "dpm_2", "k_dpm_2", "dpm_2_a", "k_dpm_2_a", "dpmsolver", "dpmsingle" };

    /// <summary>The names <see cref="Parse"/> accepts (case does not matter).</summary>
    public static IReadOnlyList<string> AcceptedNames { get; } = Names.Take(7).Select(n => new SamplerChoice(n.Kind, n.Karras).ToString())
        .Concat(Names.Skip(7).Select(n => n.Name))
        .ToArray();

    /// <summary>
    /// Reads a sampler name: AUTOMATIC1111's ("Euler a", "DPM++ 2M Karras", "DDIM"), sd-scripts'
    /// (ddim, euler, euler_a, k_euler, k_euler_a, dpmsolver++) or ComfyUI's (euler_ancestral, dpmpp_2m,
    /// dpmpp_2m_karras). Case and surrounding spaces do not matter; anything else is an
    /// <see cref="ArgumentException"/> listing the accepted names.
    /// </summary>
    public static SamplerChoice Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = string.Join(' ', name.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        foreach (var n in Names)
            if (n.Name == key) return new SamplerChoice(n.Kind, n.Karras);
        string why = NotImplemented.Contains(key) ? $"sampler \"{name}\" is not implemented by LoraPS" : $"unknown sampler \"{name}\"";
        throw new ArgumentException($"{why}; use one of: {string.Join(", ", AcceptedNames)}", nameof(name));
    }

    /// <summary>Like <see cref="Parse"/>, false instead of an exception.</summary>
    public static bool TryParse(string? name, out SamplerChoice? choice)
    {
        choice = null;
        if (name is null) return false;
        try { choice = Parse(name); return true; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>AUTOMATIC1111's name: "Euler", "Euler a", "DDIM", "DPM++ 2M", with " Karras" for the Karras schedule.</summary>
    public override string ToString()
    {
        string name = Kind switch
        {
            SamplerKind.Euler => "Euler",
            SamplerKind.EulerAncestral => "Euler a",
            SamplerKind.Ddim => "DDIM",
            SamplerKind.DpmPlusPlus2M => "DPM++ 2M",
            _ => Kind.ToString(),
        };
        return Karras ? name + " Karras" : name;
    }
}
