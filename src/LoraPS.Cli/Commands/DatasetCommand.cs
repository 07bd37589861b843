using System.CommandLine;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps dataset new|get`: the same workflows as New-LoraDataset and Get-LoraDataset.</summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Make, check and plan sd-scripts datasets (config TOML, kohya_ss folders, buckets, steps).");
        command.Subcommands.Add(CreateNew());
        command.Subcommands.Add(CreateGet());
        return command;
    }

    private static Command CreateNew()
    {
        var paths = new Argument<string[]>("paths") { Description = "Picture files or folders (plain, <repeats>_<tokens>, or an img/ folder of them).", Arity = ArgumentArity.OneOrMore };
        var instance = new Option<string?>("--instance") { Description = "Instance token (e.g. mylora)." };
        var @class = new Option<string?>("--class") { Description = "Class token (e.g. 1boy)." };
        var repeats = new Option<int?>("--repeats") { Description = "Repeats of the training pictures (default: from <n>_ folder names, else 10)." };
        var reg = new Option<string[]>("--reg") { Description = "Regularisation folders.", AllowMultipleArgumentsPerToken = true };
        var regRepeats = new Option<int>("--reg-repeats") { Description = "Repeats of the regularisation pictures.", DefaultValueFactory = _ => 1 };
        var resolution = new Option<int[]>("--resolution") { Description = "Training resolution: one number or width height.", AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int>("--batch-size") { Description = "Batch size.", DefaultValueFactory = _ => 1 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs, for the step count.", DefaultValueFactory = _ => 1 };
        var accumulation = new Option<int>("--grad-accum") { Description = "Gradient accumulation steps.", DefaultValueFactory = _ => 1 };
        var layout = new Option<DatasetLayout>("--layout") { Description = "Kohya (img/reg/log/model folders), Toml (config only) or Both.", DefaultValueFactory = _ => DatasetLayout.Toml };
        var destination = new Option<string?>("--destination") { Description = "Where the config and folders go (default: current folder)." };
        var link = new Option<LinkMode>("--link") { Description = "Copy or HardLink pictures into the layout.", DefaultValueFactory = _ => LinkMode.Copy };
        var charFramework = new Option<bool>("--charframework") { Description = "Apply CharFramework's folder rules to the one folder given." };
        var gpuMemory = new Option<int>("--gpu-memory") { Description = "GPU memory in GB for CharFramework's batch table.", DefaultValueFactory = _ => 8 };
        var writeTags = new Option<bool>("--write-tags") { Description = "With --charframework: write its tag files." };
        var captionExt = new Option<string>("--caption-extension") { Description = "Caption file extension.", DefaultValueFactory = _ => ".txt" };
        var shuffle = new Option<bool>("--shuffle-caption") { Description = "Shuffle tags on every fetch." };
        var keepTokens = new Option<int>("--keep-tokens") { Description = "Leading tags kept in place." };
        var flip = new Option<bool>("--flip-aug") { Description = "Flip half the fetches." };
        var noUpscale = new Option<bool>("--bucket-no-upscale") { Description = "Never enlarge pictures." };
        var noBucket = new Option<bool>("--no-bucket") { Description = "Turn aspect-ratio bucketing off." };
        var force = new Option<bool>("--force") { Description = "Replace an existing config." };
        var whatIf = new Option<bool>("--what-if") { Description = "Show the plan, write nothing." };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON." };
        var command = new Command("new", "Make a dataset from pictures or folders and show its plan.")
        {
            paths, instance, @class, repeats, reg, regRepeats, resolution, batch, epochs, accumulation, layout, destination, link,
            charFramework, gpuMemory, writeTags, captionExt, shuffle, keepTokens, flip, noUpscale, noBucket, force, whatIf, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var files = new List<Workflows.TrainingImage>();
                var folders = new List<string>();
                foreach (string p in parse.GetValue(paths)!)
                {
                    if (Directory.Exists(p)) folders.Add(Path.GetFullPath(p));
                    else if (File.Exists(p)) files.Add(new Workflows.TrainingImage { Path = Path.GetFullPath(p) });
                    else throw new FileNotFoundException($"not found: {p}", p);
                }
                var result = DatasetWorkflow.New(new NewDatasetOptions
                {
                    Images = files,
                    Paths = folders,
                    Instance = parse.GetValue(instance),
                    Class = parse.GetValue(@class),
                    Repeats = parse.GetValue(repeats),
                    RegularizationPaths = parse.GetValue(reg) ?? Array.Empty<string>(),
                    RegularizationRepeats = parse.GetValue(regRepeats),
                    Resolution = ToSize(parse.GetValue(resolution)) ?? new Size2(512, 512),
                    BatchSize = parse.GetValue(batch),
                    Epochs = parse.GetValue(epochs),
                    GradientAccumulation = parse.GetValue(accumulation),
                    Layout = parse.GetValue(layout),
                    Destination = parse.GetValue(destination),
                    LinkMode = parse.GetValue(link),
                    CharFramework = parse.GetValue(charFramework),
                    GpuMemoryGB = parse.GetValue(gpuMemory),
                    WriteTags = parse.GetValue(writeTags),
                    CaptionExtension = parse.GetValue(captionExt)!,
                    ShuffleCaption = parse.GetValue(shuffle),
                    KeepTokens = parse.GetValue(keepTokens),
                    FlipAug = parse.GetValue(flip),
                    BucketNoUpscale = parse.GetValue(noUpscale),
                    EnableBucket = !parse.GetValue(noBucket),
                    Force = parse.GetValue(force),
                    WhatIf = parse.GetValue(whatIf),
                });
                Print(result, parse.GetValue(json));
                return 0;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }

    private static Command CreateGet()
    {
        var path = new Argument<string>("path") { Description = "A dataset config (.toml/.json) or a training folder of <repeats>_<tokens> folders." };
        var reg = new Option<string?>("--reg") { Description = "With a training folder: the regularisation folder." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs, for the step count.", DefaultValueFactory = _ => 1 };
        var accumulation = new Option<int>("--grad-accum") { Description = "Gradient accumulation steps.", DefaultValueFactory = _ => 1 };
        var resolution = new Option<int[]>("--resolution") { Description = "--resolution where the config sets none.", AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int>("--batch-size") { Description = "--train_batch_size where the config sets none.", DefaultValueFactory = _ => 1 };
        var captionExt = new Option<string>("--caption-extension") { Description = "--caption_extension where the config sets none.", DefaultValueFactory = _ => ".caption" };
        var enableBucket = new Option<bool>("--enable-bucket") { Description = "--enable_bucket where the config sets none." };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON." };
        var command = new Command("get", "Read and validate a dataset config or folder and show what training will see.")
        {
            path, reg, epochs, accumulation, resolution, batch, captionExt, enableBucket, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var result = DatasetWorkflow.Get(new GetDatasetOptions
                {
                    Path = parse.GetValue(path)!,
                    RegularizationPath = parse.GetValue(reg),
                    Epochs = parse.GetValue(epochs),
                    GradientAccumulation = parse.GetValue(accumulation),
                    Defaults = new CommandLineDefaults
                    {
                        Resolution = ToSize(parse.GetValue(resolution)),
                        BatchSize = parse.GetValue(batch),
                        CaptionExtension = parse.GetValue(captionExt)!,
                        EnableBucket = parse.GetValue(enableBucket),
                    },
                });
                Print(result, parse.GetValue(json));
                return 0;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }

    private static Size2? ToSize(int[]? values) => values switch
    {
        null or { Length: 0 } => null,
        { Length: 1 } => new Size2(values[0], values[0]),
        { Length: 2 } => new Size2(values[0], values[1]),
        _ => throw new ArgumentException("--resolution takes one number or two"),
    };

    private static void Print(LoraDataset result, bool json)
    {
        if (json)
        {
            CliOutput.WriteJson(new
            {
                result.ConfigPath, result.TrainDataDir, result.RegDataDir, result.OutputDir, result.LoggingDir,
                result.ImageCount, result.RegImageCount, result.TrainItemsPerEpoch, result.RegItemsPerEpoch,
                result.BatchesPerEpoch, result.StepsPerEpoch, result.Epochs, result.GradientAccumulation, result.TotalSteps,
                result.Subsets, result.Buckets, result.LoneBucketImages, result.Warnings,
            });
        }
        else
        {
            CliOutput.WriteList(new (string, object?)[]
            {
                ("Config", result.ConfigPath ?? "(not written)"),
                ("Pictures", result.ImageCount),
                ("Reg pictures", result.RegImageCount),
                ("Items per epoch", $"{result.TrainItemsPerEpoch} training + {result.RegItemsPerEpoch} reg"),
                ("Batches per epoch", result.BatchesPerEpoch),
                ("Steps per epoch", result.StepsPerEpoch),
                ("Total steps", $"{result.TotalSteps} ({result.Epochs} epochs, gradient accumulation {result.GradientAccumulation})"),
            });
            Console.Out.WriteLine();
            Console.Out.WriteLine("subset  reg    repeats  images  items  captions  class tokens / folder");
            foreach (var s in result.Subsets)
                Console.Out.WriteLine($"{s.Dataset,6}  {(s.IsReg ? "yes" : "no"),-5}  {s.NumRepeats,7}  {s.ImageCount,6}  {s.Items,5}  {s.CaptionCount,8}  {s.ClassTokens} | {s.ImageDir}");
            Console.Out.WriteLine();
            Console.Out.WriteLine("dataset  bucket      images  items  batches");
            foreach (var b in result.Buckets)
                Console.Out.WriteLine($"{b.Dataset,7}  {b.Resolution,-10}  {b.ImageCount,6}  {b.Items,5}  {b.Batches,7}");
        }
        foreach (string warning in result.Warnings) Console.Error.WriteLine($"warning: {warning}");
    }
}
