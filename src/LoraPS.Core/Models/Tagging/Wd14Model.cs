using LoraPS.Formats.Onnx;
using LoraPS.Onnx;

namespace LoraPS.Models.Tagging;

/// <summary>
/// A WD14 tagger ready to run: the ONNX session, its tag list, and the facts read from the model
/// (input side, fixed or dynamic batch). Checks that the model is a tagger that matches its tag list.
/// </summary>
public sealed class Wd14Model : IDisposable
{
    private readonly OnnxSession _session;
    public Wd14TagSet Tags { get; }
    public string InputName { get; }
    public string OutputName { get; }
    /// <summary>The square side the model takes (448 for every published WD14 tagger).</summary>
    public int ImageSize { get; }
    /// <summary>The batch the model is fixed to (v2 models: 1), or null when the batch dimension is dynamic (v3).</summary>
    public int? FixedBatch { get; }
    public OnnxDevice Device => _session.Device;
    public string ModelPath => _session.ModelPath;

    private Wd14Model(OnnxSession session, Wd14TagSet tags)
    {
        _session = session;
        Tags = tags;
        string path = session.ModelPath;
        if (session.Inputs.Count != 1)
            throw new OnnxModelException(path, $"a WD14 tagger has one input; this model has {session.Inputs.Count} ({string.Join("; ", session.Inputs)})");
        var input = session.Inputs[0];
        if (input.ElementType != OnnxElementType.Float || input.Shape.Length != 4 || input.Shape[3] != 3 || input.Shape[1] <= 0 || input.Shape[1] != input.Shape[2])
            throw new OnnxModelException(path, $"a WD14 tagger takes float32 [batch, side, side, 3] (NHWC, BGR); this model's input is {input}");
        if (session.Outputs.Count < 1)
            throw new OnnxModelException(path, "the model has no outputs");
        var output = session.Outputs[0];
        if (output.ElementType != OnnxElementType.Float || output.Shape.Length != 2)
            throw new OnnxModelException(path, $"a WD14 tagger outputs float32 [batch, tags]; this model's first output is {output}");
        if (output.Shape[1] >= 0 && output.Shape[1] != tags.Count)
            throw new OnnxModelException(path, $"the model outputs {output.Shape[1]} scores but {tags.Path} lists {tags.Count} tags: the model and its tag list do not belong together");
        InputName = input.Name;
        OutputName = output.Name;
        ImageSize = (int)input.Shape[1];
        FixedBatch = input.Shape[0] > 0 ? (int)input.Shape[0] : null;
    }

    /// <summary>Opens model.onnx and selected_tags.csv from <paramref name="folder"/>.</summary>
    public static Wd14Model OpenFolder(string folder, OnnxSessionOptions? options = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"tagger model folder {folder} does not exist");
        string model = System.IO.Path.Combine(folder, Wd14KnownModels.ModelFile), tags = System.IO.Path.Combine(folder, Wd14KnownModels.TagsFile);
        if (!File.Exists(model)) throw new FileNotFoundException($"tagger model folder {folder} has no {Wd14KnownModels.ModelFile}", model);
        if (!File.Exists(tags)) throw new FileNotFoundException($"tagger model folder {folder} has no {Wd14KnownModels.TagsFile}", tags);
        return Open(model, tags, options);
    }

    public static Wd14Model Open(string modelPath, string tagsPath, OnnxSessionOptions? options = null)
    {
        var tagSet = Wd14TagSet.Load(tagsPath);
        var session = OnnxSession.Open(modelPath, options);
        try { return new Wd14Model(session, tagSet); }
        catch { session.Dispose(); throw; }
    }

    /// <summary>
    /// Scores <paramref name="count"/> preprocessed images held in <paramref name="input"/> (count·side·side·3
    /// floats); returns count rows of tag probabilities. A fixed-batch model is run once per image.
    /// </summary>
    public float[][] Predict(float[] input, int count)
    {
        int per = ImageSize * ImageSize * 3;
        if (input.Length < count * per) throw new ArgumentException($"input holds {input.Length} floats; {count} images need {count * per}");
        var rows = new float[count][];
        int step = FixedBatch ?? count;
        for (int start = 0; start < count; start += step)
        {
            int n = Math.Min(step, count - start);
            float[] chunk = start == 0 && n * per == input.Length ? input : input.AsSpan(start * per, n * per).ToArray();
            if (FixedBatch is int fixedN && n < fixedN)
            {
                var padded = new float[fixedN * per];
                chunk.AsSpan(0, n * per).CopyTo(padded);
                chunk = padded;
            }
            var output = _session.Run(new[] { (InputName, OnnxTensor.Of(chunk, chunk.Length / per, ImageSize, ImageSize, 3)) }, new[] { OutputName })[0];
            float[] scores = output.As<float>();
            if (output.Shape[1] != Tags.Count)
                throw new OnnxModelException(ModelPath, $"the model returned {output.Shape[1]} scores per image but the tag list has {Tags.Count}");
            for (int i = 0; i < n; i++) rows[start + i] = scores.AsSpan(i * Tags.Count, Tags.Count).ToArray();
        }
        return rows;
    }

    public void Dispose() => _session.Dispose();
}
