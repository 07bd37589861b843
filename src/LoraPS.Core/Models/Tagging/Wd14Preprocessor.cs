using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Resampling;

namespace LoraPS.Models.Tagging;

/// <summary>
/// The WD14 tagger's input, built as sd-scripts' tag_images_by_wd14_tagger.py builds it: alpha
/// composited onto white, channels reversed to BGR, padded to a centred square with white (the odd
/// pixel right/bottom), resized to the model's side (OpenCV area when shrinking, Pillow Lanczos when
/// enlarging), then float32 0–255 in NHWC.
/// </summary>
public static unsafe class Wd14Preprocessor
{
    private static readonly Vector128<byte> AlphaMask = Vector128.Create(0xFF000000u).AsByte();
    private static readonly Vector128<byte> RgbaToBgr = Vector128.Create((byte)2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0x80, 0x80, 0x80, 0x80);

    /// <summary>Writes the size × size × 3 BGR bytes of <paramref name="image"/> into <paramref name="bgr"/>.</summary>
    public static void ToBgr(RgbaImage image, int size, Span<byte> bgr)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        if (bgr.Length < size * size * 3) throw new ArgumentException($"buffer holds {bgr.Length} bytes; {size * size * 3} needed", nameof(bgr));
        int square = Math.Max(image.Width, image.Height);
        // Pictures are large and many: the padded square comes from the shared pool rather than the large-object heap.
        byte[]? padded = square == size ? null : ArrayPool<byte>.Shared.Rent(square * square * 3);
        try
        {
            Span<byte> target = square == size ? bgr : padded;
            target[..(square * square * 3)].Fill(255);
            int left = (square - image.Width) / 2, top = (square - image.Height) / 2;
            fixed (byte* px = image.Pixels)
            fixed (byte* dstBase = target)
                for (int y = 0; y < image.Height; y++)
                {
                    byte* s = px + (long)y * image.Width * 4;
                    byte* d = dstBase + ((long)(top + y) * square + left) * 3;
                    int x = 0;
                    // Four opaque pixels at a time: RGBA×4 → BGR×4 with one byte shuffle (16-byte store, 12 kept).
                    for (; x + 6 <= image.Width; x += 4, s += 16, d += 12)
                    {
                        var v = Vector128.Load(s);
                        if (Vector128.EqualsAll(v & AlphaMask, AlphaMask))
                            (Ssse3.IsSupported ? Ssse3.Shuffle(v, RgbaToBgr) : Vector128.Shuffle(v, RgbaToBgr)).Store(d);
                        else
                            for (int k = 0; k < 4; k++) Pixel(s + 4 * k, d + 3 * k);
                    }
                    for (; x < image.Width; x++, s += 4, d += 3) Pixel(s, d);
                }
            if (square > size) AreaResampler.Resize(padded, square, square, bgr, size, size, 3);
            else if (square < size) ConvolutionResampler.Resize(padded, square, square, bgr, size, size, 3, ConvolutionFilter.Lanczos);
        }
        finally
        {
            if (padded != null) ArrayPool<byte>.Shared.Return(padded);
        }
    }

    /// <summary>One RGBA pixel to BGR, composited onto white with Pillow's rounding when not opaque.</summary>
    private static void Pixel(byte* s, byte* d)
    {
        int a = s[3];
        if (a == 255)
        {
            d[0] = s[2];
            d[1] = s[1];
            d[2] = s[0];
        }
        else
        {
            d[0] = ImageOps.Blend(255, s[2], a);
            d[1] = ImageOps.Blend(255, s[1], a);
            d[2] = ImageOps.Blend(255, s[0], a);
        }
    }

    public static byte[] ToBgr(RgbaImage image, int size)
    {
        var bgr = new byte[size * size * 3];
        ToBgr(image, size, bgr);
        return bgr;
    }

    /// <summary>Writes the model input (float32 BGR, 0–255) for one image into <paramref name="input"/> (size·size·3 floats).</summary>
    public static void ToModelInput(RgbaImage image, int size, Span<float> input)
    {
        int n = size * size * 3;
        byte[] bgr = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            ToBgr(image, size, bgr);
            ToFloats(bgr.AsSpan(0, n), input);
        }
        finally { ArrayPool<byte>.Shared.Return(bgr); }
    }

    /// <summary>Bytes to floats, 0–255, vectorised (Vector widening) where the hardware allows.</summary>
    public static void ToFloats(ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= bytes.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(bytes[i..]), out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                int n = Vector<uint>.Count;
                Vector.ConvertToSingle(a).CopyTo(floats[i..]);
                Vector.ConvertToSingle(b).CopyTo(floats[(i + n)..]);
                Vector.ConvertToSingle(c).CopyTo(floats[(i + 2 * n)..]);
                Vector.ConvertToSingle(d).CopyTo(floats[(i + 3 * n)..]);
            }
        for (; i < bytes.Length; i++) floats[i] = bytes[i];
    }
}
