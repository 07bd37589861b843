using LoraPS.Formats.Onnx;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;
using LoraPS.Tests.Support;
using LoraPS.Workflows;
using LoraPS.Workflows.Tagging;

namespace LoraPS.Tests.Tagging;

/// <summary>Tiny models prove what reaches the model, and that bad models fail clearly.</summary>
public class TaggerModelTests
{
    private static TaggerOptions Options(string modelFolder) => new()
    {
        ModelPath = modelFolder,
        Selection = new TagSelectionOptions { GeneralThreshold = 0f, ReplaceUnderscores = false },
        Device = OnnxDevice.Cpu,
    };

    private static float Score(TrainingImage image, string tag) => image.Tags.Single(t => t.Name == tag).Confidence;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TheModelGetsBgrFloatsFrom0To255InNhwc(int batchSize)
    {
        using var dir = new TempFolder("probe ü");
        string model = Path.Combine(dir.Path, "model dir");
        TinyTaggers.WritePixelProbe(model, 448, "batch");
        // 448×448: no resampling, so row 0 reaches the model as it is; distinct R, G, B per pixel.
        var colours = new (byte R, byte G, byte B)[] { (250, 10, 3), (7, 200, 90), (0, 0, 255), (128, 64, 32) };
        var picture = TinyTaggers.Picture(448, 448, (x, y) => y == 0 && x < 4 ? (colours[x].R, colours[x].G, colours[x].B, (byte)255) : ((byte)60, (byte)120, (byte)180, (byte)255));
        var paths = Enumerable.Range(0, 4).Select(i => TinyTaggers.SavePng(picture, dir.File($"img {i}.png"))).ToList();
        using var session = TaggerSession.Open(Options(model) with { BatchSize = batchSize });
        Assert.Null(session.Model.FixedBatch);
        var results = session.Tag(paths.Select(p => new TrainingImage { Path = p }).ToList()).ToList();
        Assert.Equal(4, results.Count);
        foreach (var result in results)
        {
            Assert.Equal(TaggerOutcome.Tagged, result.Outcome);
            for (int p = 0; p < 4; p++)
            {
                Assert.Equal(colours[p].B, Score(result.Image, $"p{p}_b") * 255f, 3);
                Assert.Equal(colours[p].G, Score(result.Image, $"p{p}_g") * 255f, 3);
                Assert.Equal(colours[p].R, Score(result.Image, $"p{p}_r") * 255f, 3);
            }
            double n = 448.0 * 448;
            Assert.Equal((180 * (n - 4) + 3 + 90 + 255 + 32) / n, Score(result.Image, "mean_b") * 255.0, 2);
            Assert.Equal((60 * (n - 4) + 250 + 7 + 0 + 128) / n, Score(result.Image, "mean_r") * 255.0, 2);
            Assert.Equal((448, 448), (result.Image.Width, result.Image.Height));
        }
    }

    [Fact]
    public void AlphaIsCompositedOntoWhiteAndPaddingIsWhite()
    {
        using var dir = new TempFolder();
        string model = dir.File("m");
        TinyTaggers.WritePixelProbe(model, 32, 1);
        // 32 wide × 16 high, fully transparent black: the model must see pure white everywhere.
        string path = TinyTaggers.SavePng(TinyTaggers.Picture(32, 16, (_, _) => (0, 0, 0, 0)), dir.File("clear.png"));
        using var session = TaggerSession.Open(Options(model));
        var image = session.Tag(new[] { new TrainingImage { Path = path } }).Single().Image;
        foreach (string c in new[] { "b", "g", "r" }) Assert.Equal(255f, Score(image, "mean_" + c) * 255f, 3);
        // Opaque black 32×16: padded with white top and bottom (8 rows each) → mean 127.5.
        string black = TinyTaggers.SavePng(TinyTaggers.Picture(32, 16, (_, _) => (0, 0, 0, 255)), dir.File("black.png"));
        var padded = session.Tag(new[] { new TrainingImage { Path = black } }).Single().Image;
        Assert.Equal(127.5f, Score(padded, "mean_g") * 255f, 2);
        Assert.Equal(255f, Score(padded, "p0_g") * 255f, 3); // row 0 is padding
    }

