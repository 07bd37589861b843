using System.CommandLine;
using System.Globalization;
using LoraPS.Workflows;
using LoraPS.Workflows.Preview;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps preview [LORA…] --checkpoint MODEL --prompt TEXT`: the same job as New-LoraPreview.</summary>
internal static class PreviewCommand
{
    public static Command Create()
    {
        var loras = new Argument<string[]>("loras") { Description = "LoRA files to compare at each strength (none: the base model alone).", Arity = ArgumentArity.ZeroOrMore };
        var checkpoint = new Option<string>("--checkpoint", "--model") { Description = "Base model: .safetensors/.ckpt checkpoint or diffusers folder.", Required = true };
        var vae = new Option<string?>("--vae") { Description = "A separate VAE file." };
        var modelConfig = new Option<string?>("--model-config") { Description = "Model JSON with the hyper-parameters of a non-standard model." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (vocab.json + merges.txt) or bpe_simple_vocab_16e6.txt.gz." };
        var prompts = new Option<string[]>("--prompt", "-p") { Description = "A prompt (repeat for more rows); <lora:name:w> tags work." };
        var promptFile = new Option<string?>("--prompt-file") { Description = "An sd-scripts sample-prompt file (.txt, .toml, .json)." };
        var negative = new Option<string>("--negative-prompt", "-n") { Description = "Negative prompt.", DefaultValueFactory = _ => "" };
        var strengths = new Option<string>("--strengths") { Description = "Comma-separated LoRA strengths, one column each.", DefaultValueFactory = _ => "0,0.2,0.4,0.6,0.8,1" };
        var seeds = new Option<long[]>("--seed") { Description = "Seeds (repeat or comma-separate; default one random seed).", AllowMultipleArgumentsPerToken = true };
        var width = new Option<int>("--width", "-W") { Description = "Width in pixels.", DefaultValueFactory = _ => 512 };
        var height = new Option<int>("--height", "-H") { Description = "Height in pixels.", DefaultValueFactory = _ => 512 };
        var steps = new Option<int>("--steps") { Description = "Sampling steps.", DefaultValueFactory = _ => 20 };
        var cfg = new Option<double>("--cfg-scale") { Description = "Classifier-free guidance scale.", DefaultValueFactory = _ => 7.0 };
        var sampler = new Option<string>("--sampler") { Description = "Euler, \"Euler a\", DDIM, \"DPM++ 2M\", \"DPM++ 2M Karras\" (or euler_a, ddim …).", DefaultValueFactory = _ => "Euler a" };
        var clipSkip = new Option<int?>("--clip-skip") { Description = "Text encoder layer from the end (default: the family's)." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder.", DefaultValueFactory = _ => "preview" };
        var loraFolders = new Option<string[]>("--lora-folder") { Description = "Folders for <lora:name> lookups (repeat).", AllowMultipleArgumentsPerToken = true };
        var noGrid = new Option<bool>("--no-grid") { Description = "Write the pictures only, no grid." };
        var force = new Option<bool>("--force") { Description = "Replace pictures that already exist." };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:N].", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string?>("--precision") { Description = "fp32, fp16 or bf16 (default fp32 on CPU, fp16 on CUDA)." };
        var offline = new Option<bool>("--offline") { Description = "Use only the hub cache for the tokenizer." };
        var dryRun = new Option<bool>("--what-if", "--dry-run") { Description = "Print the files that would be written and stop." };
        var json = new Option<bool>("--json") { Description = "Print each written picture as JSON." };
        var command = new Command("preview", "Draw pictures of a LoRA at several strengths on a base model, and a labelled grid.")
        {
            loras, checkpoint, vae, modelConfig, tokenizer, prompts, promptFile, negative, strengths, seeds, width, height, steps, cfg, sampler,
            clipSkip, output, loraFolders, noGrid, force, device, precision, offline, dryRun, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var strengthList = parse.GetValue(strengths)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                        : throw new ArgumentException($"--strengths: \"{s}\" is not a number")).ToList();
                var options = PreviewOptions.Create(
                    checkpoint: parse.GetValue(checkpoint)!, vae: parse.GetValue(vae), modelConfig: parse.GetValue(modelConfig), tokenizer: parse.GetValue(tokenizer),
                    prompts: parse.GetValue(prompts) ?? Array.Empty<string>(), promptFile: parse.GetValue(promptFile), negativePrompt: parse.GetValue(negative)!,
                    strengths: strengthList, seeds: parse.GetValue(seeds) ?? Array.Empty<long>(),
                    width: parse.GetValue(width), height: parse.GetValue(height), steps: parse.GetValue(steps), cfgScale: parse.GetValue(cfg),
                    sampler: parse.GetValue(sampler)!, clipSkip: parse.GetValue(clipSkip), outputFolder: parse.GetValue(output)!,
                    loraFolders: parse.GetValue(loraFolders) ?? Array.Empty<string>(), grid: !parse.GetValue(noGrid), force: parse.GetValue(force),
                    device: parse.GetValue(device)!, precision: parse.GetValue(precision), offline: parse.GetValue(offline));
                var plan = PreviewPlan.Create(options);
                var targets = parse.GetValue(loras) is { Length: > 0 } given ? given.Cast<string?>().ToList() : new List<string?> { null };
                if (parse.GetValue(dryRun))
                {
                    foreach (string? lora in targets)
                        foreach (string path in plan.OutputPaths(lora)) Console.Out.WriteLine($"would write {path}");
                    return 0;
                }
                foreach (string? lora in targets) plan.CheckOutputsAreFree(lora);

                int code = 0;
                bool asJson = parse.GetValue(json);
                using var workflow = PreviewWorkflow.Open(plan, new CallbackProgress<string>(Console.Error.WriteLine));
                foreach (string? lora in targets)
                {
                    try
                    {
                        var progress = new CallbackProgress<PreviewProgress>(p =>
                        {
                            if (p.Step == p.Steps && p.Steps > 0) Console.Error.WriteLine($"{p.Current}: picture {p.ImagesDone + 1}/{p.ImageCount} done");
                        });
                        foreach (var image in workflow.Render(lora, w => Console.Error.WriteLine($"warning: {w}"), progress))
                        {
                            if (asJson) CliOutput.WriteJson(image);
                            else Console.Out.WriteLine(image.Path);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        code = CliOutput.Fail(e);
                    }
                }
                return code;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }
}
