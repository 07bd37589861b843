namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// Decodes WebP lossless (VP8L) bit streams to ARGB (0xAARRGGBB per pixel): prefix-coded pixels with
/// LZ77 back-references and a colour cache, meta prefix codes (Huffman groups), and the four inverse
/// transforms (predictor, cross-colour, subtract-green, colour indexing).
/// </summary>
internal sealed class Vp8LDecoder
{
    private const int NumLiteralCodes = 256, NumLengthCodes = 24, NumDistanceCodes = 40;
    private const int MaxCacheBits = 11;
    private static readonly byte[] CodeLengthOrder = { 17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

    private readonly Vp8LBitReader _reader;
    private readonly string? _path;

    private Vp8LDecoder(Vp8LBitReader reader, string? path)
    {
        _reader = reader;
        _path = path;
    }

    private ImageFormatException Error(string defect) => new(_path, "WebP lossless: " + defect);

    /// <summary>Reads the 5-byte VP8L header: signature, size, alpha hint, version.</summary>
    public static (int Width, int Height, bool Alpha) ReadHeader(ReadOnlySpan<byte> data, string? path)
    {
        if (data.Length < 5 || data[0] != 0x2F) throw new ImageFormatException(path, "WebP lossless: missing the 0x2F signature");
        uint bits = (uint)(data[1] | (data[2] << 8) | (data[3] << 16) | (data[4] << 24));
        int width = (int)(bits & 0x3FFF) + 1, height = (int)((bits >> 14) & 0x3FFF) + 1;
        bool alpha = ((bits >> 28) & 1) != 0;
        if ((bits >> 29) != 0) throw new ImageFormatException(path, $"WebP lossless: unknown version {bits >> 29}");
        return (width, height, alpha);
    }

    /// <summary>Decodes a whole VP8L chunk payload (header included).</summary>
    public static uint[] Decode(byte[] data, int start, int end, ImageDecodeOptions options, string? path, out int width, out int height)
    {
        (width, height, _) = ReadHeader(data.AsSpan(start, end - start), path);
        options.CheckSize(width, height, path);
        var decoder = new Vp8LDecoder(new Vp8LBitReader(data, start + 5, end), path);
        return decoder.DecodeImage(width, height);
    }

    /// <summary>Decodes a header-less VP8L stream of known size (the ALPH chunk's lossless alpha).</summary>
    public static uint[] DecodeHeaderless(byte[] data, int start, int end, int width, int height, string? path)
    {
        var decoder = new Vp8LDecoder(new Vp8LBitReader(data, start, end), path);
        return decoder.DecodeImage(width, height);
    }

    private enum TransformType { Predictor = 0, CrossColor = 1, SubtractGreen = 2, ColorIndexing = 3 }

    private sealed record Transform(TransformType Type, int Width, int Bits, uint[]? Data);

    private uint[] DecodeImage(int width, int height)
    {
        var transforms = new List<Transform>();
        int codedWidth = width;
        int seen = 0;
        while (_reader.ReadBits(1) == 1)
        {
            var type = (TransformType)_reader.ReadBits(2);
            if ((seen & (1 << (int)type)) != 0) throw Error($"the {type} transform appears twice");
            seen |= 1 << (int)type;
            switch (type)
            {
                case TransformType.Predictor:
                case TransformType.CrossColor:
                {
                    int bits = _reader.ReadBits(3) + 2;
                    uint[] sub = DecodeEntropyImage(SubSize(codedWidth, bits), SubSize(height, bits), false);
                    transforms.Add(new Transform(type, codedWidth, bits, sub));
                    break;
                }
                case TransformType.SubtractGreen:
                    transforms.Add(new Transform(type, codedWidth, 0, null));
                    break;
                case TransformType.ColorIndexing:
                {
                    int size = _reader.ReadBits(8) + 1;
                    int bits = size > 16 ? 0 : size > 4 ? 1 : size > 2 ? 2 : 3;
                    uint[] palette = DecodeEntropyImage(size, 1, false);
                    for (int i = 1; i < size; i++) palette[i] = AddPixels(palette[i], palette[i - 1]);
                    // Indices past the table read as transparent black.
                    var full = new uint[1 << (8 >> bits)];
                    Array.Copy(palette, full, Math.Min(size, full.Length));
                    transforms.Add(new Transform(type, codedWidth, bits, full));
                    codedWidth = SubSize(codedWidth, bits);
                    break;
                }
            }
        }

        uint[] pixels = DecodeEntropyImage(codedWidth, height, true);

        for (int i = transforms.Count - 1; i >= 0; i--)
        {
            var t = transforms[i];
            switch (t.Type)
            {
                case TransformType.Predictor: InversePredictor(pixels, t.Width, height, t.Bits, t.Data!); break;
                case TransformType.CrossColor: InverseCrossColor(pixels, t.Width, height, t.Bits, t.Data!); break;
                case TransformType.SubtractGreen: InverseSubtractGreen(pixels); break;
                case TransformType.ColorIndexing: pixels = InverseColorIndexing(pixels, t.Width, height, t.Bits, t.Data!); break;
            }
        }
        if (_reader.Overrun) throw Error("the data ends early (truncated file)");
        return pixels;
    }

    private static int SubSize(int size, int bits) => (size + (1 << bits) - 1) >> bits;

    private sealed class HuffmanGroup
    {
        public required Vp8LHuffmanCode Green, Red, Blue, Alpha, Distance;
    }

    /// <summary>Decodes one entropy-coded image: colour cache, (for the main image) meta codes, prefix codes, pixels.</summary>
    private uint[] DecodeEntropyImage(int width, int height, bool isMain)
    {
        int cacheBits = 0;
        if (_reader.ReadBits(1) == 1)
        {
            cacheBits = _reader.ReadBits(4);
            if (cacheBits < 1 || cacheBits > MaxCacheBits) throw Error($"invalid colour cache size {cacheBits} bits");
        }

        int metaBits = 0, metaWidth = 0;
        uint[]? meta = null;
        int groupCount = 1;
        if (isMain && _reader.ReadBits(1) == 1)
        {
            metaBits = _reader.ReadBits(3) + 2;
            metaWidth = SubSize(width, metaBits);
            meta = DecodeEntropyImage(metaWidth, SubSize(height, metaBits), false);
            int max = 0;
            for (int i = 0; i < meta.Length; i++)
            {
                int g = (int)((meta[i] >> 8) & 0xFFFF);
                meta[i] = (uint)g;
                if (g > max) max = g;
            }
            groupCount = max + 1;
        }
        if (_reader.Overrun) throw Error("the data ends early (truncated file)");

        int cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
        var groups = new HuffmanGroup[groupCount];
        var lengths = new byte[NumLiteralCodes + NumLengthCodes + cacheSize];
        for (int g = 0; g < groupCount; g++)
        {
            groups[g] = new HuffmanGroup
            {
                Green = ReadCode(NumLiteralCodes + NumLengthCodes + cacheSize, lengths),
                Red = ReadCode(NumLiteralCodes, lengths),
                Blue = ReadCode(NumLiteralCodes, lengths),
                Alpha = ReadCode(NumLiteralCodes, lengths),
                Distance = ReadCode(NumDistanceCodes, lengths),
            };
            if (_reader.Overrun) throw Error("the data ends early (truncated file)");
        }

        long total = (long)width * height;
        var pixels = new uint[total];
        var cache = cacheSize > 0 ? new uint[cacheSize] : null;
        int cacheShift = 32 - cacheBits;
        int x = 0, y = 0, pos = 0;
        int mask = meta is null ? -1 : (1 << metaBits) - 1;
        HuffmanGroup group = groups[0];
        var reader = _reader;
        int cached = 0; // pixels before this index are in the cache
        while (pos < total)
        {
            if (meta is not null && (x & mask) == 0)
                group = groups[meta[(y >> metaBits) * metaWidth + (x >> metaBits)]];
            int code = group.Green.Read(reader);
            if (code < NumLiteralCodes)
            {
                int red = group.Red.Read(reader), blue = group.Blue.Read(reader), alpha = group.Alpha.Read(reader);
                pixels[pos] = (uint)((alpha << 24) | (red << 16) | (code << 8) | blue);
                pos++;
                if (++x == width) { x = 0; y++; if (reader.Overrun) throw Error("the data ends early (truncated file)"); }
            }
            else if (code < NumLiteralCodes + NumLengthCodes)
            {
                int length = CopyValue(code - NumLiteralCodes);
                int distanceSymbol = group.Distance.Read(reader);
                int distance = PlaneDistance(width, CopyValue(distanceSymbol));
                if (distance > pos || length > total - pos)
                    throw Error("a back-reference points outside the image");
                if (cache is not null) { for (; cached < pos; cached++) cache[(0x1E35A7BDu * pixels[cached]) >> cacheShift] = pixels[cached]; }
                for (int i = 0; i < length; i++) pixels[pos + i] = pixels[pos + i - distance];
                pos += length;
                x += length;
                while (x >= width) { x -= width; y++; }
                if (meta is not null && pos < total)
                    group = groups[meta[(y >> metaBits) * metaWidth + (x >> metaBits)]];
                if (reader.Overrun) throw Error("the data ends early (truncated file)");
            }
            else
            {
                int key = code - NumLiteralCodes - NumLengthCodes;
                if (cache is null || key >= cacheSize) throw Error("a colour cache code without a colour cache");
                for (; cached < pos; cached++) cache[(0x1E35A7BDu * pixels[cached]) >> cacheShift] = pixels[cached];
                pixels[pos] = cache[key];
                pos++;
                if (++x == width) { x = 0; y++; }
            }
        }
        if (reader.Overrun) throw Error("the data ends early (truncated file)");
        return pixels;
    }

    private int CopyValue(int symbol)
    {
        if (symbol < 4) return symbol + 1;
        int extra = (symbol - 2) >> 1;
        int offset = (2 + (symbol & 1)) << extra;
        return offset + _reader.ReadBits(extra) + 1;
    }

    private static int PlaneDistance(int width, int code)
    {
        if (code > 120) return code - 120;
        int d = Vp8Tables.Vp8LDistanceMap[code - 1];
        int distance = (d >> 4) * width + 8 - (d & 15);
        return distance >= 1 ? distance : 1;
    }

    private Vp8LHuffmanCode ReadCode(int alphabetSize, byte[] lengths)
    {
        var span = lengths.AsSpan(0, alphabetSize);
        span.Clear();
        if (_reader.ReadBits(1) == 1)
        {
            // Simple code: one or two symbols.
            int count = _reader.ReadBits(1) + 1;
            int first = _reader.ReadBits(_reader.ReadBits(1) == 0 ? 1 : 8);
            if (first >= alphabetSize) throw Error("a simple prefix code names a symbol outside its alphabet");
            span[first] = 1;
            if (count == 2)
            {
                int second = _reader.ReadBits(8);
                if (second >= alphabetSize) throw Error("a simple prefix code names a symbol outside its alphabet");
                span[second] = 1;
            }
        }
        else
        {
            Span<byte> codeLengthLengths = stackalloc byte[19];
            int n = _reader.ReadBits(4) + 4;
            for (int i = 0; i < n; i++) codeLengthLengths[CodeLengthOrder[i]] = (byte)_reader.ReadBits(3);
            var lengthCode = Vp8LHuffmanCode.Build(codeLengthLengths) ?? throw Error("invalid code-length code");
            int maxSymbol = alphabetSize;
            if (_reader.ReadBits(1) == 1)
            {
                int bits = 2 + 2 * _reader.ReadBits(3);
                maxSymbol = 2 + _reader.ReadBits(bits);
                if (maxSymbol > alphabetSize) throw Error("a prefix code declares more symbols than its alphabet");
            }
            int symbol = 0, previous = 8;
            while (symbol < alphabetSize)
            {
                if (maxSymbol-- == 0) break;
                int len = lengthCode.Read(_reader);
                if (len < 16)
                {
                    span[symbol++] = (byte)len;
                    if (len != 0) previous = len;
                }
                else
                {
                    int extraBits = len == 16 ? 2 : len == 17 ? 3 : 7;
                    int repeat = _reader.ReadBits(extraBits) + (len == 18 ? 11 : 3);
                    if (symbol + repeat > alphabetSize) throw Error("a code-length run passes the end of the alphabet");
                    byte value = len == 16 ? (byte)previous : (byte)0;
                    for (int i = 0; i < repeat; i++) span[symbol++] = value;
                }
                if (_reader.Overrun) throw Error("the data ends early (truncated file)");
            }
        }
        return Vp8LHuffmanCode.Build(span) ?? throw Error("invalid prefix code (its lengths do not form a complete code)");
    }

    private static uint AddPixels(uint a, uint b) =>
        (((a & 0xFF00FF00u) + (b & 0xFF00FF00u)) & 0xFF00FF00u) | (((a & 0x00FF00FFu) + (b & 0x00FF00FFu)) & 0x00FF00FFu);

    private static uint Average2(uint a, uint b) => (((a ^ b) & 0xFEFEFEFEu) >> 1) + (a & b);

    private static void InversePredictor(uint[] pixels, int width, int height, int bits, uint[] modes)
    {
        int modesWidth = SubSize(width, bits);
        // Top-left: predicted by opaque black; rest of the first row: by the left pixel.
        pixels[0] = AddPixels(pixels[0], 0xFF000000u);
        for (int x = 1; x < width; x++) pixels[x] = AddPixels(pixels[x], pixels[x - 1]);
        for (int y = 1; y < height; y++)
        {
            int row = y * width;
            pixels[row] = AddPixels(pixels[row], pixels[row - width]);
            int modeRow = (y >> bits) * modesWidth;
            for (int x = 1; x < width; x++)
            {
                int mode = (int)((modes[modeRow + (x >> bits)] >> 8) & 15);
                int i = row + x;
                uint left = pixels[i - 1], top = pixels[i - width];
                uint prediction = mode switch
                {
                    0 => 0xFF000000u,
                    1 => left,
                    2 => top,
                    3 => pixels[i - width + 1],
                    4 => pixels[i - width - 1],
                    5 => Average2(Average2(left, pixels[i - width + 1]), top),
                    6 => Average2(left, pixels[i - width - 1]),
                    7 => Average2(left, top),
                    8 => Average2(pixels[i - width - 1], top),
                    9 => Average2(top, pixels[i - width + 1]),
                    10 => Average2(Average2(left, pixels[i - width - 1]), Average2(top, pixels[i - width + 1])),
                    11 => Select(top, left, pixels[i - width - 1]),
                    12 => ClampAddSubtractFull(left, top, pixels[i - width - 1]),
                    13 => ClampAddSubtractHalf(Average2(left, top), pixels[i - width - 1]),
                    _ => 0xFF000000u,
                };
                pixels[i] = AddPixels(pixels[i], prediction);
            }
        }
    }

    private static int Channel(uint p, int shift) => (int)((p >> shift) & 0xFF);

    private static uint Select(uint top, uint left, uint topLeft)
    {
        int predictLeft = 0, predictTop = 0;
        for (int s = 0; s < 32; s += 8)
        {
            predictLeft += Math.Abs(Channel(top, s) - Channel(topLeft, s));
            predictTop += Math.Abs(Channel(left, s) - Channel(topLeft, s));
        }
        return predictLeft < predictTop ? left : top;
    }

    private static uint ClampAddSubtractFull(uint a, uint b, uint c)
    {
        uint result = 0;
        for (int s = 0; s < 32; s += 8)
            result |= (uint)Math.Clamp(Channel(a, s) + Channel(b, s) - Channel(c, s), 0, 255) << s;
        return result;
    }

    private static uint ClampAddSubtractHalf(uint a, uint b)
    {
        uint result = 0;
        for (int s = 0; s < 32; s += 8)
        {
            int ca = Channel(a, s);
            result |= (uint)Math.Clamp(ca + (ca - Channel(b, s)) / 2, 0, 255) << s;
        }
        return result;
    }

    private static void InverseCrossColor(uint[] pixels, int width, int height, int bits, uint[] elements)
    {
        int elementsWidth = SubSize(width, bits);
        for (int y = 0; y < height; y++)
        {
            int elementRow = (y >> bits) * elementsWidth;
            for (int x = 0; x < width; x++)
            {
                uint e = elements[elementRow + (x >> bits)];
                int greenToRed = (sbyte)(e & 0xFF), greenToBlue = (sbyte)((e >> 8) & 0xFF), redToBlue = (sbyte)((e >> 16) & 0xFF);
                int i = y * width + x;
                uint p = pixels[i];
                int green = (sbyte)((p >> 8) & 0xFF);
                int red = (int)((p >> 16) & 0xFF), blue = (int)(p & 0xFF);
                red = (red + ((greenToRed * green) >> 5)) & 0xFF;
                blue = (blue + ((greenToBlue * green) >> 5)) & 0xFF;
                blue = (blue + ((redToBlue * (sbyte)red) >> 5)) & 0xFF;
                pixels[i] = (p & 0xFF00FF00u) | ((uint)red << 16) | (uint)blue;
            }
        }
    }

    private static void InverseSubtractGreen(uint[] pixels)
    {
        for (int i = 0; i < pixels.Length; i++)
        {
            uint p = pixels[i];
            uint green = (p >> 8) & 0xFF;
            uint redBlue = (p & 0x00FF00FFu) + ((green << 16) | green);
            pixels[i] = (p & 0xFF00FF00u) | (redBlue & 0x00FF00FFu);
        }
    }

    private static uint[] InverseColorIndexing(uint[] packed, int width, int height, int bits, uint[] palette)
    {
        var output = new uint[(long)width * height];
        int packedWidth = SubSize(width, bits);
        int bitsPerIndex = 8 >> bits, indexMask = (1 << bitsPerIndex) - 1, perPixelMask = (1 << bits) - 1;
        for (int y = 0; y < height; y++)
        {
            int src = y * packedWidth, dst = y * width;
            for (int x = 0; x < width; x++)
            {
                int green = (int)((packed[src + (x >> bits)] >> 8) & 0xFF);
                int index = (green >> ((x & perPixelMask) * bitsPerIndex)) & indexMask;
                output[dst + x] = palette[index];
            }
        }
        return output;
    }
}
