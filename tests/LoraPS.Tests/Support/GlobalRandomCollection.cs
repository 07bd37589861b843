namespace LoraPS.Tests.Support;

/// <summary>
/// Tests whose assertions depend on the exact sequence of libtorch's global generator after
/// torch.manual_seed (seeded module init, reproducibility checks). xunit runs test classes in
/// parallel, and any other test drawing from the global generator meanwhile shifts that sequence,
/// so these run on their own, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomCollection
{
    public const string Name = "libtorch global generator";
}
