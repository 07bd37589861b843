using LoraPS.Formats.Images;
using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Generation;

/// <summary>Pictures to and from the VAE's image tensors: (1, 3, H, W), float, RGB in [−1, 1].</summary>
public static class ImageTensors
{
    /// <summary>RGB of <paramref name="image"/> (alpha ignored) as a float32 CPU tensor (1, 3, H, W): v/127.5 − 1.</summary>
    public static Tensor ToTensor(RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, plane = w * h;
        var values = new float[3 * plane];
        byte[] pixels = image.Pixels;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                values[c * plane + p] = pixels[p * 4 + c] / 127.5f - 1f;
        return torch.tensor(values, 1, 3, h, w);
    }

    /// <summary>
    /// A (1, 3, H, W) tensor (any float dtype, any device) in [−1, 1] → an opaque 8-bit picture: each value
    /// clamped to [−1, 1], mapped to (v + 1)·127.5 and rounded to the nearest integer. NaN becomes 0.
    /// </summary>
    public static RgbaImage ToImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 4 || image.shape[0] != 1 || image.shape[1] != 3)
            throw new ArgumentException($"expected an image tensor (1, 3, H, W); got [{string.Join(", ", image.shape)}]", nameof(image));
        long hl = image.shape[2], wl = image.shape[3];
        if (hl < 1 || wl < 1 || hl * wl > int.MaxValue / 4)
            throw new ArgumentException($"image size {wl}×{hl} cannot be an RGBA picture", nameof(image));
        int h = (int)hl, w = (int)wl, plane = w * h;
        float[] values;
        using (var cpu = image.to(Device.CPU, ScalarType.Float32))
        using (var contiguous = cpu.contiguous())
            values = contiguous.data<float>();
        var result = new RgbaImage(w, h);
        byte[] pixels = result.Pixels;
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                float v = values[c * plane + p];
                double scaled = float.IsNaN(v) ? 0 : (Math.Clamp(v, -1f, 1f) + 1.0) * 127.5;
                pixels[p * 4 + c] = (byte)Math.Round(scaled, MidpointRounding.AwayFromZero);
            }
            pixels[p * 4 + 3] = 255;
        }
        return result;
    }
}
