using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Checkpoint;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>Family and prediction type: the options win, then configs, then metadata and keys, then the family's usual value; the report says which.</summary>
public sealed class ModelDetectionTests
{
    /// <summary>The tiny model JSON without its family and prediction hints.</summary>
    private static string BareJson(TempFolder dir, string family) =>
        TinyModels.WriteJson(family, dir.File($"{family} sizes.json"), root => { root.Remove("family"); root.Remove("prediction"); });

    [ReferenceDataFact]
    public void Without_hints_the_family_comes_from_the_keys_and_the_prediction_from_the_familys_default()
    {
        using var dir = new TempFolder("detect");
        using var sd1 = StableDiffusionModel.Load(TinyModels.Options("sd1") with { ConfigPath = BareJson(dir, "sd1") });
        Assert.Equal((ModelFamily.SD1, DetectionSource.Keys), (sd1.Family, sd1.Report.FamilySource));
        Assert.Contains("cond_stage_model.transformer", sd1.Report.FamilyEvidence);
        Assert.Equal((PredictionType.Epsilon, DetectionSource.Default), (sd1.Prediction, sd1.Report.PredictionSource));
        Assert.Equal(PredictionType.Epsilon, sd1.UNet.Config.Prediction);

        using var sd2 = StableDiffusionModel.Load(TinyModels.Options("sd2") with { ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((ModelFamily.SD2, DetectionSource.Keys), (sd2.Family, sd2.Report.FamilySource));
        Assert.Contains("OpenCLIP", sd2.Report.FamilyEvidence);
        // SD2 weights do not tell base from 768-v; diffusers' rule without a hint is v.
        Assert.Equal((PredictionType.V, DetectionSource.Default), (sd2.Prediction, sd2.Report.PredictionSource));
        Assert.Equal(PredictionType.V, sd2.UNet.Config.Prediction);
    }

    [ReferenceDataFact]
    public void The_model_json_and_then_the_options_override_detection()
    {
        using var fromJson = StableDiffusionModel.Load(TinyModels.Options("sd2"));
        Assert.Equal((PredictionType.Epsilon, DetectionSource.Config), (fromJson.Prediction, fromJson.Report.PredictionSource));
        Assert.Equal(DetectionSource.Config, fromJson.Report.FamilySource);
        Assert.Contains("tiny-sd2-1234.json", fromJson.Report.PredictionEvidence);

        using var overridden = StableDiffusionModel.Load(TinyModels.Options("sd2") with { Prediction = PredictionType.V, Family = ModelFamily.SD2 });
        Assert.Equal((PredictionType.V, DetectionSource.Override), (overridden.Prediction, overridden.Report.PredictionSource));
        Assert.Equal(DetectionSource.Override, overridden.Report.FamilySource);
        Assert.Equal(PredictionType.V, overridden.UNet.Config.Prediction);
    }

    [ReferenceDataFact]
    public void Modelspec_metadata_sets_the_prediction()
    {
        using var dir = new TempFolder("metadata");
        string path = dir.File("v.safetensors");
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd2"), path, metadata: new Dictionary<string, string> { ["modelspec.prediction_type"] = "v" });
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = path, ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((PredictionType.V, DetectionSource.Metadata), (model.Prediction, model.Report.PredictionSource));

        string epsilon = dir.File("eps.safetensors");
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd2"), epsilon, metadata: new Dictionary<string, string> { ["modelspec.prediction_type"] = "epsilon" });
        using var base512 = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = epsilon, ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((PredictionType.Epsilon, DetectionSource.Metadata), (base512.Prediction, base512.Report.PredictionSource));
    }

    [ReferenceDataFact]
    public void An_ldm_yaml_beside_the_checkpoint_sets_the_prediction()
    {
        using var dir = new TempFolder("yaml");
        string path = dir.File("v2-1 768.safetensors");
        File.Copy(TinyModels.Checkpoint("sd2"), path);
        File.WriteAllText(dir.File("v2-1 768.yaml"), "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n    parameterization: \"v\"\n    linear_start: 0.00085\n");
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = path, ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((PredictionType.V, DetectionSource.Config), (model.Prediction, model.Report.PredictionSource));
        Assert.Contains("v2-1 768.yaml", model.Report.PredictionEvidence);

        File.WriteAllText(dir.File("v2-1 768.yaml"), "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n    linear_start: 0.00085\n");
        using var eps = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = path, ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((PredictionType.Epsilon, DetectionSource.Config), (eps.Prediction, eps.Report.PredictionSource));
    }

    [ReferenceDataFact]
    public void An_SD2_ckpts_global_step_sets_the_prediction()
    {
        using var dir = new TempFolder("global step");
        string path = dir.File("sd2.ckpt");
        using (var source = SafeTensorsFile.Open(TinyModels.Checkpoint("sd2")))
            PickleWriter.WriteCheckpoint(path, source.Tensors.Select(t => (t.Name, t.ToSingleArray(), t.ShapeArray(), t.DType)).ToList());
        // PickleWriter stores global_step 7: not the 512-base's 875000.
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = path, ConfigPath = BareJson(dir, "sd2") });
        Assert.Equal((PredictionType.V, DetectionSource.Keys), (model.Prediction, model.Report.PredictionSource));
        Assert.Contains("global_step 7", model.Report.PredictionEvidence);
    }

    [ReferenceDataFact]
    public void A_diffusers_scheduler_config_sets_the_prediction()
    {
        using var dir = new TempFolder("scheduler");
        string root = dir.File("pipeline");
        DiffusersFolderWriter.Write("sd2", root, new DiffusersFolderWriter.Options { Prediction = "v_prediction" });
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = root });
        Assert.Equal((PredictionType.V, DetectionSource.Config), (model.Prediction, model.Report.PredictionSource));
        Assert.Contains("scheduler_config.json", model.Report.PredictionEvidence);
        Assert.Contains("hidden_act gelu", model.Report.FamilyEvidence);
    }
}
