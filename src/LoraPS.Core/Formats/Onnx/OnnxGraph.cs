using LoraPS.Onnx;

namespace LoraPS.Formats.Onnx;

/// <summary>A tensor dimension in a graph's input/output type: a fixed size or a symbolic name ("N").</summary>
public readonly record struct OnnxDim(long Value, string? Symbol)
{
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(int value) => new(value, null);
    public static implicit operator OnnxDim(string symbol) => new(-1, symbol);
    public override string ToString() => Symbol ?? Value.ToString();
}

/// <summary>A graph input or output: name, element type, shape.</summary>
public sealed record OnnxGraphValue(string Name, OnnxElementType ElementType, OnnxDim[] Shape);

/// <summary>A constant tensor stored in the model (weights), raw little-endian data.</summary>
public sealed record OnnxInitializer(string Name, OnnxElementType ElementType, long[] Dims, byte[] RawData);

/// <summary>A node attribute: exactly one of the value fields is set, matching <see cref="Type"/>.</summary>
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type)
{
    public float F { get; init; }
    public long I { get; init; }
    public string? S { get; init; }
    public float[]? Floats { get; init; }
    public long[]? Ints { get; init; }

    public static OnnxAttribute Float(string name, float value) => new(name, OnnxAttributeType.Float) { F = value };
    public static OnnxAttribute Int(string name, long value) => new(name, OnnxAttributeType.Int) { I = value };
    public static OnnxAttribute String(string name, string value) => new(name, OnnxAttributeType.String) { S = value };
    public static OnnxAttribute FloatList(string name, params float[] values) => new(name, OnnxAttributeType.Floats) { Floats = values };
    public static OnnxAttribute IntList(string name, params long[] values) => new(name, OnnxAttributeType.Ints) { Ints = values };
}

/// <summary>AttributeProto.AttributeType.</summary>
public enum OnnxAttributeType { Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8 }

/// <summary>One operator application.</summary>
public sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs, string Name, OnnxAttribute[] Attributes);

/// <summary>
/// An ONNX graph being assembled in memory (nodes in topological order, initialisers, typed inputs and
/// outputs); <see cref="OnnxModelWriter"/> serialises it. Used by the tests and benchmarks to make
/// models with known weights.
/// </summary>
public sealed class OnnxGraph
{
    private int _counter;
    public string Name { get; init; } = "graph";
    public List<OnnxNode> Nodes { get; } = new();
    public List<OnnxInitializer> Initializers { get; } = new();
    public List<OnnxGraphValue> Inputs { get; } = new();
    public List<OnnxGraphValue> Outputs { get; } = new();

    public void AddInput(string name, OnnxElementType type, params OnnxDim[] shape) => Inputs.Add(new(name, type, shape));
    public void AddOutput(string name, OnnxElementType type, params OnnxDim[] shape) => Outputs.Add(new(name, type, shape));

    /// <summary>Adds a float initialiser; returns its name.</summary>
    public string AddInitializer(string name, float[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian");
        Initializers.Add(new OnnxInitializer(name, OnnxElementType.Float, dims, raw));
        return name;
    }

    /// <summary>Adds an int64 initialiser (shapes, axes, indices); returns its name.</summary>
    public string AddInitializer(string name, long[] data, params long[] dims)
    {
        var raw = new byte[data.Length * 8];
        Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
        Initializers.Add(new OnnxInitializer(name, OnnxElementType.Int64, dims, raw));
        return name;
    }

    /// <summary>Adds a node; with no output names given, makes one unique output and returns it.</summary>
    public string Add(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = $"{opType.ToLowerInvariant()}_{++_counter}";
        Nodes.Add(new OnnxNode(opType, inputs, new[] { output }, output, attributes));
        return output;
    }

    public void AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        Nodes.Add(new OnnxNode(opType, inputs, outputs, $"{opType.ToLowerInvariant()}_{++_counter}", attributes));

    /// <summary>A fresh unique name for an initialiser or value.</summary>
    public string NewName(string stem) => $"{stem}_{++_counter}";
}
