using LoraPS.Formats.Onnx;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;
using LoraPS.Tests.Support;
using LoraPS.Workflows;
using LoraPS.Workflows.Tagging;

namespace LoraPS.Tests.Tagging;

/// <summary>A model with fixed outputs proves the selection rules, caption files and modes end to end.</summary>
public class TagSelectionTests
{
    // Rows as in a real selected_tags.csv: 4 ratings, general tags, character tags.
    private static readonly (string Name, int Category)[] Tags =
    {
        ("general", 9), ("sensitive", 9), ("questionable", 9), ("explicit", 9),
        ("1girl", 0), ("long_hair", 0), ("^_^", 0), ("smile", 0), ("blue_eyes", 0), ("2boys", 0), ("low_score", 0),
        ("hatsune_miku", 4), ("kagamine_rin", 4), ("weak_character", 4),
    };

    private static readonly float[] Scores =
    {
        0.10f, 0.70f, 0.15f, 0.05f,
        0.99f, 0.80f, 0.50f, 0.35f, 0.36f, 0.90f, 0.34f,
        0.95f, 0.86f, 0.60f,
    };

    private static string MakeModel(TempFolder dir, OnnxDim batch)
    {
        string folder = dir.File("fixed model");
        TinyTaggers.WriteFixed(folder, 16, batch, Scores, Tags);
        return folder;
    }

    private static List<TaggedImage> Run(TaggerOptions options, IReadOnlyList<string> paths, Func<string, string, bool>? shouldWrite = null)
    {
        using var session = TaggerSession.Open(options);
        return session.Tag(paths.Select(p => new TrainingImage { Path = p }).ToList(), shouldWrite).ToList();
    }

    private static string Picture(TempFolder dir, string name) =>
        TinyTaggers.SavePng(TinyTaggers.Picture(24, 18, (x, y) => ((byte)x, (byte)y, 7, 255)), dir.File(name));

    [Fact]
    public void DefaultsMatchSdScripts()
    {
        using var dir = new TempFolder();
        string image = Picture(dir, "a.png");
        var result = Run(new TaggerOptions { ModelPath = MakeModel(dir, "N"), Device = OnnxDevice.Cpu }, new[] { image }).Single();
        // p ≥ 0.35 kept (smile at exactly 0.35 stays, low_score 0.34 goes); general in list order, then characters;
        // underscores become spaces except in ^_^; character threshold defaults to the general one.
        string expected = "1girl, long hair, ^_^, smile, blue eyes, 2boys, hatsune miku, kagamine rin, weak character";
        Assert.Equal(expected, result.Image.Caption);
        Assert.Equal(expected + "\n", File.ReadAllText(dir.File("a.txt")));
        Assert.Equal(dir.File("a.txt"), result.Image.CaptionPath);
        Assert.Equal("sensitive", result.Image.Rating);
        Assert.Equal("1girl", result.Image.Tags[0].Name); // most confident first
        Assert.Equal(TagCategory.Character, result.Image.Tags.Single(t => t.Name == "hatsune miku").Category);
        Assert.Equal(0.99f, result.Image.Tags[0].Confidence);
    }

    [Fact]
    public void ThresholdsExclusionRatingAndOrderingOptions()
    {
        using var dir = new TempFolder();
        string image = Picture(dir, "b.png");
        var options = new TaggerOptions
        {
            ModelPath = MakeModel(dir, 1),
            Selection = new TagSelectionOptions
            {
                GeneralThreshold = 0.5f,
                CharacterThreshold = 0.85f,
                ExcludeTags = new[] { "1girl", "2boys" },
                Rating = RatingPlacement.First,
                AlwaysFirstTags = new[] { "smile", "long hair" },
                AddTags = new[] { "mytoken", "style" },
                Separator = " | ",
            },
            CaptionExtension = "caption",
            Force = true,
        };
        var result = Run(options, new[] { image }).Single();
        // 0.5 drops smile/blue eyes; characters need 0.85 (miku 0.95, rin 0.86); 1girl and 2boys excluded;
        // rating first; always-first moves present tags in turn (smile absent); added tags lead.
        Assert.Equal("mytoken | style | long hair | sensitive | ^_^ | hatsune miku | kagamine rin", result.Image.Caption);
        Assert.True(File.Exists(dir.File("b.caption")));

        var last = Run(options with
        {
            Selection = options.Selection with { Rating = RatingPlacement.Last, CharacterThreshold = 1.5f, AlwaysFirstTags = Array.Empty<string>(), AddTags = Array.Empty<string>(), ReplaceUnderscores = false, CharacterTagsFirst = true },
        }, new[] { image }).Single();
        Assert.Equal("long_hair | ^_^ | sensitive", last.Image.Caption);

        var charsFirst = Run(options with
        {
            Selection = new TagSelectionOptions { GeneralThreshold = 0.9f, CharacterThreshold = 0.5f, CharacterTagsFirst = true, ExcludeTags = new[] { "hatsune miku" } },
        }, new[] { image }).Single();
        // Each character goes to the front in turn, so the last found leads; exclusion works with spaces too.
        Assert.Equal("weak character, kagamine rin, 1girl, 2boys", charsFirst.Image.Caption);
    }

