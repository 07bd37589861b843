using LoraPS.Formats;
using LoraPS.Formats.Toml;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>Every validation error of the dataset config, with the line it points at.</summary>
public sealed class DatasetConfigValidationTests
{
    private static ConfigProblem Single(string toml)
    {
        var e = Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.Parse(toml.ReplaceLineEndings("\n"), "cfg.toml"));
        Assert.IsAssignableFrom<InvalidFileException>(e);
        Assert.StartsWith("cfg.toml: ", e.Message);
        return Assert.Single(e.Problems);
    }

    [Fact]
    public void Unknown_key_suggests_the_nearest_known_key()
    {
        var p = Single("""
            [general]
            enable_bucket = true
            shufle_caption = true
            """);
        Assert.Equal(3, p.Line);
        Assert.Contains("unknown key 'shufle_caption'", p.Message);
        Assert.Contains("did you mean 'shuffle_caption'?", p.Message);
    }

    [Fact]
    public void Unknown_subset_key_and_unknown_top_level_table()
    {
        var p = Single("""
            [[datasets]]
            resolution = 512
            [[datasets.subsets]]
            image_dir = "a"
            num_repeat = 3
            """);
        Assert.Equal(5, p.Line);
        Assert.Contains("did you mean 'num_repeats'?", p.Message);
        Assert.Equal("datasets[0].subsets[0]", p.Location);

        p = Single("[genral]\nbatch_size = 1\n");
        Assert.Equal(1, p.Line);
        Assert.Contains("did you mean 'general'?", p.Message);
    }

    [Fact]
    public void Nothing_near_gets_no_suggestion()
    {
        var p = Single("[general]\nzzzzzzzzzzzzzzzzzzzz = 1\n");
        Assert.DoesNotContain("did you mean", p.Message);
    }

    [Fact]
    public void Wrong_type_names_line_and_expected_type()
    {
        var p = Single("""
            [general]
            batch_size = "2"
            """);
        Assert.Equal(2, p.Line);
        Assert.Contains("'batch_size' must be an integer, but it is string", p.Message);
        var e = Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.Parse("[general]\nbatch_size = \"2\"\n", "cfg.toml"));
        Assert.Contains("cfg.toml: line 2, column 1", e.Message);
    }

    [Theory]
    [InlineData("enable_bucket = 1", "a boolean")]
    [InlineData("network_multiplier = 1", "a float (write 1.0, not 1)")]
    [InlineData("validation_split = 0", "a float")]
    [InlineData("caption_dropout_rate = \"x\"", "a number")]
    [InlineData("resolution = [512]", "an integer or an array [width, height]")]
    [InlineData("resolution = [512, 768.0]", "an integer or an array [width, height]")]
    [InlineData("resolution = \"512\"", "an integer or an array")]
    [InlineData("face_crop_aug_range = [1, 2]", "exactly two floats")]
    [InlineData("face_crop_aug_range = [1.0, 2.0, 3.0]", "exactly two floats")]
    [InlineData("resize_interpolation = \"sinc\"", "one of \"lanczos\"")]
    [InlineData("custom_attributes = 3", "a table")]
    [InlineData("caption_prefix = 3", "a string")]
    [InlineData("num_repeats = 2.5", "an integer")]
    public void Each_type_rule_is_enforced(string line, string expected)
    {
        var p = Single("[general]\n" + line + "\n");
        Assert.Equal(2, p.Line);
        Assert.Contains(expected, p.Message);
    }

    [Fact]
    public void Right_types_are_accepted()
    {
        var config = DatasetConfigReader.Parse("""
            [general]
            network_multiplier = 1.0
            caption_dropout_rate = 0
            token_warmup_step = 0.5
            resolution = [512, 768]
            face_crop_aug_range = [2.0, 4.0]
            resize_interpolation = "area"
            custom_attributes = { style = "x" }
            """);
        Assert.Equal(7, config.General.Count);
    }

    [Theory]
    [InlineData("[general]\nimage_dir = \"a\"", 2, "'image_dir' is not allowed in [general]; it belongs in [[datasets.subsets]]")]
    [InlineData("[general]\nis_reg = true", 2, "belongs in [[datasets.subsets]]")]
    [InlineData("[[datasets]]\nmetadata_file = \"m.json\"", 2, "not allowed in [[datasets]]")]
    [InlineData("[[datasets]]\nresolution = 512\n[[datasets.subsets]]\nimage_dir = \"a\"\nbatch_size = 2", 5, "'batch_size' is not allowed in [[datasets.subsets]]; it belongs in [general], [[datasets]]")]
    [InlineData("[[datasets]]\n[[datasets.subsets]]\nimage_dir = \"a\"\nenable_bucket = true", 4, "belongs in [general], [[datasets]]")]
    public void Keys_at_the_wrong_level_are_refused(string toml, int line, string message)
    {
        var p = Single(toml);
        Assert.Equal(line, p.Line);
        Assert.Contains(message, p.Message);
    }

    [Fact]
    public void Command_line_only_keys_are_refused_with_the_flag()
    {
        var p = Single("[general]\nprior_loss_weight = 1.0\n");
        Assert.Contains("--prior_loss_weight", p.Message);
        Assert.Contains("extra keys not allowed", p.Message);
    }

    [Fact]
    public void DreamBooth_subset_needs_image_dir()
    {
        var p = Single("[[datasets]]\nresolution = 512\n[[datasets.subsets]]\nnum_repeats = 2\n");
        Assert.Equal(3, p.Line);
        Assert.Contains("required key not provided: 'image_dir'", p.Message);
    }

    [Fact]
    public void DreamBooth_and_fine_tuning_subsets_cannot_mix()
    {
        var p = Single("""
            [[datasets]]
            resolution = 512
            [[datasets.subsets]]
            image_dir = "a"
            [[datasets.subsets]]
            metadata_file = "meta.json"
            """);
        Assert.Equal(1, p.Line);
        Assert.Contains("cannot be mixed", p.Message);
    }

    [Fact]
    public void DreamBooth_only_keys_are_refused_in_fine_tuning_subsets()
    {
        var p = Single("[[datasets]]\n[[datasets.subsets]]\nmetadata_file = \"meta.json\"\nis_reg = true\n");
        Assert.Equal(4, p.Line);
        Assert.Contains("'is_reg' is not allowed in a FineTuning subset", p.Message);
        p = Single("[[datasets]]\n[[datasets.subsets]]\nmetadata_file = \"meta.txt\"\n");
        Assert.Contains(".json or .jsonl", p.Message);
    }

    [Fact]
    public void Structure_errors_datasets_and_subsets_must_be_arrays_of_tables()
    {
        Assert.Contains("array of tables", Single("[datasets]\nresolution = 512\n").Message);
        Assert.Contains("array of tables", Single("[[datasets]]\nsubsets = 3\n").Message);
        Assert.Contains("must be a table", Single("general = 3\n").Message);
    }

    [Fact]
    public void Every_problem_is_listed_not_just_the_first()
    {
        var e = Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.Parse("[general]\nbatch_size = true\nflip = true\n[[datasets]]\nimage_dir = 'x'\n", "cfg.toml"));
        Assert.Equal(3, e.Problems.Count);
        Assert.Equal(new[] { 2, 3, 5 }, e.Problems.Select(p => p.Line).OrderBy(l => l));
    }

    [Fact]
    public void Toml_syntax_errors_surface_as_toml_exceptions_with_line()
    {
        var e = Assert.Throws<TomlException>(() => DatasetConfigReader.Parse("[general]\nbatch_size = \n", "cfg.toml"));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Resolution_is_required_for_planning_and_bucket_limits_are_checked()
    {
        var config = DatasetConfigReader.Parse("[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        var e = Assert.Throws<DatasetConfigException>(() => DatasetConfigResolver.Resolve(config));
        Assert.Contains("resolution is required", e.Message);
        Assert.Single(DatasetConfigResolver.Resolve(config, new CommandLineDefaults { Resolution = new(512, 512) }));

        config = DatasetConfigReader.Parse("[general]\nresolution = 1024\nenable_bucket = true\nmax_bucket_reso = 960\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        e = Assert.Throws<DatasetConfigException>(() => DatasetConfigResolver.Resolve(config));
        Assert.Contains("max_bucket_reso 960 is smaller than the resolution's longer side 1024", e.Message);

        config = DatasetConfigReader.Parse("[general]\nresolution = 512\nenable_bucket = true\nmin_bucket_reso = 300\nmax_bucket_reso = 1000\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        var resolved = Assert.Single(DatasetConfigResolver.Resolve(config));
        Assert.Equal(256, resolved.Buckets.MinBucketReso);
        Assert.Equal(1024, resolved.Buckets.MaxBucketReso);
        Assert.Contains(resolved.Warnings, w => w.Contains("rounded down to 256"));
    }

    [Fact]
    public void Precedence_subset_over_dataset_over_general_and_the_caption_dot()
    {
        var config = DatasetConfigReader.Parse("""
            [general]
            num_repeats = 3
            caption_extension = "txt"
            flip_aug = true
            resolution = 640
            [[datasets]]
            num_repeats = 5
            batch_size = 4
            [[datasets.subsets]]
            image_dir = "a"
            [[datasets.subsets]]
            image_dir = "b"
            num_repeats = 7
            flip_aug = false
            """);
        var d = Assert.Single(DatasetConfigResolver.Resolve(config, new CommandLineDefaults { BaseDirectory = "/base" }));
        Assert.Equal(new Size2(640, 640), d.Resolution);
        Assert.Equal(4, d.BatchSize);
        Assert.Equal(5, d.Subsets[0].NumRepeats);
        Assert.Equal(7, d.Subsets[1].NumRepeats);
        Assert.True(d.Subsets[0].FlipAug);
        Assert.False(d.Subsets[1].FlipAug);
        Assert.Equal(".txt", d.Subsets[0].CaptionExtension);
        Assert.Equal(Path.GetFullPath("/base/a"), d.Subsets[0].ImageDir);
        // sd-scripts' own default caption extension when nothing sets it.
        var bare = DatasetConfigReader.Parse("[[datasets]]\nresolution = 512\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        Assert.Equal(".caption", DatasetConfigResolver.Resolve(bare)[0].Subsets[0].CaptionExtension);
    }

    [Fact]
    public void Windows_style_relative_paths_resolve_here()
    {
        Assert.Equal(Path.GetFullPath("/root/4_krnk/sub dir"), DatasetConfigResolver.ResolvePath(@"..\4_krnk\sub dir", "/root/4_krnk"));
    }

    [Fact]
    public void Config_written_then_read_is_equal()
    {
        using var dir = new TempFolder("cfg roundtrip");
        var config = new DatasetConfig();
        config.General["resolution"] = new Size2(768, 512);
        config.General["enable_bucket"] = true;
        config.General["caption_extension"] = ".txt";
        config.General["network_multiplier"] = 0.5;
        config.General["face_crop_aug_range"] = new[] { 2.0, 4.0 };
        config.General["caption_prefix"] = "masterpiece, \"quoted\" \\ back";
        config.General["custom_attributes"] = new TomlTable { ["style"] = "anime" };
        var dataset = new DatasetEntryConfig();
        dataset.Options["batch_size"] = 2;
        foreach (string name in new[] { "20_mylora 1boy", "日本語 フォルダ" })
        {
            var subset = new SubsetConfig();
            subset.Options["image_dir"] = Path.Combine(dir.Path, name);
            subset.Options["num_repeats"] = 20;
            subset.Options["class_tokens"] = "mylora 1boy";
            dataset.Subsets.Add(subset);
        }
        var reg = new SubsetConfig();
        reg.Options["image_dir"] = @"C:\reg\1_1boy";
        reg.Options["is_reg"] = true;
        dataset.Subsets.Add(reg);
        config.Datasets.Add(dataset);
        var ft = new DatasetEntryConfig();
        var ftSubset = new SubsetConfig();
        ftSubset.Options["metadata_file"] = "meta.json";
        ft.Subsets.Add(ftSubset);
        config.Datasets.Add(ft);

        string path = Path.Combine(dir.Path, "cfg 日本.toml");
        DatasetConfigWriter.WriteFile(config, path);
        var back = DatasetConfigReader.ReadFile(path);
        Assert.True(config.ContentEquals(back), File.ReadAllText(path));
        Assert.Equal(@"C:\reg\1_1boy", back.Datasets[0].Subsets[2].Options["image_dir"]);
        Assert.Equal(SubsetKind.FineTuning, back.Datasets[1].Subsets[0].Kind);
        Assert.Throws<IOException>(() => DatasetConfigWriter.WriteFile(config, path));
        DatasetConfigWriter.WriteFile(config, path, overwrite: true);
    }

    [Fact]
    public void Json_configs_are_read_like_toml_and_other_extensions_refused()
    {
        using var dir = new TempFolder("cfg json");
        string json = dir.File("c.json");
        File.WriteAllText(json, """{"general": {"resolution": 512, "network_multiplier": 1.0}, "datasets": [{"subsets": [{"image_dir": "x", "num_repeats": 2}]}]}""");
        var config = DatasetConfigReader.ReadFile(json);
        Assert.Equal(2L, config.Datasets[0].Subsets[0].Options["num_repeats"]);
        Assert.Equal(1.0, config.General["network_multiplier"]);
        string yaml = dir.File("c.yaml");
        File.WriteAllText(yaml, "x: 1");
        Assert.Contains(".toml or .json", Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.ReadFile(yaml)).Message);
        Assert.Throws<FileNotFoundException>(() => DatasetConfigReader.ReadFile(dir.File("missing.toml")));
    }

    [Fact]
    public void Schema_lists_every_key_the_issue_names_with_levels()
    {
        foreach (string key in new[] { "is_reg", "class_tokens", "num_repeats", "caption_extension", "keep_tokens", "keep_tokens_separator", "shuffle_caption",
                     "caption_prefix", "caption_suffix", "caption_dropout_rate", "caption_dropout_every_n_epochs", "caption_tag_dropout_rate", "flip_aug",
                     "color_aug", "random_crop", "resolution", "batch_size", "enable_bucket", "min_bucket_reso", "max_bucket_reso", "bucket_reso_steps", "bucket_no_upscale" })
            Assert.NotNull(DatasetSchema.Find(key));
        Assert.Equal(ConfigLevel.Subset, DatasetSchema.Find("image_dir")!.Levels);
        Assert.Equal(ConfigLevel.GeneralOrDataset, DatasetSchema.Find("resolution")!.Levels);
        Assert.Equal(ConfigLevel.All, DatasetSchema.Find("class_tokens")!.Levels);
        Assert.Equal(".caption", DatasetSchema.Find("caption_extension")!.Default);
    }
}
