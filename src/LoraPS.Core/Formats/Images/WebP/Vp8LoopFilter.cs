namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// VP8's in-loop deblocking filter (RFC 6386 section 15), simple and normal, applied over the whole
/// frame macroblock by macroblock: left edge, inner vertical edges, top edge, inner horizontal edges.
/// </summary>
internal static unsafe class Vp8LoopFilter
{
    /// <summary>Edge limit for inner edges (macroblock edges use it + 4), interior limit, high-edge-variance threshold.</summary>
    public readonly record struct Strength(int Limit, int Interior, int HevThreshold);

    public static void Apply(byte[] y, byte[] u, byte[] v, int mbw, int mbh, Vp8Decoder.MacroblockInfo[] info, bool simple, Strength[,] strengths)
    {
        int yStride = mbw * 16, uvStride = mbw * 8;
        fixed (byte* yp = y, up = u, vp = v)
        {
            for (int mbY = 0; mbY < mbh; mbY++)
                for (int mbX = 0; mbX < mbw; mbX++)
                {
                    var mb = info[mbY * mbw + mbX];
                    var s = strengths[mb.Segment, mb.IsI4x4 ? 1 : 0];
                    if (s.Limit == 0) continue;
                    bool inner = mb.IsI4x4 || mb.HasCoefficients;
                    byte* yDst = yp + mbY * 16 * yStride + mbX * 16;
                    byte* uDst = up + mbY * 8 * uvStride + mbX * 8;
                    byte* vDst = vp + mbY * 8 * uvStride + mbX * 8;
                    if (simple)
                    {
                        if (mbX > 0) SimpleEdge(yDst, 1, yStride, s.Limit + 4);
                        if (inner) for (int i = 4; i < 16; i += 4) SimpleEdge(yDst + i, 1, yStride, s.Limit);
                        if (mbY > 0) SimpleEdge(yDst, yStride, 1, s.Limit + 4);
                        if (inner) for (int i = 4; i < 16; i += 4) SimpleEdge(yDst + i * yStride, yStride, 1, s.Limit);
                    }
                    else if (Vp8LoopFilterSimd.IsSupported)
                    {
                        int lim = s.Limit, ilev = s.Interior, hev = s.HevThreshold;
                        if (mbX > 0)
                        {
                            Vp8LoopFilterSimd.VerticalEdge16(yDst, yStride, lim + 4, ilev, hev, true);
                            Vp8LoopFilterSimd.VerticalEdgeUv(uDst, vDst, uvStride, lim + 4, ilev, hev, true);
                        }
                        if (inner)
                        {
                            for (int i = 4; i < 16; i += 4) Vp8LoopFilterSimd.VerticalEdge16(yDst + i, yStride, lim, ilev, hev, false);
                            Vp8LoopFilterSimd.VerticalEdgeUv(uDst + 4, vDst + 4, uvStride, lim, ilev, hev, false);
                        }
                        if (mbY > 0)
                        {
                            Vp8LoopFilterSimd.HorizontalEdge16(yDst, yStride, lim + 4, ilev, hev, true);
                            Vp8LoopFilterSimd.HorizontalEdgeUv(uDst, vDst, uvStride, lim + 4, ilev, hev, true);
                        }
                        if (inner)
                        {
                            for (int i = 4; i < 16; i += 4) Vp8LoopFilterSimd.HorizontalEdge16(yDst + i * yStride, yStride, lim, ilev, hev, false);
                            Vp8LoopFilterSimd.HorizontalEdgeUv(uDst + 4 * uvStride, vDst + 4 * uvStride, uvStride, lim, ilev, hev, false);
                        }
                    }
                    else
                    {
                        if (mbX > 0)
                        {
                            MacroblockEdge(yDst, 1, yStride, 16, s.Limit + 4, s.Interior, s.HevThreshold);
                            MacroblockEdge(uDst, 1, uvStride, 8, s.Limit + 4, s.Interior, s.HevThreshold);
                            MacroblockEdge(vDst, 1, uvStride, 8, s.Limit + 4, s.Interior, s.HevThreshold);
                        }
                        if (inner)
                        {
                            for (int i = 4; i < 16; i += 4) InnerEdge(yDst + i, 1, yStride, 16, s.Limit, s.Interior, s.HevThreshold);
                            InnerEdge(uDst + 4, 1, uvStride, 8, s.Limit, s.Interior, s.HevThreshold);
                            InnerEdge(vDst + 4, 1, uvStride, 8, s.Limit, s.Interior, s.HevThreshold);
                        }
                        if (mbY > 0)
                        {
                            MacroblockEdge(yDst, yStride, 1, 16, s.Limit + 4, s.Interior, s.HevThreshold);
                            MacroblockEdge(uDst, uvStride, 1, 8, s.Limit + 4, s.Interior, s.HevThreshold);
                            MacroblockEdge(vDst, uvStride, 1, 8, s.Limit + 4, s.Interior, s.HevThreshold);
                        }
                        if (inner)
                        {
                            for (int i = 4; i < 16; i += 4) InnerEdge(yDst + i * yStride, yStride, 1, 16, s.Limit, s.Interior, s.HevThreshold);
                            InnerEdge(uDst + 4 * uvStride, uvStride, 1, 8, s.Limit, s.Interior, s.HevThreshold);
                            InnerEdge(vDst + 4 * uvStride, uvStride, 1, 8, s.Limit, s.Interior, s.HevThreshold);
                        }
                    }
                }
        }
    }

