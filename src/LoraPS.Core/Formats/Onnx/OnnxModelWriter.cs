using Google.Protobuf;
using LoraPS.Onnx;

namespace LoraPS.Formats.Onnx;

/// <summary>
/// Writes an <see cref="OnnxGraph"/> as an ONNX ModelProto, field by field with Google.Protobuf's
/// coded stream (onnx.proto field numbers). Nested messages are serialised first and written as
/// length-delimited bytes.
/// </summary>
public static class OnnxModelWriter
{
    /// <summary>IR 8 with opset 13 loads in every ONNX Runtime from 1.10 on.</summary>
    public const long DefaultIrVersion = 8, DefaultOpset = 13;

    public static void Write(string path, OnnxGraph graph, long irVersion = DefaultIrVersion, long opset = DefaultOpset, bool overwrite = false) =>
        AtomicFile.Write(path, stream => Write(stream, graph, irVersion, opset), overwrite);

    public static byte[] ToBytes(OnnxGraph graph, long irVersion = DefaultIrVersion, long opset = DefaultOpset)
    {
        using var ms = new MemoryStream();
        Write(ms, graph, irVersion, opset);
        return ms.ToArray();
    }

    public static void Write(Stream stream, OnnxGraph graph, long irVersion = DefaultIrVersion, long opset = DefaultOpset)
    {
        var output = new CodedOutputStream(stream, leaveOpen: true);
        WriteInt64(output, 1, irVersion);
        WriteString(output, 2, "LoraPS");
        WriteString(output, 3, "0.1");
        WriteMessage(output, 7, g => WriteGraph(g, graph));
        WriteMessage(output, 8, o => { WriteString(o, 1, ""); WriteInt64(o, 2, opset); });
        output.Flush();
    }

    private static void WriteGraph(CodedOutputStream g, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes) WriteMessage(g, 1, n => WriteNode(n, node));
        WriteString(g, 2, graph.Name);
        foreach (var init in graph.Initializers) WriteMessage(g, 5, t => WriteTensor(t, init));
        foreach (var input in graph.Inputs) WriteMessage(g, 11, v => WriteValueInfo(v, input));
        foreach (var output in graph.Outputs) WriteMessage(g, 12, v => WriteValueInfo(v, output));
    }

    private static void WriteNode(CodedOutputStream n, OnnxNode node)
    {
        foreach (string input in node.Inputs) WriteString(n, 1, input);
        foreach (string output in node.Outputs) WriteString(n, 2, output);
        WriteString(n, 3, node.Name);
        WriteString(n, 4, node.OpType);
        foreach (var attribute in node.Attributes) WriteMessage(n, 5, a => WriteAttribute(a, attribute));
    }

    private static void WriteAttribute(CodedOutputStream a, OnnxAttribute attribute)
    {
        WriteString(a, 1, attribute.Name);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float:
                a.WriteTag(2, WireFormat.WireType.Fixed32);
                a.WriteFloat(attribute.F);
                break;
            case OnnxAttributeType.Int:
                WriteInt64(a, 3, attribute.I);
                break;
            case OnnxAttributeType.String:
                a.WriteTag(4, WireFormat.WireType.LengthDelimited);
                a.WriteBytes(ByteString.CopyFromUtf8(attribute.S ?? ""));
                break;
            case OnnxAttributeType.Floats:
                foreach (float f in attribute.Floats ?? Array.Empty<float>()) { a.WriteTag(7, WireFormat.WireType.Fixed32); a.WriteFloat(f); }
                break;
            case OnnxAttributeType.Ints:
                foreach (long i in attribute.Ints ?? Array.Empty<long>()) WriteInt64(a, 8, i);
                break;
            default:
                throw new NotSupportedException($"attribute type {attribute.Type} is not written by LoraPS");
        }
        WriteInt64(a, 20, (long)attribute.Type);
    }

    private static void WriteTensor(CodedOutputStream t, OnnxInitializer init)
    {
        foreach (long d in init.Dims) WriteInt64(t, 1, d);
        WriteInt64(t, 2, (long)init.ElementType);
        WriteString(t, 8, init.Name);
        t.WriteTag(9, WireFormat.WireType.LengthDelimited);
        t.WriteBytes(UnsafeByteOperations.UnsafeWrap(init.RawData));
    }

    private static void WriteValueInfo(CodedOutputStream v, OnnxGraphValue value)
    {
        WriteString(v, 1, value.Name);
        WriteMessage(v, 2, type => WriteMessage(type, 1, tensor =>
        {
            WriteInt64(tensor, 1, (long)value.ElementType);
            WriteMessage(tensor, 2, shape =>
            {
                foreach (var dim in value.Shape)
                    WriteMessage(shape, 1, d =>
                    {
                        if (dim.Symbol != null) WriteString(d, 2, dim.Symbol);
                        else WriteInt64(d, 1, dim.Value);
                    });
            });
        }));
    }

    private static void WriteInt64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    private static void WriteString(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void WriteMessage(CodedOutputStream o, int field, Action<CodedOutputStream> body)
    {
        using var ms = new MemoryStream();
        var inner = new CodedOutputStream(ms, leaveOpen: true);
        body(inner);
        inner.Flush();
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        // Wrapping (not copying) matters for models with hundreds of MB of weights.
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(ms.GetBuffer().AsMemory(0, (int)ms.Length)));
    }
}
