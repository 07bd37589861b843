using System.Diagnostics;
using LoraPS.Hub;
using LoraPS.Models.Tagging;
using LoraPS.Tests.Support;
using LoraPS.Workflows;
using LoraPS.Workflows.Tagging;

namespace LoraPS.Tests.Tagging;

/// <summary>The model comes from a (local) hub, and `loraps tag` does the whole job.</summary>
public class TaggerFrontEndTests
{
    private static readonly (string, int)[] Tags = { ("general", 9), ("sensitive", 9), ("questionable", 9), ("explicit", 9), ("1girl", 0), ("long_hair", 0), ("2boys", 0) };
    private static readonly float[] Scores = { 0.9f, 0.1f, 0f, 0f, 0.99f, 0.7f, 0.5f };

    [Fact]
    public void AModelNameIsFetchedFromTheHubIntoTheCacheThenUsedOffline()
    {
        using var dir = new TempFolder();
        string model = dir.File("model");
        TinyTaggers.WriteFixed(model, 16, "N", Scores, Tags);
        using var server = new LocalHubServer();
        server.Add("tester/tiny-tagger", "model.onnx", File.ReadAllBytes(Path.Combine(model, "model.onnx")));
        server.Add("tester/tiny-tagger", "selected_tags.csv", File.ReadAllBytes(Path.Combine(model, "selected_tags.csv")));
        string image = TinyTaggers.SavePng(TinyTaggers.Picture(8, 8, (_, _) => (9, 9, 9, 255)), dir.File("p.png"));
        var hub = new HubOptions { Endpoint = server.Endpoint, CacheDir = dir.File("cache"), Offline = false };
        var options = new TaggerOptions { Model = "tester/tiny-tagger", Hub = hub, Selection = new TagSelectionOptions { ExcludeTags = new[] { "2boys" } } };
        var downloads = new List<HubDownloadProgress>();
        using (var session = TaggerSession.Open(options, new SyncProgress<HubDownloadProgress>(downloads.Add)))
            Assert.Equal("1girl, long hair", session.Tag(new[] { new TrainingImage { Path = image } }).Single().Image.Caption);
        Assert.Contains(downloads, d => d.FileName == "model.onnx" && d.Received == d.Total);
        server.Dispose();
        using (var offline = TaggerSession.Open(options with { Hub = hub with { Offline = true } }))
            Assert.Equal(Tags.Length, offline.Model.Tags.Count);
        Assert.Throws<ArgumentException>(() => Wd14KnownModels.Resolve("no-such-model"));
        Assert.Equal("SmilingWolf/wd-v1-4-convnext-tagger-v2", Wd14KnownModels.Resolve("WD-v1-4-ConvNeXt-tagger-v2").RepoId);
        Assert.Equal("SmilingWolf/wd-eva02-large-tagger-v3", Wd14KnownModels.Resolve("wd-eva02-large-tagger-v3").RepoId);
    }

    [Fact]
    public void LorapsTagWritesCaptionsAndPrintsFrequencies()
    {
        using var dir = new TempFolder("cli tag ✓");
        string model = dir.File("model dir");
        TinyTaggers.WriteFixed(model, 16, "N", Scores, Tags);
        string pics = dir.File("ピクチャ");
        TinyTaggers.SavePng(TinyTaggers.Picture(8, 8, (_, _) => (9, 9, 9, 255)), Path.Combine(pics, "a 1.png"));
        TinyTaggers.SavePng(TinyTaggers.Picture(8, 8, (_, _) => (9, 9, 9, 255)), Path.Combine(pics, "sub", "b.png"));
        var psi = new ProcessStartInfo("dotnet", new[] { RepoPaths.CliDll, "tag", pics, "--model-path", model, "--recurse",
            "--exclude-tag", "1girl,2boys", "--rating-tag", "First", "--batch-size", "2", "--device", "Cpu" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        Assert.Equal("general, long hair\n", File.ReadAllText(Path.Combine(pics, "a 1.txt")));
        Assert.Equal("general, long hair\n", File.ReadAllText(Path.Combine(pics, "sub", "b.txt")));
        Assert.Contains("2 tagged, 0 skipped, 0 failed", output);
        Assert.Contains("long hair: 2", output);
    }
}
