using System.Text.Json;
using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>
/// Hyper-parameters of an AutoencoderKL (ldm names). The same code builds the real SD1/SD2 VAE
/// (<see cref="Sd"/>) and the tiny test models, whose values come from the <c>vae</c> section of a model JSON.
/// </summary>
public sealed record VaeConfig
{
    public required int Ch { get; init; }
    public required IReadOnlyList<int> ChMult { get; init; }
    public required int NumResBlocks { get; init; }
    public int ZChannels { get; init; } = 4;
    public int ImageChannels { get; init; } = 3;
    public double ScalingFactor { get; init; } = 0.18215;
    public int NormGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-6;

    /// <summary>Pixels per latent along each side: 2^(levels − 1) (8 for SD).</summary>
    public int DownscaleFactor => 1 << (ChMult.Count - 1);

    /// <summary>The VAE of SD 1.x and 2.x (ch 128, ch_mult 1,2,4,4, 2 res blocks, z 4, scale 0.18215).</summary>
    public static VaeConfig Sd { get; } = new() { Ch = 128, ChMult = new[] { 1, 2, 4, 4 }, NumResBlocks = 2 };

    /// <summary>SDXL's VAE: the same network, scale 0.13025.</summary>
    public static VaeConfig Sdxl { get; } = Sd with { ScalingFactor = 0.13025 };

    public void Validate(string? source = null)
    {
        string where = source is null ? "" : source + ": ";
        if (Ch <= 0 || NumResBlocks <= 0 || ZChannels <= 0 || ImageChannels <= 0 || ChMult.Count == 0 || ChMult.Any(m => m <= 0))
            throw new ArgumentException($"{where}vae ch, ch_mult, num_res_blocks and z_channels must be positive");
        foreach (int m in ChMult.Prepend(1))
            if (Ch * m % NormGroups != 0)
                throw new ArgumentException($"{where}vae width {Ch * m} (ch {Ch} × {m}) does not split into {NormGroups} norm groups");
        if (!(ScalingFactor > 0) || double.IsInfinity(ScalingFactor))
            throw new ArgumentException($"{where}vae scaling_factor must be a positive number, found {ScalingFactor}");
    }

    /// <summary>Reads the <c>vae</c> section of a model JSON (as in <c>tiny-sd1-1234.json</c>).</summary>
    public static VaeConfig FromModelJson(string path)
        => ModelJson.ReadSection(path, "vae", "VAE", (vae, _) => FromJson(vae, path));

    /// <summary>Reads the hyper-parameters from a JSON object (the <c>vae</c> section).</summary>
    public static VaeConfig FromJson(JsonElement vae, string source)
    {
        int Int(string name, int? fallback = null) => ModelJson.Int(vae, "vae", name, source, fallback);
        if (!vae.TryGetProperty("ch_mult", out var mult) || mult.ValueKind != JsonValueKind.Array)
            throw new InvalidFileException(source, "vae.ch_mult is missing or not an array");
        var chMult = mult.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i)
            ? i : throw new InvalidFileException(source, $"vae.ch_mult holds {e}, not an integer")).ToArray();
        double scale = 0.18215;
        if (vae.TryGetProperty("scaling_factor", out var s))
            scale = s.ValueKind == JsonValueKind.Number ? s.GetDouble() : throw new InvalidFileException(source, $"vae.scaling_factor must be a number, found {s}");
        var config = new VaeConfig
        {
            Ch = Int("ch"),
            ChMult = chMult,
            NumResBlocks = Int("num_res_blocks"),
            ZChannels = Int("z_channels", 4),
            ScalingFactor = scale,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidFileException(source, e.Message, e); }
        return config;
    }
}