    [Fact]
    public void FixedBatchModelsRunOneAtATimeAndWarn()
    {
        using var dir = new TempFolder();
        string model = dir.File("m");
        TinyTaggers.WriteFixed(model, 16, 1, new[] { 0.9f, 0.1f }, new[] { ("long_hair", 0), ("solo", 0) });
        var paths = Enumerable.Range(0, 5).Select(i => TinyTaggers.SavePng(TinyTaggers.Picture(20, 20, (_, _) => (1, 2, 3, 255)), dir.File($"{i}.png"))).ToList();
        using var session = TaggerSession.Open(new TaggerOptions { ModelPath = model, BatchSize = 4 });
        Assert.Equal(1, session.Model.FixedBatch);
        Assert.Contains(session.Warnings, w => w.Contains("fixed to 1"));
        var results = session.Tag(paths.Select(p => new TrainingImage { Path = p }).ToList()).ToList();
        Assert.All(results, r => Assert.Equal("long hair", r.Image.Caption));
    }

    [Fact]
    public void MismatchedModelsAndTagListsAreClearErrors()
    {
        using var dir = new TempFolder();
        string model = dir.File("mismatch");
        TinyTaggers.WriteFixed(model, 16, 1, new float[5], Enumerable.Range(0, 5).Select(i => ($"t{i}", 0)));
        TinyTaggers.WriteTags(model, Enumerable.Range(0, 6).Select(i => ($"t{i}", 0)));
        var e = Assert.Throws<OnnxModelException>(() => Wd14Model.OpenFolder(model));
        Assert.Contains("outputs 5 scores", e.Message);
        Assert.Contains("lists 6 tags", e.Message);

        // NCHW input: not a WD14 tagger.
        string nchw = dir.File("nchw");
        Directory.CreateDirectory(nchw);
        var g = new OnnxGraph();
        g.AddInput("x", OnnxElementType.Float, 1, 3, 16, 16);
        string mean = g.Add("ReduceMean", new[] { "x" }, OnnxAttribute.IntList("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        g.AddNode("Identity", new[] { mean }, new[] { "y" });
        g.AddOutput("y", OnnxElementType.Float, 1, 3);
        OnnxModelWriter.Write(Path.Combine(nchw, "model.onnx"), g);
        TinyTaggers.WriteTags(nchw, new[] { ("a", 0), ("b", 0), ("c", 0) });
        var e2 = Assert.Throws<OnnxModelException>(() => Wd14Model.OpenFolder(nchw));
        Assert.Contains("[batch, side, side, 3]", e2.Message);
        Assert.Contains("model.onnx", e2.Message);

        // A corrupt model file in the folder.
        string corrupt = dir.File("corrupt");
        Directory.CreateDirectory(corrupt);
        File.WriteAllBytes(Path.Combine(corrupt, "model.onnx"), OnnxModelWriter.ToBytes(g)[..40]);
        TinyTaggers.WriteTags(corrupt, new[] { ("a", 0) });
        var e3 = Assert.Throws<OnnxModelException>(() => TaggerSession.Open(new TaggerOptions { ModelPath = corrupt }));
        Assert.Contains("truncated", e3.Message);

        // Missing pieces.
        string noTags = dir.File("notags");
        Directory.CreateDirectory(noTags);
        File.Copy(Path.Combine(nchw, "model.onnx"), Path.Combine(noTags, "model.onnx"));
        Assert.Contains("selected_tags.csv", Assert.Throws<FileNotFoundException>(() => Wd14Model.OpenFolder(noTags)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => Wd14Model.OpenFolder(dir.File("absent")));

        // A broken tag list names the line.
        string badCsv = dir.File("badcsv");
        Directory.CreateDirectory(badCsv);
        File.Copy(Path.Combine(nchw, "model.onnx"), Path.Combine(badCsv, "model.onnx"));
        File.WriteAllText(Path.Combine(badCsv, "selected_tags.csv"), "tag_id,name,category,count\n1,a,zero,3\n");
        Assert.Contains("line 2", Assert.Throws<LoraPS.Formats.InvalidFileException>(() => Wd14Model.OpenFolder(badCsv)).Message);
    }
}
