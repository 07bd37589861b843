using System.Text;
using LoraPS.Onnx;

namespace LoraPS.Formats.Onnx;

/// <summary>
/// Reads the structure of an ONNX ModelProto (IR and opset versions, graph inputs/outputs, node and
/// initialiser counts) with bounds checks on every varint and length, skipping weight bytes by
/// seeking. Used to name the defect when a model is corrupt or not a tagger, before or after ONNX
/// Runtime refuses it.
/// </summary>
public static class OnnxModelReader
{
    public static OnnxModelInfo Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model {path} does not exist", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length == 0) throw new OnnxModelException(path, "the file is empty");
        try
        {
            return ReadModel(new ProtoReader(stream, path), stream.Length);
        }
        catch (EndOfStreamException)
        {
            throw new OnnxModelException(path, "the file is truncated (a protobuf field runs past its end)");
        }
    }

    /// <summary>The defect <see cref="Read"/> finds, or null when the structure is sound.</summary>
    public static string? Diagnose(string path)
    {
        try { Read(path); return null; }
        catch (InvalidFileException e) { return e.Defect; }
        catch (IOException e) { return e.Message; }
    }

    private static OnnxModelInfo ReadModel(ProtoReader r, long end)
    {
        long ir = -1;
        string producer = "";
        var opsets = new List<(string, long)>();
        OnnxModelInfo? graph = null;
        while (r.Position < end)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 0: ir = r.Varint(); break;
                case 2 when wire == 2: producer = r.String(end); break;
                case 7 when wire == 2: graph = ReadGraph(r, r.Length(end)); break;
                case 8 when wire == 2:
                {
                    long stop = r.Length(end);
                    string domain = "";
                    long version = -1;
                    while (r.Position < stop)
                    {
                        var (f, w) = r.Tag();
                        if (f == 1 && w == 2) domain = r.String(stop);
                        else if (f == 2 && w == 0) version = r.Varint();
                        else r.Skip(w, stop);
                    }
                    opsets.Add((domain, version));
                    break;
                }
                default: r.Skip(wire, end); break;
            }
        }
        if (ir < 0) throw r.Defect("not an ONNX model: it has no ir_version (field 1 of ModelProto)");
        if (graph is null) throw r.Defect("not an ONNX model: it has no graph (field 7 of ModelProto)");
        if (opsets.Count == 0) throw r.Defect("the model declares no opset_import");
        if (graph.Outputs.Count == 0) throw r.Defect("the graph has no outputs");
        return graph with { IrVersion = ir, ProducerName = producer, Opsets = opsets };
    }

    private static OnnxModelInfo ReadGraph(ProtoReader r, long end)
    {
        int nodes = 0;
        string name = "";
        var inits = new HashSet<string>();
        var inputs = new List<OnnxGraphValue>();
        var outputs = new List<OnnxGraphValue>();
        while (r.Position < end)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == 2: nodes++; r.Skip(wire, end); break;
                case 2 when wire == 2: name = r.String(end); break;
                case 5 when wire == 2: inits.Add(ReadTensorName(r, r.Length(end))); break;
                case 11 when wire == 2: inputs.Add(ReadValueInfo(r, r.Length(end))); break;
                case 12 when wire == 2: outputs.Add(ReadValueInfo(r, r.Length(end))); break;
                default: r.Skip(wire, end); break;
            }
        }
        return new OnnxModelInfo { GraphName = name, NodeCount = nodes, InitializerCount = inits.Count, InitializerNames = inits, Inputs = inputs, Outputs = outputs };
    }

    private static string ReadTensorName(ProtoReader r, long end)
    {
        string name = "";
        while (r.Position < end)
        {
            var (field, wire) = r.Tag();
            if (field == 8 && wire == 2) name = r.String(end);
            else r.Skip(wire, end);
        }
        return name;
    }

    private static OnnxGraphValue ReadValueInfo(ProtoReader r, long end)
    {
        string name = "";
        var type = OnnxElementType.Undefined;
        var dims = new List<OnnxDim>();
        while (r.Position < end)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) name = r.String(end);
            else if (field == 2 && wire == 2)
            {
                long typeEnd = r.Length(end);
                while (r.Position < typeEnd)
                {
                    var (f, w) = r.Tag();
                    if (f != 1 || w != 2) { r.Skip(w, typeEnd); continue; } // not a tensor type
                    long tensorEnd = r.Length(typeEnd);
                    while (r.Position < tensorEnd)
                    {
                        var (tf, tw) = r.Tag();
                        if (tf == 1 && tw == 0) type = (OnnxElementType)r.Varint();
                        else if (tf == 2 && tw == 2)
                        {
                            long shapeEnd = r.Length(tensorEnd);
                            while (r.Position < shapeEnd)
                            {
                                var (sf, sw) = r.Tag();
                                if (sf != 1 || sw != 2) { r.Skip(sw, shapeEnd); continue; }
                                long dimEnd = r.Length(shapeEnd);
                                OnnxDim dim = new(-1, "?");
                                while (r.Position < dimEnd)
                                {
                                    var (df, dw) = r.Tag();
                                    if (df == 1 && dw == 0) dim = r.Varint();
                                    else if (df == 2 && dw == 2) dim = r.String(dimEnd);
                                    else r.Skip(dw, dimEnd);
                                }
                                dims.Add(dim);
                            }
                        }
                        else r.Skip(tw, tensorEnd);
                    }
                }
            }
            else r.Skip(wire, end);
        }
        return new OnnxGraphValue(name, type, dims.ToArray());
    }

    /// <summary>A bounds-checked protobuf wire reader over a seekable stream.</summary>
    private sealed class ProtoReader
    {
        private readonly Stream _s;
        private readonly string _path;
        public ProtoReader(Stream s, string path) => (_s, _path) = (s, path);
        public long Position => _s.Position;

        public OnnxModelException Defect(string what) => new(_path, what);

        public (int Field, int Wire) Tag()
        {
            long at = _s.Position;
            long tag = Varint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field <= 0 || tag >> 3 > int.MaxValue) throw Defect($"not an ONNX model: invalid protobuf field number {tag >> 3} at byte {at}");
            if (wire is 3 or 4 or 6 or 7) throw Defect($"not an ONNX model: invalid protobuf wire type {wire} at byte {at}");
            return (field, wire);
        }

        public long Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                int b = _s.ReadByte();
                if (b < 0) throw new EndOfStreamException();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (long)value;
            }
            throw Defect($"not an ONNX model: a varint at byte {_s.Position} is longer than 10 bytes");
        }

        /// <summary>Reads a length prefix; returns the absolute end of the field, checked against <paramref name="limit"/>.</summary>
        public long Length(long limit)
        {
            long at = _s.Position;
            long length = Varint();
            long stop = _s.Position + length;
            if (length < 0 || stop > limit)
                throw Defect($"the file is truncated or corrupt: a field at byte {at} declares {length} bytes but only {limit - _s.Position} remain");
            return stop;
        }

        public string String(long limit)
        {
            long stop = Length(limit);
            int n = (int)(stop - _s.Position);
            if (n > 1 << 20) throw Defect($"a name field of {n} bytes at byte {_s.Position} is implausibly long");
            var bytes = new byte[n];
            _s.ReadExactly(bytes);
            return Encoding.UTF8.GetString(bytes);
        }

        public void Skip(int wire, long limit)
        {
            long stop = wire switch
            {
                0 => -1,
                1 => _s.Position + 8,
                2 => Length(limit),
                5 => _s.Position + 4,
                _ => throw Defect($"invalid protobuf wire type {wire}"),
            };
            if (wire == 0) { Varint(); return; }
            if (stop > limit) throw new EndOfStreamException();
            _s.Position = stop;
        }
    }
}
