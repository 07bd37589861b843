using System.Diagnostics;
using System.Runtime.InteropServices;
using LoraPS.Bench;

// Runs the named benchmarks (all when none is named) and prints Markdown to paste into docs/benchmarks.md.
var all = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

if (args.Contains("--list"))
{
    foreach (var b in all) Console.WriteLine($"{b.Name,-24} {b.Description}");
    return 0;
}

var chosen = args.Length == 0 ? all : all.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine($"no benchmark named {string.Join(", ", args)}; known: {string.Join(", ", all.Select(b => b.Name))}");
    return 2;
}

Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}");
Console.WriteLine($"Date: {DateTime.UtcNow:yyyy-MM-dd}");
foreach (var benchmark in chosen)
{
    Console.WriteLine();
    Console.WriteLine($"## {benchmark.Name}");
    Console.WriteLine(benchmark.Description);
    Console.WriteLine();
    var clock = Stopwatch.StartNew();
    benchmark.Run(Console.Out);
    Console.WriteLine($"(ran in {clock.Elapsed.TotalSeconds:F1} s)");
}
return 0;
