namespace LoraPS.Tests.Images;

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
