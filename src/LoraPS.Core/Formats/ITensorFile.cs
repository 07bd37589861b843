using LoraPS.Formats.SafeTensors;

namespace LoraPS.Formats;

/// <summary>Name, element type and shape of one stored tensor, whatever the file format.</summary>
public sealed record TensorInfo(string Name, SafeTensorDType DType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => ElementCount * DType.ElementSize();
}

/// <summary>
/// A file of named tensors read lazily (.safetensors or a PyTorch .ckpt/.pt): what model loaders,
/// merges and recognition take, so they do not care which format a user has.
/// </summary>
public interface ITensorFile : IDisposable
{
    string Path { get; }
    long FileSize { get; }

    /// <summary>String metadata (safetensors __metadata__; empty for .ckpt).</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor names in file order.</summary>
    IReadOnlyList<string> TensorNames { get; }

    bool Contains(string name);
    TensorInfo GetInfo(string name);

    /// <summary>The tensor's elements converted to float32, row-major.</summary>
    float[] ReadSingles(string name);

    /// <summary>The tensor's elements as contiguous little-endian bytes of its own dtype.</summary>
    byte[] ReadBytes(string name);
}

/// <summary>Opens a tensor file by its content: a zip is a PyTorch checkpoint, anything else is read as safetensors.</summary>
public static class TensorFiles
{
    public static ITensorFile Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full} does not exist", full);
        Span<byte> magic = stackalloc byte[4];
        int n;
        using (var s = File.OpenRead(full)) n = s.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (n >= 2 && magic[0] == 'P' && magic[1] == 'K') return Checkpoint.CheckpointFile.Open(full);
        if (n >= 2 && magic[0] == 0x80 && magic[1] <= 5)
            throw new Checkpoint.CheckpointFormatException(full, "legacy (pre-1.6, non-zip) PyTorch serialization is not supported; re-save it with a current PyTorch or convert it to safetensors");
        return SafeTensorsFile.Open(full);
    }
}
