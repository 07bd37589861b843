namespace LoraPS.Tests.Support;

/// <summary>
/// Tests that count libtorch's live tensors. Every other test creates and frees tensors, so these run
/// on their own, after the parallel ones, and collect garbage before taking their baseline.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeTensorCountingCollection
{
    public const string Name = "native tensor counting";
}
