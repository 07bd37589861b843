using System.Diagnostics;
using LoraPS.Formats;
using LoraPS.Formats.Images;
using LoraPS.Hub;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;

namespace LoraPS.Workflows.Tagging;

/// <summary>
/// One tagging run: the model (opened from a folder or fetched from the hub), the selection rules,
/// and the overlapped pipeline — worker threads read, decode and preprocess the next images while the
/// calling thread runs inference on the current batch and writes captions. Results are yielded on
/// the calling thread (so a cmdlet may WriteObject/ShouldProcess from the loop).
/// </summary>
public sealed class TaggerSession : IDisposable
{
    private readonly TaggerOptions _options;
    private readonly Wd14TagSelector _selector;
    private readonly Dictionary<string, int> _frequencies = new();
    private readonly Stopwatch _clock = new(), _inference = new(), _waiting = new(), _filling = new();
    private int _images, _tagged, _skipped, _failed;
    // Model inputs are 2.4 MB each: reuse them instead of allocating one per picture on the large-object heap.
    private readonly System.Collections.Concurrent.ConcurrentBag<float[]> _inputs = new();

    public Wd14Model Model { get; }
    /// <summary>Things the user should know (e.g. a batch size the model forces down), once per run.</summary>
    public IReadOnlyList<string> Warnings { get; }
    public int EffectiveBatchSize { get; }

    private TaggerSession(TaggerOptions options, Wd14Model model)
    {
        _options = options;
        Model = model;
        _selector = new Wd14TagSelector(model.Tags, options.Selection);
        var warnings = new List<string>();
        if (model.FixedBatch is int fixedBatch)
        {
            if (options.BatchSize != fixedBatch && options.BatchSize > 1)
                warnings.Add($"{Path.GetFileName(Path.GetDirectoryName(model.ModelPath))} has its batch fixed to {fixedBatch}; batch size {options.BatchSize} is ignored (v3 models take any batch)");
            EffectiveBatchSize = fixedBatch;
        }
        else EffectiveBatchSize = options.BatchSize;
        // Auto falling back to the CPU is only news where there is an NVIDIA GPU to miss.
        if (OnnxSession.CudaFallbackReason is string reason && options.Device == OnnxDevice.Auto && model.Device == OnnxDevice.Cpu
            && NvidiaDriverPresent())
            warnings.Add($"running on the CPU: this ONNX Runtime cannot use CUDA ({reason.Split('\n')[0].Trim()}); " +
                         $"set {OnnxRuntimeLibrary.EnvironmentVariable} to an ONNX Runtime GPU build to tag on the GPU");
        Warnings = warnings;
    }

    private static bool NvidiaDriverPresent() =>
        File.Exists("/proc/driver/nvidia/version") ||
        (OperatingSystem.IsWindows() && System.Runtime.InteropServices.NativeLibrary.TryLoad("nvcuda.dll", out _));

    /// <summary>Opens the model of <paramref name="options"/>, downloading it into the hub cache when needed.</summary>
    public static TaggerSession Open(TaggerOptions options, IProgress<HubDownloadProgress>? download = null, CancellationToken cancellationToken = default)
    {
        options = options.Checked();
        var sessionOptions = new OnnxSessionOptions { Device = options.Device, IntraOpThreads = options.Threads };
        Wd14Model model;
        if (!string.IsNullOrEmpty(options.ModelPath))
            model = Wd14Model.OpenFolder(Path.GetFullPath(options.ModelPath), sessionOptions);
        else
        {
            var spec = Wd14KnownModels.Resolve(options.Model);
            using var hub = new HubClient(options.Hub);
            string onnx = hub.Download(spec.RepoId, Wd14KnownModels.ModelFile, options.Revision, download, cancellationToken);
            string tags = hub.Download(spec.RepoId, Wd14KnownModels.TagsFile, options.Revision, download, cancellationToken);
            model = Wd14Model.Open(onnx, tags, sessionOptions);
        }
        try { return new TaggerSession(options, model); }
        catch { model.Dispose(); throw; }
    }

    /// <summary>An image decoded and preprocessed by a worker, or why it was not.</summary>
    private sealed record Prepared(TrainingImage Image, float[]? Input, string? ExistingCaption, Exception? Error, bool Skip);

