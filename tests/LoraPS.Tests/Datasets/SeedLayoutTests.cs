using LoraPS.Tests.Support;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>The seed layouts of the issue: what sd-scripts would make of them, step for step.</summary>
public sealed class SeedLayoutTests
{
    [Fact]
    public void Training_img_20_mylora_1boy_16_pictures_batch_2_six_epochs_is_960_steps()
    {
        using var dir = new TempFolder("seed");
        string img = Path.Combine(dir.Path, "training", "img");
        TestPictures.Folder(Path.Combine(img, "20_mylora 1boy"), 16, 512, 512);

        var plan = DatasetWorkflow.Get(new GetDatasetOptions
        {
            Path = img,
            Epochs = 6,
            Defaults = new CommandLineDefaults { Resolution = new Size2(512, 512), BatchSize = 2, CaptionExtension = ".txt", EnableBucket = true },
        });
        var subset = Assert.Single(plan.Subsets);
        Assert.Equal(20, subset.NumRepeats);
        Assert.Equal("mylora 1boy", subset.ClassTokens);
        Assert.Equal(16, plan.ImageCount);
        Assert.Equal(320, plan.TrainItemsPerEpoch);
        Assert.Equal(160, plan.StepsPerEpoch);
        Assert.Equal(960, plan.TotalSteps);
        Assert.Equal(16, subset.CaptionCount);
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("caption"));
    }

    [Fact]
    public void Same_seed_through_New_LoraDataset_writes_the_config_sd_scripts_reads()
    {
        using var dir = new TempFolder("seed new");
        string img = Path.Combine(dir.Path, "training", "img");
        TestPictures.Folder(Path.Combine(img, "20_mylora 1boy"), 16, 512, 512);
        var result = DatasetWorkflow.New(new NewDatasetOptions
        {
            Paths = new[] { img },
            BatchSize = 2,
            Epochs = 6,
            Destination = Path.Combine(dir.Path, "training"),
        });
        Assert.Equal(960, result.TotalSteps);
        Assert.NotNull(result.ConfigPath);
        var config = DatasetConfigReader.ReadFile(result.ConfigPath!);
        Assert.True(config.ContentEquals(result.Config));
        var subset = Assert.Single(Assert.Single(config.Datasets).Subsets);
        Assert.Equal(20L, subset.Options["num_repeats"]);
        Assert.Equal("mylora 1boy", subset.Options["class_tokens"]);
        Assert.Equal(".txt", config.General["caption_extension"]);
        Assert.Equal(2L, config.General["batch_size"]);
        // Reading the written config back plans the same steps.
        var again = DatasetWorkflow.Get(new GetDatasetOptions { Path = result.ConfigPath!, Epochs = 6 });
        Assert.Equal(960, again.TotalSteps);
    }

    [Fact]
    public void CharFramework_per_size_folders_make_one_dataset_per_size_class()
    {
        using var dir = new TempFolder("charfw");
        string top = Path.Combine(dir.Path, "4_krnk");
        TestPictures.Folder(Path.Combine(top, "kuronekomimi girl, shorthair, choker, ahoge_f0768"), 3, 512, 512, captionExtension: null, prefix: "f00");
        TestPictures.Folder(Path.Combine(top, "krnk girl_noflip_b"), 2, 768, 1024, captionExtension: null, prefix: "b10");
        TestPictures.Folder(Path.Combine(top, "krnk girl_flip_wide"), 2, 1000, 500, captionExtension: null, prefix: "f01");

        var result = DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { top }, CharFramework = true, WriteTags = true, Epochs = 1 });

        Assert.Equal(Path.Combine(top, "4_krnk.toml"), result.ConfigPath);
        string text = File.ReadAllText(result.ConfigPath!);
        Assert.Contains("\r\n", text);
        var config = DatasetConfigReader.ReadFile(result.ConfigPath!);
        Assert.Equal(4L, config.General["num_repeats"]);
        Assert.Equal(true, config.General["bucket_no_upscale"]);
        Assert.Equal(".txt", config.General["caption_extension"]);
        Assert.Equal(3, config.Datasets.Count);
        var sizes = config.Datasets.Select(d => DatasetConfigResolver.ToSize(d.Options["resolution"])).ToList();
        Assert.Equal(new Size2?[] { new(512, 512), new(768, 1024), new(1024, 512) }, sizes);
        Assert.Equal(new long[] { 2, 1, 1 }, config.Datasets.Select(d => (long)d.Options["batch_size"]!));
        var lowLow = Assert.Single(config.Datasets[0].Subsets);
        Assert.Equal(@"..\4_krnk\kuronekomimi girl, shorthair, choker, ahoge_f0768", lowLow.Options["image_dir"]);
        Assert.Equal("kuronekomimi girl", lowLow.Options["class_tokens"]);
        Assert.Equal(true, lowLow.Options["flip_aug"]);
        Assert.Equal(false, config.Datasets[1].Subsets[0].Options["flip_aug"]);

        // 3 images x4 at batch 2 → 6 batches; 2 x4 at batch 1 → 8; 2 x4 at batch 1 → 8.
        Assert.Equal(22, result.StepsPerEpoch);
        Assert.Equal(7, result.ImageCount);
        Assert.Equal(7, Directory.GetFiles(top, "*.txt", SearchOption.AllDirectories).Length);
        Assert.Equal("kuronekomimi, shorthair, choker, ahoge, white background, black background, simple background, from horizontal, from front, upper body, standing, straight standing, nude, completely nude, bare shoulders, nipples, collarbone, abs, ribs, looking at viewer, smile, open mouth, blush",
            File.ReadAllText(Path.Combine(top, "kuronekomimi girl, shorthair, choker, ahoge_f0768", "f00_000.txt")));
    }

    [Fact]
    public void CharFramework_folder_mixing_size_classes_is_refused()
    {
        using var dir = new TempFolder("charfw mixed");
        string top = Path.Combine(dir.Path, "2_x");
        TestPictures.Png(Path.Combine(top, "x_a", "f000.png"), 512, 512);
        TestPictures.Png(Path.Combine(top, "x_a", "f001.png"), 1024, 512);
        var e = Assert.Throws<LoraPS.Formats.InvalidFileException>(() => DatasetWorkflow.New(new NewDatasetOptions { Paths = new[] { top }, CharFramework = true }));
        Assert.Contains("LOW_LOW", e.Message);
        Assert.Contains("HIGH_LOW", e.Message);
        Assert.False(File.Exists(Path.Combine(top, "2_x.toml")));
    }

    [Fact]
    public void CharFramework_12GB_table_picks_larger_batches()
    {
        Assert.Equal(4, CharFrameworkRules.BatchSize(CharSizeClass.Low, CharSizeClass.Low, 12));
        Assert.Equal(3, CharFrameworkRules.BatchSize(CharSizeClass.Mid, CharSizeClass.Low, 12));
        Assert.Equal(2, CharFrameworkRules.BatchSize(CharSizeClass.Low, CharSizeClass.High, 16));
        Assert.Equal(1, CharFrameworkRules.BatchSize(CharSizeClass.High, CharSizeClass.High, 24));
        Assert.Equal(2, CharFrameworkRules.BatchSize(CharSizeClass.Low, CharSizeClass.Low, 8));
        Assert.Equal(1, CharFrameworkRules.BatchSize(CharSizeClass.Mid, CharSizeClass.Mid, 8));
    }
}
