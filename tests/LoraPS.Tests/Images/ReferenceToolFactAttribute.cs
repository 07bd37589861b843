namespace LoraPS.Tests.Images;

/// <summary>
/// A conformance test that needs Debian's reference image tools (imagemagick, netpbm, libjpeg-turbo-progs,
/// webp): skipped, naming the missing tool and its package, where one is not installed.
/// </summary>
public sealed class ReferenceToolFactAttribute : FactAttribute
{
    public ReferenceToolFactAttribute(params string[] tools) => Skip = ReferenceImageTools.SkipReason(tools);
}

/// <summary>The data-driven form of <see cref="ReferenceToolFactAttribute"/>.</summary>
public sealed class ReferenceToolTheoryAttribute : TheoryAttribute
{
    public ReferenceToolTheoryAttribute(params string[] tools) => Skip = ReferenceImageTools.SkipReason(tools);
}