    [Fact]
    public void CaptionModesOverwriteAppendSkipAndWhatIf()
    {
        using var dir = new TempFolder();
        string model = MakeModel(dir, "N");
        string image = Picture(dir, "c.png");
        string caption = dir.File("c.txt");
        var options = new TaggerOptions { ModelPath = model, Selection = new TagSelectionOptions { GeneralThreshold = 0.9f, CharacterThreshold = 2f } };

        File.WriteAllText(caption, "old tag, 1girl\n");
        var append = Run(options with { Mode = CaptionMode.Append }, new[] { image }).Single();
        Assert.Equal("old tag, 1girl, 2boys", append.Image.Caption);
        Assert.Equal("old tag, 1girl, 2boys\n", File.ReadAllText(caption));

        File.WriteAllText(caption, "keep me\n");
        var skip = Run(options with { Mode = CaptionMode.Skip }, new[] { image }).Single();
        Assert.Equal(TaggerOutcome.Skipped, skip.Outcome);
        Assert.Equal("keep me", skip.Image.Caption);
        Assert.Equal("keep me\n", File.ReadAllText(caption));

        var whatIf = Run(options with { Force = true }, new[] { image }, (_, _) => false).Single();
        Assert.Equal(TaggerOutcome.NotWritten, whatIf.Outcome);
        Assert.Equal("1girl, 2boys", whatIf.Image.Caption);
        Assert.Equal("keep me\n", File.ReadAllText(caption));

        // Overwrite replaces a file the user owns only with Force.
        var refused = Run(options, new[] { image }).Single();
        Assert.Equal(TaggerOutcome.Failed, refused.Outcome);
        Assert.Contains("-Force", refused.Error!.Message);
        Assert.Equal("keep me\n", File.ReadAllText(caption));
        var overwrite = Run(options with { Force = true }, new[] { image }).Single();
        Assert.Equal(TaggerOutcome.Tagged, overwrite.Outcome);
        Assert.Equal("1girl, 2boys\n", File.ReadAllText(caption));
    }

    [Fact]
    public void UnreadableImagesFailAloneRecurseFindsSubfoldersAndTheSummaryCounts()
    {
        using var dir = new TempFolder("recurse ✓");
        string model = MakeModel(dir, "N");
        string root = dir.File("pics");
        Picture(dir, Path.Combine("pics", "one.png"));
        Picture(dir, Path.Combine("pics", "sub folder", "two.png"));
        File.WriteAllText(Path.Combine(root, "broken.png"), "not a png");
        File.WriteAllBytes(Path.Combine(root, "truncated.png"), File.ReadAllBytes(Path.Combine(root, "one.png"))[..60]);

        var (flat, _) = TaggerInputs.Expand(new[] { root }, recurse: false);
        Assert.Equal(3, flat.Count);
        var (images, errors) = TaggerInputs.Expand(new[] { root, dir.File("missing.png") }, recurse: true);
        Assert.Equal(4, images.Count);
        Assert.Single(errors);

        using var session = TaggerSession.Open(new TaggerOptions { ModelPath = model, BatchSize = 3, Selection = new TagSelectionOptions { GeneralThreshold = 0.9f, CharacterThreshold = 0.9f } });
        var results = session.Tag(images).ToList();
        Assert.Equal(2, results.Count(r => r.Outcome == TaggerOutcome.Tagged));
        var failed = results.Where(r => r.Outcome == TaggerOutcome.Failed).ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, f => Assert.Contains(Path.GetFileName(f.Image.Path), f.Error!.Message));
        Assert.True(File.Exists(Path.Combine(root, "sub folder", "two.txt")));
        var summary = session.Summary();
        Assert.Equal((4, 2, 2, 0), (summary.Images, summary.Tagged, summary.Failed, summary.Skipped));
        Assert.Equal(new[] { "1girl", "2boys", "hatsune miku" }, summary.Frequencies.Select(f => f.Tag).OrderBy(t => t));
        Assert.All(summary.Frequencies, f => Assert.Equal(2, f.Count));
    }

    [Fact]
    public void ACaptionThatCannotBeWrittenFailsThatPictureOnly()
    {
        using var dir = new TempFolder();
        string model = MakeModel(dir, "N");
        string blocked = Picture(dir, "blocked.png");
        string fine = Picture(dir, "fine.png");
        Directory.CreateDirectory(dir.File("blocked.txt")); // a folder where the caption file should go
        var results = Run(new TaggerOptions { ModelPath = model, BatchSize = 2 }, new[] { blocked, fine });
        var failed = results.Single(r => r.Image.Path == blocked);
        Assert.Equal(TaggerOutcome.Failed, failed.Outcome);
        Assert.NotNull(failed.Error);
        Assert.Equal(TaggerOutcome.Tagged, results.Single(r => r.Image.Path == fine).Outcome);
        Assert.True(File.Exists(dir.File("fine.txt")));
    }

    [Fact]
    public void SelectorUnitRules()
    {
        var set = Wd14TagSet.Parse("tag_id,name,category,count\n1,general,9,1\n2,\"a,b_c\",0,1\n3,>_<,0,1\n4,x_y,4,1\n", "t.csv");
        Assert.Equal("a,b_c", set.Tags[1].Name);
        var selector = new Wd14TagSelector(set, new TagSelectionOptions());
        Assert.Equal(">_<", selector.Display(">_<"));
        Assert.Equal("a,b c", selector.Display("a,b_c"));
        Assert.Equal("x_y", selector.Display("x_y")); // 3 characters: kept like an emoticon, as sd-scripts does
        var sel = selector.Select(new[] { 1f, 0.2f, 0.4f, float.NaN });
        Assert.Equal(new[] { ">_<" }, sel.CaptionTags);
        Assert.Equal("general", sel.Rating);
        Assert.Throws<ArgumentException>(() => selector.Select(new[] { 1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Wd14TagSelector(set, new TagSelectionOptions { GeneralThreshold = 2f }));
        // Existing tags stay exactly as they were (sd-scripts --append_tags); only new ones are added.
        Assert.Equal(new[] { "x", "y", "x", "z" }, selector.Merge(" x ,y,, x", new[] { "y", "z" }));
    }
}
