namespace LoraPS.Bench;

/// <summary>
/// One benchmark. Every public non-abstract class implementing it is found by reflection, so adding
/// a benchmark is adding a file. Run writes its figures as Markdown to the writer.
/// </summary>
public interface IBenchmark
{
    /// <summary>Short name used on the command line: `./build.sh bench &lt;name&gt;`.</summary>
    string Name { get; }

    /// <summary>One line on what it measures and its target.</summary>
    string Description { get; }

    void Run(TextWriter report);
}
