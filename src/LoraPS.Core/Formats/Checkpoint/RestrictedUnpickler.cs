using System.Buffers.Binary;
using System.Text;

namespace LoraPS.Formats.Checkpoint;

/// <summary>
/// A pickle reader that understands only what PyTorch checkpoints contain: the protocol 2–5
/// opcodes for plain data, torch._utils._rebuild_tensor_v2 / _rebuild_parameter, torch.*Storage
/// persistent ids, and collections.OrderedDict. Every other global is refused with an error naming
/// it. Nothing from the file is ever executed: allowed globals are interpreted by name.
/// </summary>
public sealed class RestrictedUnpickler
{
    /// <summary>The storage classes PyTorch writes, and their safetensors element type.</summary>
    public static readonly IReadOnlyDictionary<string, SafeTensors.SafeTensorDType> StorageTypes =
        new Dictionary<string, SafeTensors.SafeTensorDType>(StringComparer.Ordinal)
        {
            ["FloatStorage"] = SafeTensors.SafeTensorDType.F32,
            ["HalfStorage"] = SafeTensors.SafeTensorDType.F16,
            ["BFloat16Storage"] = SafeTensors.SafeTensorDType.BF16,
            ["DoubleStorage"] = SafeTensors.SafeTensorDType.F64,
            ["LongStorage"] = SafeTensors.SafeTensorDType.I64,
            ["IntStorage"] = SafeTensors.SafeTensorDType.I32,
            ["ShortStorage"] = SafeTensors.SafeTensorDType.I16,
            ["CharStorage"] = SafeTensors.SafeTensorDType.I8,
            ["ByteStorage"] = SafeTensors.SafeTensorDType.U8,
            ["BoolStorage"] = SafeTensors.SafeTensorDType.BOOL,
        };

