using System.IO.Compression;
using System.Text;
using LoraPS.Formats.SafeTensors;

namespace LoraPS.Tests.Checkpoint;

/// <summary>A tiny pickle emitter for tests: writes the opcodes PyTorch's torch.save writes (and hostile ones).</summary>
public sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    public PickleWriter Op(byte op) { _out.WriteByte(op); return this; }
    public PickleWriter Proto(byte version = 2) => Op(0x80).Op(version);
    public PickleWriter Mark() => Op((byte)'(');
    public PickleWriter EmptyDict() => Op((byte)'}');
    public PickleWriter EmptyTuple() => Op((byte)')');
    public PickleWriter Tuple() => Op((byte)'t');
    public PickleWriter SetItems() => Op((byte)'u');
    public PickleWriter Reduce() => Op((byte)'R');
    public PickleWriter BinPersId() => Op((byte)'Q');
    public PickleWriter False() => Op(0x89);
    public PickleWriter Stop() => Op((byte)'.');

    public PickleWriter Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        _out.Write(BitConverter.GetBytes((uint)b.Length));
        _out.Write(b);
        return this;
    }

    public PickleWriter Int(long v)
    {
        if (v >= 0 && v < 256) return Op((byte)'K').Op((byte)v);
        Op((byte)'J');
        _out.Write(BitConverter.GetBytes((int)v));
        return this;
    }

    public PickleWriter Global(string module, string name)
    {
        Op((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
        return this;
    }

    public PickleWriter StackGlobal(string module, string name) => Str(module).Str(name).Op(0x93);

    public PickleWriter Ints(IEnumerable<long> values)
    {
        Mark();
        foreach (long v in values) Int(v);
        return Tuple();
    }

    /// <summary>torch._utils._rebuild_tensor_v2(storage(pid), offset, size, stride, False, OrderedDict()).</summary>
    public PickleWriter Tensor(string storageType, string key, long numel, long offset, long[] shape, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2");
        Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple().BinPersId();
        Int(offset).Ints(shape).Ints(stride).False();
        Global("collections", "OrderedDict").EmptyTuple().Reduce();
        Tuple();
        return Reduce();
    }

    public byte[] ToArray() => _out.ToArray();

    public static long[] ContiguousStride(long[] shape)
    {
        var stride = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { stride[i] = s; s *= shape[i]; }
        return stride;
    }

    /// <summary>Writes a torch.save-style zip: archive/data.pkl, archive/data/N, archive/version, archive/byteorder.</summary>
    public static void WriteZip(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages, string archive = "archive")
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        void Add(string name, byte[] data)
        {
            var e = zip.CreateEntry($"{archive}/{name}", CompressionLevel.NoCompression);
            using var s = e.Open();
            s.Write(data);
        }
        Add("data.pkl", pickle);
        Add("byteorder", Encoding.ASCII.GetBytes("little"));
        foreach (var (k, v) in storages) Add("data/" + k, v);
        Add("version", Encoding.ASCII.GetBytes("3\n"));
    }

    /// <summary>A checkpoint {"state_dict": OrderedDict(name → tensor), "global_step": 7} (or the bare dict) of float32/float16 tensors.</summary>
    public static void WriteCheckpoint(string path, IReadOnlyList<(string Name, float[] Values, long[] Shape, SafeTensorDType DType)> tensors, bool wrapInStateDict = true)
    {
        var p = new PickleWriter().Proto();
        var storages = new Dictionary<string, byte[]>();
        if (wrapInStateDict) p.EmptyDict().Mark().Str("global_step").Int(7).Str("state_dict");
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        for (int i = 0; i < tensors.Count; i++)
        {
            var (name, values, shape, dtype) = tensors[i];
            string type = dtype switch { SafeTensorDType.F16 => "HalfStorage", SafeTensorDType.BF16 => "BFloat16Storage", _ => "FloatStorage" };
            storages[i.ToString()] = HalfConversions.Encode(values, dtype);
            p.Str(name).Tensor(type, i.ToString(), values.Length, 0, shape, ContiguousStride(shape));
        }
        p.SetItems();
        if (wrapInStateDict) p.SetItems();
        WriteZip(path, p.Stop().ToArray(), storages);
    }
}
