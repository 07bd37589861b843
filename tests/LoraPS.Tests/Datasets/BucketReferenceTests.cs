using System.Text.Json;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Tests.Datasets;

/// <summary>Our bucketing against sd-scripts' own answers (../shared/reference-data/buckets/buckets-1234.json).</summary>
public sealed class BucketReferenceTests
{
    [ReferenceDataFact]
    public void Every_bucket_list_and_every_assignment_match_sd_scripts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.ReferenceData!, "buckets", "buckets-1234.json")));
        int configs = 0, images = 0;
        var failures = new List<string>();
        foreach (var c in doc.RootElement.EnumerateArray())
        {
            var config = c.GetProperty("config");
            var settings = new BucketSettings
            {
                EnableBucket = true,
                NoUpscale = config.GetProperty("no_upscale").GetBoolean(),
                Resolution = Size(config.GetProperty("max_reso")),
                MinBucketReso = config.GetProperty("min_size").GetInt32(),
                MaxBucketReso = config.GetProperty("max_size").GetInt32(),
                BucketResoSteps = config.GetProperty("reso_steps").GetInt32(),
            };
            var manager = new BucketManager(settings);
            var expectedBuckets = c.GetProperty("buckets").EnumerateArray().Select(Size).ToList();
            Assert.Equal(expectedBuckets, manager.PredefinedBuckets);
            foreach (var image in c.GetProperty("images").EnumerateArray())
            {
                var size = Size(image.GetProperty("image"));
                var got = manager.Select(size);
                var bucket = Size(image.GetProperty("bucket"));
                var resized = Size(image.GetProperty("resized"));
                double error = image.GetProperty("ar_error").GetDouble();
                if (got.Bucket != bucket || got.Resized != resized || got.AspectError != error)
                    failures.Add($"{config} {size}: expected {bucket} {resized} {error:R}, got {got.Bucket} {got.Resized} {got.AspectError:R}");
                images++;
            }
            configs++;
        }
        Assert.Equal(5, configs);
        Assert.Equal(5 * 214, images);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    private static Size2 Size(JsonElement pair) => new(pair[0].GetInt32(), pair[1].GetInt32());
}
