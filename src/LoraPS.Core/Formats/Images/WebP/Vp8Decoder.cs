namespace LoraPS.Formats.Images.WebP;

/// <summary>A decoded VP8 key frame: full-macroblock Y, U, V planes and the visible size.</summary>
internal sealed record Vp8Frame(int Width, int Height, byte[] Y, int YStride, byte[] U, byte[] V, int UvStride);

/// <summary>
/// Decodes a VP8 key frame (WebP lossy, RFC 6386): frame header, per-macroblock modes, DCT tokens from
/// the token partitions, intra prediction from unfiltered neighbours, inverse WHT/DCT, then the simple
/// or normal loop filter over the whole frame in macroblock order — the order libwebp uses.
/// </summary>
internal sealed class Vp8Decoder
{
    private const int Bps = 32;              // work-buffer row pitch
    private const int YOrigin = Bps + 8;     // (0, 0) of the luma work block; row −1 and columns −8..23 exist
    private const int UvOrigin = Bps + 8;
    private const int DcPred = 0, VPred = 1, HPred = 2, TmPred = 3; // 16×16 and chroma modes
    private const int BDc = 0, BTm = 1, BVe = 2, BHe = 3, BLd = 4, BRd = 5, BVr = 6, BVl = 7, BHd = 8, BHu = 9;

    private readonly byte[] _data;
    private readonly string? _path;
    private int _width, _height, _mbw, _mbh;

    // Header state.
    private bool _useSegment, _updateMap, _absoluteDelta;
    private readonly int[] _segmentQuant = new int[4];
    private readonly int[] _segmentFilter = new int[4];
    private readonly int[] _segmentProbs = { 255, 255, 255 };
    private bool _simpleFilter, _useLfDelta;
    private int _filterLevel, _sharpness;
    private readonly int[] _refLfDelta = new int[4];
    private readonly int[] _modeLfDelta = new int[4];
    private readonly byte[] _coefProbs = (byte[])Vp8Tables.DefaultCoefficientProbabilities.Clone();
    private bool _useSkipProb;
    private int _skipProb;
    private readonly int[,] _quant = new int[4, 6]; // per segment: y1dc, y1ac, y2dc, y2ac, uvdc, uvac

    /// <summary>For each block type and coefficient position (0..16): the offset of its band's probabilities in <see cref="_coefProbs"/>.</summary>
    private static readonly int[] BandOffsets = BuildBandOffsets();

    private static int[] BuildBandOffsets()
    {
        var offsets = new int[4 * 17];
        for (int type = 0; type < 4; type++)
            for (int n = 0; n <= 16; n++) offsets[type * 17 + n] = (type * 8 + Vp8Tables.Bands[n]) * 33;
        return offsets;
    }

    private Vp8BoolDecoder _header = null!;
    private Vp8BoolDecoder[] _partitions = Array.Empty<Vp8BoolDecoder>();

    private Vp8Decoder(byte[] data, string? path)
    {
        _data = data;
        _path = path;
    }

    private ImageFormatException Error(string defect) => new(_path, "WebP lossy: " + defect);

