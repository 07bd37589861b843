using LoraPS.Hub;
using LoraPS.Models.StableDiffusion;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Torch;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// Options of New-LoraPreview / `loraps preview`: the base model, the prompts, the strengths to compare and
/// where the pictures go. Rows of the grid are prompts × seeds (or the lines of a sample-prompt file),
/// columns are the strengths of the LoRA under preview.
/// </summary>
public sealed record PreviewOptions
{
    /// <summary>The base checkpoint (file or diffusers folder), its VAE, dtype and device.</summary>
    public required StableDiffusionLoadOptions Model { get; init; }

    /// <summary>Tokenizer files: a folder with vocab.json + merges.txt or a bpe_simple_vocab_16e6.txt.gz; default the
    /// diffusers folder's tokenizer/, else the hub cache, else a download (unless offline).</summary>
    public string? TokenizerPath { get; init; }
    public HubOptions Hub { get; init; } = new();

    /// <summary>Prompts; each may hold A1111 <c>&lt;lora:name:w&gt;</c> tags, applied at that strength in every column.</summary>
    public IReadOnlyList<string> Prompts { get; init; } = Array.Empty<string>();

    /// <summary>An sd-scripts sample-prompt file (.txt, .toml or .json) whose lines become rows, with their own --n/--w/--h/--d/--s/--l/--ss.</summary>
    public string? PromptFile { get; init; }

    /// <summary>Settings of every picture unless a prompt-file line says otherwise (its Prompt is ignored).</summary>
    public GenerationRequest Settings { get; init; } = new() { Prompt = "" };

    /// <summary>Seeds; every prompt is drawn once per seed. Empty: one random seed, shared by all columns.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = Array.Empty<long>();

    /// <summary>Strengths of the LoRA under preview, one grid column each (the seed's mylora:0 … mylora:0.8).</summary>
    public IReadOnlyList<double> Strengths { get; init; } = new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 };

    /// <summary>Folders where the names of <c>&lt;lora:name&gt;</c> prompt tags are looked up.</summary>
    public IReadOnlyList<string> LoraFolders { get; init; } = Array.Empty<string>();

    public required string OutputFolder { get; init; }

    /// <summary>Also write the labelled grid of all pictures.</summary>
    public bool Grid { get; init; } = true;

    /// <summary>Replace pictures that already exist; without it an existing file stops the run before anything is drawn.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Options from the words a user types (the cmdlet's and `loraps preview`'s parameters): a sampler name, a device
    /// such as "cuda:0", a precision of fp32/fp16/bf16 (default fp32 on the CPU, fp16 on CUDA).
    /// </summary>
    public static PreviewOptions Create(string checkpoint, string? vae, string? modelConfig, string? tokenizer,
        IReadOnlyList<string> prompts, string? promptFile, string negativePrompt, IReadOnlyList<double> strengths, IReadOnlyList<long> seeds,
        int width, int height, int steps, double cfgScale, string sampler, int? clipSkip, string outputFolder,
        IReadOnlyList<string> loraFolders, bool grid, bool force, string device, string? precision, bool offline)
    {
        var onDevice = Device.Parse(device);
        var dtype = precision?.ToLowerInvariant() switch
        {
            null => onDevice.type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.Float32,
            "fp32" or "float32" => ScalarType.Float32,
            "fp16" or "float16" => ScalarType.Float16,
            "bf16" or "bfloat16" => ScalarType.BFloat16,
            var other => throw new ArgumentException($"precision \"{other}\" is not one of fp32, fp16, bf16"),
        };
        return new PreviewOptions
        {
            Model = new StableDiffusionLoadOptions { Path = checkpoint, VaePath = vae, ConfigPath = modelConfig, DType = dtype, Device = onDevice },
            TokenizerPath = tokenizer,
            Hub = new HubOptions { Offline = offline || new HubOptions().Offline },
            Prompts = prompts,
            PromptFile = promptFile,
            Settings = new GenerationRequest
            {
                Prompt = "", NegativePrompt = negativePrompt, Width = width, Height = height, Steps = steps, CfgScale = cfgScale,
                Sampler = SamplerChoice.Parse(sampler), ClipSkip = clipSkip,
            },
            Seeds = seeds,
            Strengths = strengths,
            LoraFolders = loraFolders,
            OutputFolder = outputFolder,
            Grid = grid,
            Force = force,
        };
    }
}
