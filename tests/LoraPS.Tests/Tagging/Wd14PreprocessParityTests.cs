using LoraPS.Formats.Images;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Tagging;
using LoraPS.Tests.Support;
using Xunit.Abstractions;

namespace LoraPS.Tests.Tagging;

/// <summary>
/// The [448, 448, 3] BGR input LoraPS builds equals sd-scripts' (wd14-preprocess-1234.safetensors):
/// within ±1 per channel everywhere, exactly for the 448×448 picture.
/// </summary>
public class Wd14PreprocessParityTests(ITestOutputHelper output)
{
    [ReferenceDataFact]
    public void EveryReferencePictureMatchesSdScripts()
    {
        string folder = Path.Combine(RepoPaths.ReferenceData!, "wd14");
        using var reference = SafeTensorsFile.Open(Path.Combine(folder, "wd14-preprocess-1234.safetensors"));
        var images = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").OrderBy(p => p).ToList();
        Assert.True(images.Count >= 10, $"expected the 10 reference pictures, found {images.Count}");
        var failures = new List<string>();
        foreach (string path in images)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            SafeTensor expected = reference.TryGet(name, out var t) ? t : reference[Path.GetFileName(path)];
            Assert.Equal(new long[] { 448, 448, 3 }, expected.ShapeArray());
            Assert.Equal(SafeTensorDType.U8, expected.DType);
            byte[] want = expected.Bytes.ToArray();
            byte[] got = Wd14Preprocessor.ToBgr(ImageCodecs.Decode(path), 448);
            int maxDiff = 0, differing = 0;
            for (int i = 0; i < want.Length; i++)
            {
                int d = Math.Abs(want[i] - got[i]);
                if (d > 0) differing++;
                maxDiff = Math.Max(maxDiff, d);
            }
            output.WriteLine($"{name}: max |Δ| {maxDiff}, {differing} of {want.Length} values differ");
            bool exactRequired = name == "rgb_448x448";
            if (maxDiff > (exactRequired ? 0 : 1)) failures.Add($"{name}: max |Δ| = {maxDiff} ({differing} values differ)");
        }
        Assert.True(failures.Count == 0, string.Join("; ", failures));
    }
}
