using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Foundation;

/// <summary>
/// The PowerShell conventions every LoraPS cmdlet must follow, checked over LoraPS.dll's metadata
/// (no PowerShell host is needed). A new cmdlet that breaks a rule makes these tests fail.
/// </summary>
public sealed class CmdletContractTests : IDisposable
{
    private const string Sma = "System.Management.Automation";

    /// <summary>Verbs that only read; every other verb changes something and must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> ReadOnlyVerbs = new(StringComparer.OrdinalIgnoreCase)
        { "Get", "Test", "Find", "Search", "Measure", "Compare", "Show", "Resolve", "Read", "Watch", "Trace", "Format", "Select", "Wait" };

    /// <summary>Parameters that, when present, must bind from the pipeline by property name.</summary>
    private static readonly HashSet<string> PipelineNames = new(StringComparer.OrdinalIgnoreCase) { "Path", "LiteralPath" };

    private readonly MetadataLoadContext _context;
    private readonly Assembly _module;
    private readonly IReadOnlyList<Type> _cmdlets;

    public CmdletContractTests()
    {
        string bin = AppContext.BaseDirectory;
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(bin, "LoraPS*.dll"))
            .Append(Path.Combine(bin, "reflection-refs", Sma + ".dll"));
        _context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        _module = _context.LoadFromAssemblyPath(Path.Combine(bin, "LoraPS.dll"));
        Type cmdletBase = _context.LoadFromAssemblyName(Sma).GetType(Sma + ".Cmdlet", throwOnError: true)!;
        _cmdlets = _module.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && cmdletBase.IsAssignableFrom(t) && Attribute(t, "CmdletAttribute") != null)
            .ToList();
    }

    public void Dispose() => _context.Dispose();

    [Fact]
    public void The_module_defines_at_least_the_environment_cmdlet()
    {
        Assert.Contains("Get-LoraEnvironment", _cmdlets.Select(CmdletName));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb()
    {
        var approved = ApprovedVerbs();
        Assert.Contains("Get", approved); // guards against reading the verb tables wrongly
        var bad = _cmdlets.Select(CmdletName).Where(n => !approved.Contains(n.Split('-')[0])).ToList();
        Assert.True(bad.Count == 0, "unapproved verbs: " + string.Join(", ", bad));
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        var bad = _cmdlets.Where(t => !t.GetCustomAttributesData().Any(a =>
            a.AttributeType.Name == "OutputTypeAttribute" && a.ConstructorArguments.Count > 0)).Select(CmdletName).ToList();
        Assert.True(bad.Count == 0, "no [OutputType]: " + string.Join(", ", bad));
    }

    [Fact]
    public void Cmdlets_that_change_things_support_ShouldProcess()
    {
        var bad = _cmdlets
            .Where(t => !ReadOnlyVerbs.Contains(CmdletName(t).Split('-')[0]))
            .Where(t => !NamedBool(Attribute(t, "CmdletAttribute")!, "SupportsShouldProcess"))
            .Select(CmdletName).ToList();
        Assert.True(bad.Count == 0, "write or rename without SupportsShouldProcess: " + string.Join(", ", bad));
    }

    [Fact]
    public void Path_parameters_bind_from_the_pipeline_by_property_name()
    {
        var bad = new List<string>();
        foreach (var t in _cmdlets)
            foreach (var p in Parameters(t).Where(p => PipelineNames.Contains(p.Name)))
                if (!p.Attributes.Any(a => NamedBool(a, "ValueFromPipelineByPropertyName")))
                    bad.Add($"{CmdletName(t)} -{p.Name}");
        Assert.True(bad.Count == 0, "not bound by property name: " + string.Join(", ", bad));
    }

    [Fact]
    public void Cmdlets_that_take_pipeline_input_process_each_record()
    {
        var bad = _cmdlets
            .Where(t => Parameters(t).Any(p => p.Attributes.Any(a =>
                NamedBool(a, "ValueFromPipeline") || NamedBool(a, "ValueFromPipelineByPropertyName"))))
            .Where(t => !DeclaresProcessRecord(t))
            .Select(CmdletName).ToList();
        Assert.True(bad.Count == 0, "pipeline input but no ProcessRecord: " + string.Join(", ", bad));
    }

    [Fact]
    public void Manifest_exports_exactly_the_cmdlets_the_assembly_defines()
    {
        string manifest = File.ReadAllText(Path.Combine(RepoPaths.Root, "module", "LoraPS.psd1"));
        var block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.Singleline);
        Assert.True(block.Success, "CmdletsToExport not found in module/LoraPS.psd1");
        var exported = Regex.Matches(block.Groups["list"].Value, @"'([^']+)'").Select(m => m.Groups[1].Value).ToHashSet();
        var defined = _cmdlets.Select(CmdletName).ToHashSet();
        Assert.True(exported.SetEquals(defined),
            $"manifest exports [{string.Join(", ", exported.Order())}] but LoraPS.dll defines [{string.Join(", ", defined.Order())}]");
        Assert.Matches(@"RootModule\s*=\s*'LoraPS\.dll'", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7\.4'", manifest);
        Assert.Matches(@"FormatsToProcess\s*=\s*@\('LoraPS\.format\.ps1xml'\)", manifest);
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "module", "LoraPS.format.ps1xml")));
    }

    /// <summary>True when the cmdlet or one of LoraPS's own base classes overrides ProcessRecord.</summary>
    private static bool DeclaresProcessRecord(Type t)
    {
        for (var c = t; c != null && c.Namespace?.StartsWith(Sma) != true; c = c.BaseType)
            if (c.GetMethod("ProcessRecord", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly) != null)
                return true;
        return false;
    }

    private HashSet<string> ApprovedVerbs()
    {
        var sma = _context.LoadFromAssemblyName(Sma);
        var verbs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string table in new[] { "VerbsCommon", "VerbsData", "VerbsLifecycle", "VerbsDiagnostic", "VerbsCommunications", "VerbsSecurity", "VerbsOther" })
            foreach (var f in sma.GetType($"{Sma}.{table}", throwOnError: true)!.GetFields(BindingFlags.Public | BindingFlags.Static))
                if (f.IsLiteral && f.GetRawConstantValue() is string v) verbs.Add(v);
        return verbs;
    }

    private static string CmdletName(Type t)
    {
        var a = Attribute(t, "CmdletAttribute")!;
        return $"{a.ConstructorArguments[0].Value}-{a.ConstructorArguments[1].Value}";
    }

    private static CustomAttributeData? Attribute(MemberInfo m, string name) =>
        m.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == name);

    private static bool NamedBool(CustomAttributeData a, string name) =>
        a.NamedArguments.Any(n => n.MemberName == name && n.TypedValue.Value is true);

    private static IEnumerable<(string Name, List<CustomAttributeData> Attributes)> Parameters(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.Name, p.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute").ToList()))
            .Where(p => p.Item2.Count > 0);
}
