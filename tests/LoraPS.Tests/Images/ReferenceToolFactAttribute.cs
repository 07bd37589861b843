namespace LoraPS.Tests.Images;

/// <summary>A test that needs Debian's image tools (imagemagick, libjpeg-turbo-progs, webp): skipped, with the reason, where one is missing.</summary>
public sealed class ReferenceToolFactAttribute : FactAttribute
{
    public ReferenceToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ReferenceImageTools.Find(t) is null).ToList();
        if (missing.Count > 0)
            Skip = $"needs {string.Join(", ", missing)} on PATH (apt-get install imagemagick libjpeg-turbo-progs webp)";
    }
}

/// <summary>The data-driven form of <see cref="ReferenceToolFactAttribute"/>.</summary>
public sealed class ReferenceToolTheoryAttribute : TheoryAttribute
{
    public ReferenceToolTheoryAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ReferenceImageTools.Find(t) is null).ToList();
        if (missing.Count > 0)
            Skip = $"needs {string.Join(", ", missing)} on PATH (apt-get install imagemagick libjpeg-turbo-progs webp)";
    }
}
