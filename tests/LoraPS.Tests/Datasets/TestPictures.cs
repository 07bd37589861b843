using System.Text;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Tests.Datasets;

/// <summary>
/// Minimal valid PNG files for dataset tests: signature, IHDR of the wanted size, a tEXt chunk that
/// makes each file's content unique, IEND. Header probing reads only the start, so no pixels are needed.
/// </summary>
internal static class TestPictures
{
    private static int _counter;

    public static string Png(string path, int width, int height, string? uniqueText = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, PngBytes(width, height, uniqueText ?? $"{path}#{Interlocked.Increment(ref _counter)}"));
        return path;
    }

    public static byte[] PngBytes(int width, int height, string text)
    {
        using var file = new MemoryStream();
        PngChunk.WriteStart(file, width, height, PngColorType.Rgb);
        PngChunk.Write(file, PngChunk.tEXt, Encoding.Latin1.GetBytes("Comment\0" + text));
        PngChunk.Write(file, PngChunk.IEND, []);
        return file.ToArray();
    }

    /// <summary>A folder of <paramref name="count"/> pictures named img_000.png … with .txt captions unless told otherwise.</summary>
    public static List<string> Folder(string folder, int count, int width, int height, string? captionExtension = ".txt", string prefix = "img")
    {
        var files = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string file = Png(Path.Combine(folder, $"{prefix}_{i:000}.png"), width, height);
            if (captionExtension is not null) File.WriteAllText(Path.ChangeExtension(file, captionExtension), $"tag{i}, other");
            files.Add(file);
        }
        return files;
    }
}
