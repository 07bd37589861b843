using System.Diagnostics;
using LoraPS.Build;

// ./build.sh <target> [args] — the one build logic. Targets depend on each other as listed.
const string Usage = """
    usage: ./build.sh <target> [args]   (or ./build.ps1 <target> [args])
      deps     install what is missing (Debian/Ubuntu: libtorch-dev, cmake, g++, npm)
      native   compile the libtorch shim and fetch ONNX Runtime into artifacts/native
      build    native + compile the solution (Release)
      test     build + run every test; ends with `N passed, N failed, N skipped`
               (test --filter <expr> passes an xunit filter)
      demo     build + run the main job on built-in small data
      module   build + lay out out/LoraPS (the PowerShell module) and out/cli (loraps)
      bench    build + run benchmarks (bench <name>…; bench --list)
    """;

string root = FindRoot();
var ctx = new BuildContext(root);
string target = args.Length > 0 ? args[0] : "build";
string[] rest = args.Skip(1).ToArray();
var clock = Stopwatch.StartNew();
try
{
    int code = target switch
    {
        "deps" => Step(Deps),
        "native" => Step(Native),
        "build" => Step(Build),
        "test" => Test(),
        "demo" => Demo(),
        "module" => Step(() => { Build(); ModuleLayout.Create(ctx); }),
        "bench" => Bench(),
        "help" or "--help" or "-h" => Help(0),
        _ => Help(2),
    };
    Console.WriteLine($"[{target}] finished in {clock.Elapsed.TotalSeconds:F0} s with exit code {code}");
    return code;
}
catch (BuildException e)
{
    Console.Error.WriteLine($"build: {e.Message}");
    return 1;
}

void Deps()
{
    SystemPackages.Ensure("compiling the libtorch shim", "cmake", "g++", "make");
    LibTorchLocator.Find(installIfMissing: true);
}

void Native()
{
    NativeShimBuilder.Build(ctx);
    OnnxRuntimeFetcher.Ensure(ctx);
}

void Build()
{
    Native();
    Shell.Run("dotnet", new[] { "build", ctx.Solution, "-c", ctx.Configuration, "-nologo", "-v", "minimal" }, root);
}

int Test()
{
    Build();
    string? filter = rest.Length >= 2 && rest[0] == "--filter" ? rest[1] : null;
    return TestRunner.Run(ctx, filter);
}

int Demo()
{
    Build();
    return DemoRunner.Run(ctx);
}

int Bench()
{
    Build();
    NativeShimBuilder.BuildBenchmarkTwins(ctx);
    return Shell.RunCode("dotnet", new[] { "run", "--project", Path.Combine(root, "bench", "LoraPS.Bench"), "-c", ctx.Configuration, "--no-build", "--" }.Concat(rest), root);
}

int Step(Action action)
{
    action();
    return 0;
}

int Help(int code)
{
    (code == 0 ? Console.Out : Console.Error).WriteLine(Usage);
    return code;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LoraPS.sln"))) return dir.FullName;
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "LoraPS.sln"))) return dir.FullName;
    throw new BuildException("LoraPS.sln not found above the build tool or the current folder");
}
