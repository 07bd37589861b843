using System.Security.Cryptography;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Tests.Rename;

/// <summary>Builds folders of small, all-different training images and sidecars, and snapshots them (name → content hash).</summary>
internal static class RenameTestFolder
{
    /// <summary>A distinct small PNG (its pixels encode <paramref name="id"/>).</summary>
    public static byte[] Png(int id, int w = 3, int h = 2)
    {
        var image = new RgbaImage(w, h);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)(id * 31 + i * 7);
        return PngEncoder.Encode(image);
    }

    public static byte[] Bmp(int id)
    {
        byte[] pixels = new byte[8]; // 2×1, 24-bit, padded to 8
        pixels[0] = (byte)id; pixels[1] = (byte)(id >> 8); pixels[3] = 200;
        return Images.BmpBuilder.Build(2, 1, 24, 0, pixels);
    }

    public static void Write(string folder, string name, byte[] content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, name))!);
        File.WriteAllBytes(Path.Combine(folder, name), content);
    }

    public static void Write(string folder, string name, string text) =>
        Write(folder, name, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Relative path → SHA-256 of every file under <paramref name="folder"/>.</summary>
    public static SortedDictionary<string, string> Snapshot(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);

    /// <summary>The standard set: three images in a mixed order, sidecars of every kind, one corrupt picture,
    /// and an unrelated file holding a name the rename would like to use.</summary>
    public static void Standard(string folder)
    {
        Write(folder, "img10.png", Png(10));
        Write(folder, "img2.png", Png(2));
        Write(folder, "img1 写真.bmp", Bmp(1));
        Write(folder, "img2.txt", "1girl, solo");
        Write(folder, "img2.npz", [1, 2, 3, 4]);
        Write(folder, "img10.caption", "a photo of sks");
        Write(folder, "img10.json", "{}");
        Write(folder, "broken.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        Write(folder, "x (4).txt", "not mine");
        Write(folder, "notes.md", "keep me");
    }
}
