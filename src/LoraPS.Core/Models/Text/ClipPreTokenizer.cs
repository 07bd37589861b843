using System.Globalization;
using System.Text;

namespace LoraPS.Models.Text;

/// <summary>
/// Splits cleaned text into the pieces CLIP runs BPE on, as its pattern
/// <c>&lt;|startoftext|&gt;|&lt;|endoftext|&gt;|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+</c>
/// does (case-insensitively, first alternative that matches wins): the special tokens, English
/// contractions, letter runs, single digits, and runs of other non-space characters; whitespace is
/// dropped. Written as a scanner over code points so letters outside the BMP count as letters.
/// </summary>
public static class ClipPreTokenizer
{
    private static readonly string[] Specials = { ClipVocabulary.StartOfTextToken, ClipVocabulary.EndOfTextToken };
    private static readonly string[] Contractions = { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" };

    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        int i = 0;
        while (i < text.Length)
        {
            Rune rune = RuneAt(text, i);
            if (IsSpace(rune)) { i += rune.Utf16SequenceLength; continue; }

            string? fixedPiece = MatchAny(text, i, Specials) ?? MatchAny(text, i, Contractions);
            if (fixedPiece != null)
            {
                pieces.Add(text.Substring(i, fixedPiece.Length));
                i += fixedPiece.Length;
                continue;
            }

            int start = i;
            if (Rune.IsLetter(rune))
            {
                while (i < text.Length && RuneAt(text, i) is var r && Rune.IsLetter(r)) i += r.Utf16SequenceLength;
            }
            else if (IsNumber(rune))
            {
                i += rune.Utf16SequenceLength;
            }
            else
            {
                while (i < text.Length)
                {
                    Rune r = RuneAt(text, i);
                    if (IsSpace(r) || Rune.IsLetter(r) || IsNumber(r)) break;
                    i += r.Utf16SequenceLength;
                }
            }
            pieces.Add(text[start..i]);
        }
        return pieces;
    }

    private static string? MatchAny(string text, int at, string[] candidates)
    {
        foreach (string c in candidates)
            if (string.Compare(text, at, c, 0, c.Length, StringComparison.OrdinalIgnoreCase) == 0 && at + c.Length <= text.Length)
                return c;
        return null;
    }

    /// <summary>The code point at <paramref name="at"/>; a lone surrogate reads as U+FFFD of length 1 instead of throwing.</summary>
    private static Rune RuneAt(string text, int at)
    {
        Rune.DecodeFromUtf16(text.AsSpan(at), out Rune rune, out _);
        return rune;
    }

    private static bool IsNumber(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    private static bool IsSpace(Rune r) => r.IsBmp ? ClipTextNormalizer.IsWhitespace((char)r.Value) : Rune.IsWhiteSpace(r);
}
