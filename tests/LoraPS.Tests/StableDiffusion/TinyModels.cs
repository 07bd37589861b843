using System.Text.Json;
using System.Text.Json.Nodes;
using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Support;
using LoraPS.Tests.TextEncoders;
using LoraPS.Tests.UNet;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>The tiny SD1/SD2 reference checkpoints, copies of them with changes, and the check of a loaded model against the reference outputs.</summary>
internal static class TinyModels
{
    public static string Checkpoint(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.safetensors");
    public static string Json(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.json");
    public static string Reference(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234-reference.safetensors");

    public static StableDiffusionLoadOptions Options(string family) => new() { Path = Checkpoint(family), ConfigPath = Json(family) };

    /// <summary>
    /// Writes a copy of <paramref name="source"/> to <paramref name="path"/>: each tensor through <paramref name="map"/>
    /// (null drops it), then <paramref name="extra"/>, with <paramref name="metadata"/>.
    /// </summary>
    public static void WriteCopy(string source, string path, Func<SafeTensor, SafeTensorEntry?>? map = null,
        IEnumerable<SafeTensorEntry>? extra = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var file = SafeTensorsFile.Open(source);
        var entries = file.Tensors.Select(t => map is null ? SafeTensorEntry.CopyOf(t) : map(t)).Where(e => e is not null).Select(e => e!)
            .Concat(extra ?? Array.Empty<SafeTensorEntry>()).ToList();
        SafeTensorsWriter.Write(path, entries, metadata ?? file.Metadata);
    }

    /// <summary>A copy of the tiny model JSON without the named top-level fields (e.g. family, prediction), or with a field replaced.</summary>
    public static string WriteJson(string family, string path, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(Json(family)))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
        return path;
    }

    /// <summary>
    /// Every output of the reference file from <paramref name="model"/>, float32 CPU, within 1e-4 of the largest
    /// magnitude: the text encoder at the family's default layer (and, when the model keeps every layer, both clip skips),
    /// the UNet with the given and with the text encoder's context, and the VAE's mean, log-variance and decode.
    /// </summary>
    public static void AssertReproducesReference(StableDiffusionModel model, string family, Xunit.Abstractions.ITestOutputHelper? output = null, bool allTextLayers = true)
    {
        using var reference = SafeTensorsFile.Open(Reference(family));
        using var ids = UNetParityTests.Read(reference, "text.input_ids", ScalarType.Int64);
        using var sample = UNetParityTests.Read(reference, "unet.sample", ScalarType.Float32);
        using var timesteps = UNetParityTests.Read(reference, "unet.timesteps", ScalarType.Int64);
        using var context = UNetParityTests.Read(reference, "unet.context", ScalarType.Float32);
        using var image = UNetParityTests.Read(reference, "vae.image", ScalarType.Float32);
        string familyText = family == "sd1" ? "text.last_hidden_state" : "text.clip_skip2";
        var errors = new List<string>();
        void Check(string name, Tensor actual) => errors.Add($"{name} {ClipTextEncoderParityTests.AssertMatches(reference, name, actual):G3}");

        using (torch.no_grad())
        {
            var encoder = model.TextEncoder;
            if (!allTextLayers) Check(familyText, encoder.Encode(ids, encoder.Config.DefaultClipSkip));
            else
            {
                Check("text.last_hidden_state", encoder.Encode(ids, 1));
                Check("text.clip_skip2", encoder.Encode(ids, 2));
            }
            Check("unet.out", model.UNet.forward(sample, timesteps, context));
            using (var textContext = encoder.Encode(ids, encoder.Config.DefaultClipSkip))
                Check("unet.out_text", model.UNet.forward(sample, timesteps, textContext));
            using var posterior = model.Vae.Encode(image);
            Check("vae.mean", posterior.Mean.alias());
            Check("vae.logvar", posterior.LogVar.alias());
            Check("vae.decoded", model.Vae.Decode(posterior.Mean));
        }
        output?.WriteLine($"{family}: " + string.Join(", ", errors) + " of the largest magnitude");
    }

    /// <summary>A float32 tensor of the tiny checkpoint (or any file) as a flat array.</summary>
    public static float[] Stored(string path, string key)
    {
        using var file = TensorFiles.Open(path);
        return file.ReadSingles(key);
    }

    public static string ToJson(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true });
}
