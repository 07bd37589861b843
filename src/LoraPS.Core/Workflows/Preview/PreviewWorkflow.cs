using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using LoraPS.Formats.Images;
using LoraPS.Hub;
using LoraPS.Models.Lora;
using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.Text;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// New-LoraPreview / `loraps preview`: loads a base model once, then for each LoRA draws every row of the
/// plan at every strength (the LoRA applied without merging), writes each picture as a PNG with
/// AUTOMATIC1111's "parameters" text, and a labelled grid of them all.
/// </summary>
public sealed class PreviewWorkflow : IDisposable
{
    private readonly StableDiffusionModel _model;
    private readonly ImageGenerator _generator;
    private readonly Dictionary<string, LoraFile> _promptLoras = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _hashes = new(StringComparer.Ordinal);

    public PreviewPlan Plan { get; }

    private PreviewWorkflow(PreviewPlan plan, StableDiffusionModel model, ClipTokenizer tokenizer)
    {
        Plan = plan;
        _model = model;
        _generator = new ImageGenerator(tokenizer, model.TextEncoder, model.UNet, model.Vae, model.Prediction);
    }

    /// <summary>Loads the base model and its tokenizer (downloading the tokenizer into the hub cache if it is nowhere else).</summary>
    public static PreviewWorkflow Open(PreviewPlan plan, IProgress<string>? status = null, IProgress<HubDownloadProgress>? download = null,
        CancellationToken cancellationToken = default)
    {
        var model = StableDiffusionModel.Load(plan.Options.Model, status, cancellationToken);
        try
        {
            status?.Report("Loading the tokenizer");
            var tokenizer = StableDiffusionTokenizer.Load(model, plan.Options.TokenizerPath, plan.Options.Hub, download, cancellationToken);
            return new PreviewWorkflow(plan, model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Draws the plan for the LoRA at <paramref name="loraPath"/> (null: the base model alone, one column) and returns
    /// what was written: the pictures column by column, then the grid. Existing files stop the run before anything
    /// is drawn unless the options allow replacing them. LoRA modules that match nothing in the model are reported in
    /// <paramref name="warnings"/>.
    /// </summary>
    public IReadOnlyList<PreviewImage> Render(string? loraPath, Action<string>? warnings = null, IProgress<PreviewProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var options = Plan.Options;
        Plan.CheckOutputsAreFree(loraPath);
        var rows = Plan.Rows;
        var columns = Plan.Columns(loraPath);
        string name = PreviewPlan.LoraName(loraPath);
        using var lora = loraPath is null ? null : LoraFile.Open(loraPath);
        string? loraHash = loraPath is null ? null : HashOf(loraPath);
        var rowLabels = rows.Select(r => $"{r.Prompt} (seed {r.Seed})").ToList();
        var columnLabels = columns.Select(s => loraPath is null ? PreviewPlan.BaseName : $"{name}:{Format(s)}").ToList();
        var layout = new GridLayout { Title = $"{name} on {ModelName}" };
        // A grid too large to write is refused now, not after every picture has been drawn.
        if (options.Grid)
            PreviewGrid.Plan(rows.Count, columns.Count, rows.Max(r => r.Width), rows.Max(r => r.Height), rowLabels, columnLabels, layout);
        // A LoRA that does not fit the model is refused before anything is drawn; modules that match nothing are said once.
        if (lora is not null)
            using (var probe = LoraInference.Apply(lora, 1, 1, _model.TextEncoder, _model.UNet))
                if (probe.UnmatchedModules.Count > 0)
                    warnings?.Invoke($"{name}: {probe.UnmatchedModules.Count} LoRA module(s) match nothing in the model: {string.Join(", ", probe.UnmatchedModules.Take(8))}");
        Directory.CreateDirectory(options.OutputFolder);

        var cells = rows.Select(_ => new RgbaImage[columns.Count]).ToArray();
        var written = new List<PreviewImage>();
        int total = rows.Count * columns.Count;
        for (int column = 0; column < columns.Count; column++)
        {
            double strength = columns[column];
            using var applied = lora is not null && strength != 0
                ? LoraInference.Apply(lora, strength, strength, _model.TextEncoder, _model.UNet)
                : null;

            for (int row = 0; row < rows.Count; row++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var request = rows[row];
                int done = written.Count;
                var steps = progress is null ? null : new CallbackProgress<int>(step => progress.Report(new PreviewProgress(done, total, step, request.Steps, $"{name}:{Format(strength)} row {row + 1}")));
                var (image, infoPrompt, hashes) = Draw(request, lora is null || strength == 0 ? null : (name, strength, loraHash), steps, cancellationToken);
                string path = Plan.ImagePath(loraPath, row, column);
                Save(image, path, InfoText.Format(infoPrompt, request.NegativePrompt, request.Steps, request.Sampler.ToString(), request.CfgScale,
                    request.Seed, image.Width, image.Height, ModelName, null, request.ClipSkip, hashes));
                cells[row][column] = image;
                written.Add(Describe(path, name, strength, request, image, row, column));
            }
        }
        progress?.Report(new PreviewProgress(total, total, 0, 0, name));

        if (options.Grid)
        {
            var grid = PreviewGrid.Compose(cells, rowLabels, columnLabels, layout);
            string gridPath = Plan.GridPath(loraPath);
            var first = rows[0];
            Save(grid, gridPath, InfoText.Format(first.Prompt, first.NegativePrompt, first.Steps, first.Sampler.ToString(), first.CfgScale,
                first.Seed, first.Width, first.Height, ModelName, null, first.ClipSkip));
            written.Add(Describe(gridPath, name, columns[^1], first, grid, -1, -1) with { IsGrid = true });
        }
        return written;
    }

    private string ModelName => Path.GetFileNameWithoutExtension(Plan.Options.Model.Path.TrimEnd('/', '\\'));

    /// <summary>
    /// One picture: the prompt's own &lt;lora:…&gt; tags applied for its duration, and the LoRA under preview already
    /// applied by the caller. Returns the picture, the prompt as A1111 would need it to redraw the picture (with a tag
    /// for the previewed LoRA), and the LoRA hashes for the infotext.
    /// </summary>
    private (RgbaImage Image, string InfoPrompt, List<(string Name, string Hash)> Hashes) Draw(GenerationRequest request,
        (string Name, double Strength, string? Hash)? previewed, IProgress<int>? steps, CancellationToken cancellationToken)
    {
        var (prompt, references) = LoraPromptSyntax.Extract(request.Prompt);
        var hashes = new List<(string Name, string Hash)>();
        var applied = new List<AppliedLora>();
        try
        {
            foreach (var reference in references)
            {
                string path = LoraPromptSyntax.Resolve(reference.Name, Plan.Options.LoraFolders);
                if (!_promptLoras.TryGetValue(path, out var file)) _promptLoras[path] = file = LoraFile.Open(path);
                if (reference.TextEncoderStrength != 0 || reference.UNetStrength != 0)
                    applied.Add(LoraInference.Apply(file, reference.TextEncoderStrength, reference.UNetStrength, _model.TextEncoder, _model.UNet));
                if (HashOf(path) is { } hash) hashes.Add((reference.Name, hash));
            }
            string infoPrompt = request.Prompt;
            if (previewed is var (name, strength, previewHash))
            {
                infoPrompt += $" <lora:{name}:{Format(strength)}>";
                if (previewHash is not null) hashes.Add((name, previewHash));
            }
            var image = _generator.Generate(request with { Prompt = prompt }, steps, cancellationToken);
            return (image, infoPrompt, hashes);
        }
        finally
        {
            foreach (var a in applied) a.Dispose();
        }
    }

    private static PreviewImage Describe(string path, string lora, double strength, GenerationRequest request, RgbaImage image, int row, int column) => new()
    {
        Path = path,
        Lora = lora,
        Strength = strength,
        Prompt = request.Prompt,
        NegativePrompt = request.NegativePrompt,
        Seed = request.Seed,
        Width = image.Width,
        Height = image.Height,
        Steps = request.Steps,
        Sampler = request.Sampler.ToString(),
        CfgScale = request.CfgScale,
        Row = row,
        Column = column,
    };

    private void Save(RgbaImage image, string path, string parameters) => PreviewPng.Save(image, path, parameters, overwrite: Plan.Options.Force);

    private static string Format(double strength) => strength.ToString("0.###", CultureInfo.InvariantCulture);

    private string? HashOf(string path)
    {
        if (!_hashes.TryGetValue(path, out string? hash)) _hashes[path] = hash = ShortHash(path);
        return hash;
    }

    /// <summary>
    /// A1111's short LoRA hash: the first 12 hex digits of the SHA-256 of a .safetensors file's tensor data (everything
    /// after the header), the same hash sd-scripts stores as sshs_model_hash. Null for other formats.
    /// </summary>
    private static string? ShortHash(string path)
    {
        if (!path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return null;
        using var stream = File.OpenRead(path);
        Span<byte> length = stackalloc byte[8];
        if (stream.Read(length) != 8) return null;
        long header = BinaryPrimitives.ReadInt64LittleEndian(length);
        if (header < 0 || header > stream.Length - 8) return null;
        stream.Position = 8 + header;
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant()[..12];
    }

    public void Dispose()
    {
        foreach (var file in _promptLoras.Values) file.Dispose();
        _model.Dispose();
    }
}
