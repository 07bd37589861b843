namespace LoraPS.Bench;

/// <summary>This process's memory as Linux reports it, for the benchmarks' peak-RSS figures.</summary>
internal static class ProcessMemory
{
    /// <summary>A field of /proc/self/status in KiB (VmHWM = peak resident, VmRSS, RssAnon, RssFile); 0 elsewhere.</summary>
    public static long StatusKb(string field)
    {
        if (!File.Exists("/proc/self/status")) return 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so each phase reports its own peak.</summary>
    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat); 0 elsewhere.</summary>
    public static long MinorFaults()
    {
        if (!File.Exists("/proc/self/stat")) return 0;
        string stat = File.ReadAllText("/proc/self/stat");
        // fields after the parenthesised command name, which may itself hold spaces
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
