using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Resampling;

namespace LoraPS.Models.Tagging;

/// <summary>
/// The WD14 tagger's input, built as sd-scripts' tag_images_by_wd14_tagger.py builds it: alpha
/// composited onto white, channels reversed to BGR, padded to a centred square with white (the odd
/// pixel right/bottom), resized to the model's side (OpenCV area when shrinking, Pillow Lanczos when
/// enlarging), then float32 0–255 in NHWC.
/// </summary>
public static class Wd14Preprocessor
{
    /// <summary>Writes the size × size × 3 BGR bytes of <paramref name="image"/> into <paramref name="bgr"/>.</summary>
    public static void ToBgr(RgbaImage image, int size, Span<byte> bgr)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        if (bgr.Length < size * size * 3) throw new ArgumentException($"buffer holds {bgr.Length} bytes; {size * size * 3} needed", nameof(bgr));
        int square = Math.Max(image.Width, image.Height);
        byte[] padded = square == size ? null! : new byte[square * square * 3];
        Span<byte> target = square == size ? bgr : padded;
        target[..(square * square * 3)].Fill(255);
        int left = (square - image.Width) / 2, top = (square - image.Height) / 2;
        byte[] px = image.Pixels;
        for (int y = 0; y < image.Height; y++)
        {
            int s = y * image.Width * 4;
            Span<byte> row = target.Slice(((top + y) * square + left) * 3, image.Width * 3);
            for (int x = 0, d = 0; x < image.Width; x++, s += 4, d += 3)
            {
                int a = px[s + 3];
                if (a == 255)
                {
                    row[d] = px[s + 2];
                    row[d + 1] = px[s + 1];
                    row[d + 2] = px[s];
                }
                else
                {
                    row[d] = ImageOps.Blend(255, px[s + 2], a);
                    row[d + 1] = ImageOps.Blend(255, px[s + 1], a);
                    row[d + 2] = ImageOps.Blend(255, px[s], a);
                }
            }
        }
        if (square > size) AreaResampler.Resize(padded, square, square, bgr, size, size, 3);
        else if (square < size) ConvolutionResampler.Resize(padded, square, square, bgr, size, size, 3, ConvolutionFilter.Lanczos);
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
        byte[] bgr = ToBgr(image, size);
        for (int i = 0; i < bgr.Length; i++) input[i] = bgr[i];
    }
}
