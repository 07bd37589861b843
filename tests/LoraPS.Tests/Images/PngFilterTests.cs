using LoraPS.Formats.Images.Png;

namespace LoraPS.Tests.Images;

/// <summary>The vectorised unfilter paths give exactly what the byte-by-byte definition gives, for every filter and pixel size.</summary>
public sealed class PngFilterTests
{
    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(6)] [InlineData(8)]
    public void Unfilter_matches_the_definition_and_inverts_Apply(int bpp)
    {
        var rng = new Random(bpp);
        foreach (int length in new[] { bpp, bpp * 5, bpp * 333, bpp * 333 + 1, 7 })
            for (int filter = 0; filter <= 4; filter++)
            {
                var prior = new byte[length];
                var row = new byte[length];
                rng.NextBytes(prior);
                rng.NextBytes(row);
                var fast = (byte[])row.Clone();
                Assert.True(PngFilters.Unfilter(filter, fast, prior, bpp));
                var slow = Reference(filter, row, prior, bpp);
                Assert.Equal(slow, fast);
                var refiltered = new byte[length];
                PngFilters.Apply(filter, fast, prior, bpp, refiltered);
                Assert.Equal(row, refiltered);
            }
        Assert.False(PngFilters.Unfilter(5, new byte[4], new byte[4], bpp));
    }

    /// <summary>The PNG specification's formulas, one byte at a time.</summary>
    private static byte[] Reference(int filter, byte[] row, byte[] prior, int bpp)
    {
        var r = (byte[])row.Clone();
        for (int i = 0; i < r.Length; i++)
        {
            int a = i >= bpp ? r[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            int predictor = filter switch
            {
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                _ => 0,
            };
            r[i] = (byte)(r[i] + predictor);
        }
        return r;
    }
}
