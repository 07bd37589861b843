namespace LoraPS.Models.Text;

/// <summary>
/// CLIP's reversible byte → character table: BPE works on strings, so every UTF-8 byte of a word is
/// mapped to one visible character. The 188 "printable" bytes (33–126, 161–172, 174–255) map to
/// the code point of the same value; the other 68 bytes, in increasing order, map to U+0100…U+0143.
/// </summary>
public static class ByteToUnicode
{
    /// <summary>Character for each byte value 0…255.</summary>
    public static IReadOnlyList<char> Table => table;

    /// <summary>
    /// The 256 characters in vocabulary order (ids 0…255): the printable bytes first, in byte order,
    /// then the remapped ones. Id 0 is '!'.
    /// </summary>
    public static IReadOnlyList<char> VocabularyOrder => vocabularyOrder;

    private static readonly char[] table;
    private static readonly char[] vocabularyOrder;

    static ByteToUnicode()
    {
        table = new char[256];
        var order = new List<char>(256);
        for (int b = 0; b < 256; b++)
        {
            if (IsPrintable(b))
            {
                table[b] = (char)b;
                order.Add((char)b);
            }
        }
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            if (!IsPrintable(b))
            {
                table[b] = (char)next++;
                order.Add(table[b]);
            }
        }
        vocabularyOrder = order.ToArray();
    }

    private static bool IsPrintable(int b) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);

    /// <summary>The table applied to each byte of <paramref name="utf8"/>.</summary>
    public static string Map(ReadOnlySpan<byte> utf8)
    {
        return string.Create(utf8.Length, utf8.ToArray(), static (span, bytes) =>
        {
            for (int i = 0; i < bytes.Length; i++) span[i] = table[bytes[i]];
        });
    }
}
