using System.Runtime.InteropServices;
using LoraPS.Formats.Images.Exif;
using Plane = LoraPS.Formats.Images.Jpeg.JpegUpsampler.Plane;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// Decodes baseline and progressive Huffman-coded 8-bit JPEG (ITU T.81) to RGBA. Sequential scans are
/// transformed block by block as they are read; progressive scans collect coefficients first. Refuses
/// arithmetic coding, lossless, hierarchical and 12-bit files with a clear message.
/// </summary>
internal sealed class JpegDecoder
{
    /// <summary>Zig-zag position → natural (row-major) position; 16 extra entries absorb corrupt runs past 63.</summary>
    internal static readonly byte[] NaturalOrder =
    {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    };

    /// <summary>Real progressive files have about 10 scans; many more is a way to make decoding slow.</summary>
    private const int MaxScans = 256;

    private sealed class Component
    {
        public int Id, H, V, QuantTable;
        public int BlocksPerLine, BlocksPerColumn;      // padded to whole MCUs
        public int WidthInBlocks, HeightInBlocks;       // blocks that hold image samples
        public int Width, Height;                       // samples that hold image data
        public short[]? Coefficients;                   // progressive: BlocksPerLine × BlocksPerColumn × 64
        public byte[] Samples = Array.Empty<byte>();    // BlocksPerLine·8 × BlocksPerColumn·8
        public int Stride;
        public int DcPredictor;
        public JpegHuffmanTable? DcTable, AcTable;
    }

    private readonly byte[] _data;
    private readonly string? _path;
    private readonly ImageDecodeOptions _options;
    private readonly ushort[][] _quant = new ushort[4][];
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
    private Component[] _components = Array.Empty<Component>();
    private int _width, _height, _maxH, _maxV, _mcusPerLine, _mcusPerColumn;
    private bool _progressive, _frameSeen, _jfif, _adobe;
    private int _adobeTransform = -1;
    private int _restartInterval;
    private int _eobRun;
    private int _scans;

    public ExifData? Exif { get; private set; }

    public JpegDecoder(byte[] data, ImageDecodeOptions options, string? path)
    {
        _data = data;
        _options = options;
        _path = path;
    }

    private ImageFormatException Error(string defect) => new(_path, defect);

