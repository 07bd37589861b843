using LoraPS.Onnx;

namespace LoraPS.Formats.Onnx;

/// <summary>What <see cref="OnnxModelReader"/> learns from a model file without loading its weights.</summary>
public sealed record OnnxModelInfo
{
    public long IrVersion { get; init; }
    public string ProducerName { get; init; } = "";
    public IReadOnlyList<(string Domain, long Version)> Opsets { get; init; } = Array.Empty<(string, long)>();
    public string GraphName { get; init; } = "";
    public IReadOnlyList<OnnxGraphValue> Inputs { get; init; } = Array.Empty<OnnxGraphValue>();
    public IReadOnlyList<OnnxGraphValue> Outputs { get; init; } = Array.Empty<OnnxGraphValue>();
    public int NodeCount { get; init; }
    public int InitializerCount { get; init; }
    public IReadOnlySet<string> InitializerNames { get; init; } = new HashSet<string>();

    /// <summary>Inputs that are not initialisers (older IR versions list weights as inputs too).</summary>
    public IEnumerable<OnnxGraphValue> RealInputs => Inputs.Where(i => !InitializerNames.Contains(i.Name));
}
