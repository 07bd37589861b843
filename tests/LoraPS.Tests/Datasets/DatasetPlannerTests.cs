using LoraPS.Tests.Support;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>The training plan: counts, reg balancing, steps, buckets and every warning.</summary>
public sealed class DatasetPlannerTests
{
    private static DatasetConfig Config(string general, params (string Dir, string Extra)[] subsets)
    {
        var config = new DatasetConfig();
        var toml = "[general]\n" + general + "\n[[datasets]]\n" + string.Concat(subsets.Select(s =>
            $"[[datasets.subsets]]\nimage_dir = {LoraPS.Formats.Toml.TomlWriter.FormatString(s.Dir)}\n{s.Extra}\n"));
        return DatasetConfigReader.Parse(toml);
    }

    [Fact]
    public void Sizes_can_be_injected_without_any_file_reads_of_pixels()
    {
        using var dir = new TempFolder("plan inject");
        string a = Path.Combine(dir.Path, "a");
        Directory.CreateDirectory(a);
        for (int i = 0; i < 6; i++) File.WriteAllText(Path.Combine(a, $"{i}.png"), "not really a png");
        var sizes = new DelegateSizeSource(p => Path.GetFileName(p)[0] < '3' ? new Size2(1024, 768) : new Size2(768, 1024));
        var plan = DatasetPlanner.Plan(Config("resolution = 512\nenable_bucket = true\nbatch_size = 2\ncaption_extension = '.txt'", (a, "num_repeats = 3")),
            new PlanOptions { SizeSource = sizes, DetectDuplicates = false });
        Assert.Equal(2, plan.Buckets.Count);
        Assert.Equal(new[] { "448x576", "576x448" }, plan.Buckets.Select(b => b.Resolution));
        Assert.All(plan.Buckets, b => Assert.Equal(9, b.Items));
        Assert.All(plan.Buckets, b => Assert.Equal(5, b.Batches)); // ceil(9 / 2) per bucket
        Assert.Equal(10, plan.BatchesPerEpoch);
        Assert.Equal(new Size2(597, 448), plan.Images.First(i => i.Bucket == new Size2(576, 448)).Resized);
    }

    [Fact]
    public void Gradient_accumulation_and_epochs_give_total_steps()
    {
        using var dir = new TempFolder("plan steps");
        string a = Path.Combine(dir.Path, "a");
        TestPictures.Folder(a, 10, 512, 512);
        var plan = DatasetPlanner.Plan(Config("resolution = 512\nbatch_size = 3\ncaption_extension = '.txt'", (a, "num_repeats = 5")),
            new PlanOptions { Epochs = 4, GradientAccumulation = 4 });
        Assert.Equal(17, plan.BatchesPerEpoch); // ceil(50 / 3)
        Assert.Equal(5, plan.StepsPerEpoch);    // ceil(17 / 4)
        Assert.Equal(20, plan.TotalSteps);
    }

    [Fact]
    public void Validation_split_holds_out_training_pictures_only()
    {
        using var dir = new TempFolder("plan split");
        string a = Path.Combine(dir.Path, "a"), r = Path.Combine(dir.Path, "r");
        TestPictures.Folder(a, 10, 512, 512);
        TestPictures.Folder(r, 10, 512, 512);
        var plan = DatasetPlanner.Plan(Config("resolution = 512\ncaption_extension = '.txt'\nvalidation_split = 0.25", (a, ""), (r, "is_reg = true")));
        Assert.Equal(8, plan.ImageCount);            // ceil(10 * 0.75)
        Assert.Equal(10, plan.RegImageCount);
        Assert.Equal(8, plan.RegItemsPerEpoch);      // balanced to the 8 training items
        Assert.Contains(plan.Warnings, w => w.Contains("holds out 2 of 10"));
        plan = DatasetPlanner.Plan(Config("resolution = 512\ncaption_extension = '.txt'\nvalidation_split = 1.5", (a, "")));
        Assert.Equal(10, plan.ImageCount);
        Assert.Contains(plan.Warnings, w => w.Contains("outside [0, 1]"));
    }

