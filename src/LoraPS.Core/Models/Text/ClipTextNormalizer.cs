using System.Net;
using System.Text;

namespace LoraPS.Models.Text;

/// <summary>
/// The text cleaning CLIP applies before tokenising: Unicode NFC (the part of ftfy's fix_text that
/// .NET has), HTML entities decoded twice (so <c>&amp;amp;lt;</c> becomes <c>&lt;</c>), whitespace runs
/// collapsed to one space, trimmed, lower-cased. ftfy's mojibake and quote repairs are not done;
/// they change only unusual text.
/// </summary>
public static class ClipTextNormalizer
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        s = WebUtility.HtmlDecode(WebUtility.HtmlDecode(s));
        s = CollapseWhitespace(s);
        return s.ToLowerInvariant();
    }

    /// <summary>Python's <c>str.isspace</c>: Unicode whitespace plus the separators U+001C–U+001F.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || (c >= '\u001c' && c <= '\u001f');

    private static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool pendingSpace = false;
        foreach (char c in s)
        {
            if (IsWhitespace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }
            if (pendingSpace) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }
}
