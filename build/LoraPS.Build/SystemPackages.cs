namespace LoraPS.Build;

/// <summary>
/// Installs missing Debian/Ubuntu packages with apt-get (as root, or through sudo). Elsewhere it only
/// says what is missing, since there is no one package manager to ask.
/// </summary>
internal static class SystemPackages
{
    private static bool _updated;

    public static bool IsDebianLike => OperatingSystem.IsLinux() && Shell.OnPath("apt-get") && Shell.OnPath("dpkg-query");

    public static bool IsInstalled(string package) =>
        Shell.Capture("dpkg-query", "-W", "-f=${Status}", package)?.Contains("install ok installed") == true;

    /// <summary>Installs whichever of <paramref name="packages"/> are missing; <paramref name="why"/> explains them.</summary>
    public static void Ensure(string why, params string[] packages)
    {
        if (!IsDebianLike) return;
        var missing = packages.Where(p => !IsInstalled(p)).ToList();
        if (missing.Count == 0) return;
        Console.WriteLine($"Installing {string.Join(", ", missing)} ({why}).");
        var (program, prefix) = Elevation();
        if (!_updated)
        {
            Shell.Run(program, prefix.Concat(new[] { "apt-get", "update", "-q" }));
            _updated = true;
        }
        Shell.Run(program, prefix.Concat(new[] { "apt-get", "install", "-y", "-q", "--no-install-recommends" }).Concat(missing));
    }

    /// <summary>`env DEBIAN_FRONTEND=noninteractive …` as root, or the same through sudo (which drops the caller's environment).</summary>
    private static (string Program, string[] Prefix) Elevation()
    {
        const string quiet = "DEBIAN_FRONTEND=noninteractive";
        if (Shell.Capture("id", "-u") == "0") return ("env", new[] { quiet });
        if (Shell.OnPath("sudo")) return ("sudo", new[] { "env", quiet });
        throw new BuildException("installing packages needs root: run as root or install sudo");
    }
}
