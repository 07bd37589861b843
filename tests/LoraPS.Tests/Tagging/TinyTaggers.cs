using System.Text;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;
using LoraPS.Formats.Onnx;
using LoraPS.Onnx;

namespace LoraPS.Tests.Tagging;

/// <summary>Tiny WD14-shaped taggers written with LoraPS's ONNX writer, plus their tag lists and test pictures.</summary>
public static class TinyTaggers
{
    /// <summary>
    /// Outputs 15 "scores" that are the model's own input read back: the B,G,R values of the first
    /// four pixels of row 0, then the mean of each channel, all divided by 255.
    /// </summary>
    public static void WritePixelProbe(string folder, int size, OnnxDim batch)
    {
        Directory.CreateDirectory(folder);
        var g = new OnnxGraph { Name = "pixel_probe" };
        g.AddInput("input_1", OnnxElementType.Float, batch, size, size, 3);
        string starts = g.AddInitializer("starts", new long[] { 0, 0 }, 2);
        string ends = g.AddInitializer("ends", new long[] { 1, 4 }, 2);
        string axes = g.AddInitializer("axes", new long[] { 1, 2 }, 2);
        string shape = g.AddInitializer("shape", new long[] { -1, 12 }, 2);
        string scale = g.AddInitializer("scale", new[] { 255f });
        string slice = g.Add("Slice", new[] { "input_1", starts, ends, axes });
        string flat = g.Add("Reshape", new[] { slice, shape });
        string mean = g.Add("ReduceMean", new[] { "input_1" }, OnnxAttribute.IntList("axes", 1, 2), OnnxAttribute.Int("keepdims", 0));
        string both = g.Add("Concat", new[] { flat, mean }, OnnxAttribute.Int("axis", 1));
        g.AddNode("Div", new[] { both, scale }, new[] { "predictions_sigmoid" });
        g.AddOutput("predictions_sigmoid", OnnxElementType.Float, batch, 15);
        OnnxModelWriter.Write(Path.Combine(folder, "model.onnx"), g, overwrite: true);
        var names = new List<string>();
        for (int p = 0; p < 4; p++) names.AddRange(new[] { $"p{p}_b", $"p{p}_g", $"p{p}_r" });
        names.AddRange(new[] { "mean_b", "mean_g", "mean_r" });
        WriteTags(folder, names.Select(n => (n, 0)));
    }

    /// <summary>A model whose scores are <paramref name="scores"/> whatever the picture (zero weights plus a bias).</summary>
    public static void WriteFixed(string folder, int size, OnnxDim batch, float[] scores, IEnumerable<(string Name, int Category)> tags)
    {
        Directory.CreateDirectory(folder);
        var g = new OnnxGraph { Name = "fixed" };
        g.AddInput("input", OnnxElementType.Float, batch, size, size, 3);
        string w = g.AddInitializer("w", new float[3 * scores.Length], 3, scores.Length);
        string b = g.AddInitializer("b", scores, scores.Length);
        string mean = g.Add("ReduceMean", new[] { "input" }, OnnxAttribute.IntList("axes", 1, 2), OnnxAttribute.Int("keepdims", 0));
        string mm = g.Add("MatMul", new[] { mean, w });
        g.AddNode("Add", new[] { mm, b }, new[] { "output" });
        g.AddOutput("output", OnnxElementType.Float, batch, scores.Length);
        OnnxModelWriter.Write(Path.Combine(folder, "model.onnx"), g, overwrite: true);
        WriteTags(folder, tags);
    }

    public static void WriteTags(string folder, IEnumerable<(string Name, int Category)> tags)
    {
        var sb = new StringBuilder("tag_id,name,category,count\n");
        int id = 1000;
        foreach (var (name, category) in tags)
            sb.Append(id++).Append(',').Append(name.Contains(',') ? $"\"{name}\"" : name).Append(',').Append(category).Append(",42\n");
        File.WriteAllText(Path.Combine(folder, "selected_tags.csv"), sb.ToString());
    }

    public static RgbaImage Picture(int w, int h, Func<int, int, (byte R, byte G, byte B, byte A)> pixel)
    {
        var image = new RgbaImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                int i = (y * w + x) * 4;
                (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, a);
            }
        return image;
    }

    public static string SavePng(RgbaImage image, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        PngEncoder.Save(image, path, overwrite: true);
        return path;
    }
}