    private static int Clamp128(int v) => v < -128 ? -128 : v > 127 ? 127 : v;     // signed-char clamp
    private static int Clamp16(int v) => v < -16 ? -16 : v > 15 ? 15 : v;
    private static byte Clip(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;

    /// <summary>
    /// Filters across an edge: <paramref name="step"/> crosses it (p0 = p[−step], q0 = p[0]),
    /// <paramref name="along"/> moves to the next position on it.
    /// </summary>
    private static void SimpleEdge(byte* p, int step, int along, int limit)
    {
        int threshold = 2 * limit + 1;
        for (int i = 0; i < 16; i++, p += along)
        {
            int p1 = p[-2 * step], p0 = p[-step], q0 = p[0], q1 = p[step];
            if (4 * Math.Abs(p0 - q0) + Math.Abs(p1 - q1) <= threshold) Filter2(p, step);
        }
    }

    private static void MacroblockEdge(byte* p, int step, int along, int count, int limit, int interior, int hev)
    {
        int threshold = 2 * limit + 1;
        for (int i = 0; i < count; i++, p += along)
        {
            if (!NeedsFilter(p, step, threshold, interior)) continue;
            if (HighVariance(p, step, hev)) Filter2(p, step);
            else Filter6(p, step);
        }
    }

    private static void InnerEdge(byte* p, int step, int along, int count, int limit, int interior, int hev)
    {
        int threshold = 2 * limit + 1;
        for (int i = 0; i < count; i++, p += along)
        {
            if (!NeedsFilter(p, step, threshold, interior)) continue;
            if (HighVariance(p, step, hev)) Filter2(p, step);
            else Filter4(p, step);
        }
    }

    private static bool NeedsFilter(byte* p, int step, int threshold, int interior)
    {
        int p3 = p[-4 * step], p2 = p[-3 * step], p1 = p[-2 * step], p0 = p[-step];
        int q0 = p[0], q1 = p[step], q2 = p[2 * step], q3 = p[3 * step];
        if (4 * Math.Abs(p0 - q0) + Math.Abs(p1 - q1) > threshold) return false;
        return Math.Abs(p3 - p2) <= interior && Math.Abs(p2 - p1) <= interior && Math.Abs(p1 - p0) <= interior
            && Math.Abs(q3 - q2) <= interior && Math.Abs(q2 - q1) <= interior && Math.Abs(q1 - q0) <= interior;
    }

    private static bool HighVariance(byte* p, int step, int threshold) =>
        Math.Abs(p[-2 * step] - p[-step]) > threshold || Math.Abs(p[step] - p[0]) > threshold;

    /// <summary>Adjusts p0 and q0 using the outer taps.</summary>
    private static void Filter2(byte* p, int step)
    {
        int p1 = p[-2 * step], p0 = p[-step], q0 = p[0], q1 = p[step];
        int a = 3 * (q0 - p0) + Clamp128(p1 - q1);
        int a1 = Clamp16((a + 4) >> 3);
        int a2 = Clamp16((a + 3) >> 3);
        p[-step] = Clip(p0 + a2);
        p[0] = Clip(q0 - a1);
    }

    /// <summary>Inner-edge filter: adjusts p1, p0, q0, q1.</summary>
    private static void Filter4(byte* p, int step)
    {
        int p1 = p[-2 * step], p0 = p[-step], q0 = p[0], q1 = p[step];
        int a = 3 * (q0 - p0);
        int a1 = Clamp16((a + 4) >> 3);
        int a2 = Clamp16((a + 3) >> 3);
        int a3 = (a1 + 1) >> 1;
        p[-2 * step] = Clip(p1 + a3);
        p[-step] = Clip(p0 + a2);
        p[0] = Clip(q0 - a1);
        p[step] = Clip(q1 - a3);
    }

    /// <summary>Macroblock-edge filter: adjusts three pixels on each side.</summary>
    private static void Filter6(byte* p, int step)
    {
        int p2 = p[-3 * step], p1 = p[-2 * step], p0 = p[-step];
        int q0 = p[0], q1 = p[step], q2 = p[2 * step];
        int a = Clamp128(3 * (q0 - p0) + Clamp128(p1 - q1));
        int a1 = (27 * a + 63) >> 7;
        int a2 = (18 * a + 63) >> 7;
        int a3 = (9 * a + 63) >> 7;
        p[-3 * step] = Clip(p2 + a3);
        p[-2 * step] = Clip(p1 + a2);
        p[-step] = Clip(p0 + a1);
        p[0] = Clip(q0 - a1);
        p[step] = Clip(q1 - a2);
        p[2 * step] = Clip(q2 - a3);
    }
}
