using System.Security.Cryptography;

namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// sd-scripts' sshs_model_hash / sshs_legacy_hash: the file serialised with only the ss_* metadata;
/// the model hash is SHA-256 of the tensor data, the legacy hash the first 8 hex digits of SHA-256 of
/// bytes [0x100000, 0x110000) of the whole serialisation. Meant for LoRA-sized files (held in memory).
/// </summary>
public static class SafeTensorsHashes
{
    public static (string ModelHash, string LegacyHash) Compute(IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var ss = metadata.Where(kv => kv.Key.StartsWith("ss_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var buffer = new MemoryStream();
        SafeTensorsWriter.WriteTo(buffer, tensors, ss);
        byte[] all = buffer.GetBuffer();
        long length = buffer.Length;
        long headerEnd = 8 + (long)BitConverter.ToUInt64(all, 0);
        string model = Convert.ToHexString(SHA256.HashData(all.AsSpan((int)headerEnd, (int)(length - headerEnd)))).ToLowerInvariant();
        int start = (int)Math.Min(0x100000, length), end = (int)Math.Min(0x110000, length);
        string legacy = Convert.ToHexString(SHA256.HashData(all.AsSpan(start, end - start))).ToLowerInvariant()[..8];
        return (model, legacy);
    }
}
