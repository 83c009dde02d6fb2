namespace WorkflowHost.Cli.Bench;

/// <summary>The machine the figures were measured on (Linux /proc).</summary>
public static class BenchMachine
{
    /// <summary>Total memory in GiB.</summary>
    public static double MemoryGb() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0;

    /// <summary>The CPU model name, or "?".</summary>
    public static string Cpu()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
