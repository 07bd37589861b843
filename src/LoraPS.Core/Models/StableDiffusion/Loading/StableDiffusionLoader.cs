using System.Diagnostics;
using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// <see cref="StableDiffusionModel.Load"/>: opens the sources, decides family and prediction, resolves each part's
/// config, builds the modules without initialising them, checks every part's keys against them (one exception for all
/// missing or mis-shaped keys), then streams the weights in.
/// </summary>
internal static class StableDiffusionLoader
{
    /// <summary>Top-level tensors of an ldm checkpoint that belong to no part: the training noise schedule and its loss weights.</summary>
    private static readonly HashSet<string> LdmBuffers = new(StringComparer.Ordinal)
    {
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar", "lvlb_weights",
    };

    public static StableDiffusionModel Load(StableDiffusionLoadOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path)) throw new ArgumentException("a model path is needed", nameof(options));
        if (!options.DType.IsFloatingPoint()) throw new ArgumentException($"DType {options.DType} is not a floating type", nameof(options));
        var clock = Stopwatch.StartNew();
        string path = Path.GetFullPath(options.Path);
        var device = options.Device ?? Device.CPU;
        if (device.type == DeviceType.CUDA && (!torch.cuda.is_available() || Math.Max(device.index, 0) >= torch.cuda.device_count()))
            throw new ArgumentException($"Device {device} is not available (CUDA devices: {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)})", nameof(options));

        var files = new List<ITensorFile>();
        var modules = new List<Module>();
        try
        {
            // ---- sources
            DiffusersFolder? folder = null;
            ITensorFile? checkpoint = null;
            if (Directory.Exists(path)) folder = DiffusersFolder.Open(path);
            else
            {
                progress?.Report($"Opening {path}");
                checkpoint = Track(files, TensorFiles.Open(path));
            }
            JsonConfig? modelJson = options.ConfigPath is null ? null : JsonConfig.Read(Path.GetFullPath(options.ConfigPath));
            string? configPath = modelJson?.Path;

            // ---- family and prediction
            var family = DecideFamily(options, modelJson, checkpoint, folder);
            var architecture = ModelArchitecture.For(family.Value, path, family.Evidence);
            var prediction = DecidePrediction(options, modelJson, family.Value, checkpoint, folder);
            progress?.Report($"{family.Value} ({family.Evidence}), {Word(prediction.Value)} prediction ({prediction.Evidence})");

            // ---- per part: config, module (uninitialised), weight plan
            var plans = new List<(PartDescription Part, Module Module, WeightPlan Plan)>();
            string? vaePath = options.VaePath is null ? null : Path.GetFullPath(options.VaePath);
            foreach (var part in architecture.Parts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (module, plan) = part.Kind switch
                {
                    PartKind.TextEncoder => TextEncoder(part, family.Value, configPath, checkpoint, folder, options, files),
                    PartKind.UNet => UNet(part, family.Value, prediction.Value, configPath, checkpoint, folder, options, files),
                    PartKind.Vae => Vae(part, family.Value, configPath, checkpoint, folder, vaePath, options, files),
                    _ => throw new InvalidOperationException($"no loader for {part.Kind}"),
                };
                modules.Add(module);
                plans.Add((part, module, plan));
            }

            // ---- check everything before reading any weight
            var reports = plans.Select(p => p.Plan.Check(p.Module)).ToList();
            var (ignored, unexpected) = checkpoint is null ? (new List<string>(), new List<string>()) : OutsideParts(checkpoint, architecture, vaePath is not null);
            var report = new StableDiffusionLoadReport
            {
                Family = family.Value,
                FamilySource = family.Source,
                FamilyEvidence = family.Evidence,
                Prediction = prediction.Value,
                PredictionSource = prediction.Source,
                PredictionEvidence = prediction.Evidence,
                Parts = reports,
                IgnoredKeys = ignored,
                UnexpectedKeys = unexpected,
            };
            if (!report.IsComplete)
                throw new StableDiffusionLoadException(path, report, configPath is null
                    ? "A model of non-standard size needs ConfigPath (a model JSON with its hyper-parameters)."
                    : null);

            // ---- stream
            var loaded = new List<ModelPartLoadReport>();
            for (int i = 0; i < plans.Count; i++)
            {
                var (part, module, plan) = plans[i];
                progress?.Report($"Loading {part.Name}: {plan.Sources.Count} tensors from {plan.File.Path}");
                int count = plan.Stream(module, cancellationToken);
                module.eval();
                loaded.Add(reports[i] with { LoadedParameters = count });
            }
            report = report with { Parts = loaded };
            progress?.Report($"Loaded {family.Value} model in {clock.Elapsed.TotalSeconds:F1} s");
            var model = new StableDiffusionModel(path,
                (ClipTextEncoder)modules.Single(m => m is ClipTextEncoder),
                (UNet2DConditionModel)modules.Single(m => m is UNet2DConditionModel),
                (AutoencoderKL)modules.Single(m => m is AutoencoderKL),
                report);
            modules.Clear();
            return model;
        }
        finally
        {
            foreach (var m in modules) m.Dispose();
            foreach (var f in files) f.Dispose();
        }
    }

    private static ITensorFile Track(List<ITensorFile> files, ITensorFile file)
    {
        files.Add(file);
        return file;
    }

    private static Detected<ModelFamily> DecideFamily(StableDiffusionLoadOptions options, JsonConfig? modelJson, ITensorFile? checkpoint, DiffusersFolder? folder)
    {
        if (options.Family is { } given && given != ModelFamily.Unknown) return new(given, DetectionSource.Override, "set in the load options");
        if (modelJson is not null && ModelDetection.FamilyFromModelJson(modelJson) is { } fromJson)
            return new(fromJson, DetectionSource.Config, $"{Path.GetFileName(modelJson.Path)} family {fromJson}");
        return checkpoint is not null ? ModelDetection.FamilyFromKeys(checkpoint) : ModelDetection.FamilyFromDiffusers(folder!);
    }

    private static Detected<PredictionType> DecidePrediction(StableDiffusionLoadOptions options, JsonConfig? modelJson, ModelFamily family, ITensorFile? checkpoint, DiffusersFolder? folder)
    {
        if (options.Prediction is { } given && given != PredictionType.Unknown) return new(given, DetectionSource.Override, "set in the load options");
        if (modelJson is not null && ModelDetection.PredictionFromModelJson(modelJson) is { } fromJson)
            return new(fromJson, DetectionSource.Config, $"{Path.GetFileName(modelJson.Path)} prediction {Word(fromJson)}");
        return ModelDetection.Prediction(family, checkpoint, folder);
    }

    private static string Word(PredictionType p) => p == PredictionType.V ? "v" : "epsilon";

    // ------------------------------------------------------------------ parts

    private static (Module, WeightPlan) TextEncoder(PartDescription part, ModelFamily family, string? configPath, ITensorFile? checkpoint,
        DiffusersFolder? folder, StableDiffusionLoadOptions options, List<ITensorFile> files)
    {
        ClipTextEncoderConfig config;
        string configSource;
        if (configPath is not null) (config, configSource) = (ClipTextEncoderConfig.FromModelJson(configPath), configPath);
        else if (folder is not null)
        {
            var json = folder.PartConfig(part.Name);
            (config, configSource) = (DiffusersConfigs.TextEncoder(json, family), json.Path);
        }
        else (config, configSource) = (family == ModelFamily.SD2 ? ClipTextEncoderConfig.Sd2 : ClipTextEncoderConfig.Sd1, $"the standard {family} text encoder");

        var encoder = Build(configSource, () => new ClipTextEncoder(config, options.DType, options.Device));
        try
        {
            var plan = checkpoint is not null
                ? PartPlans.TextEncoderFromCheckpoint(checkpoint, part, config, family)
                : PartPlans.TextEncoderDiffusers(Track(files, TensorFiles.Open(folder!.Weights(part))), part, config);
            return (encoder, plan);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    private static (Module, WeightPlan) UNet(PartDescription part, ModelFamily family, PredictionType prediction, string? configPath, ITensorFile? checkpoint,
        DiffusersFolder? folder, StableDiffusionLoadOptions options, List<ITensorFile> files)
    {
        UNetConfig config;
        string configSource;
        if (configPath is not null) (config, configSource) = (UNetConfig.FromModelJson(configPath) with { Prediction = prediction }, configPath);
        else if (folder is not null)
        {
            var json = folder.PartConfig(part.Name);
            (config, configSource) = (DiffusersConfigs.UNet(json, prediction), json.Path);
        }
        else
        {
            config = (family == ModelFamily.SD2 ? UNetConfig.Sd21 : UNetConfig.Sd15) with { Prediction = prediction };
            // Inpainting and similar models differ only in conv_in's input channels: take them from the weight.
            string convIn = UNetCheckpointLayout.DefaultPrefix + "input_blocks.0.0.weight";
            if (checkpoint!.Contains(convIn) && checkpoint.GetInfo(convIn).Shape is { Length: 4 } shape && shape[1] is > 0 and <= 64)
                config = config with { InChannels = (int)shape[1] };
            configSource = $"the standard {family} UNet";
        }

        var unet = Build(configSource, () => new UNet2DConditionModel(config, options.DType, options.Device));
        try
        {
            var plan = checkpoint is not null
                ? PartPlans.UNetFromCheckpoint(checkpoint, part, unet)
                : PartPlans.UNetDiffusers(Track(files, TensorFiles.Open(folder!.Weights(part))), part, unet);
            return (unet, plan);
        }
        catch
        {
            unet.Dispose();
            throw;
        }
    }

    private static (Module, WeightPlan) Vae(PartDescription part, ModelFamily family, string? configPath, ITensorFile? checkpoint,
        DiffusersFolder? folder, string? vaePath, StableDiffusionLoadOptions options, List<ITensorFile> files)
    {
        // Where the weights are: a separate VAE (a file, or a diffusers vae folder), else the checkpoint or the folder's vae/.
        JsonConfig? folderConfig = null;
        string weights;
        if (vaePath is not null)
        {
            if (Directory.Exists(vaePath))
            {
                string configFile = Path.Combine(vaePath, "config.json");
                if (!File.Exists(configFile)) throw new InvalidFileException(vaePath, "is a folder without config.json: not a diffusers VAE folder");
                folderConfig = JsonConfig.Read(configFile);
                weights = DiffusersFolder.WeightsIn(vaePath, part.DiffusersWeightNames);
            }
            else weights = vaePath;
        }
        else if (folder is not null)
        {
            folderConfig = folder.PartConfig(part.Name);
            weights = folder.Weights(part);
        }
        else weights = checkpoint!.Path;

        VaeConfig config;
        string configSource;
        if (configPath is not null) (config, configSource) = (VaeConfig.FromModelJson(configPath), configPath);
        else if (folderConfig is not null) (config, configSource) = (DiffusersConfigs.Vae(folderConfig), folderConfig.Path);
        else (config, configSource) = (family == ModelFamily.SDXL ? VaeConfig.Sdxl : VaeConfig.Sd, $"the standard {family} VAE");

        var vae = Build(configSource, () => new AutoencoderKL(config, options.DType, options.Device));
        try
        {
            var file = vaePath is null && folder is null ? checkpoint! : Track(files, TensorFiles.Open(weights));
            return (vae, PartPlans.Vae(file, part, vae, separate: vaePath is not null || folder is not null));
        }
        catch
        {
            vae.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds a module with its parameters left uninitialised (every one is filled from the file next); a config whose
    /// sizes libtorch cannot allocate or the module refuses becomes an error naming where the config came from.
    /// </summary>
    private static T Build<T>(string configSource, Func<T> build) where T : Module
    {
        try
        {
            using var skip = ParameterInit.SkipInit();
            return build();
        }
        catch (Exception e) when (e is ArgumentException or TorchException or OverflowException or OutOfMemoryException)
        {
            throw new InvalidFileException(configSource, $"describes a model that cannot be built: {e.Message}", e);
        }
    }

    /// <summary>Keys of a checkpoint outside every part: known-unused ones (EMA, noise schedule, a replaced VAE) and unexpected ones.</summary>
    private static (List<string> Ignored, List<string> Unexpected) OutsideParts(ITensorFile checkpoint, ModelArchitecture architecture, bool vaeReplaced)
    {
        var ignored = new List<string>();
        var unexpected = new List<string>();
        foreach (string key in checkpoint.TensorNames)
        {
            var owner = architecture.Parts.FirstOrDefault(p => p.Owns(key));
            if (owner is not null && !(owner.Kind == PartKind.Vae && vaeReplaced)) continue;
            if (owner is not null || PartPlans.IsEmaKey(key) || LdmBuffers.Contains(key)) ignored.Add(key);
            else unexpected.Add(key);
        }
        return (ignored, unexpected);
    }
}