    public RgbaImage Decode()
    {
        byte[] d = _data;
        if (d.Length < 2 || d[0] != 0xFF || d[1] != 0xD8) throw Error("not a JPEG file (no start-of-image marker)");
        int pos = 2;
        bool sawScan = false;
        while (true)
        {
            int marker = NextMarker(ref pos);
            if (marker < 0)
            {
                // A sequential file whose scans all completed may lack EOI (viewers accept it); a progressive
                // file without EOI has probably lost scans.
                if (sawScan && !_progressive) break;
                if (sawScan) throw Error("the file ends before the end-of-image marker (truncated progressive JPEG)");
                throw Error(_frameSeen ? "the file ends before any image data (truncated)" : "the file ends before the frame header (truncated)");
            }
            if (marker == 0xD9) break; // EOI
            if (marker >= 0xD0 && marker <= 0xD7) continue; // stray RSTn
            if (marker == 0x01) continue;
            if (pos + 2 > d.Length) throw Error($"marker 0xFF{marker:X2} is cut off (truncated file)");
            int length = (d[pos] << 8) | d[pos + 1];
            if (length < 2) throw Error($"marker 0xFF{marker:X2} has an invalid length {length}");
            if (pos + length > d.Length) throw Error($"marker 0xFF{marker:X2} segment runs past the end of the file (truncated)");
            var segment = new ReadOnlySpan<byte>(d, pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC0: case 0xC1: case 0xC2:
                    if (_frameSeen) throw Error("more than one frame header (SOF)");
                    ReadFrame(segment, marker == 0xC2);
                    break;
                case 0xC3: throw Error("lossless JPEG (SOF3) is not supported");
                case 0xC5: case 0xC6: case 0xC7: case 0xCD: case 0xCE: case 0xCF:
                    throw Error("hierarchical JPEG is not supported");
                case 0xC9: case 0xCA: case 0xCB:
                    throw Error("arithmetic-coded JPEG is not supported");
                case 0xC4: ReadHuffmanTables(segment); break;
                case 0xCC: throw Error("arithmetic-coded JPEG is not supported (DAC marker)");
                case 0xDB: ReadQuantTables(segment); break;
                case 0xDD:
                    if (segment.Length < 2) throw Error("the restart interval segment (DRI) is too short");
                    _restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xDA:
                    if (!_frameSeen) throw Error("a scan (SOS) comes before the frame header (SOF)");
                    if (++_scans > MaxScans) throw Error($"more than {MaxScans} scans");
                    pos = ReadScan(segment, pos);
                    sawScan = true;
                    break;
                case 0xDC: break; // DNL: the height was already required to be non-zero
                case 0xE0:
                    if (segment.Length >= 5 && segment[..5].SequenceEqual("JFIF\0"u8)) _jfif = true;
                    break;
                case 0xE1:
                    if (Exif is null && segment.Length >= 6 && segment[..6].SequenceEqual("Exif\0\0"u8))
                        Exif = ExifReader.Parse(segment[6..]);
                    break;
                case 0xEE:
                    if (segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8))
                    {
                        _adobe = true;
                        _adobeTransform = segment[11];
                    }
                    break;
                default: break; // APPn, COM and others carry nothing the pixels need
            }
        }
        if (!_frameSeen) throw Error("no frame header (SOF) before the end of the image");
        if (!sawScan) throw Error("no image data (SOS) in the file");
        return Finish();
    }

    /// <summary>Finds the next marker at or after <paramref name="pos"/>; returns its code and leaves pos after it, or −1 at the end.</summary>
    private int NextMarker(ref int pos)
    {
        byte[] d = _data;
        while (pos < d.Length)
        {
            if (d[pos] != 0xFF) { pos++; continue; }
            int p = pos + 1;
            while (p < d.Length && d[p] == 0xFF) p++;
            if (p >= d.Length) break;
            byte code = d[p];
            if (code == 0) { pos = p + 1; continue; }
            pos = p + 1;
            return code;
        }
        pos = d.Length;
        return -1;
    }

    private void ReadFrame(ReadOnlySpan<byte> s, bool progressive)
    {
        if (s.Length < 6) throw Error("the frame header (SOF) is too short");
        int precision = s[0];
        if (precision != 8) throw Error($"{precision}-bit JPEG is not supported (only 8-bit samples)");
        _height = (s[1] << 8) | s[2];
        _width = (s[3] << 8) | s[4];
        int count = s[5];
        if (_height == 0) throw Error("the frame header declares height 0 (DNL-defined height is not supported)");
        if (_width == 0) throw Error("the frame header declares width 0");
        if (count != 1 && count != 3 && count != 4) throw Error($"{count} colour components are not supported (1, 3 or 4)");
        if (s.Length < 6 + 3 * count) throw Error("the frame header (SOF) is too short for its components");
        _options.CheckSize(_width, _height, _path);
        if ((long)_width * _height * 4 > Array.MaxLength) throw Error($"image {_width}×{_height} is too large to decode");
        _progressive = progressive;
        _components = new Component[count];
        for (int i = 0; i < count; i++)
        {
            int h = s[7 + 3 * i] >> 4, v = s[7 + 3 * i] & 15, tq = s[8 + 3 * i];
            if (h < 1 || h > 4 || v < 1 || v > 4) throw Error($"component {i} has invalid sampling factors {h}×{v}");
            if (tq > 3) throw Error($"component {i} names quantisation table {tq} (0–3 allowed)");
            _components[i] = new Component { Id = s[6 + 3 * i], H = h, V = v, QuantTable = tq };
        }
        _maxH = _components.Max(c => c.H);
        _maxV = _components.Max(c => c.V);
        foreach (var c in _components)
            if (_maxH % c.H != 0 || _maxV % c.V != 0)
                throw Error($"fractional chroma subsampling ({c.H}×{c.V} of {_maxH}×{_maxV}) is not supported");
        _mcusPerLine = (_width + 8 * _maxH - 1) / (8 * _maxH);
        _mcusPerColumn = (_height + 8 * _maxV - 1) / (8 * _maxV);
        foreach (var c in _components)
        {
            c.Width = (_width * c.H + _maxH - 1) / _maxH;
            c.Height = (_height * c.V + _maxV - 1) / _maxV;
            c.WidthInBlocks = (c.Width + 7) / 8;
            c.HeightInBlocks = (c.Height + 7) / 8;
            c.BlocksPerLine = _mcusPerLine * c.H;
            c.BlocksPerColumn = _mcusPerColumn * c.V;
            c.Stride = c.BlocksPerLine * 8;
            long samples = (long)c.Stride * c.BlocksPerColumn * 8;
            if (samples > Array.MaxLength) throw Error($"image {_width}×{_height} is too large to decode");
        }
        _frameSeen = true;
    }

    /// <summary>Sample (and coefficient) memory is taken at the first scan, so a file that is only headers costs nothing.</summary>
    private void AllocateComponents()
    {
        foreach (var c in _components)
        {
            if (c.Samples.Length != 0) continue;
            int samples = c.Stride * c.BlocksPerColumn * 8;
            c.Samples = new byte[samples];
            if (_progressive) c.Coefficients = new short[samples];
        }
    }

    private void ReadQuantTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            int pq = s[0] >> 4, tq = s[0] & 15;
            if (tq > 3 || pq > 1) throw Error("a quantisation table (DQT) has an invalid id or precision");
            int size = pq == 0 ? 64 : 128;
            if (s.Length < 1 + size) throw Error("a quantisation table (DQT) is cut short");
            var table = new ushort[64];
            for (int k = 0; k < 64; k++)
                table[NaturalOrder[k]] = pq == 0 ? s[1 + k] : (ushort)((s[1 + 2 * k] << 8) | s[2 + 2 * k]);
            _quant[tq] = table;
            s = s[(1 + size)..];
        }
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> s)
    {
        while (s.Length > 0)
        {
            if (s.Length < 17) throw Error("a Huffman table (DHT) is cut short");
            int tc = s[0] >> 4, th = s[0] & 15;
            if (tc > 1 || th > 3) throw Error("a Huffman table (DHT) has an invalid class or id");
            int total = 0;
            for (int i = 1; i <= 16; i++) total += s[i];
            if (total > 256 || s.Length < 17 + total) throw Error("a Huffman table (DHT) is cut short or has too many codes");
            var table = new JpegHuffmanTable(s.Slice(1, 16), s.Slice(17, total), _path);
            (tc == 0 ? _dcTables : _acTables)[th] = table;
            s = s[(17 + total)..];
        }
    }

    /// <summary>Reads one scan header and its entropy-coded data; returns the position after the data.</summary>
    private int ReadScan(ReadOnlySpan<byte> s, int dataStart)
    {
        if (s.Length < 1) throw Error("the scan header (SOS) is too short");
        int count = s[0];
        if (count < 1 || count > 4 || s.Length < 4 + 2 * count) throw Error("the scan header (SOS) is malformed");
        var scan = new Component[count];
        for (int i = 0; i < count; i++)
        {
            int id = s[1 + 2 * i], tables = s[2 + 2 * i];
            var c = Array.Find(_components, x => x.Id == id) ?? throw Error($"the scan names component {id}, which the frame does not have");
            if (Array.IndexOf(scan, c) >= 0) throw Error($"the scan names component {id} twice");
            int td = tables >> 4, ta = tables & 15;
            if (td > 3 || ta > 3) throw Error("the scan names a Huffman table id over 3");
            c.DcTable = _dcTables[td];
            c.AcTable = _acTables[ta];
            scan[i] = c;
        }
        int ss = s[1 + 2 * count], se = s[2 + 2 * count], ah = s[3 + 2 * count] >> 4, al = s[3 + 2 * count] & 15;
        if (count > 1)
        {
            int blocks = scan.Sum(c => c.H * c.V);
            if (blocks > 10) throw Error("an interleaved scan has more than 10 blocks per MCU");
        }
        foreach (var c in scan)
            if (_quant[c.QuantTable] is null) throw Error($"component {c.Id} uses quantisation table {c.QuantTable}, which is not defined");

        if (_progressive)
        {
            if (ss == 0 && se != 0) throw Error("a progressive DC scan has a non-zero spectral end");
            if (ss != 0 && (se < ss || se > 63 || count != 1)) throw Error("a progressive AC scan has an invalid spectral range or several components");
            if (al > 13 || (ah != 0 && ah != al + 1)) throw Error("a progressive scan has invalid successive-approximation bits");
        }
        else if (ss != 0 || se != 63 || ah != 0 || al != 0)
        {
            // Sequential files should say 0..63; libjpeg ignores other values, so do we.
        }

        bool needDc = !_progressive || (ss == 0 && ah == 0);
        bool needAc = !_progressive || ss != 0;
        foreach (var c in scan)
        {
            if (needDc && c.DcTable is null) throw Error($"component {c.Id} uses an undefined DC Huffman table");
            if (needAc && c.AcTable is null) throw Error($"component {c.Id} uses an undefined AC Huffman table");
            c.DcPredictor = 0;
        }
        _eobRun = 0;

        AllocateComponents();
        var reader = new JpegBitReader(_data, dataStart);
        if (_progressive) DecodeProgressiveScan(reader, scan, ss, se, ah, al);
        else DecodeSequentialScan(reader, scan);
        if (reader.RanPastEnd) throw Error("the image data ends early (truncated file)");
        return reader.Position;
    }

    private unsafe void DecodeSequentialScan(JpegBitReader reader, Component[] scan)
    {
        short* block = stackalloc short[64];
        var blockSpan = new Span<short>(block, 64);
        int restartsLeft = _restartInterval;
        if (scan.Length == 1)
        {
            var c = scan[0];
            fixed (ushort* quant = _quant[c.QuantTable])
            fixed (byte* samples = c.Samples)
            {
                for (int by = 0; by < c.HeightInBlocks; by++)
                    for (int bx = 0; bx < c.WidthInBlocks; bx++)
                    {
                        HandleRestart(reader, scan, ref restartsLeft);
                        blockSpan.Clear();
                        if (DecodeBlock(reader, c, block)) JpegIdct.Transform(block, quant, samples + (by * 8) * c.Stride + bx * 8, c.Stride);
                        else JpegIdct.TransformDcOnly(block[0], quant[0], samples + (by * 8) * c.Stride + bx * 8, c.Stride);
                    }
            }
            return;
        }
        for (int my = 0; my < _mcusPerColumn; my++)
            for (int mx = 0; mx < _mcusPerLine; mx++)
            {
                HandleRestart(reader, scan, ref restartsLeft);
                foreach (var c in scan)
                {
                    fixed (ushort* quant = _quant[c.QuantTable])
                    fixed (byte* samples = c.Samples)
                    {
                        for (int v = 0; v < c.V; v++)
                            for (int h = 0; h < c.H; h++)
                            {
                                blockSpan.Clear();
                                int row = (my * c.V + v) * 8, col = (mx * c.H + h) * 8;
                                if (DecodeBlock(reader, c, block)) JpegIdct.Transform(block, quant, samples + row * c.Stride + col, c.Stride);
                                else JpegIdct.TransformDcOnly(block[0], quant[0], samples + row * c.Stride + col, c.Stride);
                            }
                    }
                }
            }
    }

    private void HandleRestart(JpegBitReader reader, Component[] scan, ref int restartsLeft)
    {
        if (_restartInterval == 0) return;
        if (restartsLeft == 0)
        {
            reader.Restart();
            foreach (var c in scan) c.DcPredictor = 0;
            _eobRun = 0;
            restartsLeft = _restartInterval;
        }
        restartsLeft--;
    }

    /// <summary>Decodes one sequential block's 64 coefficients into <paramref name="block"/> (natural order, not dequantised); false when only DC is present.</summary>
    private unsafe bool DecodeBlock(JpegBitReader reader, Component c, short* block)
    {
        int t = reader.DecodeHuffman(c.DcTable!);
        if (t > 15) throw Error("a DC difference has an invalid size category");
        int diff = reader.ReceiveExtend(t);
        c.DcPredictor += diff;
        block[0] = (short)c.DcPredictor;
        var ac = c.AcTable!;
        int k = 1;
        while (k < 64)
        {
            reader.EnsureBits(32);
            int fast = reader.PeekFastAc(ac);
            if (fast != 0)
            {
                reader.Skip(fast & 0xFF);
                k += (fast >> 8) & 0xFF;
                block[NaturalOrder[k]] = (short)(fast >> 16);
                k++;
                continue;
            }
            int rs = reader.DecodeHuffman(ac);
            int r = rs >> 4, size = rs & 15;
            if (size != 0)
            {
                k += r;
                block[NaturalOrder[k]] = (short)reader.ReceiveExtend(size);
                k++;
            }
            else if (r == 15) k += 16;
            else break;
        }
        return k > 1;
    }

    private void DecodeProgressiveScan(JpegBitReader reader, Component[] scan, int ss, int se, int ah, int al)
    {
        int restartsLeft = _restartInterval;
        if (scan.Length == 1)
        {
            var c = scan[0];
            for (int by = 0; by < c.HeightInBlocks; by++)
                for (int bx = 0; bx < c.WidthInBlocks; bx++)
                {
                    HandleRestart(reader, scan, ref restartsLeft);
                    var block = c.Coefficients.AsSpan((by * c.BlocksPerLine + bx) * 64, 64);
                    DecodeProgressiveBlock(reader, c, block, ss, se, ah, al);
                }
            return;
        }
        for (int my = 0; my < _mcusPerColumn; my++)
            for (int mx = 0; mx < _mcusPerLine; mx++)
            {
                HandleRestart(reader, scan, ref restartsLeft);
                foreach (var c in scan)
                    for (int v = 0; v < c.V; v++)
                        for (int h = 0; h < c.H; h++)
                        {
                            int index = (my * c.V + v) * c.BlocksPerLine + mx * c.H + h;
                            DecodeProgressiveBlock(reader, c, c.Coefficients.AsSpan(index * 64, 64), ss, se, ah, al);
                        }
            }
    }

    private void DecodeProgressiveBlock(JpegBitReader reader, Component c, Span<short> block, int ss, int se, int ah, int al)
    {
        if (ss == 0)
        {
            if (ah == 0)
            {
                int t = reader.DecodeHuffman(c.DcTable!);
                if (t > 15) throw Error("a DC difference has an invalid size category");
                c.DcPredictor += reader.ReceiveExtend(t);
                block[0] = (short)(c.DcPredictor << al);
            }
            else if (reader.GetBit() != 0)
                block[0] |= (short)(1 << al);
            return;
        }
        if (ah == 0) DecodeAcFirst(reader, c.AcTable!, block, ss, se, al);
        else DecodeAcRefine(reader, c.AcTable!, block, ss, se, al);
    }

    private void DecodeAcFirst(JpegBitReader reader, JpegHuffmanTable table, Span<short> block, int ss, int se, int al)
    {
        if (_eobRun > 0) { _eobRun--; return; }
        for (int k = ss; k <= se; k++)
        {
            int rs = reader.DecodeHuffman(table);
            int r = rs >> 4, size = rs & 15;
            if (size != 0)
            {
                k += r;
                block[NaturalOrder[k]] = (short)(reader.ReceiveExtend(size) * (1 << al));
            }
            else if (r < 15)
            {
                _eobRun = (1 << r) - 1;
                if (r != 0) _eobRun += reader.GetBits(r);
                break;
            }
            else k += 15;
        }
    }

    private void DecodeAcRefine(JpegBitReader reader, JpegHuffmanTable table, Span<short> block, int ss, int se, int al)
    {
        int p1 = 1 << al, m1 = -1 << al;
        int k = ss;
        if (_eobRun == 0)
        {
            for (; k <= se; k++)
            {
                int rs = reader.DecodeHuffman(table);
                int r = rs >> 4, size = rs & 15;
                int value = 0;
                if (size != 0)
                {
                    // size must be 1 in a refinement scan; anything else is treated as 1, like libjpeg.
                    value = reader.GetBit() != 0 ? p1 : m1;
                }
                else if (r != 15)
                {
                    _eobRun = 1 << r;
                    if (r != 0) _eobRun += reader.GetBits(r);
                    break;
                }
                // Skip r zero-history coefficients, refining the non-zero ones passed on the way.
                do
                {
                    int z = NaturalOrder[k];
                    int coef = block[z];
                    if (coef != 0)
                    {
                        if (reader.GetBit() != 0 && (coef & p1) == 0)
                            block[z] = (short)(coef >= 0 ? coef + p1 : coef + m1);
                    }
                    else
                    {
                        if (--r < 0) break;
                    }
                    k++;
                } while (k <= se);
                if (value != 0) block[NaturalOrder[k]] = (short)value;
            }
        }
        if (_eobRun > 0)
        {
            for (; k <= se; k++)
            {
                int z = NaturalOrder[k];
                int coef = block[z];
                if (coef != 0 && reader.GetBit() != 0 && (coef & p1) == 0)
                    block[z] = (short)(coef >= 0 ? coef + p1 : coef + m1);
            }
            _eobRun--;
        }
    }

    private unsafe RgbaImage Finish()
    {
        if (_progressive)
        {
            foreach (var c in _components)
            {
                var quant = _quant[c.QuantTable] ?? throw Error($"component {c.Id} uses quantisation table {c.QuantTable}, which is not defined");
                fixed (short* coefs = c.Coefficients)
                fixed (ushort* q = quant)
                fixed (byte* samples = c.Samples)
                {
                    for (int by = 0; by < c.BlocksPerColumn; by++)
                        for (int bx = 0; bx < c.BlocksPerLine; bx++)
                        {
                            short* block = coefs + (by * c.BlocksPerLine + bx) * 64;
                            byte* output = samples + by * 8 * c.Stride + bx * 8;
                            if (HasAc(block)) JpegIdct.Transform(block, q, output, c.Stride);
                            else JpegIdct.TransformDcOnly(block[0], q[0], output, c.Stride);
                        }
                }
                c.Coefficients = null;
            }
        }

        var planes = new Plane[_components.Length];
        for (int i = 0; i < planes.Length; i++)
        {
            var c = _components[i];
            planes[i] = new Plane(c.Samples, c.Stride, c.Width, c.Height, _maxH / c.H, _maxV / c.V);
        }
        // The colour converter writes every byte, alpha included.
        var image = new RgbaImage(_width, _height, GC.AllocateUninitializedArray<byte>(checked(_width * _height * 4)));
        JpegColorConverter.Convert(ColorSpace(), planes, image);
        return image;
    }

    private static unsafe bool HasAc(short* block)
    {
        ulong* q = (ulong*)block;
        ulong any = (q[0] & 0xFFFFFFFFFFFF0000UL);
        for (int i = 1; i < 16; i++) any |= q[i];
        return any != 0;
    }

    /// <summary>The same rules libjpeg uses to guess the colour space.</summary>
    private JpegColorSpace ColorSpace()
    {
        switch (_components.Length)
        {
            case 1: return JpegColorSpace.Gray;
            case 3:
                if (_jfif) return JpegColorSpace.YCbCr;
                if (_adobe) return _adobeTransform == 0 ? JpegColorSpace.Rgb : JpegColorSpace.YCbCr;
                if (_components[0].Id == 'R' && _components[1].Id == 'G' && _components[2].Id == 'B') return JpegColorSpace.Rgb;
                return JpegColorSpace.YCbCr;
            default:
                // Adobe transform 0 is plain CMYK; libjpeg treats any other value as YCCK.
                return _adobe && _adobeTransform != 0 ? JpegColorSpace.Ycck : JpegColorSpace.Cmyk;
        }
    }
}