    private static readonly HashSet<string> AllowedCallables = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter",
    };

    private const int MaxDepthOfStack = 1_000_000;
    private readonly string? _path;
    private readonly byte[] _data;
    private int _pos;
    private readonly List<object?> _stack = new();
    private readonly Dictionary<long, object?> _memo = new();

    private RestrictedUnpickler(string? path, byte[] data)
    {
        _path = path;
        _data = data;
    }

    /// <summary>Reads one pickle from <paramref name="data"/>; <paramref name="path"/> is only for messages.</summary>
    public static object? Load(byte[] data, string? path = null)
    {
        var reader = new RestrictedUnpickler(path, data);
        try
        {
            return reader.Run();
        }
        catch (Exception e) when (e is not CheckpointFormatException and not OutOfMemoryException)
        {
            throw new CheckpointFormatException(path, $"data.pkl: corrupt pickle near byte {reader._pos} ({e.Message})", e);
        }
    }

    private CheckpointFormatException Bad(string defect) => new(_path, $"data.pkl: {defect}");

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Bad("pickle ends without STOP (truncated)");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: ReadBytes(8); break; // FRAME: framing only, data follows inline
                case (byte)'.': // STOP
                    if (_stack.Count != 1) throw Bad($"STOP with {_stack.Count} items on the stack");
                    return _stack[0];
                case (byte)'(': Push(PickleMark.Instance); break;
                case (byte)'}': Push(new Dictionary<object, object?>()); break;
                case (byte)']': Push(new List<object?>()); break;
                case (byte)')': Push(Array.Empty<object?>()); break;
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'t': Push(PopToMark().ToArray()); break;
                case 0x85: { var a = Pop(); Push(new[] { a }); break; }
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)'K': Push((long)ReadByte()); break;
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break;
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break;
                case 0x8a: Push(ReadLong(ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(checked((int)BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))))); break; // LONG4
                case (byte)'I': Push(ParseTextInt(ReadLine())); break;
                case (byte)'L': Push(ParseTextInt(ReadLine().TrimEnd('L'))); break;
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break;
                case (byte)'X': Push(Utf8(ReadBytes(ReadLength32()))); break;
                case 0x8c: Push(Utf8(ReadBytes(ReadByte()))); break;
                case 0x8d: Push(Utf8(ReadBytes(ReadLength64()))); break;
                case (byte)'T': Push(Latin1(ReadBytes(ReadLength32()))); break;
                case (byte)'U': Push(Latin1(ReadBytes(ReadByte()))); break;
                case (byte)'B': Push(ReadBytes(ReadLength32()).ToArray()); break;
                case (byte)'C': Push(ReadBytes(ReadByte()).ToArray()); break;
                case 0x8e: Push(ReadBytes(ReadLength64()).ToArray()); break;
                case (byte)'V': Push(ReadLine()); break; // UNICODE (raw-unicode-escape, ASCII in practice)
                case (byte)'q': _memo[ReadByte()] = Peek(); break;
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break;
                case (byte)'p': _memo[ParseTextInt(ReadLine())] = Peek(); break;
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'h': Push(Memo(ReadByte())); break;
                case (byte)'j': Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break;
                case (byte)'g': Push(Memo(ParseTextInt(ReadLine()))); break;
                case (byte)'0': Pop(); break;
                case (byte)'1': PopToMark(); break;
                case (byte)'2': Push(Peek()); break;
                case (byte)'c': // GLOBAL module\nname\n
                {
                    string module = ReadLine(), name = ReadLine();
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Bad("STACK_GLOBAL name is not a string");
                    var module = Pop() as string ?? throw Bad("STACK_GLOBAL module is not a string");
                    Push(ResolveGlobal(module, name));
                    break;
                }
                case (byte)'s':
                {
                    var value = Pop();
                    var key = Pop();
                    AsDict(Peek(), "SETITEM")[Key(key)] = value;
                    break;
                }
                case (byte)'u':
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0) throw Bad("SETITEMS with an odd number of items");
                    var dict = AsDict(Peek(), "SETITEMS");
                    for (int i = 0; i < items.Count; i += 2) dict[Key(items[i])] = items[i + 1];
                    break;
                }
                case (byte)'a': { var v = Pop(); AsList(Peek(), "APPEND").Add(v); break; }
                case (byte)'e': { var items = PopToMark(); AsList(Peek(), "APPENDS").AddRange(items); break; }
                case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': // REDUCE
                {
                    var args = Pop() as object?[] ?? throw Bad("REDUCE arguments are not a tuple");
                    var callable = Pop();
                    Push(Call(callable, args));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var args = Pop() as object?[] ?? throw Bad("NEWOBJ arguments are not a tuple");
                    var cls = Pop();
                    Push(Call(cls, args));
                    break;
                }
                case (byte)'b': // BUILD: state for OrderedDict/parameters is ignored, nothing else is allowed to exist
                {
                    Pop();
                    if (Peek() is not (Dictionary<object, object?> or PickleTensor))
                        throw Bad($"BUILD on an unsupported object ({Describe(Peek())})");
                    break;
                }
                default:
                    throw Bad($"unsupported pickle opcode 0x{op:x2} at byte {at}");
            }
            if (_stack.Count > MaxDepthOfStack) throw Bad("pickle stack grows without bound");
        }
    }

    private object ResolveGlobal(string module, string name)
    {
        string full = $"{module}.{name}";
        if (AllowedCallables.Contains(full)) return new PickleGlobal(module, name);
        if (module == "torch" && StorageTypes.ContainsKey(name)) return new PickleGlobal(module, name);
        throw Bad($"refused global '{full}': a PyTorch checkpoint needs only tensors, storages and ordered dicts, and LoraPS never runs code from a file");
    }

    private object PersistentLoad(object? pid)
    {
        if (pid is not object?[] t || t.Length != 5 || t[0] as string != "storage")
            throw Bad($"unsupported persistent id {Describe(pid)}");
        if (t[1] is not PickleGlobal { Module: "torch" } type || !StorageTypes.ContainsKey(type.Name))
            throw Bad($"persistent id names an unknown storage type {Describe(t[1])}");
        if (t[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key.Contains(".."))
            throw Bad($"persistent id has an invalid storage key {Describe(t[2])}");
        return new PickleStorage(type.Name, key, t[3] as string ?? "cpu", t[4] is long n && n >= 0 ? n : throw Bad("storage element count is not a non-negative integer"));
    }

    private object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g) throw Bad($"REDUCE on a non-callable ({Describe(callable)})");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                if (args.Length != 0) throw Bad("OrderedDict called with arguments");
                return new Dictionary<object, object?>();
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                if (args.Length < 4) throw Bad($"{g.FullName} needs at least 4 arguments, got {args.Length}");
                var storage = args[0] as PickleStorage ?? throw Bad($"{g.FullName}: first argument is not a storage");
                long offset = args[1] is long o && o >= 0 ? o : throw Bad("tensor storage offset is not a non-negative integer");
                long[] shape = Longs(args[2], "size"), stride = Longs(args[3], "stride");
                if (shape.Length != stride.Length) throw Bad($"tensor size has {shape.Length} dims but stride {stride.Length}");
                return new PickleTensor(storage, offset, shape, stride);
            case "torch._utils._rebuild_parameter":
                if (args.Length < 1 || args[0] is not PickleTensor p) throw Bad("_rebuild_parameter without a tensor");
                return p;
            default:
                throw Bad($"global '{g.FullName}' cannot be called");
        }
    }

    private long[] Longs(object? value, string what)
    {
        if (value is not object?[] items) throw Bad($"tensor {what} is not a tuple");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            result[i] = items[i] is long v && v >= 0 ? v : throw Bad($"tensor {what} holds a non-integer or negative value");
        return result;
    }

    private object Key(object? key) => key ?? throw Bad("dict key is None");

    private Dictionary<object, object?> AsDict(object? o, string op) =>
        o as Dictionary<object, object?> ?? throw Bad($"{op} on {Describe(o)}, not a dict");

    private List<object?> AsList(object? o, string op) =>
        o as List<object?> ?? throw Bad($"{op} on {Describe(o)}, not a list");

    private static string Describe(object? o) => o switch
    {
        null => "None",
        string s => $"'{s}'",
        object?[] t => $"({string.Join(", ", t.Select(Describe))})",
        _ => o.GetType().Name,
    };

    private void Push(object? o) => _stack.Add(o);

    private object? Pop()
    {
        if (_stack.Count == 0) throw Bad("pop from an empty stack");
        var o = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        if (o is PickleMark) throw Bad("unexpected MARK on the stack");
        return o;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Bad("empty stack");

    private List<object?> PopToMark()
    {
        int mark = _stack.FindLastIndex(o => o is PickleMark);
        if (mark < 0) throw Bad("no MARK on the stack");
        var items = _stack.GetRange(mark + 1, _stack.Count - mark - 1);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private object? Memo(long index) => _memo.TryGetValue(index, out var v) ? v : throw Bad($"memo entry {index} was never stored");

    private byte ReadByte() => _pos < _data.Length ? _data[_pos++] : throw Bad("pickle truncated");

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Bad($"pickle truncated: {n} bytes wanted at byte {_pos}, {_data.Length - _pos} left");
        var span = new ReadOnlySpan<byte>(_data, _pos, (int)n);
        _pos += (int)n;
        return span;
    }

    private int ReadLength32()
    {
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));
        return n <= int.MaxValue ? (int)n : throw Bad("string length out of range");
    }

    private long ReadLength64()
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return n <= int.MaxValue ? (long)n : throw Bad("string length out of range");
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Bad("pickle truncated inside a text line");
        string s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private long ReadLong(int n)
    {
        if (n > 8) throw Bad($"integer of {n} bytes is out of range");
        var bytes = ReadBytes(n);
        if (n == 0) return 0;
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | bytes[i];
        if (n < 8 && (bytes[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // sign-extend
        return v;
    }

    private long ParseTextInt(string s)
    {
        if (s == "01") return 1; // protocol 0 True/False
        if (s == "00") return 0;
        return long.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v)
            ? v : throw Bad($"invalid integer '{s}'");
    }

    private string Utf8(ReadOnlySpan<byte> bytes)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Bad("string is not valid UTF-8"); }
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
