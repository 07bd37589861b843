using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LoraPS.Formats.Images.Jpeg;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// YUV 4:2:0 → RGBA the way libwebp's default ("fancy") output does it: chroma is upsampled with
/// 9-3-3-1 weights between the two nearest chroma rows and columns, then converted with libwebp's
/// 14-bit fixed-point BT.601 (limited range) constants. Rows are converted 16 pixels at a time with SSE4.1.
/// </summary>
internal static unsafe class Vp8YuvConverter
{
    public static void Convert(Vp8Frame frame, RgbaImage image)
    {
        int width = frame.Width, height = frame.Height, uvWidth = (width + 1) >> 1;
        int ys = frame.YStride, uvs = frame.UvStride;
        var uRow = new byte[2 * uvWidth + 32];
        var vRow = new byte[2 * uvWidth + 32];
        fixed (byte* y = frame.Y, u = frame.U, v = frame.V, output = image.Pixels, ur = uRow, vr = vRow)
        {
            for (int row = 0; row < height; row++)
            {
                // Output row r sits between chroma rows (r−1)/2 and (r+1)/2: the nearer one is weighted 3.
                int near, far;
                if (row == 0) { near = far = 0; }
                else
                {
                    int k = (row + 1) >> 1; // the chroma row below (or at) this pair
                    bool top = (row & 1) == 1;
                    if (row == height - 1 && (height & 1) == 0) { near = far = (row >> 1); }
                    else if (top) { near = k - 1; far = k; }
                    else { near = k; far = k - 1; }
                }
                FancyUpsampler.Row(u + near * uvs, u + far * uvs, uvWidth, 3, 1, 8, 8, ur);
                FancyUpsampler.Row(v + near * uvs, v + far * uvs, uvWidth, 3, 1, 8, 8, vr);
                ConvertRow(y + row * ys, ur, vr, output + (long)row * width * 4, width);
            }
        }
    }

    private static byte Clip8(int v) => (v & ~16383) == 0 ? (byte)(v >> 6) : v < 0 ? (byte)0 : (byte)255;

    private static void ConvertRow(byte* y, byte* u, byte* v, byte* rgba, int width)
    {
        int x = 0;
        if (Sse41.IsSupported)
        {
            var kY = Vector128.Create(19077);
            var kVR = Vector128.Create(26149);
            var kUG = Vector128.Create(6419);
            var kVG = Vector128.Create(13320);
            var kUB = Vector128.Create(33050);
            var oR = Vector128.Create(-14234);
            var oG = Vector128.Create(8708);
            var oB = Vector128.Create(-17685);
            var alpha = Vector128.Create((byte)255);
            for (; x + 16 <= width; x += 16)
            {
                Vector128<short> r01 = default, r23 = default, g01 = default, g23 = default, b01 = default, b23 = default;
                for (int part = 0; part < 4; part++)
                {
                    int o = x + part * 4;
                    var yy = Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(Sse41.ConvertToVector128Int32(y + o), kY), 8);
                    var uu = Sse41.ConvertToVector128Int32(u + o);
                    var vv = Sse41.ConvertToVector128Int32(v + o);
                    var r = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.Add(yy, Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(vv, kVR), 8)), oR), 6);
                    var g = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.Subtract(Sse2.Subtract(yy, Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(uu, kUG), 8)),
                        Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(vv, kVG), 8)), oG), 6);
                    var b = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.Add(yy, Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(uu, kUB), 8)), oB), 6);
                    switch (part)
                    {
                        case 0: r01 = r.AsInt16(); g01 = g.AsInt16(); b01 = b.AsInt16(); break;
                        case 1: r01 = Sse2.PackSignedSaturate(r01.AsInt32(), r); g01 = Sse2.PackSignedSaturate(g01.AsInt32(), g); b01 = Sse2.PackSignedSaturate(b01.AsInt32(), b); break;
                        case 2: r23 = r.AsInt16(); g23 = g.AsInt16(); b23 = b.AsInt16(); break;
                        default: r23 = Sse2.PackSignedSaturate(r23.AsInt32(), r); g23 = Sse2.PackSignedSaturate(g23.AsInt32(), g); b23 = Sse2.PackSignedSaturate(b23.AsInt32(), b); break;
                    }
                }
                YccToRgba.Store(rgba + x * 4, Sse2.PackUnsignedSaturate(r01, r23), Sse2.PackUnsignedSaturate(g01, g23), Sse2.PackUnsignedSaturate(b01, b23), alpha);
            }
        }
        for (; x < width; x++)
        {
            int yy = (y[x] * 19077) >> 8, uu = u[x], vv = v[x];
            byte* o = rgba + x * 4;
            o[0] = Clip8(yy + ((vv * 26149) >> 8) - 14234);
            o[1] = Clip8(yy - ((uu * 6419) >> 8) - ((vv * 13320) >> 8) + 8708);
            o[2] = Clip8(yy + ((uu * 33050) >> 8) - 17685);
            o[3] = 255;
        }
    }
}
