using System.Management.Automation;
using LoraPS.Hub;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Workflows;
using LoraPS.Workflows.Preview;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// <para type="synopsis">Draws pictures from a checkpoint and prompts with a LoRA at several strengths, and a labelled grid of them (the mylora:0 … mylora:1 comparison).</para>
/// <para type="description">Takes LoRA files from -Path or the pipeline (Get-LoraModel output binds by Path); without any, draws the base model alone. Rows are prompts × seeds (or the lines of an sd-scripts sample-prompt file), columns are strengths. Each picture is a PNG carrying AUTOMATIC1111's parameters text; prompts may hold &lt;lora:name:w&gt; tags. Existing files are never replaced without -Force.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "LoraPreview", SupportsShouldProcess = true)]
[OutputType(typeof(PreviewImage))]
public sealed class NewLoraPreviewCommand : LoraCmdlet
{
    /// <summary>The LoRA files to preview.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "Lora")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>The base model: a .safetensors or .ckpt checkpoint, or a diffusers folder.</summary>
    [Parameter(Mandatory = true)]
    [Alias("Model")]
    public string Checkpoint { get; set; } = "";

    [Parameter] public string? Vae { get; set; }
    /// <summary>A model JSON with the hyper-parameters of a model of non-standard size.</summary>
    [Parameter] public string? ModelConfig { get; set; }
    /// <summary>Tokenizer folder (vocab.json + merges.txt) or bpe_simple_vocab_16e6.txt.gz; default: found or downloaded.</summary>
    [Parameter] public string? Tokenizer { get; set; }

    [Parameter] public string[] Prompt { get; set; } = Array.Empty<string>();
    /// <summary>An sd-scripts sample-prompt file (.txt, .toml, .json).</summary>
    [Parameter] public string? PromptFile { get; set; }
    [Parameter] public string NegativePrompt { get; set; } = "";
    [Parameter] public double[] Strength { get; set; } = { 0, 0.2, 0.4, 0.6, 0.8, 1.0 };
    [Parameter] public long[] Seed { get; set; } = Array.Empty<long>();
    [Parameter, ValidateRange(64, 4096)] public int Width { get; set; } = 512;
    [Parameter, ValidateRange(64, 4096)] public int Height { get; set; } = 512;
    [Parameter, ValidateRange(1, 1000)] public int Steps { get; set; } = 20;
    [Parameter, ValidateRange(0.0, 100.0)] public double CfgScale { get; set; } = 7;
    /// <summary>Euler, Euler a, DDIM, DPM++ 2M, DPM++ 2M Karras (or sd-scripts' names: euler_a, ddim, …).</summary>
    [Parameter] public string Sampler { get; set; } = "Euler a";
    [Parameter, ValidateRange(1, 12)] public int ClipSkip { get; set; }

    [Parameter] public string OutputFolder { get; set; } = "preview";
    /// <summary>Folders where the names of &lt;lora:name&gt; prompt tags are looked up.</summary>
    [Parameter] public string[] LoraFolder { get; set; } = Array.Empty<string>();
    [Parameter] public SwitchParameter NoGrid { get; set; }
    [Parameter] public SwitchParameter Force { get; set; }
    /// <summary>cpu or cuda[:N].</summary>
    [Parameter] public string Device { get; set; } = "cpu";
    /// <summary>fp32, fp16 or bf16 (default fp32 on CPU, fp16 on CUDA).</summary>
    [Parameter, ValidateSet("fp32", "fp16", "bf16")] public string? Precision { get; set; }
    [Parameter] public SwitchParameter Offline { get; set; }

    private readonly List<string> _loras = new();

    protected override void ProcessRecord() => _loras.AddRange(Path.Select(GetUnresolvedProviderPathFromPSPath));

    protected override void EndProcessing()
    {
        PreviewPlan plan;
        try { plan = PreviewPlan.Create(Options()); }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorFor(e, Checkpoint));
            return;
        }

        var loras = _loras.Count > 0 ? _loras.Cast<string?>().ToList() : new List<string?> { null };
        var chosen = loras.Where(lora => ShouldProcess(plan.Options.OutputFolder,
            $"Draw {plan.Rows.Count * plan.Columns(lora).Count} picture(s) of {PreviewPlan.LoraName(lora)} on {Checkpoint}")).ToList();
        if (chosen.Count == 0) return;

        PreviewWorkflow workflow;
        try
        {
            workflow = WorkerProgress.Run<string, PreviewWorkflow>(
                status => PreviewWorkflow.Open(plan, status, new CallbackProgress<HubDownloadProgress>(p => status.Report($"downloading {p.FileName}")), Cancellation),
                s => WritePercent(1, "New-LoraPreview", s, 0),
                () => { });
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(ErrorFor(e, Checkpoint));
            return;
        }
        using (workflow)
        {
            foreach (string? lora in chosen)
            {
                try
                {
                    var warnings = new List<string>();
                    var images = WorkerProgress.Run<PreviewProgress, IReadOnlyList<PreviewImage>>(
                        progress => workflow.Render(lora, w => { lock (warnings) warnings.Add(w); }, progress, Cancellation),
                        p => WritePercent(1, "New-LoraPreview", $"{p.Current}: picture {Math.Min(p.ImagesDone + 1, p.ImageCount)}/{p.ImageCount}, step {p.Step}/{p.Steps}",
                            p.ImageCount == 0 ? 100 : 100 * p.ImagesDone / p.ImageCount),
                        () => WritePercent(1, "New-LoraPreview", "done", 100));
                    foreach (string w in warnings) WriteWarning(w);
                    foreach (var image in images) WriteObject(image);
                }
                catch (Exception e) when (e is not PipelineStoppedException && e is not OperationCanceledException)
                {
                    WriteNonTerminating(e, lora ?? Checkpoint);
                }
            }
        }
    }

    private PreviewOptions Options()
    {
        string? Resolve(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
        return PreviewOptions.Create(
            checkpoint: Resolve(Checkpoint)!, vae: Resolve(Vae), modelConfig: Resolve(ModelConfig), tokenizer: Resolve(Tokenizer),
            prompts: Prompt, promptFile: Resolve(PromptFile), negativePrompt: NegativePrompt, strengths: Strength, seeds: Seed,
            width: Width, height: Height, steps: Steps, cfgScale: CfgScale, sampler: Sampler, clipSkip: ClipSkip == 0 ? null : ClipSkip,
            outputFolder: Resolve(OutputFolder)!, loraFolders: LoraFolder.Select(f => Resolve(f)!).ToList(), grid: !NoGrid, force: Force,
            device: Device, precision: Precision, offline: Offline);
    }
}
