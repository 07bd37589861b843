using LoraPS.Tests.Support;
using LoraPS.Workflows;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>New-LoraDataset's workflow: pipeline pictures, folders, layouts, -WhatIf, -Force.</summary>
public sealed class NewLoraDatasetTests
{
    [Fact]
    public void Pipeline_pictures_go_into_a_kohya_layout_with_their_captions()
    {
        using var dir = new TempFolder("new kohya");
        string photos = Path.Combine(dir.Path, "photos 写真");
        var files = TestPictures.Folder(photos, 6, 512, 768);
        TestPictures.Png(Path.Combine(photos, "not piped.png"), 512, 512);
        var images = files.Select(f => new TrainingImage { Path = f, Width = 512, Height = 768 }).ToList();
        string regDir = Path.Combine(dir.Path, "reg pics");
        TestPictures.Folder(regDir, 3, 512, 512, captionExtension: null);
        string dest = Path.Combine(dir.Path, "out 出力");

        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Images = images,
            Instance = "mylora",
            Class = "1boy",
            Repeats = 20,
            RegularizationPaths = new[] { regDir },
            Layout = DatasetLayout.Both,
            Destination = dest,
            BatchSize = 2,
            Epochs = 6,
        });

        string img = Path.Combine(dest, "img", "20_mylora 1boy");
        Assert.Equal(12, Directory.GetFiles(img).Length); // 6 pictures + 6 captions, not the unpiped one
        Assert.Empty(Directory.GetFiles(dest, "*.tmp", SearchOption.AllDirectories));
        Assert.Equal(File.ReadAllBytes(files[0]), File.ReadAllBytes(Path.Combine(img, Path.GetFileName(files[0]))));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(dest, "reg", "1_1boy")).Length);
        Assert.True(Directory.Exists(Path.Combine(dest, "log")));
        Assert.True(Directory.Exists(Path.Combine(dest, "model")));
        Assert.Equal(Path.Combine(dest, "img"), result.TrainDataDir);
        Assert.Equal(Path.Combine(dest, "dataset.toml"), result.ConfigPath);
        Assert.Equal(6, result.ImageCount);
        Assert.Equal(3, result.RegImageCount);
        Assert.Equal(120, result.RegItemsPerEpoch);
        Assert.Equal(120, result.StepsPerEpoch); // (120 + 120) / 2, both buckets even
        Assert.Equal(720, result.TotalSteps);
        var config = DatasetConfigReader.ReadFile(result.ConfigPath!);
        Assert.Equal(img, config.Datasets[0].Subsets[0].Options["image_dir"]);
        Assert.Equal(true, config.Datasets[0].Subsets[1].Options["is_reg"]);
        Assert.Equal("1boy", config.Datasets[0].Subsets[1].Options["class_tokens"]);

        // A second run keeps identical files, and the config is not overwritten without -Force.
        var again = new NewDatasetOptions { Images = images, Instance = "mylora", Class = "1boy", Repeats = 20, Layout = DatasetLayout.Both, Destination = dest };
        var e = Assert.Throws<IOException>(() => DatasetWorkflow.New(again));
        Assert.Contains("-Force", e.Message);
        var forced = DatasetWorkflow.New(again with { Force = true });
        Assert.Equal(6, forced.ImageCount);
    }

    [Fact]
    public void Piped_pictures_from_two_folders_share_one_layout_folder_and_name_clashes_are_refused()
    {
        using var dir = new TempFolder("new two folders");
        var first = TestPictures.Folder(Path.Combine(dir.Path, "a"), 2, 512, 512, prefix: "a");
        var second = TestPictures.Folder(Path.Combine(dir.Path, "b"), 3, 512, 512, prefix: "b");
        string dest = Path.Combine(dir.Path, "out");
        var options = new NewDatasetOptions
        {
            Images = first.Concat(second).Select(f => new TrainingImage { Path = f }).ToList(),
            Instance = "sks", Class = "dog", Repeats = 2, Layout = DatasetLayout.Both, Destination = dest,
        };
        var planned = DatasetWorkflow.New(options with { WhatIf = true });
        Assert.Equal(5, planned.ImageCount);
        Assert.DoesNotContain(planned.Warnings, w => w.Contains("appears twice"));
        var result = DatasetWorkflow.New(options);
        Assert.Equal(5, result.ImageCount);
        Assert.Single(result.Subsets);
        Assert.Equal(10, Directory.GetFiles(Path.Combine(dest, "img", "2_sks dog")).Length);

        // Same file name from two folders: refused before anything is written.
        var clash = TestPictures.Folder(Path.Combine(dir.Path, "c"), 1, 512, 512, prefix: "a");
        string dest2 = Path.Combine(dir.Path, "out2");
        var e = Assert.Throws<ArgumentException>(() => DatasetWorkflow.New(options with
        {
            Images = first.Concat(clash).Select(f => new TrainingImage { Path = f }).ToList(), Destination = dest2,
        }));
        Assert.Contains("a_000.png", e.Message);
        Assert.False(Directory.Exists(dest2));
    }

    [Fact]
    public void Hard_links_share_the_file()
    {
        using var dir = new TempFolder("new link");
        string photos = Path.Combine(dir.Path, "photos");
        TestPictures.Folder(photos, 2, 512, 512);
        string dest = Path.Combine(dir.Path, "out");
        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Paths = new[] { photos }, Instance = "sks", Class = "dog", Repeats = 5, Layout = DatasetLayout.Kohya, Destination = dest, LinkMode = LinkMode.HardLink,
        });
        Assert.Null(result.ConfigPath);
        Assert.False(File.Exists(Path.Combine(dest, "dataset.toml")));
        string linked = Path.Combine(dest, "img", "5_sks dog", "img_000.png");
        Assert.True(File.Exists(linked));
        Assert.DoesNotContain(result.Warnings, w => w.Contains("could not hard-link"));
        // Same inode: a change through one name shows through the other.
        File.AppendAllText(Path.Combine(photos, "img_000.txt"), " more");
        Assert.EndsWith(" more", File.ReadAllText(Path.Combine(dest, "img", "5_sks dog", "img_000.txt")));
    }

    [Fact]
    public void WhatIf_plans_and_writes_nothing()
    {
        using var dir = new TempFolder("new whatif");
        string photos = Path.Combine(dir.Path, "photos");
        TestPictures.Folder(photos, 4, 512, 512);
        string dest = Path.Combine(dir.Path, "out");
        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Paths = new[] { photos }, Instance = "sks", Class = "dog", Repeats = 5, Layout = DatasetLayout.Both, Destination = dest, WhatIf = true, Epochs = 2,
        });
        Assert.False(Directory.Exists(dest));
        Assert.Null(result.ConfigPath);
        Assert.Equal(4, result.ImageCount);
        Assert.Equal(40, result.TotalSteps);
        Assert.Equal(5, result.Subsets[0].NumRepeats);

        // Piped pictures under -WhatIf: the plan counts exactly the ones the layout would receive.
        var some = Directory.GetFiles(photos, "*.png").OrderBy(f => f).Take(2).Select(f => new TrainingImage { Path = f }).ToList();
        result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Images = some, Instance = "sks", Class = "dog", Repeats = 5, Layout = DatasetLayout.Kohya, Destination = dest, WhatIf = true,
        });
        Assert.False(Directory.Exists(dest));
        Assert.Equal(2, result.ImageCount);
        Assert.Equal(2, result.Subsets[0].CaptionCount);
    }

    [Fact]
    public void Toml_layout_points_at_the_pictures_where_they_are_and_warns_about_extra_pictures()
    {
        using var dir = new TempFolder("new toml");
        string photos = Path.Combine(dir.Path, "photos");
        var files = TestPictures.Folder(photos, 4, 512, 512);
        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Images = files.Take(3).Select(f => new TrainingImage { Path = f }).ToList(),
            Instance = "sks", Class = "dog", Destination = dir.Path,
        });
        Assert.Contains(result.Warnings, w => w.Contains("holds 1 other pictures"));
        var subset = Assert.Single(Assert.Single(DatasetConfigReader.ReadFile(result.ConfigPath!).Datasets).Subsets);
        Assert.Equal(photos, subset.Options["image_dir"]);
        Assert.Equal((long)DatasetWorkflow.DefaultRepeats, subset.Options["num_repeats"]);
        Assert.Equal("sks dog", subset.Options["class_tokens"]);
    }

    [Fact]
    public void Caption_and_bucket_options_map_to_config_keys()
    {
        using var dir = new TempFolder("new options");
        string photos = Path.Combine(dir.Path, "3_sks dog");
        TestPictures.Folder(photos, 2, 512, 512, captionExtension: ".caption");
        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Paths = new[] { photos }, Destination = dir.Path, CaptionExtension = "caption", ShuffleCaption = true, KeepTokens = 1,
            KeepTokensSeparator = "|||", CaptionPrefix = "pre", CaptionSuffix = "suf", CaptionDropoutRate = 0.1, CaptionDropoutEveryNEpochs = 3,
            CaptionTagDropoutRate = 0.2, FlipAug = true, ColorAug = true, RandomCrop = true, BucketNoUpscale = true, Resolution = new(768, 512),
        });
        var g = DatasetConfigReader.ReadFile(result.ConfigPath!).General;
        Assert.Equal(".caption", g["caption_extension"]);
        Assert.Equal(true, g["shuffle_caption"]);
        Assert.Equal(1L, g["keep_tokens"]);
        Assert.Equal("|||", g["keep_tokens_separator"]);
        Assert.Equal("pre", g["caption_prefix"]);
        Assert.Equal("suf", g["caption_suffix"]);
        Assert.Equal(0.1, g["caption_dropout_rate"]);
        Assert.Equal(3L, g["caption_dropout_every_n_epochs"]);
        Assert.Equal(0.2, g["caption_tag_dropout_rate"]);
        Assert.Equal(true, g["flip_aug"]);
        Assert.Equal(true, g["color_aug"]);
        Assert.Equal(true, g["random_crop"]);
        Assert.Equal(true, g["bucket_no_upscale"]);
        Assert.Equal(new Size2(768, 512), DatasetConfigResolver.ToSize(g["resolution"]));
        // The folder name gave repeats and tokens.
        var subset = DatasetConfigReader.ReadFile(result.ConfigPath!).Datasets[0].Subsets[0];
        Assert.Equal(3L, subset.Options["num_repeats"]);
        Assert.Equal("sks dog", subset.Options["class_tokens"]);
    }

    [Fact]
    public void Bad_arguments_are_refused_clearly()
    {
        using var dir = new TempFolder("new bad");
        Assert.Throws<ArgumentException>(() => DatasetWorkflow.New(new NewDatasetOptions { Destination = dir.Path }));
        Assert.Throws<DirectoryNotFoundException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { dir.File("nope") } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { dir.Path }, Repeats = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { dir.Path }, BatchSize = 0 }));
        string photos = Path.Combine(dir.Path, "p");
        TestPictures.Folder(photos, 1, 512, 512);
        var e = Assert.Throws<ArgumentException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { photos }, Layout = DatasetLayout.Kohya, Destination = dir.Path }));
        Assert.Contains("-Instance", e.Message);
        e = Assert.Throws<ArgumentException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { photos }, Instance = "a", Layout = DatasetLayout.Kohya, Destination = photos }));
        Assert.Contains("inside each other", e.Message);
    }

    [Fact]
    public void Legacy_folder_names_both_ways()
    {
        Assert.True(LegacyFolders.TryParse("10_sks dog", out int n, out string tokens));
        Assert.Equal((10, "sks dog"), (n, tokens));
        Assert.True(LegacyFolders.TryParse("1_a_b", out n, out tokens));
        Assert.Equal((1, "a_b"), (n, tokens));
        Assert.False(LegacyFolders.TryParse("sks dog", out _, out _));
        Assert.False(LegacyFolders.TryParse("x_sks", out _, out _));
        Assert.Equal("20_mylora 1boy", LegacyFolders.FolderName(20, "mylora 1boy"));

        using var dir = new TempFolder("legacy");
        Directory.CreateDirectory(Path.Combine(dir.Path, "img", "notes"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "img", "0_zero"));
        TestPictures.Folder(Path.Combine(dir.Path, "img", "3_a b"), 1, 512, 512);
        var warnings = new List<string>();
        var config = LegacyFolders.ToConfig(Path.Combine(dir.Path, "img"), null, new DatasetOptions(), warnings);
        var subset = Assert.Single(config.Datasets[0].Subsets);
        Assert.Equal("a b", subset.Options["class_tokens"]);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("'notes'"));
        Assert.Contains(warnings, w => w.Contains("repeats 0"));
    }

    [Fact]
    public void CharFramework_name_rules()
    {
        const string name = "kuronekomimi girl, shorthair, choker, ahoge_f0768";
        Assert.Equal(new[] { "kuronekomimi", "shorthair", "choker", "ahoge" }, CharFrameworkRules.KeywordTags(name));
        Assert.Equal("kuronekomimi girl", CharFrameworkRules.ClassTokens(name));
        Assert.Equal("krnk girl", CharFrameworkRules.ClassTokens("krnk girl_noflip_x"));
        Assert.False(CharFrameworkRules.FlipAug("krnk girl_noflip_x"));
        Assert.True(CharFrameworkRules.FlipAug("krnk girl_flip_x"));
        Assert.True(CharFrameworkRules.FlipAug("krnk girl"));
        Assert.Equal(4, CharFrameworkRules.Repeats("4_krnk"));
        Assert.Equal(1, CharFrameworkRules.Repeats("krnk"));
        Assert.False(CharFrameworkRules.IsViewName("x000.png"));
        Assert.False(CharFrameworkRules.IsViewName("f380.png"));
        var back = CharFrameworkRules.ViewTags("b14.png");
        Assert.Equal(new[] { "white background", "black background", "simple background", "from above", "from behind", "full body", "standing", "straight standing", "looking away" }, back);
        var faceBelowSide = CharFrameworkRules.ViewTags("f22.png");
        Assert.Contains("from below", faceBelowSide);
        Assert.Contains("from side", faceBelowSide);
        Assert.DoesNotContain("navel", faceBelowSide);
        Assert.Contains("navel", CharFrameworkRules.ViewTags("f26.png").Concat(CharFrameworkRules.ViewTags("f12.png")));
        Assert.Contains("shoulder blades", CharFrameworkRules.ViewTags("f03.png"));
        Assert.Equal(CharSizeClass.Low, CharFrameworkRules.SizeClass(512));
        Assert.Equal(CharSizeClass.Mid, CharFrameworkRules.SizeClass(513));
        Assert.Equal(CharSizeClass.High, CharFrameworkRules.SizeClass(769));
    }
}
