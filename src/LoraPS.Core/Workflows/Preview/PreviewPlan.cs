using System.Globalization;
using LoraPS.Models.StableDiffusion.Generation;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// What a preview run will draw and where, worked out before any model is loaded, so that bad prompt
/// files, missing prompts and files that would be replaced stop the run at once (and -WhatIf can list them).
/// </summary>
public sealed class PreviewPlan
{
    public const string BaseName = "base";

    public PreviewOptions Options { get; }

    /// <summary>One request per grid row: prompts × seeds, or the lines of the prompt file × seeds.</summary>
    public IReadOnlyList<GenerationRequest> Rows { get; }

    private PreviewPlan(PreviewOptions options, IReadOnlyList<GenerationRequest> rows)
    {
        Options = options;
        Rows = rows;
    }

    /// <summary>The plan for <paramref name="options"/>; with no seeds given, one random seed is drawn for the whole run.</summary>
    public static PreviewPlan Create(PreviewOptions options)
    {
        if (options.Prompts.Count == 0 && options.PromptFile is null)
            throw new ArgumentException("nothing to draw: give one or more prompts or a sample-prompt file");
        if (options.Strengths.Count == 0) throw new ArgumentException("give at least one LoRA strength to compare");
        if (options.Strengths.Any(s => !double.IsFinite(s)))
            throw new ArgumentException($"strengths must be finite numbers; got {string.Join(", ", options.Strengths)}");
        var seeds = options.Seeds.Count > 0 ? options.Seeds : new[] { Random.Shared.NextInt64(0, 1L << 32) };

        var rows = new List<GenerationRequest>();
        foreach (string prompt in options.Prompts)
            rows.AddRange(seeds.Select(seed => options.Settings with { Prompt = prompt, Seed = seed }));
        // A prompt-file line with its own --d keeps that seed; the others are drawn once per seed.
        if (options.PromptFile is not null)
            foreach (var line in SamplePrompt.ReadFile(options.PromptFile))
            {
                var request = line.ToRequest(options.Settings);
                rows.AddRange((line.Seed is long own ? new[] { own } : seeds).Select(seed => request with { Seed = seed }));
            }
        return new PreviewPlan(options, rows.Distinct().ToList());
    }

    /// <summary>The strengths drawn for <paramref name="loraPath"/>: the options' list, or one column for the base model alone.</summary>
    public IReadOnlyList<double> Columns(string? loraPath) => loraPath is null ? new[] { 0.0 } : Options.Strengths;

    public static string LoraName(string? loraPath) => loraPath is null ? BaseName : Path.GetFileNameWithoutExtension(loraPath);

    /// <summary>"name-0.4-00-1234.png": LoRA, strength, row, seed.</summary>
    public string ImagePath(string? loraPath, int row, int column) =>
        Path.Combine(Options.OutputFolder, string.Create(CultureInfo.InvariantCulture,
            $"{LoraName(loraPath)}-{Columns(loraPath)[column]:0.###}-{row:00}-{Rows[row].Seed}.png"));

    public string GridPath(string? loraPath) => Path.Combine(Options.OutputFolder, LoraName(loraPath) + "-grid.png");

    /// <summary>Every file a run for <paramref name="loraPath"/> writes.</summary>
    public IEnumerable<string> OutputPaths(string? loraPath)
    {
        for (int column = 0; column < Columns(loraPath).Count; column++)
            for (int row = 0; row < Rows.Count; row++)
                yield return ImagePath(loraPath, row, column);
        if (Options.Grid) yield return GridPath(loraPath);
    }

    /// <summary>Throws naming the first file that exists, unless the options allow replacing it.</summary>
    public void CheckOutputsAreFree(string? loraPath)
    {
        if (Options.Force) return;
        foreach (string path in OutputPaths(loraPath))
            if (File.Exists(path))
                throw new IOException($"{path} already exists; nothing was drawn (use -Force to replace it, or another output folder)");
    }
}