    /// <summary>Reads the visible size from the 10-byte key-frame header.</summary>
    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> data, string? path)
    {
        if (data.Length < 10) throw new ImageFormatException(path, "WebP lossy: the VP8 frame header is cut short");
        if ((data[0] & 1) != 0) throw new ImageFormatException(path, "WebP lossy: the frame is not a key frame");
        if (data[3] != 0x9D || data[4] != 0x01 || data[5] != 0x2A) throw new ImageFormatException(path, "WebP lossy: missing the VP8 start code");
        int width = (data[6] | (data[7] << 8)) & 0x3FFF, height = (data[8] | (data[9] << 8)) & 0x3FFF;
        return (width, height);
    }

    public static Vp8Frame Decode(byte[] data, int start, int end, ImageDecodeOptions options, string? path)
    {
        var decoder = new Vp8Decoder(data, path);
        return decoder.DecodeFrame(start, end, options);
    }

    private Vp8Frame DecodeFrame(int start, int end, ImageDecodeOptions options)
    {
        (_width, _height) = ReadSize(_data.AsSpan(start, end - start), _path);
        int tag = _data[start] | (_data[start + 1] << 8) | (_data[start + 2] << 16);
        if (((tag >> 1) & 7) > 3) throw Error($"unknown profile {(tag >> 1) & 7}");
        int firstPartition = tag >> 5;
        options.CheckSize(_width, _height, _path);
        _mbw = (_width + 15) >> 4;
        _mbh = (_height + 15) >> 4;
        int p0 = start + 10;
        if (firstPartition > end - p0) throw Error("the first partition runs past the end of the data (truncated file)");
        _header = new Vp8BoolDecoder(_data, p0, p0 + firstPartition);
        ReadHeader(p0 + firstPartition, end);

        // Every macroblock writes all of its pixels, so the planes need no clearing.
        var y = GC.AllocateUninitializedArray<byte>(_mbw * 16 * _mbh * 16);
        var u = GC.AllocateUninitializedArray<byte>(_mbw * 8 * _mbh * 8);
        var v = GC.AllocateUninitializedArray<byte>(_mbw * 8 * _mbh * 8);
        var info = new MacroblockInfo[_mbw * _mbh];
        Reconstruct(y, u, v, info);
        if (_filterLevel > 0) Vp8LoopFilter.Apply(y, u, v, _mbw, _mbh, info, _simpleFilter, FilterParameters());
        return new Vp8Frame(_width, _height, y, _mbw * 16, u, v, _mbw * 8);
    }

    private void ReadHeader(int partitionsStart, int end)
    {
        var br = _header;
        br.GetValue(1); // colour space
        br.GetValue(1); // clamping type
        _useSegment = br.GetValue(1) != 0;
        if (_useSegment)
        {
            _updateMap = br.GetValue(1) != 0;
            bool updateData = br.GetValue(1) != 0;
            if (updateData)
            {
                _absoluteDelta = br.GetValue(1) != 0;
                for (int s = 0; s < 4; s++) _segmentQuant[s] = br.GetValue(1) != 0 ? br.GetSignedValue(7) : 0;
                for (int s = 0; s < 4; s++) _segmentFilter[s] = br.GetValue(1) != 0 ? br.GetSignedValue(6) : 0;
            }
            if (_updateMap)
                for (int i = 0; i < 3; i++) _segmentProbs[i] = br.GetValue(1) != 0 ? br.GetValue(8) : 255;
        }
        _simpleFilter = br.GetValue(1) != 0;
        _filterLevel = br.GetValue(6);
        _sharpness = br.GetValue(3);
        _useLfDelta = br.GetValue(1) != 0;
        if (_useLfDelta && br.GetValue(1) != 0)
        {
            for (int i = 0; i < 4; i++) if (br.GetValue(1) != 0) _refLfDelta[i] = br.GetSignedValue(6);
            for (int i = 0; i < 4; i++) if (br.GetValue(1) != 0) _modeLfDelta[i] = br.GetSignedValue(6);
        }

        int partitionCount = 1 << br.GetValue(2);
        int sizesAt = partitionsStart;
        int dataAt = sizesAt + 3 * (partitionCount - 1);
        if (dataAt > end) throw Error("the partition table runs past the end of the data (truncated file)");
        _partitions = new Vp8BoolDecoder[partitionCount];
        for (int p = 0; p < partitionCount - 1; p++)
        {
            int size = _data[sizesAt + 3 * p] | (_data[sizesAt + 3 * p + 1] << 8) | (_data[sizesAt + 3 * p + 2] << 16);
            int partEnd = (long)dataAt + size > end ? end : dataAt + size;
            _partitions[p] = new Vp8BoolDecoder(_data, dataAt, partEnd);
            dataAt = partEnd;
        }
        if (dataAt >= end) throw Error("the last token partition is missing (truncated file)");
        _partitions[partitionCount - 1] = new Vp8BoolDecoder(_data, dataAt, end);

        int baseQ = br.GetValue(7);
        int dqY1Dc = br.GetValue(1) != 0 ? br.GetSignedValue(4) : 0;
        int dqY2Dc = br.GetValue(1) != 0 ? br.GetSignedValue(4) : 0;
        int dqY2Ac = br.GetValue(1) != 0 ? br.GetSignedValue(4) : 0;
        int dqUvDc = br.GetValue(1) != 0 ? br.GetSignedValue(4) : 0;
        int dqUvAc = br.GetValue(1) != 0 ? br.GetSignedValue(4) : 0;
        for (int s = 0; s < 4; s++)
        {
            int q;
            if (_useSegment) q = _segmentQuant[s] + (_absoluteDelta ? 0 : baseQ);
            else q = baseQ;
            _quant[s, 0] = Vp8Tables.DcQuant[Clip(q + dqY1Dc, 127)];
            _quant[s, 1] = Vp8Tables.AcQuant[Clip(q, 127)];
            _quant[s, 2] = Vp8Tables.DcQuant[Clip(q + dqY2Dc, 127)] * 2;
            _quant[s, 3] = Math.Max(Vp8Tables.AcQuant[Clip(q + dqY2Ac, 127)] * 101581 >> 16, 8);
            _quant[s, 4] = Vp8Tables.DcQuant[Clip(q + dqUvDc, 117)];
            _quant[s, 5] = Vp8Tables.AcQuant[Clip(q + dqUvAc, 127)];
        }

        br.GetValue(1); // refresh entropy probabilities: irrelevant for a single frame
        for (int i = 0; i < _coefProbs.Length; i++)
            if (br.GetBit(Vp8Tables.CoefficientUpdateProbabilities[i]) != 0) _coefProbs[i] = (byte)br.GetValue(8);
        _useSkipProb = br.GetValue(1) != 0;
        if (_useSkipProb) _skipProb = br.GetValue(8);
        if (br.Exhausted) throw Error("the frame header is cut short (truncated file)");
    }

    private static int Clip(int v, int max) => v < 0 ? 0 : v > max ? max : v;

    internal struct MacroblockInfo
    {
        public byte Segment;
        public bool IsI4x4;
        public bool HasCoefficients;
    }

    /// <summary>Loop-filter strength per segment and per "4×4 mode" flag, as libwebp precomputes it.</summary>
    private Vp8LoopFilter.Strength[,] FilterParameters()
    {
        var result = new Vp8LoopFilter.Strength[4, 2];
        for (int s = 0; s < 4; s++)
        {
            int baseLevel = _filterLevel;
            if (_useSegment)
            {
                baseLevel = _segmentFilter[s];
                if (!_absoluteDelta) baseLevel += _filterLevel;
            }
            for (int i4 = 0; i4 <= 1; i4++)
            {
                int level = baseLevel;
                if (_useLfDelta)
                {
                    level += _refLfDelta[0];
                    if (i4 == 1) level += _modeLfDelta[0];
                }
                level = Clip(level, 63);
                if (level > 0)
                {
                    int interior = level;
                    if (_sharpness > 0)
                    {
                        interior >>= _sharpness > 4 ? 2 : 1;
                        if (interior > 9 - _sharpness) interior = 9 - _sharpness;
                    }
                    if (interior < 1) interior = 1;
                    result[s, i4] = new Vp8LoopFilter.Strength(2 * level + interior, interior, level >= 40 ? 2 : level >= 15 ? 1 : 0);
                }
            }
        }
        return result;
    }

    [System.Runtime.CompilerServices.SkipLocalsInit]
    private unsafe void Reconstruct(byte[] yPlane, byte[] uPlane, byte[] vPlane, MacroblockInfo[] info)
    {
        int yStride = _mbw * 16, uvStride = _mbw * 8;
        var topY = new byte[yStride];
        var topU = new byte[uvStride];
        var topV = new byte[uvStride];
        var topModes = new byte[_mbw * 4];
        Span<byte> leftModes = stackalloc byte[4];
        var topNz = new byte[_mbw * 9];      // per macroblock: 4 Y, 2 U, 2 V, 1 Y2
        Span<byte> leftNz = stackalloc byte[9];
        Span<byte> modes = stackalloc byte[16];
        var coefficients = new short[384];
        var yWork = new byte[Bps * 17];
        var uWork = new byte[Bps * 9];
        var vWork = new byte[Bps * 9];

        fixed (byte* yb = yWork, ub = uWork, vb = vWork, yp = yPlane, up = uPlane, vp = vPlane)
        fixed (short* coefs = coefficients)
        {
            byte* yDst = yb + YOrigin, uDst = ub + UvOrigin, vDst = vb + UvOrigin;
            for (int mbY = 0; mbY < _mbh; mbY++)
            {
                leftModes.Clear();
                leftNz.Clear();
                var tokens = _partitions[mbY & (_partitions.Length - 1)];
                for (int mbX = 0; mbX < _mbw; mbX++)
                {
                    // --- Modes (first partition) ---
                    var br = _header;
                    int segment = _updateMap
                        ? (br.GetBit(_segmentProbs[0]) == 0 ? br.GetBit(_segmentProbs[1]) : 2 + br.GetBit(_segmentProbs[2]))
                        : 0;
                    bool skip = _useSkipProb && br.GetBit(_skipProb) != 0;
                    bool isI4x4 = br.GetBit(145) == 0;
                    int yMode = DcPred;
                    if (!isI4x4)
                    {
                        yMode = br.GetBit(156) != 0 ? (br.GetBit(128) != 0 ? TmPred : HPred) : (br.GetBit(163) != 0 ? VPred : DcPred);
                        byte implied = yMode switch { VPred => BVe, HPred => BHe, TmPred => BTm, _ => BDc };
                        for (int i = 0; i < 4; i++) { topModes[mbX * 4 + i] = implied; leftModes[i] = implied; }
                    }
                    else
                    {
                        for (int by = 0; by < 4; by++)
                        {
                            int left = leftModes[by];
                            for (int bx = 0; bx < 4; bx++)
                            {
                                int above = topModes[mbX * 4 + bx];
                                int mode = ReadBMode(br, above, left);
                                topModes[mbX * 4 + bx] = (byte)mode;
                                modes[by * 4 + bx] = (byte)mode;
                                left = mode;
                            }
                            leftModes[by] = (byte)left;
                        }
                    }
                    int uvMode = br.GetBit(142) == 0 ? DcPred : br.GetBit(114) == 0 ? VPred : br.GetBit(183) != 0 ? TmPred : HPred;
                    if (br.Exhausted) throw Error("the first partition ends early (truncated file)");

                    // --- Residuals (token partition) ---
                    new Span<short>(coefs, 384).Clear();
                    bool hasCoefficients = false;
                    Span<byte> top = topNz.AsSpan(mbX * 9, 9);
                    if (!skip)
                        hasCoefficients = ReadResiduals(tokens, coefs, segment, isI4x4, top, leftNz);
                    else
                    {
                        for (int i = 0; i < 8; i++) { top[i] = 0; leftNz[i] = 0; }
                        if (!isI4x4) { top[8] = 0; leftNz[8] = 0; }
                    }
                    if (tokens.Exhausted) throw Error("a token partition ends early (truncated file)");
                    info[mbY * _mbw + mbX] = new MacroblockInfo { Segment = (byte)segment, IsI4x4 = isI4x4, HasCoefficients = hasCoefficients };

                    // --- Prediction edges ---
                    PrepareEdges(yDst, uDst, vDst, mbX, mbY, topY, topU, topV);

                    // --- Reconstruction ---
                    if (isI4x4)
                    {
                        for (int n = 0; n < 16; n++)
                        {
                            byte* dst = yDst + (n >> 2) * 4 * Bps + (n & 3) * 4;
                            Vp8Predict.Luma4(dst, modes[n], Bps);
                            Vp8Transform.AddInverse(coefs + n * 16, dst, Bps);
                        }
                    }
                    else
                    {
                        Vp8Predict.Luma16(yDst, CheckDcMode(yMode, mbX, mbY), Bps);
                        for (int n = 0; n < 16; n++)
                            Vp8Transform.AddInverse(coefs + n * 16, yDst + (n >> 2) * 4 * Bps + (n & 3) * 4, Bps);
                    }
                    int uvPred = CheckDcMode(uvMode, mbX, mbY);
                    Vp8Predict.Chroma8(uDst, uvPred, Bps);
                    Vp8Predict.Chroma8(vDst, uvPred, Bps);
                    for (int n = 0; n < 4; n++)
                    {
                        int offset = (n >> 1) * 4 * Bps + (n & 1) * 4;
                        Vp8Transform.AddInverse(coefs + 256 + n * 16, uDst + offset, Bps);
                        Vp8Transform.AddInverse(coefs + 320 + n * 16, vDst + offset, Bps);
                    }

                    // --- Store, and keep the unfiltered bottom row for the next macroblock row ---
                    byte* yOut = yp + (mbY * 16) * yStride + mbX * 16;
                    for (int r = 0; r < 16; r++)
                    {
                        ((ulong*)(yOut + r * yStride))[0] = ((ulong*)(yDst + r * Bps))[0];
                        ((ulong*)(yOut + r * yStride))[1] = ((ulong*)(yDst + r * Bps))[1];
                    }
                    byte* uOut = up + (mbY * 8) * uvStride + mbX * 8, vOut = vp + (mbY * 8) * uvStride + mbX * 8;
                    for (int r = 0; r < 8; r++)
                    {
                        *(ulong*)(uOut + r * uvStride) = *(ulong*)(uDst + r * Bps);
                        *(ulong*)(vOut + r * uvStride) = *(ulong*)(vDst + r * Bps);
                    }
                }
                // Bottom rows become the next row's top samples (after the whole row: top-right needs the old values).
                yPlane.AsSpan((mbY * 16 + 15) * yStride, yStride).CopyTo(topY);
                uPlane.AsSpan((mbY * 8 + 7) * uvStride, uvStride).CopyTo(topU);
                vPlane.AsSpan((mbY * 8 + 7) * uvStride, uvStride).CopyTo(topV);
            }
        }
    }

    /// <summary>DC prediction has its own forms at the frame's top and left edges.</summary>
    private static int CheckDcMode(int mode, int mbX, int mbY)
    {
        if (mode != DcPred) return mode;
        if (mbX == 0) return mbY == 0 ? Vp8Predict.DcNoTopLeft : Vp8Predict.DcNoLeft;
        return mbY == 0 ? Vp8Predict.DcNoTop : DcPred;
    }

    private static unsafe void PrepareEdges(byte* y, byte* u, byte* v, int mbX, int mbY, byte[] topY, byte[] topU, byte[] topV)
    {
        // Left column (and the top-left corner): the previous macroblock's right column, or 129 at the left edge.
        if (mbX > 0)
        {
            for (int r = -1; r < 16; r++) y[r * Bps - 1] = y[r * Bps + 15];
            for (int r = -1; r < 8; r++) { u[r * Bps - 1] = u[r * Bps + 7]; v[r * Bps - 1] = v[r * Bps + 7]; }
        }
        else
        {
            for (int r = 0; r < 16; r++) y[r * Bps - 1] = 129;
            for (int r = 0; r < 8; r++) { u[r * Bps - 1] = 129; v[r * Bps - 1] = 129; }
            byte corner = mbY > 0 ? (byte)129 : (byte)127;
            y[-Bps - 1] = corner; u[-Bps - 1] = corner; v[-Bps - 1] = corner;
        }
        // Top row (and top-right for 4×4 prediction): the row above, or 127 on the first row.
        if (mbY > 0)
        {
            fixed (byte* ty = topY, tu = topU, tv = topV)
            {
                ((ulong*)(y - Bps))[0] = ((ulong*)(ty + mbX * 16))[0];
                ((ulong*)(y - Bps))[1] = ((ulong*)(ty + mbX * 16))[1];
                *(ulong*)(u - Bps) = *(ulong*)(tu + mbX * 8);
                *(ulong*)(v - Bps) = *(ulong*)(tv + mbX * 8);
                if (mbX == (topY.Length >> 4) - 1) *(uint*)(y - Bps + 16) = 0x01010101u * ty[mbX * 16 + 15];
                else *(uint*)(y - Bps + 16) = *(uint*)(ty + mbX * 16 + 16);
            }
        }
        else
        {
            new Span<byte>(y - Bps - 1, 21).Fill(127);
            new Span<byte>(u - Bps - 1, 9).Fill(127);
            new Span<byte>(v - Bps - 1, 9).Fill(127);
        }
        // Sub-blocks in the right column take their above-right pixels from the macroblock's top-right.
        uint topRight = *(uint*)(y - Bps + 16);
        for (int r = 3; r < 15; r += 4) *(uint*)(y + r * Bps + 16) = topRight;
    }

    private static int ReadBMode(Vp8BoolDecoder br, int above, int left)
    {
        int offset = (above * 10 + left) * 9;
        var probs = Vp8Tables.KfBModeProbabilities;
        var tree = Vp8Tables.BModeTree;
        int i = 0;
        while ((i = tree[i + br.GetBit(probs[offset + (i >> 1)])]) > 0) { }
        return -i;
    }

    /// <summary>Reads a macroblock's DCT tokens; returns whether any coefficient is non-zero.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private unsafe bool ReadResiduals(Vp8BoolDecoder br, short* coefs, int segment, bool isI4x4, Span<byte> top, Span<byte> left)
    {
        int y1Dc = _quant[segment, 0], y1Ac = _quant[segment, 1];
        int first;
        int yType;
        bool any = false;
        if (!isI4x4)
        {
            short* dc = stackalloc short[16];
            new Span<short>(dc, 16).Clear();
            int ctx = top[8] + left[8];
            int nz = ReadCoefficients(br, 1, ctx, _quant[segment, 2], _quant[segment, 3], 0, dc);
            top[8] = left[8] = (byte)(nz > 0 ? 1 : 0);
            Vp8Transform.InverseWht(dc, coefs, nz > 1);
            for (int i = 0; i < 16; i++) if (coefs[i * 16] != 0) any = true;
            first = 1;
            yType = 0;
        }
        else
        {
            first = 0;
            yType = 3;
        }

        for (int by = 0; by < 4; by++)
        {
            int l = left[by];
            for (int bx = 0; bx < 4; bx++)
            {
                int ctx = l + top[bx];
                int nz = ReadCoefficients(br, yType, ctx, y1Dc, y1Ac, first, coefs + (by * 4 + bx) * 16);
                l = nz > first ? 1 : 0;
                top[bx] = (byte)l;
                if (nz > first) any = true;
            }
            left[by] = (byte)l;
        }

        int uvDc = _quant[segment, 4], uvAc = _quant[segment, 5];
        for (int plane = 0; plane < 2; plane++)
        {
            int t = 4 + plane * 2;
            for (int by = 0; by < 2; by++)
            {
                int l = left[t + by];
                for (int bx = 0; bx < 2; bx++)
                {
                    int ctx = l + top[t + bx];
                    int nz = ReadCoefficients(br, 2, ctx, uvDc, uvAc, 0, coefs + 256 + plane * 64 + (by * 2 + bx) * 16);
                    l = nz > 0 ? 1 : 0;
                    top[t + bx] = (byte)l;
                    if (nz > 0) any = true;
                }
                left[t + by] = (byte)l;
            }
        }
        return any;
    }

    /// <summary>Reads one block's tokens (RFC 6386 section 13); returns the position after the last non-zero coefficient.</summary>
    private unsafe int ReadCoefficients(Vp8BoolDecoder br, int type, int ctx, int dcq, int acq, int n, short* output)
    {
        fixed (byte* probs = _coefProbs)
        fixed (int* bands = &BandOffsets[type * 17])
        fixed (byte* zigzag = Vp8Tables.Zigzag)
        {
            byte* p = probs + bands[n] + ctx * 11;
            for (; n < 16; n++)
            {
                if (br.GetBit(p[0]) == 0) return n; // end of block
                while (br.GetBit(p[1]) == 0)
                {
                    if (++n == 16) return 16;
                    p = probs + bands[n];
                }
                int value;
                byte* next = probs + bands[n + 1];
                if (br.GetBit(p[2]) == 0) { value = 1; p = next + 11; }
                else { value = ReadLargeValue(br, p); p = next + 22; }
                if (br.GetBit(0x80) != 0) value = -value;
                output[zigzag[n]] = (short)(value * (n > 0 ? acq : dcq));
            }
            return 16;
        }
    }

    private static unsafe int ReadLargeValue(Vp8BoolDecoder br, byte* p)
    {
        if (br.GetBit(p[3]) == 0)
            return br.GetBit(p[4]) == 0 ? 2 : 3 + br.GetBit(p[5]);
        if (br.GetBit(p[6]) == 0)
        {
            if (br.GetBit(p[7]) == 0) return 5 + br.GetBit(159);
            int v = 7 + 2 * br.GetBit(165);
            return v + br.GetBit(145);
        }
        int bit1 = br.GetBit(p[8]);
        int bit0 = br.GetBit(p[9 + bit1]);
        int category = 2 * bit1 + bit0;
        int extra = 0;
        foreach (byte prob in Vp8Tables.CatProbabilities[category]) extra = extra + extra + br.GetBit(prob);
        return extra + 3 + (8 << category);
    }
}
