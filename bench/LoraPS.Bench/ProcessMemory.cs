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
}
