using System.Globalization;
using System.Text;

namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// Writes .safetensors files: compact JSON header (__metadata__ first) padded with spaces to a
/// multiple of 8, then the tensor data, streamed entry by entry, through <see cref="AtomicFile"/>.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>.
    /// With <paramref name="sortLikeSafetensors"/> the data is ordered as the Python library orders it
    /// (dtype descending, then name), which sd-scripts' model hashes assume.
    /// </summary>
    public static void Write(string path, IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        bool overwrite = false, bool sortLikeSafetensors = true)
    {
        var list = Order(tensors, sortLikeSafetensors);
        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, stream => WriteTo(stream, header, list), overwrite);
    }

    /// <summary>The same bytes into any stream (used by hashing and tests).</summary>
    public static void WriteTo(Stream stream, IEnumerable<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        bool sortLikeSafetensors = true)
    {
        var list = Order(tensors, sortLikeSafetensors);
        WriteTo(stream, BuildHeader(list, metadata), list);
    }

    private static List<SafeTensorEntry> Order(IEnumerable<SafeTensorEntry> tensors, bool sort)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in list)
            if (!names.Add(t.Name)) throw new ArgumentException($"tensor name '{t.Name}' is given twice");
        if (sort) list = list.OrderByDescending(t => (int)t.DType).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        return list;
    }

    private static void WriteTo(Stream stream, byte[] header, List<SafeTensorEntry> list)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var t in list)
        {
            var counting = new CountingStream(stream);
            t.WriteData(counting);
            if (counting.Written != t.ByteLength)
                throw new InvalidOperationException($"tensor '{t.Name}' wrote {counting.Written} bytes, its header says {t.ByteLength}");
        }
    }

    /// <summary>The padded header bytes for tensors in the given order.</summary>
    public static byte[] BuildHeader(IReadOnlyList<SafeTensorEntry> list, IReadOnlyDictionary<string, string>? metadata)
    {
        var sb = new StringBuilder("{");
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            sb.Append("\"__metadata__\":{");
            bool firstMeta = true;
            foreach (var (k, v) in metadata)
            {
                if (!firstMeta) sb.Append(',');
                firstMeta = false;
                AppendString(sb, k);
                sb.Append(':');
                AppendString(sb, v);
            }
            sb.Append('}');
            first = false;
        }
        long offset = 0;
        foreach (var t in list)
        {
            if (!first) sb.Append(',');
            first = false;
            AppendString(sb, t.Name);
            sb.Append(":{\"dtype\":\"").Append(t.DType.HeaderName()).Append("\",\"shape\":[");
            sb.Append(string.Join(",", t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
            sb.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += t.ByteLength;
            sb.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        sb.Append('}');
        int n = Encoding.UTF8.GetByteCount(sb.ToString());
        sb.Append(' ', (8 - n % 8) % 8);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>JSON string the way serde_json writes it: quote, backslash and control characters escaped, the rest raw.</summary>
    private static void AppendString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { inner.Write(buffer, offset, count); Written += count; }
        public override void Write(ReadOnlySpan<byte> buffer) { inner.Write(buffer); Written += buffer.Length; }
    }
}
