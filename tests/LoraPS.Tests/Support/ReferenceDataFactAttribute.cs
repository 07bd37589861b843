namespace LoraPS.Tests.Support;

/// <summary>
/// A parity test that reads ../shared/reference-data: reported as skipped, with the reason, where
/// that folder is absent (a clone without the shared folder beside it).
/// </summary>
public sealed class ReferenceDataFactAttribute : FactAttribute
{
    public ReferenceDataFactAttribute()
    {
        if (RepoPaths.ReferenceData is null)
            Skip = "../shared/reference-data is not beside this repository; parity tests need it";
    }
}

/// <summary>The theory form of <see cref="ReferenceDataFactAttribute"/>.</summary>
public sealed class ReferenceDataTheoryAttribute : TheoryAttribute
{
    public ReferenceDataTheoryAttribute()
    {
        if (RepoPaths.ReferenceData is null)
            Skip = "../shared/reference-data is not beside this repository; parity tests need it";
    }
}
