using System.Diagnostics;

namespace LoraPS.Tests.Images;

/// <summary>
/// A conformance test that needs the reference decoders' command-line tools (Debian's imagemagick,
/// netpbm, libpng-tools): skipped, naming the missing tool, where they are not installed.
/// </summary>
public sealed class ImageToolsFactAttribute : FactAttribute
{
    public ImageToolsFactAttribute(params string[] tools)
    {
        string? missing = ReferenceTool.FirstMissing(tools);
        if (missing != null) Skip = $"'{missing}' is not installed (apt-get install imagemagick netpbm libpng-tools)";
    }
}

public sealed class ImageToolsTheoryAttribute : TheoryAttribute
{
    public ImageToolsTheoryAttribute(params string[] tools)
    {
        string? missing = ReferenceTool.FirstMissing(tools);
        if (missing != null) Skip = $"'{missing}' is not installed (apt-get install imagemagick netpbm libpng-tools)";
    }
}

/// <summary>Runs a reference tool and returns what it printed; a failure is an exception carrying its stderr.</summary>
public static class ReferenceTool
{
    public static string? Find(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>ImageMagick's convert must be the real one (/usr/local/bin may hold a minimal stand-in that only writes PPM).</summary>
    public static string? FirstMissing(IEnumerable<string> tools)
    {
        foreach (string tool in tools)
        {
            if (tool == "convert") { if (!File.Exists("/usr/bin/convert") && Find("magick") == null) return "convert (ImageMagick)"; }
            else if (Find(tool) == null) return tool;
        }
        return null;
    }

    public static string ConvertPath => File.Exists("/usr/bin/convert") ? "/usr/bin/convert" : "convert";

    public static byte[] Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool == "convert" ? ConvertPath : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
        return output.ToArray();
    }
}

/// <summary>A Netpbm PAM file as pngtopam -alphapam writes it.</summary>
public sealed record Pam(int Width, int Height, int Depth, int MaxVal, ushort[] Samples)
{
    public static Pam Parse(byte[] data)
    {
        int pos = 0, width = 0, height = 0, depth = 0, maxval = 0;
        string ReadLine()
        {
            int end = Array.IndexOf(data, (byte)'\n', pos);
            string line = System.Text.Encoding.ASCII.GetString(data, pos, end - pos);
            pos = end + 1;
            return line;
        }
        if (ReadLine() != "P7") throw new FormatException("not a PAM file");
        for (string line = ReadLine(); line != "ENDHDR"; line = ReadLine())
        {
            var parts = line.Split(' ', 2);
            switch (parts[0])
            {
                case "WIDTH": width = int.Parse(parts[1]); break;
                case "HEIGHT": height = int.Parse(parts[1]); break;
                case "DEPTH": depth = int.Parse(parts[1]); break;
                case "MAXVAL": maxval = int.Parse(parts[1]); break;
            }
        }
        var samples = new ushort[width * height * depth];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = maxval > 255 ? (ushort)(data[pos + 2 * i] << 8 | data[pos + 2 * i + 1]) : data[pos + i];
        return new Pam(width, height, depth, maxval, samples);
    }

    /// <summary>As 16-bit RGBA, scaling each sample exactly (maxval 1, 3, 15, 255 and 65535 all divide 65535).</summary>
    public ushort[] ToRgba16()
    {
        var rgba = new ushort[Width * Height * 4];
        int scale = 65535 / MaxVal;
        for (int p = 0; p < Width * Height; p++)
        {
            int s = p * Depth;
            ushort Get(int c) => (ushort)(Samples[s + c] * scale);
            (ushort r, ushort g, ushort b, ushort a) = Depth switch
            {
                1 => (Get(0), Get(0), Get(0), (ushort)65535),
                2 => (Get(0), Get(0), Get(0), Get(1)),
                3 => (Get(0), Get(1), Get(2), (ushort)65535),
                _ => (Get(0), Get(1), Get(2), Get(3)),
            };
            rgba[p * 4] = r; rgba[p * 4 + 1] = g; rgba[p * 4 + 2] = b; rgba[p * 4 + 3] = a;
        }
        return rgba;
    }
}
