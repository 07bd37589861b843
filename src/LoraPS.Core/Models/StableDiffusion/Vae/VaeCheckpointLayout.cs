namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>
/// Where a file keeps the VAE: <c>first_stage_model.</c> in a single-file checkpoint, <c>vae.</c> in
/// some, or no prefix in a separate VAE file (sd-scripts' <c>--vae</c>). Key names below the prefix
/// are ldm's (<c>encoder.down.N.block.M…</c>, <c>mid.attn_1.q</c>, also the module's names) or diffusers' (<see cref="VaeDiffusersNames"/>).
/// </summary>
public static class VaeCheckpointLayout
{
    private static readonly string[] Prefixes = { "first_stage_model.", "vae.", "" };
    private const string Probe = "encoder.conv_in.weight";

    /// <summary>The prefix under which <paramref name="keys"/> hold the VAE, or null when none is found.</summary>
    public static string? DetectPrefix(IEnumerable<string> keys)
    {
        var set = keys as IReadOnlySet<string> ?? keys.ToHashSet(StringComparer.Ordinal);
        return Prefixes.FirstOrDefault(p => set.Contains(p + Probe));
    }

    /// <summary>Whether a key (below the prefix) belongs to the VAE's module tree.</summary>
    internal static bool IsVaeKey(string rest) =>
        rest.StartsWith("encoder.", StringComparison.Ordinal) || rest.StartsWith("decoder.", StringComparison.Ordinal)
        || rest.StartsWith("quant_conv.", StringComparison.Ordinal) || rest.StartsWith("post_quant_conv.", StringComparison.Ordinal);
}
