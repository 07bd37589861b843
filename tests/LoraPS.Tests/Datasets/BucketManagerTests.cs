using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>Bucketing rules from sd-scripts' facts, without the reference file.</summary>
public sealed class BucketManagerTests
{
    [Fact]
    public void Default_512_makes_the_17_documented_buckets()
    {
        var buckets = BucketManager.MakeBucketResolutions(new Size2(512, 512), 256, 1024, 64);
        Assert.Equal(17, buckets.Length);
        Assert.Contains(new Size2(448, 576), buckets);
        Assert.Contains(new Size2(1024, 256), buckets);
        Assert.Equal(buckets.OrderBy(b => b.Width).ThenBy(b => b.Height), buckets);
    }

    [Fact]
    public void Exact_size_wins_and_wide_images_match_height()
    {
        var m = new BucketManager(new BucketSettings());
        Assert.Equal(new BucketAssignment(new(448, 576), new(448, 576), 448.0 / 576 - 448.0 / 576), m.Select(new Size2(448, 576)));
        var wide = m.Select(new Size2(1920, 1080));
        Assert.Equal(new Size2(640, 384), wide.Bucket);
        Assert.Equal(384, wide.Resized.Height);
        Assert.True(wide.Resized.Width >= 640);
    }

    [Fact]
    public void No_upscale_keeps_small_pictures_and_floors_to_steps()
    {
        var m = new BucketManager(new BucketSettings { NoUpscale = true });
        var a = m.Select(new Size2(300, 200));
        Assert.Equal(new Size2(300, 200), a.Resized);
        Assert.Equal(new Size2(256, 192), a.Bucket);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Select(new Size2(30, 30)));
    }

    [Fact]
    public void Disabled_bucketing_uses_the_resolution()
    {
        var m = new BucketManager(new BucketSettings { EnableBucket = false, Resolution = new(512, 768) });
        Assert.Equal(new Size2(512, 768), m.Select(new Size2(1000, 1000)).Bucket);
        Assert.Single(m.PredefinedBuckets);
    }
}

/// <summary>Out-of-range config values are refused by the reader or resolver, not crashes.</summary>
public sealed class DatasetRangeTests
{
    [Fact]
    public void Out_of_range_numbers_are_config_errors()
    {
        var e = Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.Parse("[general]\nnum_repeats = 99999999999\n"));
        Assert.Contains("too large", e.Message);
        e = Assert.Throws<DatasetConfigException>(() => DatasetConfigReader.Parse("[general]\nresolution = 0\n"));
        Assert.Contains("'resolution' must be", e.Message);
        var config = DatasetConfigReader.Parse("[general]\nresolution = 512\nenable_bucket = true\nmin_bucket_reso = 0\n[[datasets]]\n[[datasets.subsets]]\nimage_dir = 'x'\n");
        e = Assert.Throws<DatasetConfigException>(() => DatasetConfigResolver.Resolve(config));
        Assert.Contains("min_bucket_reso (0) must be at least bucket_reso_steps", e.Message);
    }

    [Fact]
    public void Crop_offsets_centre_the_bucket_in_the_resized_picture()
    {
        var image = new PlannedImage { Path = "x", Bucket = new Size2(576, 448), Resized = new Size2(597, 448) };
        Assert.Equal((10, 0), (image.CropLeft, image.CropTop));
    }
}
