using LoraPS.Models.StableDiffusion.Sampling;

namespace LoraPS.Tests.StableDiffusion.Sampling;

public sealed class SamplerChoiceTests
{
    [Theory]
    [InlineData("ddim", SamplerKind.Ddim, false)]
    [InlineData("euler", SamplerKind.Euler, false)]
    [InlineData("k_euler", SamplerKind.Euler, false)]
    [InlineData("euler_a", SamplerKind.EulerAncestral, false)]
    [InlineData("k_euler_a", SamplerKind.EulerAncestral, false)]
    [InlineData("dpmsolver++", SamplerKind.DpmPlusPlus2M, false)]
    [InlineData("Euler a", SamplerKind.EulerAncestral, false)]
    [InlineData("DPM++ 2M Karras", SamplerKind.DpmPlusPlus2M, true)]
    [InlineData("DPM++ 2M", SamplerKind.DpmPlusPlus2M, false)]
    [InlineData("DDIM", SamplerKind.Ddim, false)]
    [InlineData("  dpm++   2m   KARRAS ", SamplerKind.DpmPlusPlus2M, true)]
    [InlineData("EULER A KARRAS", SamplerKind.EulerAncestral, true)]
    [InlineData("Euler Karras", SamplerKind.Euler, true)]
    [InlineData("dpmpp_2m_karras", SamplerKind.DpmPlusPlus2M, true)]
    [InlineData("euler_ancestral", SamplerKind.EulerAncestral, false)]
    public void Parses_sd_scripts_automatic1111_and_comfyui_names(string name, SamplerKind kind, bool karras)
    {
        Assert.Equal(new SamplerChoice(kind, karras), SamplerChoice.Parse(name));
    }

    [Theory]
    [InlineData(SamplerKind.Euler, false, "Euler")]
    [InlineData(SamplerKind.EulerAncestral, false, "Euler a")]
    [InlineData(SamplerKind.Ddim, false, "DDIM")]
    [InlineData(SamplerKind.DpmPlusPlus2M, false, "DPM++ 2M")]
    [InlineData(SamplerKind.DpmPlusPlus2M, true, "DPM++ 2M Karras")]
    [InlineData(SamplerKind.EulerAncestral, true, "Euler a Karras")]
    public void Writes_the_automatic1111_name_and_reads_it_back(SamplerKind kind, bool karras, string name)
    {
        var choice = new SamplerChoice(kind, karras);
        Assert.Equal(name, choice.ToString());
        Assert.Equal(choice, SamplerChoice.Parse(choice.ToString()));
    }

    [Theory]
    [InlineData("heun", "not implemented")]
    [InlineData("k_lms", "not implemented")]
    [InlineData("dpmsolver", "not implemented")]
    [InlineData("", "unknown sampler")]
    [InlineData("DDIM Karras", "unknown sampler")]
    [InlineData("euler a\0", "unknown sampler")]
    [InlineData("UniPC", "unknown sampler")]
    public void Unknown_names_are_an_error_listing_the_accepted_ones(string name, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => SamplerChoice.Parse(name));
        Assert.Contains(why, e.Message);
        foreach (string accepted in new[] { "Euler a", "DPM++ 2M Karras", "DDIM", "euler_a", "k_euler", "dpmsolver++" })
            Assert.Contains(accepted, e.Message);
        Assert.False(SamplerChoice.TryParse(name, out _));
    }

    [Fact]
    public void Ddim_with_karras_cannot_be_made()
    {
        Assert.Throws<ArgumentException>(() => new SamplerChoice(SamplerKind.Ddim, Karras: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerChoice((SamplerKind)42));
    }

    [Fact]
    public void Every_kind_and_schedule_creates_its_sampler()
    {
        foreach (string name in SamplerChoice.AcceptedNames)
        {
            var choice = SamplerChoice.Parse(name);
            var sampler = Sampler.Create(choice);
            Assert.Equal(choice, sampler.Choice);
            double[] levels = sampler.NoiseLevels(12);
            Assert.Equal(13, levels.Length);
            for (int i = 1; i < levels.Length; i++) Assert.True(levels[i] < levels[i - 1], $"{name}: noise levels must fall");
        }
    }
}
