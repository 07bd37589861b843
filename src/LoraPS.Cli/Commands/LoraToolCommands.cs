using System.CommandLine;
using LoraPS.Models.Lora;
using LoraPS.Workflows.Lora;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps resize|compress|merge|extract`: the same workflows as Resize-, Compress-, Merge-Lora and Export-LoraDifference.</summary>
internal static class LoraToolCommands
{
    private static Option<LoraPrecision?> PrecisionOption() => new("--precision") { Description = "Output precision: Float, FP16 or BF16." };

    private static IProgress<LoraProgress> ConsoleProgress(bool quiet) => new SyncConsoleProgress(quiet);

    private sealed class SyncConsoleProgress(bool quiet) : IProgress<LoraProgress>
    {
        private int _last = -1;
        public void Report(LoraProgress p)
        {
            if (quiet || p.Percent / 10 == _last) return;
            _last = p.Percent / 10;
            Console.Error.WriteLine($"{p.Activity}: {p.Percent}% ({p.Current})");
        }
    }

    private static void PrintResize(ResizeLoraResult r, bool verbose)
    {
        if (verbose)
        {
            foreach (var m in r.Modules) Console.Out.WriteLine(m.ToVerboseLine(dynamic: true));
            Console.Out.WriteLine($"Average Frobenius norm retention: {r.AverageFroRetained:P2} | std: {r.FroRetainedStd:0.000}");
        }
        foreach (var w in r.Warnings) Console.Error.WriteLine($"warning: {w}");
        Console.Out.WriteLine(r.Written
            ? $"{r.OutputPath}: {r.SizeBefore / 1048576.0:0.0} MB -> {r.SizeAfter / 1048576.0:0.0} MB, ranks {r.Modules.Min(m => m.NewRank)}..{r.Modules.Max(m => m.NewRank)}"
            : $"would write {r.OutputPath}");
    }

    public static Command Resize()
    {
        var file = new Argument<string[]>("files") { Description = "LoRA files.", Arity = ArgumentArity.OneOrMore };
        var rank = new Option<int>("--rank") { Description = "New rank, and the cap of dynamic methods (default 4).", DefaultValueFactory = _ => 4 };
        var convRank = new Option<int?>("--conv-rank") { Description = "Rank (cap) of conv modules; default = --rank." };
        var method = new Option<string?>("--dynamic-method") { Description = "sv_ratio, sv_fro or sv_cumulative." };
        var param = new Option<double>("--dynamic-param") { Description = "The dynamic method's parameter." };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (one input only)." };
        var precision = PrecisionOption();
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "One line per module." };
        var whatIf = new Option<bool>("--what-if") { Description = "Compute but write nothing." };
        var command = new Command("resize", "Resize LoRAs to a fixed rank or dynamically (sd-scripts resize_lora.py).") { file, rank, convRank, method, param, output, precision, force, verbose, whatIf };
        command.SetAction(parse =>
        {
            int code = 0;
            foreach (string f in parse.GetValue(file)!)
                try
                {
                    var m = parse.GetValue(method) switch
                    {
                        null => ResizeMethod.Fixed, "sv_ratio" => ResizeMethod.SvRatio, "sv_fro" => ResizeMethod.SvFro, "sv_cumulative" => ResizeMethod.SvCumulative,
                        var other => throw new ArgumentException($"unknown --dynamic-method '{other}' (sv_ratio, sv_fro, sv_cumulative)"),
                    };
                    PrintResize(ResizeLoraWorkflow.Run(new ResizeLoraOptions
                    {
                        Path = f, OutputPath = parse.GetValue(output), Rank = parse.GetValue(rank), ConvRank = parse.GetValue(convRank), Method = m,
                        Parameter = parse.GetValue(param), Precision = parse.GetValue(precision), Force = parse.GetValue(force), DryRun = parse.GetValue(whatIf),
                    }, ConsoleProgress(false)), parse.GetValue(verbose));
                }
                catch (Exception e) { code = CliOutput.Fail(e); }
            return code;
        });
        return command;
    }

    public static Command Compress()
    {
        var file = new Argument<string[]>("files") { Description = "LoRA files.", Arity = ArgumentArity.OneOrMore };
        var ratio = new Option<double>("--sv-ratio") { Description = "Singular-value ratio (default 16).", DefaultValueFactory = _ => 16 };
        var maxRank = new Option<int>("--max-rank") { Description = "Rank cap (default 128).", DefaultValueFactory = _ => 128 };
        var precision = new Option<LoraPrecision>("--precision") { Description = "Float, FP16 (default) or BF16.", DefaultValueFactory = _ => LoraPrecision.FP16 };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "One line per module." };
        var whatIf = new Option<bool>("--what-if") { Description = "Compute but write nothing." };
        var command = new Command("compress", "CharFramework's CompressLoRA: dynamic resize by singular-value ratio 16 to <name>-SvR16.safetensors.") { file, ratio, maxRank, precision, force, verbose, whatIf };
        command.SetAction(parse =>
        {
            int code = 0;
            foreach (string f in parse.GetValue(file)!)
                try
                {
                    PrintResize(CompressLoraWorkflow.Run(new CompressLoraOptions
                    {
                        Path = f, SvRatio = parse.GetValue(ratio), MaxRank = parse.GetValue(maxRank), Precision = parse.GetValue(precision),
                        Force = parse.GetValue(force), DryRun = parse.GetValue(whatIf),
                    }, ConsoleProgress(false)), parse.GetValue(verbose));
                }
                catch (Exception e) { code = CliOutput.Fail(e); }
            return code;
        });
        return command;
    }

    public static Command Merge()
    {
        var files = new Argument<string[]>("loras") { Description = "LoRA files.", Arity = ArgumentArity.OneOrMore };
        var ratios = new Option<double[]>("--ratios") { Description = "One ratio per LoRA (may be negative).", AllowMultipleArgumentsPerToken = true };
        var lbws = new Option<string[]>("--block-weights") { Description = "One block weight vector or preset per LoRA (or one for all).", AllowMultipleArgumentsPerToken = true };
        var baseModel = new Option<string?>("--base-model") { Description = "Checkpoint to merge into (.safetensors or .ckpt)." };
        var output = new Option<string>("--output", "-o") { Description = "Output .safetensors.", Required = true };
        var rank = new Option<int?>("--rank") { Description = "LoRA→LoRA by SVD to this rank (default: exact concatenation)." };
        var convRank = new Option<int?>("--conv-rank") { Description = "SVD rank of 3×3 convs (default = --rank)." };
        var clamp = new Option<double>("--clamp-quantile") { Description = "Clamp SVD factors at this quantile (0.99).", DefaultValueFactory = _ => 0.99 };
        var precision = PrecisionOption();
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output." };
        var whatIf = new Option<bool>("--what-if") { Description = "Plan but write nothing." };
        var command = new Command("merge", "Merge LoRAs into a checkpoint or into one LoRA (concatenation or SVD), with ratios and block weights.")
        { files, ratios, lbws, baseModel, output, rank, convRank, clamp, precision, force, whatIf };
        command.SetAction(parse =>
        {
            try
            {
                var r = MergeLoraWorkflow.Run(new MergeLoraOptions
                {
                    Loras = parse.GetValue(files)!, Ratios = parse.GetValue(ratios) is { Length: > 0 } rs ? rs : null,
                    BlockWeights = parse.GetValue(lbws) is { Length: > 0 } bw ? bw.Select(BlockWeights.Parse).ToArray() : null,
                    BaseModel = parse.GetValue(baseModel), OutputPath = parse.GetValue(output)!,
                    Mode = parse.GetValue(rank) is null ? LoraMergeMode.Concat : LoraMergeMode.Svd, Rank = parse.GetValue(rank) ?? 4, ConvRank = parse.GetValue(convRank),
                    ClampQuantile = parse.GetValue(clamp), Precision = parse.GetValue(precision), Force = parse.GetValue(force), DryRun = parse.GetValue(whatIf),
                }, ConsoleProgress(false));
                foreach (var w in r.Warnings) Console.Error.WriteLine($"warning: {w}");
                Console.Out.WriteLine(r.Written ? $"{r.OutputPath}: {r.MergedModules} modules merged" : $"would write {r.OutputPath} ({r.MergedModules} modules)");
                return 0;
            }
            catch (Exception e) { return CliOutput.Fail(e); }
        });
        return command;
    }

    public static Command Extract()
    {
        var baseModel = new Argument<string>("base") { Description = "The original checkpoint." };
        var tuned = new Argument<string>("tuned") { Description = "The fine-tuned checkpoint." };
        var output = new Option<string>("--output", "-o") { Description = "Output LoRA .safetensors.", Required = true };
        var rank = new Option<int>("--rank") { Description = "Rank (default 4).", DefaultValueFactory = _ => 4 };
        var convRank = new Option<int?>("--conv-rank") { Description = "Also extract 3×3 convs at this rank." };
        var clamp = new Option<double>("--clamp-quantile") { Description = "Clamp factors at this quantile (0.99).", DefaultValueFactory = _ => 0.99 };
        var minDiff = new Option<double>("--min-diff") { Description = "Text encoder threshold (0.01).", DefaultValueFactory = _ => 0.01 };
        var precision = new Option<LoraPrecision>("--precision") { Description = "Float (default), FP16 or BF16.", DefaultValueFactory = _ => LoraPrecision.Float };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output." };
        var command = new Command("extract", "Extract a LoRA from the difference of two checkpoints (sd-scripts extract_lora_from_models.py).")
        { baseModel, tuned, output, rank, convRank, clamp, minDiff, precision, force };
        command.SetAction(parse =>
        {
            try
            {
                var r = ExtractLoraWorkflow.Run(new ExtractLoraOptions
                {
                    BaseModel = parse.GetValue(baseModel)!, TunedModel = parse.GetValue(tuned)!, OutputPath = parse.GetValue(output)!, Rank = parse.GetValue(rank),
                    ConvRank = parse.GetValue(convRank), ClampQuantile = parse.GetValue(clamp), MinDiff = parse.GetValue(minDiff), Precision = parse.GetValue(precision), Force = parse.GetValue(force),
                }, ConsoleProgress(false));
                Console.Out.WriteLine($"{r.OutputPath}: {r.UNetModules} UNet + {r.TextEncoderModules} text encoder modules{(r.TextEncoderSkipped ? " (text encoder is the same: UNet only)" : "")}");
                return 0;
            }
            catch (Exception e) { return CliOutput.Fail(e); }
        });
        return command;
    }
}
