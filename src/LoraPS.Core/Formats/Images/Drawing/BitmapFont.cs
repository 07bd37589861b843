using System.Text;

namespace LoraPS.Formats.Images.Drawing;

/// <summary>
/// A built-in 5×9 pixel font for printable ASCII (0x20–0x7E), designed for this project, in 6×10 cells
/// (one blank column on the right and one blank row at the bottom separate glyphs and lines).
/// Capitals and digits use rows 0–6, lower case has its x-height on rows 2–6 and descenders on rows 7–8.
/// Every other character is drawn as <see cref="Replacement"/>, a box filling the whole glyph area,
/// so unsupported text is visible rather than silently dropped.
/// </summary>
public static class BitmapFont
{
    /// <summary>Horizontal advance of one character in pixels at scale 1.</summary>
    public static int CellWidth => 6;

    /// <summary>Height of one line in pixels at scale 1.</summary>
    public static int CellHeight => 10;

    /// <summary>Width of the inked area of a cell: columns 0 to GlyphWidth−1.</summary>
    public const int GlyphWidth = 5;

    /// <summary>Height of the inked area of a cell: rows 0 to GlyphHeight−1.</summary>
    public const int GlyphHeight = 9;

    public const char FirstCharacter = ' ';
    public const char LastCharacter = '~';

    // One string per character from 0x20 upward: rows top to bottom separated by spaces, '#' inked,
    // '.' blank; rows left out at the end are blank. Kept visual so a glyph can be fixed by eye.
    private static readonly string[] Source =
    [
        "",                                                   // space
        "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",          // !
        ".#.#. .#.#. .#.#.",                                  // "
        ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",          // #
        "..#.. .#### #.#.. .###. ..#.# ####. ..#..",          // $
        "##... ##..# ...#. ..#.. .#... #..## ...##",          // %
        ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",          // &
        "..#.. ..#.. .#...",                                  // '
        "...#. ..#.. .#... .#... .#... ..#.. ...#.",          // (
        ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",          // )
        "..... ..#.. #.#.# .###. #.#.# ..#..",                // *
        "..... ..#.. ..#.. ##### ..#.. ..#..",                // +
        "..... ..... ..... ..... ..... .##.. ..#.. .#...",    // ,
        "..... ..... ..... #####",                            // -
        "..... ..... ..... ..... ..... .##.. .##..",          // .
        "..... ....# ...#. ..#.. .#... #....",                // /
        ".###. #...# #..## #.#.# ##..# #...# .###.",          // 0
        "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",          // 1
        ".###. #...# ....# ...#. ..#.. .#... #####",          // 2
        "##### ...#. ..#.. ...#. ....# #...# .###.",          // 3
        "...#. ..##. .#.#. #..#. ##### ...#. ...#.",          // 4
        "##### #.... ####. ....# ....# #...# .###.",          // 5
        "..##. .#... #.... ####. #...# #...# .###.",          // 6
        "##### ....# ...#. ..#.. .#... .#... .#...",          // 7
        ".###. #...# #...# .###. #...# #...# .###.",          // 8
        ".###. #...# #...# .#### ....# ...#. .##..",          // 9
        "..... .##.. .##.. ..... .##.. .##..",                // :
        "..... .##.. .##.. ..... .##.. ..#.. .#...",          // ;
        "...#. ..#.. .#... #.... .#... ..#.. ...#.",          // <
        "..... ..... ##### ..... #####",                      // =
        ".#... ..#.. ...#. ....# ...#. ..#.. .#...",          // >
        ".###. #...# ....# ...#. ..#.. ..... ..#..",          // ?
        ".###. #...# ....# .##.# #.#.# #.#.# .###.",          // @
        ".###. #...# #...# ##### #...# #...# #...#",          // A
        "####. #...# #...# ####. #...# #...# ####.",          // B
        ".###. #...# #.... #.... #.... #...# .###.",          // C
        "###.. #..#. #...# #...# #...# #..#. ###..",          // D
        "##### #.... #.... ####. #.... #.... #####",          // E
        "##### #.... #.... ####. #.... #.... #....",          // F
        ".###. #...# #.... #.### #...# #...# .####",          // G
        "#...# #...# #...# ##### #...# #...# #...#",          // H
        ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",          // I
        "..### ...#. ...#. ...#. ...#. #..#. .##..",          // J
        "#...# #..#. #.#.. ##... #.#.. #..#. #...#",          // K
        "#.... #.... #.... #.... #.... #.... #####",          // L
        "#...# ##.## #.#.# #.#.# #...# #...# #...#",          // M
        "#...# #...# ##..# #.#.# #..## #...# #...#",          // N
        ".###. #...# #...# #...# #...# #...# .###.",          // O
        "####. #...# #...# ####. #.... #.... #....",          // P
        ".###. #...# #...# #...# #.#.# #..#. .##.#",          // Q
        "####. #...# #...# ####. #.#.. #..#. #...#",          // R
        ".#### #.... #.... .###. ....# ....# ####.",          // S
        "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",          // T
        "#...# #...# #...# #...# #...# #...# .###.",          // U
        "#...# #...# #...# #...# #...# .#.#. ..#..",          // V
        "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",          // W
        "#...# #...# .#.#. ..#.. .#.#. #...# #...#",          // X
        "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",          // Y
        "##### ....# ...#. ..#.. .#... #.... #####",          // Z
        ".###. .#... .#... .#... .#... .#... .###.",          // [
        "..... #.... .#... ..#.. ...#. ....#",                // \
        ".###. ...#. ...#. ...#. ...#. ...#. .###.",          // ]
        "..#.. .#.#. #...#",                                  // ^
        "..... ..... ..... ..... ..... ..... ..... #####",    // _
        ".#... ..#.. ...#.",                                  // `
        "..... ..... .###. ....# .#### #...# .####",          // a
        "#.... #.... #.##. ##..# #...# #...# ####.",          // b
        "..... ..... .###. #.... #.... #...# .###.",          // c
        "....# ....# .##.# #..## #...# #...# .####",          // d
        "..... ..... .###. #...# ##### #.... .###.",          // e
        "..##. .#..# .#... ###.. .#... .#... .#...",          // f
        "..... ..... .#### #...# #...# #..## .##.# ....# .###.", // g
        "#.... #.... #.##. ##..# #...# #...# #...#",          // h
        "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",          // i
        "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..", // j
        "#.... #.... #..#. #.#.. ##... #.#.. #..#.",          // k
        ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",          // l
        "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",          // m
        "..... ..... #.##. ##..# #...# #...# #...#",          // n
        "..... ..... .###. #...# #...# #...# .###.",          // o
        "..... ..... ####. #...# #...# #...# ####. #.... #....", // p
        "..... ..... .#### #...# #...# #...# .#### ....# ....#", // q
        "..... ..... #.##. ##..# #.... #.... #....",          // r
        "..... ..... .###. #.... .###. ....# ####.",          // s
        ".#... .#... ###.. .#... .#... .#..# ..##.",          // t
        "..... ..... #...# #...# #...# #..## .##.#",          // u
        "..... ..... #...# #...# #...# .#.#. ..#..",          // v
        "..... ..... #...# #...# #.#.# #.#.# .#.#.",          // w
        "..... ..... #...# .#.#. ..#.. .#.#. #...#",          // x
        "..... ..... #...# #...# #...# #...# .#### ....# .###.", // y
        "..... ..... ##### ...#. ..#.. .#... #####",          // z
        "...## ..#.. ..#.. ##... ..#.. ..#.. ...##",          // {
        "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..", // |
        "##... ..#.. ..#.. ...## ..#.. ..#.. ##...",          // }
        "..... ..... .#... #.#.# ...#.",                      // ~
    ];

