namespace LoraPS.Workflows.Dataset;

/// <summary>Width × height of a picture or a bucket, in pixels.</summary>
public readonly record struct Size2(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>Where one picture lands: its bucket, the size it is resized to before the centre crop, and the aspect-ratio error (bucket − image).</summary>
public readonly record struct BucketAssignment(Size2 Bucket, Size2 Resized, double AspectError);

/// <summary>The bucketing settings of one dataset, as sd-scripts resolves them.</summary>
public sealed record BucketSettings
{
    /// <summary>The training resolution; its area is the maximum bucket area.</summary>
    public Size2 Resolution { get; init; } = new(512, 512);
    public bool EnableBucket { get; init; } = true;
    public int MinBucketReso { get; init; } = 256;
    public int MaxBucketReso { get; init; } = 1024;
    public int BucketResoSteps { get; init; } = 64;
    public bool NoUpscale { get; init; }
}

/// <summary>
/// Aspect-ratio bucketing as sd-scripts does it (BucketManager.make_buckets / select_bucket and
/// make_bucket_resolutions): a fixed list of buckets of at most the resolution's area in upscale
/// mode, a bucket per resized picture in no-upscale mode, one fixed bucket when bucketing is off.
/// The arithmetic follows Python's exactly (floor division, int(x + 0.5), first-minimum argmin).
/// </summary>
public sealed class BucketManager
{
    private readonly BucketSettings _settings;
    private readonly Size2[] _predefined;
    private readonly HashSet<Size2> _predefinedSet;
    private readonly double[] _predefinedAspects;
    private readonly long _maxArea;

    public BucketManager(BucketSettings settings)
    {
        _settings = settings;
        _maxArea = (long)settings.Resolution.Width * settings.Resolution.Height;
        if (!settings.EnableBucket) _predefined = new[] { settings.Resolution };
        else if (settings.NoUpscale) _predefined = Array.Empty<Size2>();
        else _predefined = MakeBucketResolutions(settings.Resolution, settings.MinBucketReso, settings.MaxBucketReso, settings.BucketResoSteps);
        _predefinedSet = _predefined.ToHashSet();
        _predefinedAspects = _predefined.Select(b => (double)b.Width / b.Height).ToArray();
    }

    /// <summary>The bucket list made up front (empty in no-upscale mode, where buckets follow the pictures).</summary>
    public IReadOnlyList<Size2> PredefinedBuckets => _predefined;

    /// <summary>make_bucket_resolutions: the square of the area's root, then every step width with the tallest height that fits, and transposes; sorted.</summary>
    public static Size2[] MakeBucketResolutions(Size2 maxReso, int minSize, int maxSize, int divisible)
    {
        if (divisible <= 0) throw new ArgumentOutOfRangeException(nameof(divisible), "bucket_reso_steps must be positive");
        long maxArea = (long)maxReso.Width * maxReso.Height;
        var set = new HashSet<Size2>();
        int side = (int)Math.Floor(Math.Sqrt(maxArea) / divisible) * divisible;
        set.Add(new Size2(side, side));
        for (int width = minSize; width <= maxSize; width += divisible)
        {
            long height = Math.Min(maxSize, maxArea / width / divisible * divisible);
            if (height >= minSize)
            {
                set.Add(new Size2(width, (int)height));
                set.Add(new Size2((int)height, width));
            }
        }
        return set.OrderBy(b => b.Width).ThenBy(b => b.Height).ToArray();
    }

    /// <summary>select_bucket for a picture of <paramref name="image"/> pixels.</summary>
    public BucketAssignment Select(Size2 image)
    {
        if (image.Width <= 0 || image.Height <= 0) throw new ArgumentOutOfRangeException(nameof(image), $"a picture of {image} has no area");
        double aspect = (double)image.Width / image.Height;
        Size2 bucket, resized;
        if (!_settings.EnableBucket || !_settings.NoUpscale)
        {
            if (_predefinedSet.Contains(image)) bucket = image;
            else
            {
                int best = 0;
                double bestError = double.PositiveInfinity;
                for (int i = 0; i < _predefinedAspects.Length; i++)
                {
                    double error = Math.Abs(_predefinedAspects[i] - aspect);
                    if (error < bestError) { bestError = error; best = i; }
                }
                bucket = _predefined[best];
            }
            double bucketAspect = (double)bucket.Width / bucket.Height;
            // Scale so the picture covers the bucket: match the height when the picture is wider.
            double scale = aspect > bucketAspect ? (double)bucket.Height / image.Height : (double)bucket.Width / image.Width;
            resized = new Size2(PyRound(image.Width * scale), PyRound(image.Height * scale));
        }
        else
        {
            if ((long)image.Width * image.Height > _maxArea)
            {
                double rw = Math.Sqrt(_maxArea * aspect);
                double rh = _maxArea / rw;
                int bWidthRounded = RoundToSteps(rw);
                int bHeightInWr = RoundToSteps(bWidthRounded / aspect);
                double arWidthRounded = (double)bWidthRounded / bHeightInWr;
                int bHeightRounded = RoundToSteps(rh);
                int bWidthInHr = RoundToSteps(bHeightRounded * aspect);
                double arHeightRounded = (double)bWidthInHr / bHeightRounded;
                resized = Math.Abs(arWidthRounded - aspect) < Math.Abs(arHeightRounded - aspect)
                    ? new Size2(bWidthRounded, PyRound(bWidthRounded / aspect))
                    : new Size2(PyRound(bHeightRounded * aspect), bHeightRounded);
            }
            else resized = image;
            int steps = _settings.BucketResoSteps;
            bucket = new Size2(resized.Width - resized.Width % steps, resized.Height - resized.Height % steps);
            if (bucket.Width == 0 || bucket.Height == 0)
                throw new ArgumentOutOfRangeException(nameof(image), $"a picture of {image} is smaller than one bucket step ({steps} px)");
        }
        return new BucketAssignment(bucket, resized, (double)bucket.Width / bucket.Height - aspect);
    }

    /// <summary>Python's int(x + 0.5) for the positive sizes used here.</summary>
    private static int PyRound(double x) => (int)Math.Truncate(x + 0.5);

    private int RoundToSteps(double x)
    {
        int v = PyRound(x);
        return v - v % _settings.BucketResoSteps;
    }
}
