using System.Text;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Preview;

namespace LoraPS.Tests.Preview;

/// <summary>A composed grid written as PNG decodes back to the same pixels and carries its parameters text.</summary>
public sealed class PreviewPngTests
{
    private static RgbaImage Grid(bool transparentCell = false)
    {
        var rng = new Random(3);
        var cells = Enumerable.Range(0, 2).Select(r => (IReadOnlyList<RgbaImage>)Enumerable.Range(0, 3).Select(c =>
        {
            var image = new RgbaImage(32 + c, 24);
            rng.NextBytes(image.Pixels);
            if (!transparentCell) for (int i = 3; i < image.Pixels.Length; i += 4) image.Pixels[i] = 255;
            return image;
        }).ToArray()).ToArray();
        return PreviewGrid.Compose(cells, ["a cat", "a dog"], ["lora:0", "lora:0.4", "lora:0.8"], new GridLayout { Title = "mylora" });
    }

    /// <summary>The types of the chunks in a PNG file, in order.</summary>
    private static List<string> ChunkTypes(byte[] png)
    {
        var types = new List<string>();
        for (int at = 8; at + 8 <= png.Length;)
        {
            int length = (png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
            types.Add(Encoding.ASCII.GetString(png, at + 4, 4));
            at += 12 + length;
        }
        return types;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Saved_grid_decodes_to_the_same_pixels_with_its_parameters(bool transparentCell)
    {
        var grid = Grid(transparentCell);
        string parameters = InfoText.Format("a cat", "blurry", 20, "Euler a", 7, 42, 512, 512, "tiny", null, 2, [("mylora", "0123abcd")]);
        using var folder = new TempFolder("preview png");
        string path = folder.File("grid ü 1.png"); // a space and a non-ASCII character in the name
        PreviewPng.Save(grid, path, parameters);

        byte[] file = File.ReadAllBytes(path);
        var decoded = PngDecoder.Decode(file, path: path);
        Assert.Equal((grid.Width, grid.Height), (decoded.Width, decoded.Height));
        Assert.Equal(grid.Pixels, decoded.Pixels);
        Assert.Equal(parameters, PreviewPng.ReadParameters(file, path));
        Assert.Equal(parameters, PngDecoder.ReadText(file)[InfoText.PngKeyword]);
        Assert.Contains("tEXt", ChunkTypes(file));
        Assert.DoesNotContain("iTXt", ChunkTypes(file));
        // Through the codec registry as every other reader of the project opens it.
        Assert.Equal(grid.Pixels, ImageCodecs.Decode(path).Pixels);
    }

    [Fact]
    public void Text_outside_latin1_goes_into_itxt_and_reads_back()
    {
        var grid = Grid();
        string parameters = InfoText.Format("猫の写真, 1girl", "", 20, "Euler a", 7, 1, 512, 512);
        byte[] file = PreviewPng.Encode(grid, parameters);
        Assert.Equal(parameters, PreviewPng.ReadParameters(file));
        Assert.Contains("iTXt", ChunkTypes(file));
        Assert.Equal(grid.Pixels, PngDecoder.Decode(file).Pixels);
    }

    [Fact]
    public void No_parameters_writes_no_text_and_other_text_is_kept()
    {
        var grid = Grid();
        byte[] plain = PreviewPng.Encode(grid, null);
        Assert.Null(PreviewPng.ReadParameters(plain));
        Assert.DoesNotContain("tEXt", ChunkTypes(plain));

        var options = new PngEncodeOptions { Text = new Dictionary<string, string> { ["Software"] = "LoraPS" } };
        byte[] both = PreviewPng.Encode(grid, "p\nSteps: 1", options);
        var text = PngDecoder.ReadText(both);
        Assert.Equal("LoraPS", text["Software"]);
        Assert.Equal("p\nSteps: 1", text["parameters"]);
    }

    [Fact]
    public void Save_refuses_to_replace_a_file_unless_asked()
    {
        var grid = Grid();
        using var folder = new TempFolder("preview png");
        string path = folder.File("grid.png");
        PreviewPng.Save(grid, path, "first");
        Assert.Throws<IOException>(() => PreviewPng.Save(grid, path, "second"));
        Assert.Equal("first", PreviewPng.ReadParameters(File.ReadAllBytes(path)));
        PreviewPng.Save(grid, path, "second", overwrite: true);
        Assert.Equal("second", PreviewPng.ReadParameters(File.ReadAllBytes(path)));
    }
}