    private Prepared Prepare(TrainingImage image, int size)
    {
        string captionPath = CaptionPathOf(image.Path);
        image = image with { CaptionPath = captionPath };
        try
        {
            string? existing = File.Exists(captionPath) ? File.ReadAllText(captionPath).TrimEnd('\r', '\n') : null;
            if (existing != null && _options.Mode == CaptionMode.Skip)
                return new Prepared(image with { Caption = existing }, null, existing, null, true);
            if (existing != null && _options.Mode == CaptionMode.Overwrite && !_options.Force)
                throw new IOException($"{captionPath} already exists; use -Force (--force) to replace it, -Mode Append to add to it, or -Mode Skip to leave it");
            byte[] data = File.ReadAllBytes(image.Path);
            var codec = ImageCodecs.Find(data.AsSpan(0, Math.Min(32, data.Length)));
            var decoded = ImageCodecs.Decode(data, ImageDecodeOptions.Default with { ApplyOrientation = _options.ApplyExifOrientation }, image.Path);
            if (!_inputs.TryTake(out float[]? input) || input.Length != size * size * 3) input = new float[size * size * 3];
            try { Wd14Preprocessor.ToModelInput(decoded, size, input); }
            catch { _inputs.Add(input); throw; }
            image = image with { Width = decoded.Width, Height = decoded.Height, Format = codec?.Format ?? image.Format };
            return new Prepared(image, input, existing, null, false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidFileException or NotSupportedException or ArgumentException)
        {
            return new Prepared(image, null, null, e, false);
        }
    }

    /// <summary>The caption file for a picture: its stem plus the caption extension.</summary>
    public string CaptionPathOf(string imagePath) => Path.ChangeExtension(imagePath, _options.CaptionExtension);

    /// <summary>
    /// Tags <paramref name="images"/>, yielding each result as soon as its batch is done. Before a caption
    /// is written, <paramref name="shouldWrite"/>(captionPath, text) is asked (ShouldProcess); false leaves
    /// the file alone and reports <see cref="TaggerOutcome.NotWritten"/>.
    /// </summary>
    public IEnumerable<TaggedImage> Tag(IReadOnlyList<TrainingImage> images, Func<string, string, bool>? shouldWrite = null,
        IProgress<TaggerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int size = Model.ImageSize, per = size * size * 3, batch = EffectiveBatchSize;
        int workers = _options.DecodeWorkers > 0 ? _options.DecodeWorkers : System.Environment.ProcessorCount;
        int lookahead = Math.Max(batch * 2, workers * 2);
        var limiter = new SemaphoreSlim(workers);
        var window = new Queue<Task<Prepared>>();
        var pending = new List<Prepared>(batch);
        int next = 0, done = 0, imagesBefore = _images;
        Task<List<(TaggedImage Result, Decision Decision)>>? writing = null;
        _clock.Start();
        try
        {
            while (next < images.Count || window.Count > 0 || pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                while (window.Count < lookahead && next < images.Count)
                {
                    var image = images[next++];
                    window.Enqueue(Task.Run(async () =>
                    {
                        await limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                        try { return Prepare(image, size); }
                        finally { limiter.Release(); }
                    }, cancellationToken));
                }
                if (window.Count > 0)
                {
                    // Time blocked here is decoding that inference could not hide; the first wait of a call is the pipeline filling.
                    var waiter = _images == imagesBefore ? _filling : _waiting;
                    waiter.Start();
                    var item = window.Dequeue().GetAwaiter().GetResult();
                    waiter.Stop();
                    _images++;
                    if (item.Error != null || item.Skip)
                    {
                        if (item.Skip) _skipped++; else _failed++;
                        progress?.Report(new TaggerProgress(++done, images.Count, item.Image.Path, item.Skip ? "skipped" : "failed"));
                        yield return new TaggedImage(item.Image, item.Skip ? TaggerOutcome.Skipped : TaggerOutcome.Failed, item.Error);
                        continue;
                    }
                    pending.Add(item);
                    if (pending.Count < batch && (next < images.Count || window.Count > 0)) continue;
                }
                if (pending.Count == 0) continue;

                float[] input;
                if (pending.Count == 1) input = pending[0].Input!;
                else
                {
                    input = new float[pending.Count * per];
                    for (int i = 0; i < pending.Count; i++) pending[i].Input!.CopyTo(input, i * per);
                }
                float[][] scores;
                Exception? failure = null;
                _inference.Start();
                try { scores = Model.Predict(input, pending.Count); }
                catch (Exception e) when (e is LoraPS.Onnx.OnnxRuntimeException)
                {
                    scores = Array.Empty<float[]>();
                    failure = e;
                }
                finally { _inference.Stop(); }
                // Selection and ShouldProcess happen here (the caller's thread); the caption files of this batch are
                // written on a worker while the next batch runs, and its results are yielded once they are on disk.
                var decided = new List<Decision>(pending.Count);
                for (int i = 0; i < pending.Count; i++)
                    decided.Add(failure != null ? new Decision(new TaggedImage(pending[i].Image, TaggerOutcome.Failed, failure), null, null)
                                                : Decide(pending[i], scores[i], shouldWrite));
                foreach (var used in pending) _inputs.Add(used.Input!);
                pending.Clear();
                var previous = writing;
                writing = Task.Run(() => decided.Select(Write).ToList());
                if (previous != null)
                    foreach (var result in Collect(previous))
                    {
                        progress?.Report(new TaggerProgress(++done, images.Count, result.Image.Path, result.Outcome.ToString().ToLowerInvariant()));
                        yield return result;
                    }
            }
            if (writing != null)
                foreach (var result in Collect(writing))
                {
                    progress?.Report(new TaggerProgress(++done, images.Count, result.Image.Path, result.Outcome.ToString().ToLowerInvariant()));
                    yield return result;
                }
            writing = null;
        }
        finally
        {
            // Stopped early (break, cancellation): still let pending caption writes finish before returning.
            try { writing?.Wait(); } catch (AggregateException) { }
            _clock.Stop();
            limiter.Dispose();
        }
    }

    /// <summary>What one tagged picture becomes: its result so far, and the caption to write (null: nothing to write).</summary>
    private sealed record Decision(TaggedImage Result, string? CaptionText, IReadOnlyList<string>? CountedTags);

    private Decision Decide(Prepared item, float[] scores, Func<string, string, bool>? shouldWrite)
    {
        var selection = _selector.Select(scores);
        IReadOnlyList<string> tags = _options.Mode == CaptionMode.Append && item.ExistingCaption != null
            ? _selector.Merge(item.ExistingCaption, selection.CaptionTags)
            : selection.CaptionTags;
        string caption = _selector.Caption(tags);
        var image = item.Image with { Tags = selection.Tags, Rating = selection.Rating, Caption = caption };
        if (shouldWrite != null && !shouldWrite(image.CaptionPath!, caption))
            return new Decision(new TaggedImage(image, TaggerOutcome.NotWritten), null, null);
        return new Decision(new TaggedImage(image, TaggerOutcome.Tagged), caption, selection.CaptionTags);
    }

    /// <summary>Runs on a worker: writes one caption (sd-scripts adds a trailing newline).</summary>
    private static (TaggedImage Result, Decision Decision) Write(Decision decision)
    {
        if (decision.CaptionText is null) return (decision.Result, decision);
        try
        {
            AtomicFile.WriteAllText(decision.Result.Image.CaptionPath!, decision.CaptionText + "\n", overwrite: true);
            return (decision.Result, decision);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (decision.Result with { Outcome = TaggerOutcome.Failed, Error = e }, decision);
        }
    }

    /// <summary>Waits for a batch's writes and counts its results (on the caller's thread).</summary>
    private IEnumerable<TaggedImage> Collect(Task<List<(TaggedImage Result, Decision Decision)>> writes)
    {
        var list = writes.GetAwaiter().GetResult();
        foreach (var (result, decision) in list)
        {
            if (result.Outcome == TaggerOutcome.Failed) _failed++;
            else if (result.Outcome == TaggerOutcome.Tagged)
            {
                _tagged++;
                foreach (string tag in decision.CountedTags!) _frequencies[tag] = _frequencies.GetValueOrDefault(tag) + 1;
            }
        }
        return list.Select(r => r.Result);
    }

    /// <summary>Counts and tag frequencies of everything tagged so far.</summary>
    public TagFrequencySummary Summary() => new()
    {
        Images = _images,
        Tagged = _tagged,
        Skipped = _skipped,
        Failed = _failed,
        Model = Model.ModelPath,
        Device = Model.Device.ToString(),
        Elapsed = _clock.Elapsed,
        InferenceTime = _inference.Elapsed,
        InputWait = _waiting.Elapsed,
        PipelineFill = _filling.Elapsed,
        Frequencies = _frequencies.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new TagFrequency(p.Key, p.Value)).ToList(),
    };

    public void Dispose() => Model.Dispose();
}
