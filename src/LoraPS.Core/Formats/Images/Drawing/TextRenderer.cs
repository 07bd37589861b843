using System.Text;

namespace LoraPS.Formats.Images.Drawing;

/// <summary>
/// Draws text with <see cref="BitmapFont"/> onto an <see cref="RgbaImage"/>: one cell per Unicode
/// scalar value (a character outside printable ASCII, surrogate pair included, is one replacement box),
/// '\n' starts a new line, '\r' takes no space, a tab is drawn as a space. Each font pixel becomes a
/// scale × scale block of opaque colour; nothing is blended, so the output is exact and testable.
/// </summary>
public static class TextRenderer
{
    /// <summary>
    /// The box Draw lays the text out in: the longest line × CellWidth × scale by the number of lines ×
    /// CellHeight × scale. Every pixel Draw touches lies inside it; its last column and last row of
    /// font pixels are the spacing after the last character and below the last line. Empty text is 0 × 0.
    /// </summary>
    public static (int Width, int Height) Measure(string text, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckScale(scale);
        if (text.Length == 0) return (0, 0);
        long widest = 0, lines = 0;
        foreach (var line in text.Split('\n'))
        {
            widest = Math.Max(widest, CellCount(line));
            lines++;
        }
        long width = widest * BitmapFont.CellWidth * scale, height = lines * BitmapFont.CellHeight * scale;
        if (width > int.MaxValue || height > int.MaxValue)
            throw new ArgumentException($"text of {widest} characters × {lines} lines at scale {scale} is too large to measure", nameof(text));
        return ((int)width, (int)height);
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); anything outside the image is clipped.</summary>
    public static void Draw(RgbaImage image, string text, int x, int y, int scale, byte r, byte g, byte b)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(text);
        CheckScale(scale);
        long lineTop = y;
        foreach (var line in text.Split('\n'))
        {
            long left = x;
            foreach (var rune in line.EnumerateRunes())
            {
                if (rune.Value == '\r') continue;
                DrawGlyph(image, Drawn(rune), left, lineTop, scale, r, g, b);
                left += (long)BitmapFont.CellWidth * scale;
            }
            lineTop += (long)BitmapFont.CellHeight * scale;
        }
    }

    /// <summary>
    /// Breaks <paramref name="text"/> into lines of at most <paramref name="maxWidthPixels"/> (at least one
    /// character per line, however narrow): words are separated by spaces (runs of spaces collapse), a word
    /// longer than a line is cut, '\n' always starts a new line. When more than <paramref name="maxLines"/>
    /// lines would result, the last one kept ends with "..." (within the width). Empty text gives no lines.
    /// </summary>
    public static IReadOnlyList<string> Wrap(string text, int maxWidthPixels, int scale = 1, int maxLines = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckScale(scale);
        if (maxWidthPixels < 0) throw new ArgumentOutOfRangeException(nameof(maxWidthPixels), maxWidthPixels, "the width must not be negative");
        if (maxLines < 1) throw new ArgumentOutOfRangeException(nameof(maxLines), maxLines, "at least one line is needed");
        var lines = new List<string>();
        if (text.Length == 0) return lines;
        int perLine = Math.Max(1, maxWidthPixels / (BitmapFont.CellWidth * scale));

        bool cut = false;
        foreach (var paragraph in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = new List<string>(); // the words of the line being filled, as text elements of one cell each
            int used = 0;
            void Flush() { lines.Add(string.Concat(line)); line.Clear(); used = 0; }

            bool any = false;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var cells = Cells(word);
                // A word that does not fit after what the line holds starts a new line; one longer than a line is cut.
                if (used > 0 && used + 1 + cells.Count > perLine) Flush();
                for (int start = 0; start < cells.Count;)
                {
                    if (used > 0)
                    {
                        line.Add(" ");
                        used++;
                    }
                    int take = Math.Min(cells.Count - start, perLine - used);
                    line.AddRange(cells.GetRange(start, take));
                    used += take;
                    start += take;
                    if (start < cells.Count) Flush();
                }
                any = true;
            }
            if (any || line.Count > 0) Flush();
            else lines.Add(""); // an empty paragraph is an empty line
            if (lines.Count > maxLines) { cut = true; break; }
        }
        if (!cut) return lines;

        lines.RemoveRange(maxLines, lines.Count - maxLines);
        var last = Cells(lines[^1].TrimEnd(' '));
        int keep = Math.Max(0, Math.Min(last.Count, perLine - 3));
        string ellipsis = perLine >= 3 ? "..." : new string('.', perLine);
        lines[^1] = (string.Concat(last.GetRange(0, keep)).TrimEnd(' ') + ellipsis);
        return lines;
    }

    /// <summary>How many cells a line without '\n' takes.</summary>
    private static long CellCount(string line)
    {
        long n = 0;
        foreach (var rune in line.EnumerateRunes())
            if (rune.Value != '\r') n++;
        return n;
    }

    /// <summary>The characters of a word as strings of one cell each, so a cut never splits a surrogate pair.</summary>
    private static List<string> Cells(string word)
    {
        var cells = new List<string>(word.Length);
        foreach (var rune in word.EnumerateRunes()) cells.Add(rune.ToString());
        return cells;
    }

    private static Rune Drawn(Rune rune) => rune.Value == '\t' ? new Rune(' ') : rune;

    private static void DrawGlyph(RgbaImage image, Rune rune, long left, long top, int scale, byte r, byte g, byte b)
    {
        // Skip cells entirely outside the image before touching the glyph rows.
        if (left >= image.Width || top >= image.Height
            || left + (long)BitmapFont.GlyphWidth * scale <= 0 || top + (long)BitmapFont.GlyphHeight * scale <= 0) return;
        var rows = BitmapFont.Glyph(rune);
        var pixels = image.Pixels;
        for (int gy = 0; gy < BitmapFont.GlyphHeight; gy++)
        {
            int mask = rows[gy];
            if (mask == 0) continue;
            long y0 = Math.Max(0, top + (long)gy * scale), y1 = Math.Min(image.Height, top + (long)(gy + 1) * scale);
            if (y0 >= y1) continue;
            for (int gx = 0; gx < BitmapFont.GlyphWidth; gx++)
            {
                if ((mask & (1 << (BitmapFont.GlyphWidth - 1 - gx))) == 0) continue;
                long x0 = Math.Max(0, left + (long)gx * scale), x1 = Math.Min(image.Width, left + (long)(gx + 1) * scale);
                for (long py = y0; py < y1; py++)
                    for (long px = x0; px < x1; px++)
                    {
                        long i = (py * image.Width + px) * 4;
                        pixels[i] = r;
                        pixels[i + 1] = g;
                        pixels[i + 2] = b;
                        pixels[i + 3] = 255;
                    }
            }
        }
    }

    private static void CheckScale(int scale)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the font scale must be 1 or more");
    }
}
