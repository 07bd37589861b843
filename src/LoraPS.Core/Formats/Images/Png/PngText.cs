using System.IO.Compression;
using System.Text;

namespace LoraPS.Formats.Images.Png;

/// <summary>PNG text chunks: tEXt (Latin-1), zTXt (compressed Latin-1) and iTXt (UTF-8, optionally compressed).</summary>
internal static class PngText
{
    public static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>Keywords are 1–79 printable Latin-1 characters without leading, trailing or double spaces.</summary>
    public static bool IsValidKeyword(string key) =>
        key.Length is >= 1 and <= 79 && key.All(c => c is >= (char)32 and <= (char)126 or >= (char)161 and <= (char)255)
        && !key.StartsWith(' ') && !key.EndsWith(' ') && !key.Contains("  ", StringComparison.Ordinal);

    public static bool TryParse(uint type, ReadOnlySpan<byte> body, out string? key, out string? value)
    {
        key = value = null;
        if (type != PngChunk.tEXt && type != PngChunk.zTXt && type != PngChunk.iTXt) return false;
        int zero = body.IndexOf((byte)0);
        if (zero < 1 || zero > 79) return false;
        key = Latin1.GetString(body[..zero]);
        var rest = body[(zero + 1)..];
        try
        {
            if (type == PngChunk.tEXt) value = Latin1.GetString(rest);
            else if (type == PngChunk.zTXt)
            {
                if (rest.Length < 1 || rest[0] != 0) return false;
                value = Latin1.GetString(Inflate(rest[1..]));
            }
            else
            {
                if (rest.Length < 2) return false;
                bool compressed = rest[0] == 1;
                rest = rest[2..];
                int lang = rest.IndexOf((byte)0);
                if (lang < 0) return false;
                rest = rest[(lang + 1)..];
                int translated = rest.IndexOf((byte)0);
                if (translated < 0) return false;
                rest = rest[(translated + 1)..];
                value = Encoding.UTF8.GetString(compressed ? Inflate(rest) : rest);
            }
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>Inflates a text chunk, refusing more than 16 MiB so a tiny chunk cannot exhaust memory.</summary>
    private static byte[] Inflate(ReadOnlySpan<byte> data)
    {
        using var z = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = z.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
            if (output.Length > 16 << 20) throw new InvalidDataException("text chunk inflates past 16 MiB");
        }
        return output.ToArray();
    }
}