    [Fact]
    public void Reg_balancing_follows_sd_scripts()
    {
        Assert.Equal(new[] { 3, 3, 0, 0 }, DatasetPlanner.BalanceRegularisation(5, new[] { 3, 3, 3, 3 }));
        Assert.Equal(new[] { 4, 3, 3 }, DatasetPlanner.BalanceRegularisation(10, new[] { 3, 3, 3 }));
        Assert.Equal(new[] { 4, 4, 3 }, DatasetPlanner.BalanceRegularisation(11, new[] { 1, 1, 1 }));
        Assert.Equal(new[] { 0, 0 }, DatasetPlanner.BalanceRegularisation(0, new[] { 1, 1 }));
    }

    [Fact]
    public void Reg_pictures_are_balanced_to_the_training_items()
    {
        using var dir = new TempFolder("plan reg");
        string train = Path.Combine(dir.Path, "img", "20_mylora 1boy");
        string reg = Path.Combine(dir.Path, "reg", "1_1boy");
        TestPictures.Folder(train, 4, 512, 512);
        TestPictures.Folder(reg, 100, 512, 512);
        var plan = DatasetWorkflow.Get(new GetDatasetOptions
        {
            Path = Path.Combine(dir.Path, "img"),
            RegularizationPath = Path.Combine(dir.Path, "reg"),
            Defaults = new CommandLineDefaults { Resolution = new(512, 512), CaptionExtension = ".txt", BatchSize = 1 },
        });
        Assert.Equal(4, plan.ImageCount);
        Assert.Equal(100, plan.RegImageCount);
        Assert.Equal(80, plan.TrainItemsPerEpoch);
        Assert.Equal(80, plan.RegItemsPerEpoch);
        Assert.Equal(160, plan.StepsPerEpoch);
        Assert.Contains(plan.Warnings, w => w.Contains("some regularisation pictures are not used (20 of 100)"));

        // Few reg pictures: extra repeats are added one by one until they match.
        string reg2 = Path.Combine(dir.Path, "reg2", "1_1boy");
        TestPictures.Folder(reg2, 3, 512, 512);
        plan = DatasetWorkflow.Get(new GetDatasetOptions
        {
            Path = Path.Combine(dir.Path, "img"),
            RegularizationPath = Path.Combine(dir.Path, "reg2"),
            Defaults = new CommandLineDefaults { Resolution = new(512, 512), CaptionExtension = ".txt" },
        });
        Assert.Equal(80, plan.RegItemsPerEpoch);
        Assert.Equal(new[] { 27, 27, 26 }, plan.Images.Where(i => i.IsReg).Select(i => i.Repeats));
    }

    [Fact]
    public void Warnings_missing_captions_other_extension_small_images_duplicates_unreadable_empty_lone()
    {
        using var dir = new TempFolder("plan warnings");
        string a = Path.Combine(dir.Path, "a");
        TestPictures.Folder(a, 4, 512, 512, captionExtension: ".txt");
        TestPictures.Png(Path.Combine(a, "nocaption.png"), 512, 512);
        TestPictures.Png(Path.Combine(a, "small.png"), 100, 100);
        File.WriteAllText(Path.Combine(a, "small.caption"), "x");
        File.Copy(Path.Combine(a, "img_000.png"), Path.Combine(a, "copy.png"));
        File.WriteAllText(Path.Combine(a, "copy.caption"), "x");
        File.WriteAllText(Path.Combine(a, "broken.png"), "this is not a picture");
        File.WriteAllText(Path.Combine(a, "broken.caption"), "x");
        TestPictures.Png(Path.Combine(a, "wide.png"), 2048, 512);
        File.WriteAllText(Path.Combine(a, "wide.caption"), "x");
        File.WriteAllText(Path.Combine(a, "notes.md"), "ignored, not a picture");
        TestPictures.Png(Path.Combine(a, ".hidden.png"), 512, 512); // sd-scripts' glob skips dot-files
        TestPictures.Png(Path.Combine(a, "sub", "nested.png"), 512, 512); // and sub-folders
        string empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);