    private const string ReplacementSource = "##### #...# #...# #...# #...# #...# #...# #...# #####";

    // GlyphHeight row masks per character; bit 4 is the leftmost column.
    private static readonly byte[] Rows = Build();
    private static readonly byte[] ReplacementRows = Parse(ReplacementSource, '?');

    /// <summary>True when <paramref name="rune"/> has its own glyph (printable ASCII).</summary>
    public static bool HasGlyph(Rune rune) => rune.Value is >= FirstCharacter and <= LastCharacter;

    /// <summary>The GlyphHeight row masks of <paramref name="rune"/> (bit GlyphWidth−1−x set = column x inked); the replacement box for characters without a glyph.</summary>
    public static ReadOnlySpan<byte> Glyph(Rune rune) =>
        HasGlyph(rune) ? Rows.AsSpan((rune.Value - FirstCharacter) * GlyphHeight, GlyphHeight) : ReplacementRows;

    /// <summary>The replacement box drawn for characters outside printable ASCII.</summary>
    public static ReadOnlySpan<byte> Replacement => ReplacementRows;

    /// <summary>Whether pixel (x, y) of the cell of <paramref name="rune"/> is inked; false anywhere outside the glyph area.</summary>
    public static bool IsInked(Rune rune, int x, int y) =>
        (uint)x < GlyphWidth && (uint)y < GlyphHeight && (Glyph(rune)[y] & (1 << (GlyphWidth - 1 - x))) != 0;

    private static byte[] Build()
    {
        if (Source.Length != LastCharacter - FirstCharacter + 1)
            throw new InvalidOperationException($"the font table has {Source.Length} glyphs, not {LastCharacter - FirstCharacter + 1}");
        var rows = new byte[Source.Length * GlyphHeight];
        for (int i = 0; i < Source.Length; i++)
            Parse(Source[i], (char)(FirstCharacter + i)).CopyTo(rows, i * GlyphHeight);
        return rows;
    }

    private static byte[] Parse(string glyph, char c)
    {
        var rows = new byte[GlyphHeight];
        var lines = glyph.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length > GlyphHeight) throw new InvalidOperationException($"glyph '{c}' has {lines.Length} rows, more than {GlyphHeight}");
        for (int y = 0; y < lines.Length; y++)
        {
            if (lines[y].Length != GlyphWidth || lines[y].Any(p => p is not ('#' or '.')))
                throw new InvalidOperationException($"glyph '{c}' row {y} is not {GlyphWidth} of '#' and '.'");
            for (int x = 0; x < GlyphWidth; x++)
                if (lines[y][x] == '#') rows[y] |= (byte)(1 << (GlyphWidth - 1 - x));
        }
        return rows;
    }
}
