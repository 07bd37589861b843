using LoraPS.Formats.Images;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion.Generation;

public sealed class ImageTensorsTests
{
    private static RgbaImage RandomImage(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 4];
        new Random(seed).NextBytes(pixels);
        return new RgbaImage(width, height, pixels);
    }

    [Fact]
    public void Pixels_map_to_minus_one_to_one_in_channel_planes()
    {
        var image = RandomImage(5, 3, 1);
        using var tensor = ImageTensors.ToTensor(image);
        Assert.Equal(new long[] { 1, 3, 3, 5 }, tensor.shape);
        Assert.Equal(ScalarType.Float32, tensor.dtype);
        float[] values = tensor.data<float>();
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(image.Pixels[(y * 5 + x) * 4 + c] / 127.5f - 1f, values[c * 15 + y * 5 + x]);
        Assert.InRange(values.Min(), -1f, 1f);
        Assert.InRange(values.Max(), -1f, 1f);
    }

    [Fact]
    public void Round_trip_keeps_every_rgb_byte_and_makes_the_picture_opaque()
    {
        var image = RandomImage(37, 19, 2);
        using var tensor = ImageTensors.ToTensor(image);
        var back = ImageTensors.ToImage(tensor);
        Assert.Equal(37, back.Width);
        Assert.Equal(19, back.Height);
        for (int p = 0; p < 37 * 19; p++)
        {
            for (int c = 0; c < 3; c++) Assert.Equal(image.Pixels[p * 4 + c], back.Pixels[p * 4 + c]);
            Assert.Equal(255, back.Pixels[p * 4 + 3]);
        }
        // also from half precision
        using var half = tensor.to(ScalarType.Float16);
        var fromHalf = ImageTensors.ToImage(half);
        Assert.All(fromHalf.Pixels.Zip(image.Pixels).Where((_, i) => i % 4 != 3), pair => Assert.InRange(pair.First - pair.Second, -1, 1));
    }

    [Fact]
    public void Values_outside_the_range_are_clamped_and_rounded_to_the_nearest_byte()
    {
        using var tensor = torch.tensor(new[] { -3f, -1f, 1f, 7f, 0f, float.NaN, 0.5f / 127.5f - 1f + 1e-4f, 2.4f / 127.5f - 1f, 2.6f / 127.5f - 1f, -1e-7f, 1e-7f, 0.999f }, 1, 3, 2, 2);
        var image = ImageTensors.ToImage(tensor);
        byte[] channel(int c) => Enumerable.Range(0, 4).Select(p => image.Pixels[p * 4 + c]).ToArray();
        Assert.Equal(new byte[] { 0, 0, 255, 255 }, channel(0));
        Assert.Equal(new byte[] { 128, 0, 1, 2 }, channel(1)); // (0 + 1)·127.5 = 127.5 rounds up; NaN → 0
        Assert.Equal(new byte[] { 3, 127, 128, 255 }, channel(2));
    }

    [Fact]
    public void Tensors_of_the_wrong_shape_are_refused()
    {
        using var three = torch.zeros(3, 4, 4);
        using var batch = torch.zeros(2, 3, 4, 4);
        using var gray = torch.zeros(1, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => ImageTensors.ToImage(three));
        Assert.Throws<ArgumentException>(() => ImageTensors.ToImage(batch));
        Assert.Throws<ArgumentException>(() => ImageTensors.ToImage(gray));
    }
}
