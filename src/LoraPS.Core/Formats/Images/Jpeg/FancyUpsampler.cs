using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// The 2× horizontal chroma interpolation shared by libjpeg-turbo's fancy upsampling and libwebp's:
/// with s[i] = wNear·near[i] + wFar·far[i] (the vertical blend), output 2i+1 = (3·s[i] + s[i+1] + r1) &gt;&gt; 4
/// and output 2i+2 = (s[i] + 3·s[i+1] + r2) &gt;&gt; 4; the ends repeat (4·s + rounding) &gt;&gt; 4.
/// Eight pairs at a time with SSE4.1, identical to the scalar form.
/// </summary>
internal static unsafe class FancyUpsampler
{
    /// <summary>Writes 2·<paramref name="n"/> samples to <paramref name="dst"/> from <paramref name="n"/> input samples.</summary>
    public static void Row(byte* near, byte* far, int n, int wNear, int wFar, int r1, int r2, byte* dst)
    {
        int first = wNear * near[0] + wFar * far[0];
        dst[0] = (byte)((first * 4 + 8) >> 4);
        int i = 0;
        if (Sse41.IsSupported && n > 9)
        {
            var kNear = Vector128.Create((short)wNear);
            var kFar = Vector128.Create((short)wFar);
            var three = Vector128.Create((short)3);
            var round1 = Vector128.Create((short)r1);
            var round2 = Vector128.Create((short)r2);
            for (; i + 9 <= n; i += 8)
            {
                var a = Sse2.Add(Sse2.MultiplyLow(Sse41.ConvertToVector128Int16(near + i), kNear), Sse2.MultiplyLow(Sse41.ConvertToVector128Int16(far + i), kFar));
                var b = Sse2.Add(Sse2.MultiplyLow(Sse41.ConvertToVector128Int16(near + i + 1), kNear), Sse2.MultiplyLow(Sse41.ConvertToVector128Int16(far + i + 1), kFar));
                var p = Sse2.ShiftRightLogical(Sse2.Add(Sse2.Add(Sse2.MultiplyLow(a, three), b), round1), 4);
                var q = Sse2.ShiftRightLogical(Sse2.Add(Sse2.Add(Sse2.MultiplyLow(b, three), a), round2), 4);
                var pb = Sse2.PackUnsignedSaturate(p, p);
                var qb = Sse2.PackUnsignedSaturate(q, q);
                Sse2.Store(dst + 2 * i + 1, Sse2.UnpackLow(pb, qb));
            }
        }
        int s = wNear * near[i] + wFar * far[i];
        for (; i < n - 1; i++)
        {
            int next = wNear * near[i + 1] + wFar * far[i + 1];
            dst[2 * i + 1] = (byte)((3 * s + next + r1) >> 4);
            dst[2 * i + 2] = (byte)((s + 3 * next + r2) >> 4);
            s = next;
        }
        dst[2 * n - 1] = (byte)((s * 4 + r1) >> 4);
    }
}