        var plan = DatasetPlanner.Plan(Config("resolution = 512\nenable_bucket = true\ncaption_extension = '.caption'",
            (a, "class_tokens = 'sks dog'"), (empty, ""), (Path.Combine(dir.Path, "missing"), ""), (a, "")));
        string all = string.Join("\n", plan.Warnings);
        Assert.Contains("5 of 8 pictures have no .caption caption and train with class_tokens 'sks dog'", all);
        Assert.Contains("4 pictures have captions with another extension beside them", all);
        Assert.Contains("1 pictures are smaller than their bucket and will be enlarged", all);
        Assert.Contains("duplicate pictures (same content): " + Path.Combine(a, "copy.png") + ", " + Path.Combine(a, "img_000.png"), all);
        Assert.Contains("unreadable picture left out: " + Path.Combine(a, "broken.png"), all);
        Assert.Contains("no pictures (png, jpg, jpeg, webp, bmp); sd-scripts skips an empty subset", all);
        Assert.Contains("image_dir is not a folder", all);
        Assert.Contains("the same image_dir appears twice", all);
        Assert.Equal(new[] { Path.Combine(a, "wide.png") }, plan.LoneBucketImages);
        Assert.Contains("1 pictures sit alone in their bucket", all);
        Assert.Equal(8, plan.ImageCount);
        Assert.Equal(4, plan.Subsets.Count);
        Assert.Equal(new[] { true, false, false, false }, plan.Subsets.Select(s => s.Used));
    }

    [Fact]
    public void Face_crop_caption_names_and_no_class_tokens()
    {
        using var dir = new TempFolder("plan facecrop");
        string a = Path.Combine(dir.Path, "a");
        TestPictures.Png(Path.Combine(a, "photo_10_20_30_40.png"), 512, 512);
        File.WriteAllText(Path.Combine(a, "photo.txt"), "x");
        TestPictures.Png(Path.Combine(a, "bare.png"), 512, 512);
        var plan = DatasetPlanner.Plan(Config("resolution = 512\ncaption_extension = '.txt'", (a, "")));
        Assert.Equal(Path.Combine(a, "photo.txt"), plan.Images.Single(i => i.Path.EndsWith("40.png")).CaptionPath);
        Assert.Contains(plan.Warnings, w => w.Contains("1 of 2 pictures have no .txt caption and no class_tokens: they train with an empty caption"));
    }

    [Fact]
    public void Bucketing_off_warns_about_pictures_of_another_size()
    {
        using var dir = new TempFolder("plan nobucket");
        string a = Path.Combine(dir.Path, "a");
        TestPictures.Folder(a, 2, 640, 480);
        var plan = DatasetPlanner.Plan(Config("resolution = 512\ncaption_extension = '.txt'", (a, "")));
        Assert.Equal("512x512", Assert.Single(plan.Buckets).Resolution);
        Assert.Contains(plan.Warnings, w => w.Contains("bucketing is off and 2 pictures are not 512x512"));
    }

    [Fact]
    public void Fine_tuning_subsets_read_their_metadata()
    {
        using var dir = new TempFolder("plan ft");
        string a = Path.Combine(dir.Path, "a");
        TestPictures.Folder(a, 3, 512, 512, captionExtension: null);
        File.WriteAllText(Path.Combine(dir.Path, "meta.json"), """{"img_000": {"caption": "x"}, "img_001": {"caption": "y"}, "gone": {"caption": "z"}}""");
        var config = DatasetConfigReader.Parse($"[general]\nresolution = 512\n[[datasets]]\n[[datasets.subsets]]\nmetadata_file = 'meta.json'\nimage_dir = 'a'\n", Path.Combine(dir.Path, "c.toml"));
        var plan = DatasetPlanner.Plan(config, new PlanOptions { Defaults = new CommandLineDefaults { BaseDirectory = dir.Path } });
        Assert.Equal(2, plan.ImageCount);
        Assert.Contains(plan.Warnings, w => w.Contains("1 metadata entries have no picture file"));
    }
}
