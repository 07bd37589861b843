using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Checkpoint;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>
/// A separate VAE (sd-scripts' --vae) replaces the checkpoint's: bare ldm names, first_stage_model./vae. prefixes,
/// diffusers names (current and pre-0.17 attention names, Linear-shaped attention weights), a .ckpt, a diffusers vae folder.
/// Each is a negated copy of the tiny VAE, so the loaded values show which VAE was read.
/// </summary>
public sealed class SeparateVaeTests
{
    private const string Prefix = "first_stage_model.";

    public static TheoryData<string> Layouts => new() { "bare", "first_stage_model.", "vae.", "diffusers", "diffusers-legacy", "ckpt", "folder" };

    [ReferenceDataTheory]
    [MemberData(nameof(Layouts))]
    public void A_separate_VAE_replaces_the_checkpoints_in_every_layout(string layout)
    {
        using var dir = new TempFolder("vae ü");
        // The expected VAE: the checkpoint with its VAE negated, loaded the ordinary way.
        string negatedCheckpoint = dir.File("negated.safetensors");
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd1"), negatedCheckpoint, t => t.Name.StartsWith(Prefix, StringComparison.Ordinal) ? Negated(t, t.Name) : SafeTensorEntry.CopyOf(t));
        using var expected = StableDiffusionModel.Load(TinyModels.Options("sd1") with { Path = negatedCheckpoint });

        string vaePath = WriteVae(layout, negatedCheckpoint, dir);
        using var model = StableDiffusionModel.Load(TinyModels.Options("sd1") with { VaePath = vaePath });
        var report = model.Report["vae"];
        Assert.True(report.IsComplete && report.Unexpected.Count == 0, report.ToString());
        Assert.StartsWith(Path.GetFullPath(vaePath), report.SourcePath);
        Assert.Contains(Prefix + "encoder.conv_in.weight", model.Report.IgnoredKeys);
        var loaded = model.Vae.state_dict();
        foreach (var (name, value) in expected.Vae.state_dict())
            Assert.Equal(value.data<float>(), loaded[name].data<float>());
        // The rest of the model still comes from the checkpoint.
        Assert.Equal(TinyModels.Stored(TinyModels.Checkpoint("sd1"), "model.diffusion_model.out.2.weight"), model.UNet.conv_out.weight.data<float>());
    }

    private static string WriteVae(string layout, string negatedCheckpoint, TempFolder dir)
    {
        using var source = SafeTensorsFile.Open(negatedCheckpoint);
        var vae = source.Tensors.Where(t => t.Name.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        string path = dir.File($"vae {layout}.safetensors");
        switch (layout)
        {
            case "bare" or "first_stage_model." or "vae.":
                string prefix = layout == "bare" ? "" : layout;
                SafeTensorsWriter.Write(path, vae.Select(t => SafeTensorEntry.CopyOf(t, prefix + t.Name[Prefix.Length..])).ToList());
                return path;
            case "diffusers" or "diffusers-legacy":
                SafeTensorsWriter.Write(path, DiffusersFolderWriter.VaeEntries(source, Prefix, 4, legacy: layout == "diffusers-legacy"));
                return path;
            case "ckpt":
                path = dir.File("vae.ckpt");
                PickleWriter.WriteCheckpoint(path, vae.Select(t => (t.Name[Prefix.Length..], t.ToSingleArray(), t.ShapeArray(), t.DType)).ToList(), wrapInStateDict: false);
                return path;
            case "folder":
                // A diffusers vae folder: config.json and the weights, from the writer (then swapped for the negated VAE's).
                string root = dir.File("pipeline");
                DiffusersFolderWriter.Write("sd1", root);
                SafeTensorsWriter.Write(Path.Combine(root, "vae", "diffusion_pytorch_model.safetensors"), DiffusersFolderWriter.VaeEntries(source, Prefix, 4), overwrite: true);
                return Path.Combine(root, "vae");
            default: throw new ArgumentException(layout);
        }
    }

    private static SafeTensorEntry Negated(SafeTensor t, string name) =>
        SafeTensorEntry.FromSingles(name, t.DType, t.ShapeArray(), t.ToSingleArray().Select(v => -v).ToArray());
}
