using LoraPS.Workflows.Rename;

namespace LoraPS.Tests.Rename;

/// <summary>The natural order the rename sorts names by (the EXIF date-taken tests are in Images/ExifContainerTests).</summary>
public sealed class NaturalOrderTests
{
    [Fact]
    public void Natural_order_compares_digit_runs_as_numbers()
    {
        string[] names = ["img10.png", "img2.png", "IMG1.png", "img02.png", "a", "img1.png", "img"];
        var sorted = names.Order(NaturalStringComparer.Instance).ToArray();
        Assert.Equal(["a", "img", "IMG1.png", "img1.png", "img02.png", "img2.png", "img10.png"], sorted); // equal numbers: ordinal decides
    }
}
