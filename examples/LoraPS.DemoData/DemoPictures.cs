using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;

namespace LoraPS.DemoData;

/// <summary>
/// Twelve pictures of several sizes and dominant colours, named the way camera and phone folders
/// are (mixed case, spaces, a Japanese name, numbers that sort wrongly as text), with one caption.
/// </summary>
internal static class DemoPictures
{
    private static readonly (string Name, int W, int H, byte R, byte G, byte B)[] Pictures =
    {
        ("IMG_0002.png", 512, 768, 220, 40, 40),
        ("IMG_0010.png", 768, 512, 40, 200, 60),
        ("IMG_0001.png", 640, 640, 30, 60, 220),
        ("photo 3.png", 600, 900, 235, 235, 225),
        ("photo 12.png", 900, 600, 25, 20, 30),
        ("写真 1.png", 512, 512, 200, 60, 200),
        ("写真 2.png", 704, 512, 60, 200, 200),
        ("scan-7.png", 448, 640, 210, 180, 40),
        ("scan-8.png", 1024, 768, 90, 90, 90),
        ("Selfie.png", 720, 1280, 230, 120, 80),
        ("sketch_a.png", 500, 500, 250, 250, 250),
        ("sketch_b.png", 333, 500, 10, 10, 120),
    };

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, w, h, r, g, b) in Pictures)
            PngEncoder.Save(Gradient(w, h, r, g, b), Path.Combine(folder, name), overwrite: true);
        File.WriteAllText(Path.Combine(folder, "IMG_0002.txt"), "mylora, red shirt");
    }

    /// <summary>The colour, shaded top to bottom and with a lighter disc in the middle, so pictures are not flat.</summary>
    private static RgbaImage Gradient(int w, int h, byte r, byte g, byte b)
    {
        var image = new RgbaImage(w, h);
        double cx = w / 2.0, cy = h / 2.0, radius = Math.Min(w, h) / 4.0;
        for (int y = 0; y < h; y++)
        {
            var row = image.Row(y);
            double shade = 0.75 + 0.25 * y / h;
            for (int x = 0; x < w; x++)
            {
                bool disc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
                double k = disc ? 1.1 : shade;
                row[x * 4] = (byte)Math.Min(255, r * k);
                row[x * 4 + 1] = (byte)Math.Min(255, g * k);
                row[x * 4 + 2] = (byte)Math.Min(255, b * k);
                row[x * 4 + 3] = 255;
            }
        }
        return image;
    }
}
