using System.Text;
using LoraPS.Formats.Onnx;
using LoraPS.Onnx;

namespace LoraPS.DemoData;

/// <summary>
/// A tiny tagger with the WD14 interface (NHWC BGR 0–255 in, one sigmoid score per row of
/// selected_tags.csv out) that really looks at the picture: it averages the colour and scores colour
/// and brightness tags from it. It stands in for a real WD14 model, which cannot be downloaded here.
/// </summary>
internal static class ColourTagger
{
    private const int Size = 448;

    // tag, category (9 rating, 0 general, 4 character), weights on mean B, G, R (0–1), bias.
    private static readonly (string Tag, int Category, float B, float G, float R, float Bias)[] Rows =
    {
        ("general", 9, 0, 0, 0, 3f),
        ("sensitive", 9, 0, 0, 0, -3f),
        ("questionable", 9, 0, 0, 0, -5f),
        ("explicit", 9, 0, 0, 0, -6f),
        ("1girl", 0, 0, 0, 0, 2f),
        ("red_theme", 0, -8, -8, 12, -2f),
        ("green_theme", 0, -8, 12, -8, -2f),
        ("blue_theme", 0, 12, -8, -8, -2f),
        ("purple_theme", 0, 6, -20, 6, -3f),
        ("white_background", 0, 6, 6, 6, -15f),
        ("simple_background", 0, 0, 0, 0, 1f),
        (":d", 0, 0, 0, 0, -1f),
        ("demo_character", 4, 0, 0, 0, -8f),
    };

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var g = new OnnxGraph { Name = "colour_tagger" };
        g.AddInput("input_1:0", OnnxElementType.Float, "batch", Size, Size, 3);
        var weights = new float[3 * Rows.Length];
        var bias = new float[Rows.Length];
        for (int t = 0; t < Rows.Length; t++)
        {
            weights[t] = Rows[t].B;
            weights[Rows.Length + t] = Rows[t].G;
            weights[2 * Rows.Length + t] = Rows[t].R;
            bias[t] = Rows[t].Bias;
        }
        string w = g.AddInitializer("w", weights, 3, Rows.Length);
        string b = g.AddInitializer("b", bias, Rows.Length);
        string scale = g.AddInitializer("scale", new[] { 255f });
        string mean = g.Add("ReduceMean", new[] { "input_1:0" }, OnnxAttribute.IntList("axes", 1, 2), OnnxAttribute.Int("keepdims", 0));
        string unit = g.Add("Div", new[] { mean, scale });
        string logits = g.Add("Add", new[] { g.Add("MatMul", new[] { unit, w }), b });
        g.AddNode("Sigmoid", new[] { logits }, new[] { "predictions_sigmoid" });
        g.AddOutput("predictions_sigmoid", OnnxElementType.Float, "batch", Rows.Length);
        OnnxModelWriter.Write(Path.Combine(folder, "model.onnx"), g, overwrite: true);

        var csv = new StringBuilder("tag_id,name,category,count\n");
        for (int t = 0; t < Rows.Length; t++) csv.Append(9000 + t).Append(',').Append(Rows[t].Tag).Append(',').Append(Rows[t].Category).Append(",100\n");
        File.WriteAllText(Path.Combine(folder, "selected_tags.csv"), csv.ToString());
    }
}
