using System.Diagnostics;
using System.Text;
using LoraPS.Formats.Images;

namespace LoraPS.Tests.Images;

/// <summary>Runs the reference image tools and reads their PNM/PAM output; makes deterministic test pictures.</summary>
public static class ReferenceImageTools
{
    /// <summary>The Debian package that installs each tool, for the skip message.</summary>
    private static readonly Dictionary<string, string> Packages = new()
    {
        ["convert"] = "imagemagick", ["pngtopam"] = "netpbm",
        ["cjpeg"] = "libjpeg-turbo-progs", ["djpeg"] = "libjpeg-turbo-progs",
        ["cwebp"] = "webp", ["dwebp"] = "webp", ["img2webp"] = "webp", ["webpmux"] = "webp",
    };

    /// <summary>
    /// The tool's full path, or null. "convert" must be the real ImageMagick (/usr/bin/convert, or its
    /// <c>magick</c> driver, which takes convert's arguments): /usr/local/bin may hold a minimal stand-in
    /// that only writes PPM.
    /// </summary>
    public static string? Find(string tool)
    {
        if (tool == "convert") return File.Exists("/usr/bin/convert") ? "/usr/bin/convert" : Find("magick");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The first of the tools that is not installed, or null when all are.</summary>
    public static string? FirstMissing(IEnumerable<string> tools) => tools.FirstOrDefault(t => Find(t) is null);

    /// <summary>Why a test needing these tools is skipped, or null when they are all installed.</summary>
    public static string? SkipReason(IEnumerable<string> tools)
    {
        var missing = tools.Where(t => Find(t) is null).ToList();
        if (missing.Count == 0) return null;
        var packages = missing.Select(t => Packages.GetValueOrDefault(t, t)).Distinct();
        return $"needs {string.Join(", ", missing)} on PATH (apt-get install {string.Join(' ', packages)})";
    }

    /// <summary>Runs a tool and returns its standard output; fails the test with its standard error on a non-zero exit.</summary>
    public static byte[] Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
        return output.ToArray();
    }

    /// <summary>A picture with smooth gradients, hard edges and noise, so every coder path gets exercised.</summary>
    public static RgbaImage TestPattern(int width, int height, int seed = 1, bool alpha = false)
    {
        var image = new RgbaImage(width, height);
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 4;
                bool stripe = ((x / 7) + (y / 5)) % 3 == 0;
                int noise = random.Next(-12, 13);
                image.Pixels[o] = Clamp(x * 255 / Math.Max(1, width - 1) + noise);
                image.Pixels[o + 1] = Clamp((stripe ? 200 : 40) + noise);
                image.Pixels[o + 2] = Clamp(y * 255 / Math.Max(1, height - 1) - noise);
                image.Pixels[o + 3] = alpha ? Clamp((x + y) * 255 / Math.Max(1, width + height - 2) + noise) : (byte)255;
            }
        return image;
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    /// <summary>Writes RGB as binary PPM (or RGBA as PAM) for the encoders to read.</summary>
    public static void WritePnm(RgbaImage image, string path, bool withAlpha = false)
    {
        using var stream = File.Create(path);
        string header = withAlpha
            ? $"P7\nWIDTH {image.Width}\nHEIGHT {image.Height}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
            : $"P6\n{image.Width} {image.Height}\n255\n";
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (withAlpha) { stream.Write(image.Pixels); return; }
        var rgb = new byte[image.Width * image.Height * 3];
        for (int i = 0, j = 0; i < image.Pixels.Length; i += 4, j += 3)
        {
            rgb[j] = image.Pixels[i]; rgb[j + 1] = image.Pixels[i + 1]; rgb[j + 2] = image.Pixels[i + 2];
        }
        stream.Write(rgb);
    }

    /// <summary>Reads P5 (grey), P6 (RGB) or P7 (PAM: grey, grey+alpha, RGB, RGBA) into RGBA.</summary>
    public static RgbaImage ReadPnm(byte[] data)
    {
        int pos = 0;
        string magic = Token(data, ref pos);
        int width, height, depth, maxval;
        if (magic == "P7")
        {
            width = height = depth = maxval = 0;
            while (true)
            {
                string key = Token(data, ref pos);
                if (key == "ENDHDR") break;
                string value = Token(data, ref pos);
                switch (key)
                {
                    case "WIDTH": width = int.Parse(value); break;
                    case "HEIGHT": height = int.Parse(value); break;
                    case "DEPTH": depth = int.Parse(value); break;
                    case "MAXVAL": maxval = int.Parse(value); break;
                }
            }
        }
        else
        {
            width = int.Parse(Token(data, ref pos));
            height = int.Parse(Token(data, ref pos));
            maxval = int.Parse(Token(data, ref pos));
            depth = magic == "P5" ? 1 : magic == "P6" ? 3 : throw new InvalidDataException($"unexpected PNM type {magic}");
        }
        pos++; // the single whitespace byte after the header
        if (maxval != 255) throw new InvalidDataException($"PNM maxval {maxval}");
        var image = new RgbaImage(width, height);
        for (int i = 0; i < width * height; i++)
        {
            int s = pos + i * depth, o = i * 4;
            switch (depth)
            {
                case 1: image.Pixels[o] = image.Pixels[o + 1] = image.Pixels[o + 2] = data[s]; image.Pixels[o + 3] = 255; break;
                case 2: image.Pixels[o] = image.Pixels[o + 1] = image.Pixels[o + 2] = data[s]; image.Pixels[o + 3] = data[s + 1]; break;
                case 3: image.Pixels[o] = data[s]; image.Pixels[o + 1] = data[s + 1]; image.Pixels[o + 2] = data[s + 2]; image.Pixels[o + 3] = 255; break;
                default: Array.Copy(data, s, image.Pixels, o, 4); break;
            }
        }
        return image;
    }

    private static string Token(byte[] data, ref int pos)
    {
        while (true)
        {
            while (pos < data.Length && char.IsWhiteSpace((char)data[pos])) pos++;
            if (pos < data.Length && data[pos] == '#') { while (pos < data.Length && data[pos] != '\n') pos++; continue; }
            break;
        }
        int start = pos;
        while (pos < data.Length && !char.IsWhiteSpace((char)data[pos])) pos++;
        return Encoding.ASCII.GetString(data, start, pos - start);
    }

    /// <summary>The largest per-channel difference, after checking the sizes agree.</summary>
    public static int MaxDifference(RgbaImage expected, RgbaImage actual, out string where)
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        int max = 0;
        where = "";
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            if (d > max)
            {
                max = d;
                int p = i / 4;
                where = $"pixel ({p % expected.Width}, {p / expected.Width}) channel {i % 4}: expected {expected.Pixels[i]}, got {actual.Pixels[i]}";
            }
        }
        return max;
    }
}
